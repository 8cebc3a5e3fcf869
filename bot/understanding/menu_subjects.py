"""Subjects a coach for client relationships does not advise on, even when a freelancer asks
(taxes, VAT): an off-topic question about one gets the menu, not "the closest topics".

The subjects are data (``menu_subjects`` in ``knowledge/routing/offtopic.yaml``), kept by the
word model as stem sequences and matched on the message's stems, typos repaired as for routing.
"""

from __future__ import annotations

from bot.understanding.features import message_stems
from bot.understanding.model import Model


def names_menu_subject(text: str, m: Model, lang: str) -> bool:
    """True when ``text`` speaks of a subject that gets the menu."""
    subjects = m.menu_subjects.get(lang, frozenset())
    if not subjects:
        return False
    stems = message_stems(text, m.vocab[lang])[0]
    longest = max(len(s) for s in subjects)
    return any(
        tuple(stems[start : start + size]) in subjects
        for start in range(len(stems))
        for size in range(1, longest + 1)
    )
