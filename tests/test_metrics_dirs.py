"""Metrics folders left by killed services are removed at the next start; folders in use, and
those whose owner cannot be told yet, are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bot.metrics_dirs import PREFIX, UNKNOWN_AGE_S, make_folder, remove_stale


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def folder(base: Path, name: str, *writers: int, age_s: float = 0) -> Path:
    path = base / name
    path.mkdir()
    for pid in writers:
        (path / f"counter_{pid}.db").write_bytes(b"")
    if age_s:
        then = time.time() - age_s
        os.utime(path, (then, then))
    return path


def test_only_folders_whose_processes_are_all_gone_are_removed(tmp_path):
    gone, other_gone = dead_pid(), dead_pid()
    live = os.getpid()
    ours = Path(make_folder(str(tmp_path)))
    assert ours.name.startswith(f"{PREFIX}{live}-")
    killed = folder(tmp_path, f"{PREFIX}{gone}-abc", gone, other_gone)
    consumer_alive = folder(tmp_path, f"{PREFIX}{gone}-def", gone, live)
    old_dead = folder(tmp_path, f"{PREFIX}x1y2", other_gone)  # an older version's name
    old_alive = folder(tmp_path, f"{PREFIX}x3y4", live)
    old_empty_new = folder(tmp_path, f"{PREFIX}x5y6")
    old_empty_old = folder(tmp_path, f"{PREFIX}x7y8", age_s=UNKNOWN_AGE_S + 60)
    unrelated = folder(tmp_path, "something-else", gone)

    removed = remove_stale(str(tmp_path))

    assert sorted(removed) == sorted(str(p) for p in (killed, old_dead, old_empty_old))
    for kept in (ours, consumer_alive, old_alive, old_empty_new, unrelated):
        assert kept.is_dir()
    assert not killed.exists() and not old_dead.exists()


def test_a_symlink_named_like_a_metrics_folder_is_not_followed(tmp_path):
    target = folder(tmp_path, "target", dead_pid())
    (tmp_path / f"{PREFIX}{dead_pid()}-link").symlink_to(target)
    assert remove_stale(str(tmp_path)) == []
    assert target.is_dir() and any(target.iterdir())
