"""Finding known phrases in a short answer: folded words, per-language stems, typo tolerance.

The same tokens serve every reader of answers (options, yes/no, small talk, numbers): lower case,
no accents, English contractions joined ("didn't" → "didnt"), French elisions and hyphens split
("l'oral" → "l oral", "forty-five" → "forty five"), digits kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.understanding import turn_memo
from bot.understanding.features import stem
from bot.understanding.normalise import fold
from bot.understanding.turn_memo import per_turn
from knowledge.models import LANGS

_CONTRACTION = re.compile(r"([a-z])['’](t|s|re|ve|ll|d|m)\b")
_WORD = re.compile(r"[a-z]+|[0-9]+|\|")
_CLAUSE = re.compile(r"[,;.!?…:()]+(?=\s|$)|\s[-–—]\s")
BREAK = "|"  # a clause mark: phrases and negations do not reach across it
MIN_TYPO = 6  # words shorter than this are never corrected
MAX_WORDS = 80  # words of an answer worth reading
MAX_CACHED = 20000  # typo repairs remembered per phrase set
MAX_FOUND = 256  # answers whose matches are remembered per phrase set


@per_turn(maxsize=32768)  # the data's phrases are read several times when the readers start
def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text`` (numbers kept as digits), chat spellings read as the words
    they stand for ("bcp" → "beaucoup", "1ere" → "premiere": ``words.yaml`` ``spellings``)."""
    return _spelled(_split(text))[:MAX_WORDS]


def _split(text: str) -> tuple[str, ...]:
    folded = _CONTRACTION.sub(r"\1\2", fold(_CLAUSE.sub(f" {BREAK} ", text)))
    found = _WORD.findall(folded)
    while found and found[0] == BREAK:
        found.pop(0)
    return tuple(found)


