"""The session store contract shared by the SQLite, in-memory and Redis stores.

A store keeps, per conversation key, one :class:`Session`; per platform event id, a dedupe mark;
per person, rate-limit counters and follow-up reminders. Everything a person left can be deleted
with :meth:`SessionStore.forget`.
"""

from __future__ import annotations

import abc
import json
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import orjson


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or written; the caller answers "temporarily unavailable"."""


class StoreBusy(StoreUnavailable):
    """The store is up but every pooled connection stayed busy for the whole wait."""


@dataclass
class Session:
    """What the bot remembers of one conversation: a state string and slots, never a machine."""

    lang: str | None = None
    lang_chosen: bool = False
    flow: str | None = None
    state: str = "idle"
    slots: dict[str, Any] = field(default_factory=dict)
    topic: str | None = None
    updated: float = 0.0
    paused: dict[str, Any] | None = None  # a flow left for another topic: flow, state, slots
    misses: int = 0  # answers in a row the current question could not read
    awaiting: str | None = None  # a yes/no the bot asked ("forget", "switch:<topic>" …)
    later: str | None = None  # a second topic the person mentioned, offered when this one ends

    def snapshot(self) -> tuple[Any, ...]:
        """Everything but ``updated``, to tell whether a turn changed the session."""
        return (
            self.lang, self.lang_chosen, self.flow, self.state, self.topic, dict(self.slots),
            self.paused, self.misses, self.awaiting, self.later,
        )  # fmt: skip

    def to_json(self) -> str:
        data = {name: getattr(self, name) for name in _SESSION_FIELDS}
        data = {k: v for k, v in data.items() if v not in (None, False, {}, [])}
        try:
            return orjson.dumps(data).decode()
        except orjson.JSONEncodeError:  # e.g. a lone surrogate: the standard encoder escapes it
            return _ENCODE(data)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Session:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:  # what the standard encoder wrote (lone surrogates)
            data = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


_SESSION_FIELDS = tuple(Session.__dataclass_fields__)
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True)
class Reminder:
    """A follow-up the bot sends to a conversation at ``due`` (epoch seconds)."""

    id: str
    key: str
    person: str
    due: float
    lang: str
    topic: str
    note: str = ""


class SessionStore(abc.ABC):
    """Async store interface. Implementations must be safe for several workers where noted."""

    @abc.abstractmethod
    async def load(self, key: str) -> Session | None:
        """The session of a conversation, or None (also when it expired)."""

    @abc.abstractmethod
    async def save(self, key: str, person: str, session: Session) -> None:
        """Store a session; ``person`` lets :meth:`forget` find it."""

    @abc.abstractmethod
    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """Hold a per-conversation lock (across workers for shared stores) for one turn."""

    @abc.abstractmethod
    async def claim_event(self, event_id: str, person: str | None = None, ttl: float = 900) -> bool:
        """True the first time an event id is seen (across workers), False for a repeat."""

    @abc.abstractmethod
    async def hit_rate(self, person: str, window: float, limit: int) -> bool:
        """Count one message; True while the person stays within ``limit`` per ``window`` s."""

    @abc.abstractmethod
    async def add_reminder(self, reminder: Reminder) -> None:
        """Store a reminder; it survives restarts."""

    @abc.abstractmethod
    async def claim_due_reminders(self, now: float, limit: int = 100) -> list[Reminder]:
        """Remove and return reminders due at ``now``; each is returned to one caller only."""

    @abc.abstractmethod
    async def cancel_reminders(self, key: str) -> int:
        """Delete the reminders of a conversation; returns how many."""

    @abc.abstractmethod
    async def reminders_of(self, person: str) -> list[Reminder]:
        """The reminders a person has waiting, soonest first (App Home lists them)."""

    @abc.abstractmethod
    async def forget(self, person: str) -> int:
        """Delete every session, reminder and dedupe mark of a person; returns how many."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` when the store does not answer."""

    async def check_writable(self) -> None:
        """Raise :class:`StoreUnavailable` unless a write goes through (``/healthz``)."""
        await self.ping()

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
