"""Text normalisation shared by language detection and routing.

Lower case, accents optional (``réglée`` = ``reglee``, ``måneder`` = ``maneder``), emoji and
punctuation dropped, English contractions joined (``won't`` -> ``wont``), French elisions split
(``l'argent`` -> ``l argent``), digits collapsed to one token (``10 000`` is one number),
``24/7`` one word.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPECIAL = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "’": "'", "‘": "'", "`": "'", "ʼ": "'"}
)
_CONTRACTION = re.compile(r"([a-z])'(t|s|re|ve|ll|d|m)\b")
_TOKEN = re.compile(r"[a-z]+|[0-9]+")
# "24/7", "24h/24", "7j/7", "24-7": one word, so that two numbers never look like it
_ROUND_THE_CLOCK = re.compile(r"\b(?:24\s*h?\s*[/-]\s*(?:7|24)|7\s*j?\s*/\s*7)\b")
_NUMBER_GROUP = re.compile(r"(?<=[0-9])[ .,\u00a0\u202f](?=[0-9]{3}\b)")  # 10 000 / 10,000
ROUND_THE_CLOCK = "heledognet"


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents; keeps spacing and punctuation."""
    lowered = text.lower().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded word tokens; every number becomes ``0``."""
    folded = _CONTRACTION.sub(r"\1\2", fold(text))
    if any(ch.isdigit() for ch in folded):
        folded = _ROUND_THE_CLOCK.sub(f" {ROUND_THE_CLOCK} ", _NUMBER_GROUP.sub("", folded))
    return ["0" if tok[0].isdigit() else tok for tok in _TOKEN.findall(folded)]


def letters(text: str) -> int:
    """How many letters the text holds (any script)."""
    return sum(1 for ch in text if ch.isalpha())
