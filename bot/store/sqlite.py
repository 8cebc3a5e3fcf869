"""The embedded SQLite store, the default: one file, WAL journal, nothing to install.

``SQLiteStore(path)`` opens (and creates) the file on first use. Calls run synchronously on one
connection: each is a single indexed statement of a few microseconds, cheaper than a thread hop.
One process owns the conversations of a file (the per-conversation lock is in-process); several
workers share state through the Redis store instead.

Any SQLite failure — database locked longer than the busy timeout, read-only file, missing
folder, corrupt file — raises :class:`StoreUnavailable` naming the file; nothing is dropped
silently.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.store._locks import KeyLocks
from bot.store.base import Reminder, Session, SessionStore, StoreUnavailable

DEFAULT_IDLE = 72 * 3600.0
PURGE_EVERY = 5000  # writes between two sweeps of expired rows

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    key TEXT PRIMARY KEY, person TEXT NOT NULL, data TEXT NOT NULL, updated REAL NOT NULL
) WITHOUT ROWID;
-- no index on sessions.person: forget() is rare and a scan is cheap; every save is not
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, person TEXT, expires REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_person ON events (person);
CREATE TABLE IF NOT EXISTS rates (
    person TEXT PRIMARY KEY, start REAL NOT NULL, count INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reminders (
    id TEXT PRIMARY KEY, key TEXT NOT NULL, person TEXT NOT NULL, due REAL NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reminders_due ON reminders (due);
CREATE INDEX IF NOT EXISTS reminders_key ON reminders (key);
CREATE INDEX IF NOT EXISTS reminders_person ON reminders (person);
"""


