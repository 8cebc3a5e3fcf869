"""The folders of prometheus-client's multi-process mode that ``clientcoach serve`` makes for
itself, and the removal of those a killed service left behind.

A service removes its folder when it stops, but not when it is killed (SIGKILL, a crash, a
container stopped hard). Every process that wrote metrics left a file named after its process id
(``counter_1234.db``), and the folder's own name carries the id of the ``serve`` that made it, so
a folder is stale when none of those processes is alive any more. It is removed at the next
start, and only then: a folder in use, or one whose owner cannot be told, is left alone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

PREFIX = "clientcoach-metrics-"
_OWNER = re.compile(rf"^{PREFIX}(\d+)-")
_WRITER = re.compile(r"_(\d+)\.db$")
UNKNOWN_AGE_S = 24 * 3600  # a folder of an older version, with no file to tell its owner


def make_folder(base: str | None = None) -> str:
    """A new folder for this process's service, named after its process id."""
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def stale(folder: Path, now: float | None = None) -> bool:
    """Whether no process that made or wrote into ``folder`` is alive."""
    owner = _OWNER.match(folder.name)
    pids = {int(owner.group(1))} if owner else set()
    try:
        pids |= {int(m.group(1)) for f in folder.iterdir() if (m := _WRITER.search(f.name))}
        age = (now or time.time()) - folder.stat().st_mtime
    except OSError:
        return False
    if not pids:
        return age > UNKNOWN_AGE_S
    return not any(_alive(pid) for pid in pids)


def remove_stale(base: str | None = None) -> list[str]:
    """Remove the stale metrics folders under ``base`` (the temporary folder); returns them."""
    removed: list[str] = []
    root = Path(base or tempfile.gettempdir())
    try:
        candidates = [p for p in root.glob(f"{PREFIX}*") if p.is_dir() and not p.is_symlink()]
    except OSError:
        return removed
    for folder in candidates:
        if stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed
