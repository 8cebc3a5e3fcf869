"""Text normalisation shared by language detection and routing.

Lower case, accents optional (``réglée`` = ``reglee``, ``måneder`` = ``maneder``), emoji and
punctuation dropped, English contractions joined (``won't`` -> ``wont``), French elisions split
(``l'argent`` -> ``l argent``), digits collapsed to one token (``10 000`` is one number),
``24/7`` one word.
"""

from __future__ import annotations

import re
import unicodedata

from bot.understanding.turn_memo import per_turn

_SPECIAL = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "’": "'", "‘": "'", "`": "'", "ʼ": "'"}
)
_CONTRACTION = re.compile(r"([a-z])'(t|s|re|ve|ll|d|m)\b")
_TOKEN = re.compile(r"[a-z]+|[0-9]+")
# "24/7", "24h/24", "7j/7", "24-7": one word, so that two numbers never look like it
_ROUND_THE_CLOCK = re.compile(r"\b(?:24\s*h?\s*[/-]\s*(?:7|24)|7\s*j?\s*/\s*7)\b")
_NUMBER_GROUP = re.compile(r"(?<=[0-9])[ .,\u00a0\u202f](?=[0-9]{3}\b)")  # 10 000 / 10,000
ROUND_THE_CLOCK = "heledognet"


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[^\W\d_]")


def strip_accents(text: str) -> str:
    """Compatibility-decomposed text without combining marks (é → e); ASCII passes as it is."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


@per_turn(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents; keeps spacing and punctuation."""
    return strip_accents(text.lower().translate(_SPECIAL))


def tokens(text: str) -> list[str]:
    """Folded word tokens; every number becomes ``0``."""
    return list(_tokens(text))


@per_turn(maxsize=256)  # one message is tokenised for language, routing and its features
def _tokens(text: str) -> tuple[str, ...]:
    folded = _CONTRACTION.sub(r"\1\2", fold(text))
    if _DIGIT.search(folded):
        folded = _ROUND_THE_CLOCK.sub(f" {ROUND_THE_CLOCK} ", _NUMBER_GROUP.sub("", folded))
    return tuple("0" if tok[0].isdigit() else tok for tok in _TOKEN.findall(folded))


def letters(text: str) -> int:
    """How many letters the text holds (any script)."""
    return len(_LETTER.findall(text))