def private_file(path: Path) -> None:
    """Create the database file readable by its owner only (0600), and tighten an old one."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if name.exists() and name.stat().st_mode & 0o077:
            name.chmod(0o600)


class SQLiteStore(SessionStore):
    """Sessions, dedupe marks, rate counters and reminders in one SQLite file."""

    def __init__(
        self,
        path: str | Path,
        idle_seconds: float = DEFAULT_IDLE,
        *,
        busy_timeout: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path).expanduser() if str(path) != ":memory:" else Path(":memory:")
        self.idle_seconds = idle_seconds
        self.busy_timeout = busy_timeout
        self.clock = clock
        self._conn: sqlite3.Connection | None = None
        self._locks = KeyLocks()
        self._writes = 0

    # Connection -----------------------------------------------------------------------------
    def _fail(self, exc: BaseException) -> StoreUnavailable:
        detail = str(exc)
        if "locked" in detail or "busy" in detail:
            why = "the database is locked by another process"
        elif "readonly" in detail or "read-only" in detail:
            why = "the database file or its folder is read-only"
        else:
            why = detail
        return StoreUnavailable(f"SQLite store {self.path}: {why} ({type(exc).__name__}: {detail})")

    def _connect(self) -> sqlite3.Connection:
        try:
            if str(self.path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
                private_file(self.path)
            conn = sqlite3.connect(
                str(self.path),
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed, not left behind
            conn.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise self._fail(exc) from exc
        return conn

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """The connection; every SQLite or OS error leaves as :class:`StoreUnavailable`."""
        if self._conn is None:
            self._conn = self._connect()
        try:
            yield self._conn
        except (sqlite3.Error, OSError) as exc:
            if self._conn.in_transaction:
                self._conn.rollback()
            raise self._fail(exc) from exc

    def _wrote(self, conn: sqlite3.Connection) -> None:
        self._writes += 1
        if self._writes % PURGE_EVERY == 0:
            now = self.clock()
            conn.execute("DELETE FROM sessions WHERE updated < ?", (now - self.idle_seconds,))
            conn.execute("DELETE FROM events WHERE expires <= ?", (now,))

    # Sessions -------------------------------------------------------------------------------
    async def load(self, key: str) -> Session | None:
        with self._db() as conn:
            row = conn.execute(
                "SELECT data, updated FROM sessions WHERE key = ?", (key,)
            ).fetchone()
        if row is None or self.clock() - row[1] > self.idle_seconds:
            return None
        return Session.from_json(row[0])

    async def save(self, key: str, person: str, session: Session) -> None:
        session.updated = now = round(self.clock(), 3)
        with self._db() as conn:
            conn.execute(
                "INSERT INTO sessions (key, person, data, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET person = excluded.person, data = excluded.data, "
                "updated = excluded.updated",
                (key, person, session.to_json(), now),
            )
            self._wrote(conn)

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(key)

    # Dedupe and rate limits -----------------------------------------------------------------
    async def claim_event(self, event_id: str, person: str | None = None, ttl: float = 900) -> bool:
        now = self.clock()
        with self._db() as conn:
            cur = conn.execute(
                "INSERT INTO events (id, person, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET person = excluded.person, "
                "expires = excluded.expires WHERE events.expires <= ?",
                (event_id, person, now + ttl, now),
            )
            self._wrote(conn)
            return cur.rowcount == 1

    async def hit_rate(self, person: str, window: float, limit: int) -> bool:
        start = self.clock() // window * window
        with self._db() as conn:
            (count,) = conn.execute(
                "INSERT INTO rates (person, start, count) VALUES (?, ?, 1) "
                "ON CONFLICT (person) DO UPDATE SET "
                "count = CASE WHEN rates.start = excluded.start THEN rates.count + 1 ELSE 1 END, "
                "start = excluded.start RETURNING count",
                (person, start),
            ).fetchone()
        return count <= limit

    # Reminders ------------------------------------------------------------------------------
    async def add_reminder(self, reminder: Reminder) -> None:
        data = json.dumps(asdict(reminder), separators=(",", ":"), ensure_ascii=False)
        with self._db() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO reminders (id, key, person, due, data) "
                "VALUES (?, ?, ?, ?, ?)",
                (reminder.id, reminder.key, reminder.person, reminder.due, data),
            )

    async def claim_due_reminders(self, now: float, limit: int = 100) -> list[Reminder]:
        with self._db() as conn:
            rows = conn.execute(
                "DELETE FROM reminders WHERE id IN "
                "(SELECT id FROM reminders WHERE due <= ? ORDER BY due LIMIT ?) RETURNING data",
                (now, limit),
            ).fetchall()
        reminders = [Reminder(**json.loads(data)) for (data,) in rows]
        return sorted(reminders, key=lambda r: r.due)

    async def cancel_reminders(self, key: str) -> int:
        with self._db() as conn:
            return conn.execute("DELETE FROM reminders WHERE key = ?", (key,)).rowcount

    async def reminders_of(self, person: str) -> list[Reminder]:
        with self._db() as conn:
            rows = conn.execute("SELECT data FROM reminders WHERE person = ? ORDER BY due",
                                (person,)).fetchall()
        return [Reminder(**json.loads(data)) for (data,) in rows]

    async def pending_reminders(self) -> int:
        with self._db() as conn:
            return conn.execute("SELECT count(*) FROM reminders").fetchone()[0]

    # Privacy and health ---------------------------------------------------------------------
    async def forget(self, person: str) -> int:
        with self._db() as conn:
            conn.execute("BEGIN IMMEDIATE")
            total = 0
            for table in ("sessions", "events", "reminders", "rates"):
                total += conn.execute(f"DELETE FROM {table} WHERE person = ?", (person,)).rowcount
            conn.execute("COMMIT")
            # Older copies of the pages live on in the write-ahead log until a checkpoint.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return total

    async def ping(self) -> None:
        with self._db() as conn:
            conn.execute("SELECT 1").fetchone()

    async def check_writable(self) -> None:
        """A real write: a full disk or a read-only file fails here, not only on a turn."""
        with self._db() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY, at REAL)")
            conn.execute("INSERT OR REPLACE INTO health VALUES (1, ?)", (self.clock(),))

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stats(self) -> dict[str, Any]:
        """Row counts and file size (for the benchmark and ``clientcoach config check``)."""
        with self._db() as conn:
            counts = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("sessions", "events", "rates", "reminders")
            }
        size = self.path.stat().st_size if self.path.exists() else 0
        return {**counts, "bytes": size}