@lru_cache(maxsize=1)
def _spellings() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Chat spelling or regional form (one or two tokens: "bcp", "1 ere", "ikkje", "sais pu")
    → the words it stands for."""
    from bot.understanding.conversation_data import load  # data, read once

    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    general = load().words
    tables = (*general.spellings.values(), *general.dialect.values(), *general.litotes.values())
    for per_lang in tables:
        for short, full in per_lang.items():
            table.setdefault(_split(short), _split(full))
    return table


def _spelled(found: tuple[str, ...]) -> tuple[str, ...]:
    table = _spellings()
    out: list[str] = []
    i = 0
    while i < len(found):
        pair = table.get(found[i : i + 2]) if i + 1 < len(found) else None
        if pair is not None:
            out.extend(pair)
            i += 2
            continue
        out.extend(table.get(found[i : i + 1], found[i : i + 1]))
        i += 1
    return tuple(out)


def content(text_words: tuple[str, ...]) -> tuple[str, ...]:
    """The words without clause marks."""
    return tuple(w for w in text_words if w != BREAK)


MIN_STEM = 4  # a shorter stem cut far from its word says too little ("connais" → "con")
MAX_CUT = 3


_KEYS: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}  # per language: word → key
MAX_KEYS = 200000  # words whose key is remembered, per language


def key(word: str, lang: str) -> str:
    """What a word is matched by: its stem, or the word itself (marked) when stemming left only
    a short stub of a longer word."""
    known = _KEYS.get(lang)
    if known is not None:
        hit = known.get(word)
        if hit is not None:
            return hit
    stemmed = stem(word, lang)
    if len(stemmed) < MIN_STEM and len(word) - len(stemmed) >= MAX_CUT:
        stemmed = "=" + word
    if known is not None and len(known) < MAX_KEYS:
        known[word] = stemmed
    return stemmed


def typo_budget(word: str) -> int:
    """Edits forgiven in a word: none below six letters, one up to eight, then two."""
    if len(word) < MIN_TYPO or word.isdigit():
        return 0
    return 1 if len(word) <= 8 else 2


@dataclass(frozen=True)
class Match:
    """A phrase found at words ``start``..``end`` of an answer."""

    label: str
    lang: str
    start: int
    end: int
    phrase: tuple[str, ...]

    @property
    def size(self) -> int:
        return self.end - self.start


class PhraseSet:
    """Labelled phrases of the three languages, found by stem with typo tolerance."""

    def __init__(
        self,
        entries: Iterable[tuple[str, str, str]],
        skip: dict[str, frozenset[str]] | None = None,
    ) -> None:
        """``entries``: (label, language, phrase); ``skip``: per language, words left out of
        both the phrases and the answers ("signed contract" then matches "signed a contract")."""
        self._skip = skip or {}
        # per language: first key -> phrase length -> phrase -> its labels, in the data's order
        self._by_first: dict[str, dict[str, dict[int, dict[tuple[str, ...], list[str]]]]] = {
            lang: {} for lang in LANGS
        }
        self._known: dict[str, set[str]] = {lang: set() for lang in LANGS}
        for label, lang, phrase in entries:
            kept = [w for w in words(phrase) if w not in self._skip.get(lang, ())]
            stems = tuple(key(w, lang) for w in kept)
            if not stems:
                continue
            by_size = self._by_first[lang].setdefault(stems[0], {})
            by_size.setdefault(len(stems), {}).setdefault(stems, []).append(label)
            self._known[lang].update(stems)
        self._choices = {lang: sorted(self._known[lang]) for lang in LANGS}
        self._repairs: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        self._found: dict[Hashable, list[Match]] = {}  # outside a turn

    def _repair(self, word: str, lang: str) -> str:
        """The known stem within the word's typo budget, or the word itself."""
        repairs = self._repairs[lang]
        cached = repairs.get(word)
        if cached is not None:
            return cached
        fixed = word
        if word not in self._known[lang] and not word.startswith("=") and typo_budget(word):
            hit = process.extractOne(
                word, self._choices[lang], scorer=Levenshtein.distance,
                score_cutoff=typo_budget(word),
            )  # fmt: skip
            if hit is not None and len(hit[0]) >= MIN_TYPO - 1 and hit[0][0] == word[0]:
                fixed = hit[0]  # same first letter: "wrtten" is "written", "banana" is no "bann"
        if len(repairs) < MAX_CACHED:
            repairs[word] = fixed
        return fixed

    def find(self, text_words: tuple[str, ...], langs: Iterable[str] = LANGS) -> list[Match]:
        """Every phrase found, in any of ``langs``, longest first (the same answer is read
        several times in a turn: the last ones are remembered)."""
        langs = tuple(langs)
        memo = turn_memo.current()
        key = (self, text_words, langs)
        remembered = self._found if memo is None else memo
        hit = remembered.get(key)
        if hit is not None:
            return hit
        found = self._find(text_words, langs)
        if memo is None and len(self._found) >= MAX_FOUND:
            self._found.clear()
        remembered[key] = found
        return found

    def _find(self, text_words: tuple[str, ...], langs: tuple[str, ...]) -> list[Match]:
        found: list[Match] = []
        for lang in langs:
            index = self._by_first[lang]
            if not index:
                continue
            skip = self._skip.get(lang)
            if skip:
                at: list[int] | None = [i for i, w in enumerate(text_words) if w not in skip]
                keys, present, long = message_keys(tuple(text_words[i] for i in at), lang)
            else:
                at = None
                keys, present, long = message_keys(text_words, lang)
            fixes: dict[str, str] = {}
            if long:
                known, repairs = self._known[lang], self._repairs[lang]
                for k in long:
                    if k not in known:
                        fixed = repairs.get(k) or self._repair(k, lang)
                        if fixed != k:
                            fixes[k] = fixed
            if not fixes and index.keys().isdisjoint(present):
                continue  # no phrase of this language starts anywhere in the message
            stems = [fixes.get(k, k) for k in keys] if fixes else keys
            for k, first in enumerate(stems):
                by_size = index.get(first)
                if by_size is None:
                    continue
                for size, phrases in by_size.items():
                    end = k + size
                    phrase = (first,) if size == 1 else tuple(stems[k:end])
                    labels = phrases.get(phrase)
                    if labels is None:
                        continue
                    start, stop = (k, end) if at is None else (at[k], at[end - 1] + 1)
                    found.extend(Match(label, lang, start, stop, phrase) for label in labels)
        found.sort(key=lambda m: (-m.size, m.start))
        return found


@per_turn(maxsize=1024)
def message_keys(
    text_words: tuple[str, ...], lang: str
) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    """A message's match keys in ``lang``, shared by every phrase set: in order, as a set, and
    those long enough to be typos worth repairing."""
    known = _KEYS[lang]
    keys = tuple([known.get(w) or key(w, lang) for w in text_words])
    long = tuple(k for k in set(keys) if typo_budget(k) and not k.startswith("="))
    return keys, frozenset(keys), long


def covers(matches: list[Match], total: int, share: float) -> bool:
    """(``total``: the words that count, clause marks left out)."""
    """True when non-overlapping ``matches`` cover at least ``share`` of ``total`` words."""
    taken: set[int] = set()
    for m in matches:
        span = set(range(m.start, m.end))
        if not span & taken:
            taken |= span
    return total > 0 and len(taken) / total >= share
