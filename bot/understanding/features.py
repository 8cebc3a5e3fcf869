"""Words to features: per-language stems, word pairs, typo repair and compound splitting."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.understanding.normalise import tokens

_STEMMERS = {"fr": "french", "nb": "norwegian", "en": "english"}
MIN_FUZZY = 5  # shorter words are never corrected: too many false friends
FUZZY_CUTOFF = 84.0
PREFIX = 5  # longer stems also count by their first letters ("facturat" ~ "factur")


@lru_cache(maxsize=3)
def _stemmer(lang: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMERS[lang])


@lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    """The snowball stem of a folded word (numbers stay as they are)."""
    if word == "0":
        return word
    return _stemmer(lang).stemWord(word)


class Vocabulary:
    """Known stems of one language, used to repair typos and split compounds."""

    def __init__(self, lang: str, stems: Iterable[str], stopwords: Iterable[str]) -> None:
        self.lang = lang
        self.known = frozenset(stems)
        self.stop = frozenset(stopwords)
        self._choices = sorted(s for s in self.known if len(s) >= MIN_FUZZY - 1)
        self._cache: dict[str, tuple[str, ...]] = {}

    def resolve(self, word: str) -> tuple[str, ...]:
        """Stems standing for ``word``: itself if known, else a repaired or split form."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        base = stem(word, self.lang)
        result: tuple[str, ...] = (base,)
        if base not in self.known and len(word) >= MIN_FUZZY:
            result = self._split(word) or self._repair(base) or result
        if len(self._cache) < 50000:
            self._cache[word] = result
        return result

    def _repair(self, base: str) -> tuple[str, ...]:
        found = process.extractOne(
            base, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if found is None or abs(len(found[0]) - len(base)) > 2:
            return ()
        return (found[0],)

    def _split(self, word: str) -> tuple[str, ...]:
        """Compound words (``timeprisen`` = ``time`` + ``prisen``), mostly Norwegian."""
        if len(word) < 8:
            return ()
        for cut in range(len(word) - 4, 3, -1):
            head, tail = word[:cut], word[cut:]
            head_stem = stem(head, self.lang)
            if head_stem not in self.known and head not in self.known:
                continue
            for rest in (tail, tail[1:] if tail[0] in "se" else ""):
                if len(rest) >= 4 and stem(rest, self.lang) in self.known:
                    return (head_stem if head_stem in self.known else head, stem(rest, self.lang))
        return ()


def features_of(stems: list[str], stop_mask: list[bool]) -> list[str]:
    """Content words, their prefixes (word families the stemmer splits) and adjacent pairs."""
    feats = [s for s, is_stop in zip(stems, stop_mask, strict=True) if not is_stop]
    feats.extend([f"{s[:PREFIX]}~" for s in feats if len(s) > PREFIX])
    for i in range(len(stems) - 1):
        if not (stop_mask[i] and stop_mask[i + 1]):
            feats.append(f"{stems[i]} {stems[i + 1]}")
    return feats


def train_features(text: str, lang: str, stop: frozenset[str]) -> list[str]:
    """Features of a training phrase (no repair: the phrase defines the vocabulary)."""
    toks = tokens(text)
    return features_of([stem(t, lang) for t in toks], [t in stop for t in toks])


def message_stems(text: str, vocab: Vocabulary) -> tuple[list[str], list[bool]]:
    """Stems of a user message (typos repaired, compounds split) and which are stopwords."""
    stems: list[str] = []
    mask: list[bool] = []
    for tok in tokens(text):
        if tok in vocab.stop:
            stems.append(stem(tok, vocab.lang))
            mask.append(True)
            continue
        for part in vocab.resolve(tok):
            stems.append(part)
            mask.append(False)
    return stems, mask


def phrase_stems(text: str, lang: str) -> tuple[str, ...]:
    """The stem sequence of a vocabulary phrase."""
    return tuple(stem(tok, lang) for tok in tokens(text))
