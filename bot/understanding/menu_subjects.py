"""Subjects a coach for client relationships does not advise on, even when a freelancer asks
(taxes, VAT, help with office or bookkeeping software): a question about one gets the menu, not
"the closest topics", and not a topic its other words point to.

The subjects are data (``menu_subjects`` in ``knowledge/routing/offtopic.yaml``), kept by the
word model as stem sequences and matched on the message's stems, typos repaired as for routing.

A subject word can also be a side remark in a message about a client ("the invoice of 2 400 €
TVA comprise is six weeks late", "I need that payment for my tax bill and the client is two
months late"). :func:`asks_menu_subject` tells the two apart, per clause:

- a subject word inside a longer phrase of a topic ("VAT number", "numéro de TVA") or of
  ``menu_asides`` ("inkl. mva", "plus VAT") is not a subject: it is what goes on an invoice, or
  a qualifier of an amount;
- a clause that names a subject and asks something (a question mark, or it opens with a
  ``question_openings`` phrase, or ends with a ``question_endings`` one: "do I charge VAT...",
  "je mets de la TVA ou pas") is a question about that subject: the menu;
- a clause that only states a subject ("I need it for my tax bill") is a side remark when the
  rest of the message stands as a topic message by itself: a decisive topic phrase outside the
  subject words, or another clause the word model reads as one of ours; else the menu.
"""

from __future__ import annotations

import re

from bot.understanding.features import message_stems, stem
from bot.understanding.model import BONUS, MAX_PHRASE, Model
from bot.understanding.normalise import tokens

STRONG = BONUS["strong"]  # a phrase with this bonus is a decisive topic phrase
SPLIT_AT = 8  # a Norwegian token this long may be a compound holding a subject ("mvaregnskap")
# Clauses: punctuation, and the words that join two statements.
_CLAUSE = re.compile(
    r"([,;:.!?…]+|\s[-–—]\s|\b(?:and|but|because|so|et|mais|car|donc|og|men|fordi)\b)",
    re.IGNORECASE,
)
Spans = list[tuple[int, int]]
_FILTERS: dict[frozenset, tuple[dict[str, frozenset[str]], re.Pattern]] = {}


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


def _filter(subjects: frozenset[tuple[str, ...]]) -> tuple[dict[str, frozenset[str]], re.Pattern]:
    """For each first stem of a subject, the last stems of the subjects it starts; and a pattern
    of the one-word subjects, found inside a compound. Built once per model."""
    hit = _FILTERS.get(subjects)
    if hit is None:
        lasts: dict[str, set[str]] = {}
        for subject in subjects:
            lasts.setdefault(subject[0], set()).add(subject[-1])
        words = sorted((s[0] for s in subjects if len(s) == 1 and len(s[0]) >= 3), key=len)
        pattern = re.compile("|".join(map(re.escape, reversed(words))) or "(?!)")
        hit = _FILTERS[subjects] = ({k: frozenset(v) for k, v in lasts.items()}, pattern)
    return hit


def _may_name(text: str, subjects: frozenset[tuple[str, ...]], lang: str) -> bool:
    """A cheap test that lets most messages skip the clause reading: the first and the last
    word of a subject are in the message (in bokmål, a long compound may also hold one)."""
    lasts, pattern = _filter(subjects)
    toks = tokens(text)
    seen = {stem(tok, lang) for tok in toks}
    for word in seen:
        ends = lasts.get(word)
        if ends is not None and not ends.isdisjoint(seen):
            return True
    if lang == "nb":
        compounds = [tok for tok in toks if len(tok) >= SPLIT_AT]
        return bool(compounds) and pattern.search(" ".join(compounds)) is not None
    return False


def _covered(stems: list[str], start: int, end: int, m: Model, asides: frozenset) -> bool:
    """True when a longer topic phrase or aside holds the span (``VAT number``, ``inkl. mva``)."""
    size = end - start
    for first in range(max(0, start - MAX_PHRASE + 1), start + 1):
        for last in range(end, min(len(stems), first + MAX_PHRASE) + 1):
            if last - first > size:
                key = tuple(stems[first:last])
                if key in m.phrases or key in asides:
                    return True
    return False


def subject_spans(stems: list[str], m: Model, lang: str) -> Spans:
    """Where the clause names a menu subject, leaving out the subject words that belong to a
    longer topic phrase or aside."""
    subjects = m.menu_subjects.get(lang, frozenset())
    asides = m.menu_rule[lang]["menu_asides"]
    longest = max((len(s) for s in subjects), default=0)
    spans = []
    for start in range(len(stems)):
        for size in range(longest, 0, -1):
            end = start + size
            if end <= len(stems) and tuple(stems[start:end]) in subjects:
                if not _covered(stems, start, end, m, asides):
                    spans.append((start, end))
                break
    return spans


def _asks(stems: list[str], question_mark: bool, rule: dict[str, frozenset]) -> bool:
    """True when the clause is a question: a question mark, an opening within its first three
    words, or an ending."""
    if question_mark:
        return True
    openings, endings = rule["question_openings"], rule["question_endings"]
    for start in range(min(3, len(stems))):
        for size in (1, 2, 3, 4):
            if tuple(stems[start : start + size]) in openings:
                return True
    return any(tuple(stems[-size:]) in endings for size in (2, 3, 4) if size <= len(stems))


def _decisive_phrase(stems: list[str], spans: Spans, m: Model) -> bool:
    """True when a decisive topic phrase stands outside the subject words (longest first)."""
    taken = {i for a, b in spans for i in range(a, b)}
    start = 0
    while start < len(stems):
        for end in range(min(start + MAX_PHRASE, len(stems)), start, -1):
            bonus = m.phrases.get(tuple(stems[start:end]))
            if bonus:
                if max(bonus.values()) >= STRONG and not taken & set(range(start, end)):
                    return True
                start = end
                break
        else:
            start += 1
    return False


def clauses(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into clauses, each with whether a question mark closes it."""
    parts = _CLAUSE.split(text)
    out = []
    for i in range(0, len(parts), 2):
        piece = parts[i]
        closing = parts[i + 1] if i + 1 < len(parts) else ""
        if piece.strip():
            out.append((piece, "?" in closing))
    return out


def asks_menu_subject(text: str, m: Model, lang: str) -> bool:
    """True when ``text`` asks about a menu subject, even if its other words point to a topic;
    False when it does not name one, or names it in passing in a message about a client."""
    subjects = m.menu_subjects.get(lang, frozenset())
    if not subjects or not _may_name(text, subjects, lang):
        return False
    from bot.understanding.router import reads_as_ours  # the router imports this module

    rule = m.menu_rule[lang]
    read = []
    for clause, question_mark in clauses(text):
        stems = message_stems(clause, m.vocab[lang])[0]
        spans = subject_spans(stems, m, lang)
        if spans and _asks(stems, question_mark, rule):
            return True
        read.append((clause, stems, spans))
    if not any(spans for _, _, spans in read):
        return False
    if any(_decisive_phrase(stems, spans, m) for _, stems, spans in read):
        return False
    return not any(reads_as_ours(m, clause, lang) for clause, _, spans in read if not spans)
