"""The in-memory store: for tests, benchmarks and ``clientcoach chat --store memory://``.

Sessions are kept as their JSON text, as a shared store would keep them, so what a test sees is
what survives a round trip through any other store.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from bot.store._locks import KeyLocks
from bot.store.base import Reminder, Session, SessionStore

DEFAULT_IDLE = 72 * 3600.0


class MemoryStore(SessionStore):
    """Everything in dictionaries of one process; idle sessions expire on read."""

    def __init__(
        self, idle_seconds: float = DEFAULT_IDLE, clock: Callable[[], float] = time.time
    ) -> None:
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.sessions: dict[str, tuple[str, str, float]] = {}  # key → (person, json, updated)
        self.events: dict[str, tuple[str | None, float]] = {}  # id → (person, expires)
        self.rates: dict[str, tuple[float, int]] = {}  # person → (window start, count)
        self.reminders: dict[str, Reminder] = {}
        self._locks = KeyLocks()

    async def load(self, key: str) -> Session | None:
        row = self.sessions.get(key)
        if row is None:
            return None
        if self.clock() - row[2] > self.idle_seconds:
            del self.sessions[key]
            return None
        return Session.from_json(row[1])

    async def save(self, key: str, person: str, session: Session) -> None:
        session.updated = now = round(self.clock(), 3)
        self.sessions[key] = (person, session.to_json(), now)

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(key)

    async def claim_event(self, event_id: str, person: str | None = None, ttl: float = 900) -> bool:
        now = self.clock()
        seen = self.events.get(event_id)
        if seen is not None and seen[1] > now:
            return False
        if len(self.events) > 10_000:
            self.events = {k: v for k, v in self.events.items() if v[1] > now}
        self.events[event_id] = (person, now + ttl)
        return True

    async def hit_rate(self, person: str, window: float, limit: int) -> bool:
        start = self.clock() // window * window
        seen_start, count = self.rates.get(person, (start, 0))
        count = count + 1 if seen_start == start else 1
        self.rates[person] = (start, count)
        return count <= limit

    async def add_reminder(self, reminder: Reminder) -> None:
        self.reminders[reminder.id] = reminder

    async def claim_due_reminders(self, now: float, limit: int = 100) -> list[Reminder]:
        due = sorted((r for r in self.reminders.values() if r.due <= now), key=lambda r: r.due)
        for reminder in due[:limit]:
            del self.reminders[reminder.id]
        return due[:limit]

    async def cancel_reminders(self, key: str) -> int:
        ids = [rid for rid, r in self.reminders.items() if r.key == key]
        for rid in ids:
            del self.reminders[rid]
        return len(ids)

    async def reminders_of(self, person: str) -> list[Reminder]:
        return sorted((r for r in self.reminders.values() if r.person == person),
                      key=lambda r: r.due)

    async def forget(self, person: str) -> int:
        keys = [k for k, row in self.sessions.items() if row[0] == person]
        events = [e for e, row in self.events.items() if row[0] == person]
        reminders = [rid for rid, r in self.reminders.items() if r.person == person]
        for k in keys:
            del self.sessions[k]
        for e in events:
            del self.events[e]
        for rid in reminders:
            del self.reminders[rid]
        self.rates.pop(person, None)
        return len(keys) + len(events) + len(reminders)

    async def ping(self) -> None:
        return None
