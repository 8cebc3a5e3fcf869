"""The inbox in SQLite, used the same way as the Redis stream: a table of entries with an owner
and a claim time, a journal table beside it, in the store's own file (one process only).

With the in-memory store the tables live in a private in-memory database: nothing survives the
process, as nothing else of that store does.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from bot.inbox.base import JOURNAL_TTL_S, Entry, Inbox
from bot.store.base import SessionStore, StoreUnavailable
from bot.store.sqlite import SQLiteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, platform TEXT NOT NULL, key TEXT NOT NULL,
    ord TEXT NOT NULL, body TEXT NOT NULL, received REAL NOT NULL, owner TEXT, claimed REAL
);
CREATE INDEX IF NOT EXISTS inbox_owner ON inbox (owner, id);
CREATE TABLE IF NOT EXISTS journal (
    step TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL
) WITHOUT ROWID;
"""
_COLUMNS = "id, platform, key, ord, body, received"


def _entry(row: tuple) -> Entry:
    return Entry(str(row[0]), row[1], row[2], row[3], row[4], row[5])


class SQLiteInbox(Inbox):
    """The inbox of a :class:`SQLiteStore` (same file) or of an in-memory store."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store
        self._own: sqlite3.Connection | None = None
        self._ready = False
        self._arrived = asyncio.Event()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if isinstance(self.store, SQLiteStore):
            with self.store._db() as conn:
                if not self._ready:
                    conn.executescript(SCHEMA)
                    self._ready = True
                yield conn
            return
        if self._own is None:
            self._own = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self._own.executescript(SCHEMA)
        try:
            yield self._own
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"inbox: {exc}") from exc

    async def put(self, platform: str, key: str, order: str, body: str,
                  person: str | None = None, ttl: float = 900) -> bool:
        now = time.time()
        if not isinstance(self.store, SQLiteStore):
            if not await self.store.claim_event(key, person, ttl):
                return False
            with self._db() as conn:
                conn.execute("INSERT INTO inbox (platform, key, ord, body, received) "
                             "VALUES (?, ?, ?, ?, ?)", (platform, key, order, body, now))
            self._arrived.set()
            return True
        with self._db() as conn:
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute(
                "INSERT INTO events (id, person, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET person = excluded.person, "
                "expires = excluded.expires WHERE events.expires <= ?",
                (key, person, now + ttl, now),
            )
            first = cur.rowcount == 1
            if first:
                conn.execute("INSERT INTO inbox (platform, key, ord, body, received) "
                             "VALUES (?, ?, ?, ?, ?)", (platform, key, order, body, now))
            conn.execute("COMMIT")
        if first:
            self._arrived.set()
        return first

    def _take(self, consumer: str, where: str, args: tuple, count: int,
              platforms: Collection[str] | None) -> list[Entry]:
        if platforms is not None:  # a process without a platform leaves its entries alone
            where += f" AND platform IN ({', '.join('?' * len(platforms))})"
            args = (*args, *platforms)
        with self._db() as conn:
            rows = conn.execute(
                f"UPDATE inbox SET owner = ?, claimed = ? WHERE id IN (SELECT id FROM inbox "
                f"WHERE {where} ORDER BY id LIMIT ?) RETURNING {_COLUMNS}",
                (consumer, time.time(), *args, count),
            ).fetchall()
        return sorted((_entry(r) for r in rows), key=lambda e: int(e.id))

    async def read(self, consumer: str, count: int, block_s: float,
                   platforms: Collection[str] | None = None) -> list[Entry]:
        entries = self._take(consumer, "owner IS NULL", (), count, platforms)
        if entries:
            return entries
        self._arrived.clear()
        try:
            await asyncio.wait_for(self._arrived.wait(), timeout=block_s)
        except TimeoutError:
            return []
        return self._take(consumer, "owner IS NULL", (), count, platforms)

    async def reclaim(self, consumer: str, idle_s: float, count: int,
                      platforms: Collection[str] | None = None) -> list[Entry]:
        return self._take(consumer, "owner IS NOT NULL AND claimed < ?",
                          (time.time() - idle_s,), count, platforms)

    async def touch(self, consumer: str, ids: list[str]) -> None:
        if ids:
            with self._db() as conn:
                conn.executemany("UPDATE inbox SET claimed = ?, owner = ? WHERE id = ?",
                                 [(time.time(), consumer, int(i)) for i in ids])

    async def ack(self, entry_id: str) -> None:
        with self._db() as conn:
            conn.execute("DELETE FROM inbox WHERE id = ?", (int(entry_id),))

    async def depth(self) -> tuple[int, int, float]:
        with self._db() as conn:
            waiting, held, oldest = conn.execute(
                "SELECT sum(owner IS NULL), sum(owner IS NOT NULL), min(received) FROM inbox"
            ).fetchone()
        return int(waiting or 0), int(held or 0), time.time() - oldest if oldest else 0.0

    async def mark(self, step: str, state: str) -> str | None:
        now = time.time()
        with self._db() as conn:
            if state == "sent":
                conn.execute("INSERT OR REPLACE INTO journal VALUES (?, ?, ?)",
                             (step, state, now + JOURNAL_TTL_S))
                return None
            conn.execute("DELETE FROM journal WHERE step = ? AND expires <= ?", (step, now))
            row = conn.execute("SELECT value FROM journal WHERE step = ?", (step,)).fetchone()
            if row is not None:
                return row[0]
            conn.execute("INSERT INTO journal VALUES (?, ?, ?)", (step, state, now + JOURNAL_TTL_S))
            if int(now) % 64 == 0:
                conn.execute("DELETE FROM journal WHERE expires <= ?", (now,))
        return None

    async def replace(self, step: str, old: str, new: str) -> bool:
        with self._db() as conn:
            cur = conn.execute("UPDATE journal SET value = ?, expires = ? "
                               "WHERE step = ? AND value = ?",
                               (new, time.time() + JOURNAL_TTL_S, step, old))
        return cur.rowcount == 1

    async def recall(self, key: str) -> str | None:
        return await self.mark_value("v:" + key)

    async def mark_value(self, step: str) -> str | None:
        with self._db() as conn:
            row = conn.execute("SELECT value FROM journal WHERE step = ? AND expires > ?",
                               (step, time.time())).fetchone()
        return row[0] if row else None

    async def keep(self, key: str, value: str) -> str:
        before = await self.mark_value("v:" + key)
        if before is not None:
            return before
        with self._db() as conn:
            conn.execute("INSERT OR REPLACE INTO journal VALUES (?, ?, ?)",
                         ("v:" + key, value, time.time() + JOURNAL_TTL_S))
        return value

    async def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None
