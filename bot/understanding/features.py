"""Words to features: chat spellings spelled out, per-language stems, word pairs, typo repair
and compound splitting."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.understanding.normalise import fold, tokens

_STEMMERS = {"fr": "french", "nb": "norwegian", "en": "english"}
MIN_FUZZY = 5  # shorter words are never corrected: too many false friends
FUZZY_CUTOFF = 84.0
PREFIX = 5  # longer stems also count by their first letters ("facturat" ~ "factur")
# Letters typed without a Norwegian keyboard: "aa" for å ("maaned", "betaale"), "oe" for ø
# ("moete"); folded, å and ø read "a" and "o". Tried only on a word the vocabulary lacks.
ASCII_LETTERS = {"nb": (("aa", "a"), ("oe", "o"))}


@lru_cache(maxsize=3)
def _stemmer(lang: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMERS[lang])


@lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    """The snowball stem of a folded word (numbers stay as they are)."""
    if word == "0":
        return word
    return _stemmer(lang).stemWord(word)


Spellings = Mapping[str, tuple[str, ...]]  # a chat spelling -> the folded words it stands for
_WORD = re.compile(r"[^\W_]+")


def spellings_of(table: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """A language's ``spellings`` table (``jsp: je sais pas``) as folded token sequences."""
    return {word: tuple(tokens(meaning)) for word, meaning in table.items()}


def respelled(toks: Iterable[str], spellings: Spellings) -> list[str]:
    """Tokens with every chat spelling replaced by the words it stands for (``jsp`` -> ``je``,
    ``sais``, ``pas``), so that "jsp pk" reads like "je sais pas pourquoi"."""
    if not spellings:
        return list(toks)
    out: list[str] = []
    for tok in toks:
        out.extend(spellings.get(tok, (tok,)))
    return out


def spelled_out(text: str, table: Mapping[str, str]) -> str:
    """``text`` itself with its chat spellings written out (``jsp pk`` -> ``je sais pas
    pourquoi``), punctuation and accents kept: what the embedding reads."""
    if not table:
        return text
    return _WORD.sub(lambda w: table.get(fold(w.group()), w.group()), text)


class Vocabulary:
    """Known stems of one language, used to repair typos and split compounds, and the
    language's chat spellings."""

    def __init__(
        self,
        lang: str,
        stems: Iterable[str],
        stopwords: Iterable[str],
        spellings: Mapping[str, str] | None = None,
    ) -> None:
        self.lang = lang
        self.known = frozenset(stems)
        self.stop = frozenset(stopwords)
        self.spelling_table: dict[str, str] = dict(spellings or {})
        self.spellings: Spellings = spellings_of(self.spelling_table)
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


def train_features(
    text: str, lang: str, stop: frozenset[str], spellings: Spellings | None = None
) -> list[str]:
    """Features of a training phrase (no repair: the phrase defines the vocabulary)."""
    toks = respelled(tokens(text), spellings or {})
    return features_of([stem(t, lang) for t in toks], [t in stop for t in toks])


def keyboard_spelling(tok: str, vocab: Vocabulary) -> str:
    """``tok`` with the letters of :data:`ASCII_LETTERS` read back (``maaned`` -> ``maned``,
    the fold of ``måned``) when only that form is known to the vocabulary."""
    pairs = ASCII_LETTERS.get(vocab.lang)
    if not pairs or tok in vocab.stop or stem(tok, vocab.lang) in vocab.known:
        return tok
    out = tok
    for typed, letter in pairs:
        out = out.replace(typed, letter)
    if out != tok and (out in vocab.stop or stem(out, vocab.lang) in vocab.known):
        return out
    return tok


def message_stems(text: str, vocab: Vocabulary) -> tuple[list[str], list[bool]]:
    """Stems of a user message (typos repaired, compounds split) and which are stopwords."""
    stems: list[str] = []
    mask: list[bool] = []
    for tok in map(lambda t: keyboard_spelling(t, vocab), respelled(tokens(text), vocab.spellings)):
        if tok in vocab.stop:
            stems.append(stem(tok, vocab.lang))
            mask.append(True)
            continue
        for part in vocab.resolve(tok):
            stems.append(part)
            mask.append(False)
    return stems, mask


def phrase_stems(text: str, lang: str, spellings: Spellings | None = None) -> tuple[str, ...]:
    """The stem sequence of a vocabulary phrase."""
    return tuple(stem(tok, lang) for tok in respelled(tokens(text), spellings or {}))
