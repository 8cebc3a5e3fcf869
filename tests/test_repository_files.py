"""The repository's own files: no unresolved merge left behind in anything tracked."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFLICT = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)


def _tracked() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    return [ROOT / name for name in out.decode().split("\0") if name]


def conflict_lines(text: str) -> list[int]:
    """Line numbers of merge-conflict markers in ``text``."""
    return [text.count("\n", 0, m.start()) + 1 for m in CONFLICT.finditer(text)]


def test_conflict_markers_are_found() -> None:
    sample = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> main\n"
    assert conflict_lines(sample) == [2, 4, 6]
    assert conflict_lines("a heading\n=======\n") == [2]
    assert conflict_lines("no conflict ==== here\n") == []


def test_no_tracked_file_holds_a_merge_conflict() -> None:
    found = {}
    for path in _tracked():
        if path.suffix not in {".py", ".md", ".yaml", ".yml", ".toml", ".json", ".jsonl", ".txt"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        lines = conflict_lines(text)
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert not found, f"unresolved merge conflicts: {found}"
