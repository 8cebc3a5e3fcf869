"""Word 8-gram fingerprints, used to prove the knowledge base is written in its own words.

The source articles are not shipped; only hashes of their 8-word runs are, in
``sources/fingerprints.json``, so the check works on any clone.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

RUN = 8
WORD = re.compile(r"[a-z0-9æøå]+")


def words(text: str) -> list[str]:
    """Lower-case words with accents removed (æ, ø, å kept), punctuation dropped."""
    text = text.lower().replace("’", "'")
    stripped = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(ch) or ch == "\u030a"
    )
    return WORD.findall(unicodedata.normalize("NFC", stripped))


def digest(run: Iterable[str]) -> str:
    return hashlib.blake2b(" ".join(run).encode(), digest_size=8).hexdigest()


def runs(text: str, size: int = RUN) -> list[tuple[str, ...]]:
    tokens = words(text)
    return [tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def fingerprint(text: str) -> set[str]:
    return {digest(run) for run in runs(text)}


def build(seed_dir: Path) -> dict[str, list[str]]:
    """Fingerprints of every ``*.txt`` article in ``seed_dir``."""
    return {
        path.name: sorted(fingerprint(path.read_text(encoding="utf-8")))
        for path in sorted(seed_dir.glob("*.txt"))
    }


def save(prints: dict[str, list[str]], path: Path) -> None:
    path.write_text(json.dumps(prints, indent=0, sort_keys=True) + "\n", encoding="utf-8")


def copied_runs(text: str, prints: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(seed file, copied words) for each run of ``text`` found in a seed."""
    found = []
    for run in runs(text):
        key = digest(run)
        for seed, hashes in prints.items():
            if key in hashes:
                found.append((seed, " ".join(run)))
    return found


# Six-word runs after folding numbers --------------------------------------------------------
# A changed number or a number written out ("2", "deux", "two", "to") must not hide a copy: every
# number, in digits or in words, becomes "#". Words that are also common non-number words in one
# of the languages ("en", "un", "une", "one" as a pronoun) are left alone.
SHORT_RUN = 6
_NUMBERS = (
    "zero deux trois quatre cinq six sept huit neuf dix onze douze vingt trente quarante"
    " cinquante soixante cent cents mille two three four five seven eight nine ten eleven"
    " twelve twenty thirty forty fifty sixty hundred thousand null ett to tre fire fem seks"
    " syv sju atte ni ti elleve tolv tjue tretti forti femti hundre tusen"
)
NUMBER_WORDS = frozenset(_NUMBERS.split())


def folded_words(text: str) -> list[str]:
    return ["#" if w.isdigit() or w in NUMBER_WORDS else w for w in words(text)]


def short_runs(text: str) -> list[tuple[str, ...]]:
    tokens = folded_words(text)
    return [tuple(tokens[i : i + SHORT_RUN]) for i in range(len(tokens) - SHORT_RUN + 1)]


def short_fingerprint(text: str) -> set[str]:
    return {digest(run) for run in short_runs(text)}


def build_short(seed_dir: Path) -> dict[str, list[str]]:
    """Six-word, number-folded fingerprints of every ``*.txt`` article in ``seed_dir``."""
    return {
        path.name: sorted(short_fingerprint(path.read_text(encoding="utf-8")))
        for path in sorted(seed_dir.glob("*.txt"))
    }


def copied_short_runs(text: str, prints: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(seed file, copied words) for each number-folded six-word run of ``text`` in a seed."""
    found = []
    for run in short_runs(text):
        key = digest(run)
        for seed, hashes in prints.items():
            if key in hashes:
                found.append((seed, " ".join(run)))
    return found
