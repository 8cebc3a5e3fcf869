"""The durable inbox contract: what the HTTP layer writes before it acknowledges, what workers
consume, and the delivery journal that keeps a redelivered event from sending twice.

An :class:`Entry` is written by :meth:`Inbox.put` together with its dedupe mark, atomically: a
repeat is refused, a first copy is stored, and only then does the platform get its ``200``.
Workers :meth:`~Inbox.read` new entries, :meth:`~Inbox.touch` the ones in hand (so nobody steals
live work), :meth:`~Inbox.ack` the finished ones, and :meth:`~Inbox.reclaim` those a dead worker
left behind. The journal (:meth:`~Inbox.mark`, :meth:`~Inbox.recall`, :meth:`~Inbox.keep`)
records each reply before it is sent.
"""

from __future__ import annotations

import abc
from collections.abc import Collection
from dataclasses import dataclass

JOURNAL_TTL_S = 24 * 3600


@dataclass(frozen=True)
class Entry:
    """One acknowledged request waiting to be handled."""

    id: str
    platform: str
    key: str  # the dedupe key, also the journal's prefix
    order: str  # turns with the same order key are handled one after another
    body: str
    received: float  # epoch seconds of the acknowledgement


class Inbox(abc.ABC):
    """Durable queue plus delivery journal; every method raises ``StoreUnavailable`` when the
    backing store cannot be reached."""

    @abc.abstractmethod
    async def put(self, platform: str, key: str, order: str, body: str,
                  person: str | None = None, ttl: float = 900) -> bool:
        """Store a first copy (True) or refuse a repeat of ``key`` (False), atomically."""

    @abc.abstractmethod
    async def read(self, consumer: str, count: int, block_s: float,
                   platforms: Collection[str] | None = None) -> list[Entry]:
        """New entries for ``consumer``; waits up to ``block_s`` when there are none. With
        ``platforms``, only theirs where the inbox can select (SQLite; a stream cannot)."""

    @abc.abstractmethod
    async def reclaim(self, consumer: str, idle_s: float, count: int,
                      platforms: Collection[str] | None = None) -> list[Entry]:
        """Entries nobody touched for ``idle_s`` (their worker died), now owned by ``consumer``
        (``platforms`` as for :meth:`read`)."""

    @abc.abstractmethod
    async def touch(self, consumer: str, ids: list[str]) -> None:
        """Tell the others these entries are still being worked on."""

    @abc.abstractmethod
    async def ack(self, entry_id: str) -> None:
        """The entry is done: remove it."""

    @abc.abstractmethod
    async def depth(self) -> tuple[int, int, float]:
        """(waiting, in hand, age in seconds of the oldest entry)."""

    @abc.abstractmethod
    async def mark(self, step: str, state: str) -> str | None:
        """Set a journal step to ``state`` ("sent", or a "sending ..." value); a "sending"
        value only when the step is new, returning the value already there (None: it was new)."""

    @abc.abstractmethod
    async def replace(self, step: str, old: str, new: str) -> bool:
        """Set a journal step to ``new`` if it still holds ``old`` (one taker wins)."""

    @abc.abstractmethod
    async def recall(self, key: str) -> str | None:
        """A value kept under ``key`` by :meth:`keep`."""

    @abc.abstractmethod
    async def keep(self, key: str, value: str) -> str:
        """Keep ``value`` unless something is kept already; returns what is kept."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the inbox holds of its own (the store is closed by its owner)."""
