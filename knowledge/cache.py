"""What is built from the knowledge files, kept on disk between processes.

Validating the knowledge base (about 0.7 s) and training the word model (about a second) would
otherwise be paid by every ``clientcoach chat``, ``serve`` worker and consumer at start. Each
product is stored once built, under a digest of the files it is built from and the code that
builds it (any change to either builds afresh), and read back in tens of milliseconds.

Where: ``CLIENTCOACH_CACHE_DIR``, else ``$XDG_CACHE_HOME/clientcoach``, else
``~/.cache/clientcoach`` (folder 0700, files 0600, written whole then renamed, so processes
starting together never read half a file). ``CLIENTCOACH_CACHE_DIR=off`` turns it off. A cache
that cannot be read or written only makes the start slower: the product is built, nothing fails.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("clientcoach.cache")
T = TypeVar("T")


def cache_dir() -> Path | None:
    """The folder of the cache, or None when it is turned off."""
    chosen = os.environ.get("CLIENTCOACH_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home folder (a bare container user): no cache
            return None
    return Path(base) / "clientcoach"


def fingerprint(paths: Iterable[Path], packages: Iterable[str] = ()) -> str:
    """A digest of the files (name and bytes), the packages' versions and Python's."""
    digest = hashlib.sha256(sys.version.encode())
    for package in packages:
        digest.update(f"{package} {version(package)}".encode())
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _read(path: Path, decode: Callable[[Any], T]) -> T | None:
    try:
        with path.open("rb") as stored:
            return decode(pickle.load(stored))
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged or outdated file: build again
        log.warning("cache unreadable, building", extra={"file": path.name,
                                                         "error": type(exc).__name__})
        return None


def _write(folder: Path, path: Path, state: Any) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".build-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:  # mkstemp creates it 0600
                pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as exc:
        log.info("cache not written", extra={"file": path.name, "error": type(exc).__name__})
        return
    for old in folder.glob(path.name.rsplit("-", 1)[0] + "-*.pickle"):  # never read again
        if old != path:
            old.unlink(missing_ok=True)


def cached(
    name: str,
    key: str,
    build: Callable[[], T],
    encode: Callable[[T], Any] = lambda built: built,
    decode: Callable[[Any], T] = lambda state: state,
) -> T:
    """``name``'s product for ``key`` from the cache, else ``build()`` (then stored)."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{key}.pickle"
    found = _read(path, decode)
    if found is not None:
        return found
    built = build()
    _write(folder, path, encode(built))
    return built
