"""The durable inbox: requests are stored before they are acknowledged, then handled by workers.

``open_inbox(store)`` picks the implementation that lives beside the session store: a Redis
Stream for the Redis store, tables in the same file for SQLite, private tables in memory for the
in-memory store.
"""

from __future__ import annotations

from bot.inbox.base import Entry, Inbox


def open_inbox(store: object, *, maxlen: int = 100_000) -> Inbox:
    """The inbox kept beside ``store``."""
    from bot.store.redis import RedisSessionStore

    if isinstance(store, RedisSessionStore):
        from bot.inbox.redis import RedisInbox

        return RedisInbox(store, maxlen=maxlen)
    from bot.inbox.sqlite import SQLiteInbox

    return SQLiteInbox(store)  # type: ignore[arg-type]


__all__ = ["Entry", "Inbox", "open_inbox"]
