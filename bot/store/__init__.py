"""Session stores: ``open_store(url)`` picks one from ``CLIENTCOACH_STORE``.

- ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` (``~`` allowed): embedded, default;
- ``memory://``: one process, nothing on disk (tests, benchmarks);
- ``redis://host:port/db`` (also ``rediss://``): shared by every worker, see ``bot/store/redis.py``.
"""

from __future__ import annotations

from bot.store.base import Reminder, Session, SessionStore, StoreBusy, StoreUnavailable

DEFAULT_IDLE = 72 * 3600.0


class UnknownStore(ValueError):
    """The store URL names no known kind of store."""


def open_store(url: str, *, idle_seconds: float = DEFAULT_IDLE, pool_size: int = 64,
               pool_timeout: float = 5.0) -> SessionStore:
    """The store a URL names. Platform and Redis code is imported only when asked for."""
    if url.startswith("sqlite://"):
        from bot.store.sqlite import SQLiteStore

        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url[len("sqlite://") :]
        return SQLiteStore(path or ":memory:", idle_seconds=idle_seconds)
    if url.startswith("memory:"):
        from bot.store.memory import MemoryStore

        return MemoryStore(idle_seconds=idle_seconds)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from bot.store.redis import RedisSessionStore

        return RedisSessionStore(url, idle_seconds=idle_seconds, pool_size=pool_size,
                                 pool_timeout=pool_timeout)
    raise UnknownStore(
        f"unknown store {url!r}: use sqlite:///path, redis://host:port/db or memory://"
    )


__all__ = [
    "Reminder", "Session", "SessionStore", "StoreBusy", "StoreUnavailable", "UnknownStore",
    "open_store",
]
