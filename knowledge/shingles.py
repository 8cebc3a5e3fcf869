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
