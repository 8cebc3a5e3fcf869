"""Subjects a coach for client relationships does not advise on, even when a freelancer asks
(taxes, VAT): an off-topic question about one gets the menu, not "the closest topics".

The subjects are data (``menu_subjects`` in ``knowledge/routing/offtopic.yaml``), matched as
stem sequences of the message, typos repaired as for routing.
"""

from __future__ import annotations

from functools import lru_cache

from bot.understanding.data import LANGS, load
from bot.understanding.features import Vocabulary, message_stems, phrase_stems


@lru_cache(maxsize=1)
def _subjects() -> dict[str, frozenset[tuple[str, ...]]]:
    listed = load().offtopic.menu_subjects
    return {lang: frozenset(phrase_stems(p, lang) for p in listed.get(lang)) for lang in LANGS}


def names_menu_subject(text: str, vocab: Vocabulary) -> bool:
    """True when ``text`` speaks of a subject that gets the menu."""
    subjects = _subjects().get(vocab.lang, frozenset())
    if not subjects:
        return False
    stems = message_stems(text, vocab)[0]
    longest = max(len(s) for s in subjects)
    return any(
        tuple(stems[start : start + size]) in subjects
        for start in range(len(stems))
        for size in range(1, longest + 1)
    )
