"""Exactly one reply per (event, reply index), whatever the redeliveries.

While a worker handles an inbox entry, :data:`current` holds its :class:`Delivery`. Adapters
wrap each engine call in :func:`replies_once` (the replies of a redelivered event are the ones
computed the first time, not a second engine turn) and each outgoing call in :func:`send_once`:

- a step already marked "sent" is skipped;
- a step marked "sending" but never "sent" (the worker died, or the send timed out, mid-call) is
  *in doubt* and skipped as well: at most once. The platforms offer no idempotency key, so a
  reply is never risked twice; such steps are counted (``clientcoach_replies_in_doubt_total``).

Outside a delivery (Socket Mode, polling, reminders) both run their call directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from bot.inbox.base import Entry, Inbox
from bot.metrics import METRICS

T = TypeVar("T")
log = logging.getLogger("clientcoach.inbox")


class Delivery:
    """The journal of one entry being handled: steps are numbered in the order they run."""

    def __init__(self, entry: Entry, inbox: Inbox) -> None:
        self.entry = entry
        self.inbox = inbox
        self._steps = 0
        self._turns = 0
        self.failure: BaseException | None = None
        self.pending: list[Awaitable[None]] = []  # work a listener handed back, run inline

    async def send(self, call: Callable[[], Awaitable[T]]) -> T | None:
        step = f"{self.entry.key}:s{self._steps}"
        self._steps += 1
        before = await self.inbox.mark(step, "sending")
        if before == "sent":
            return None
        if before is not None:
            METRICS.replies_in_doubt.inc()
            log.warning("reply in doubt, not sent again", extra={"event": self.entry.key})
            return None
        result = await call()
        await self.inbox.mark(step, "sent")
        METRICS.replies_sent.labels(self.entry.platform).inc()
        return result

    async def replies(self, compute: Callable[[], Awaitable[list[Any]]]) -> list[Any]:
        from bot.models import Reply

        key = f"{self.entry.key}:r{self._turns}"
        self._turns += 1
        kept = await self.inbox.recall(key)
        if kept is None:
            fresh = await compute()
            kept = await self.inbox.keep(key, json.dumps([r.model_dump(mode="json")
                                                          for r in fresh]))
        return [Reply.model_validate(r) for r in json.loads(kept)]


current: ContextVar[Delivery | None] = ContextVar("clientcoach_delivery", default=None)


async def send_once(call: Callable[[], Awaitable[T]]) -> T | None:
    """Run one outgoing call at most once per (event, step); directly outside a delivery."""
    delivery = current.get()
    if delivery is None:
        return await call()
    return await delivery.send(call)


async def replies_once(compute: Callable[[], Awaitable[list[Any]]]) -> list[Any]:
    """The engine's replies for this turn, computed once per event."""
    delivery = current.get()
    if delivery is None:
        return await compute()
    return await delivery.replies(compute)


def in_delivery() -> bool:
    """True while an inbox entry is being handled (its dedupe was done at intake)."""
    return current.get() is not None
