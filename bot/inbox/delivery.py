"""Exactly one reply per (event, reply index), whatever the redeliveries and crashes.

While a worker handles an inbox entry, :data:`current` holds its :class:`Delivery`. Adapters
wrap each engine call in :func:`replies_once` (the replies of a redelivered event are the ones
computed the first time, not a second engine turn) and each outgoing call in :func:`send_once`
or :func:`send_once_traced`. Every step is journalled "sending <time> <nonce>" before its call
and "sent" after it:

- a step already "sent" is skipped;
- a step left at "sending" by this process's own attempt whose journal write failed (Redis went
  away mid-command: the write landed, its answer did not) was never sent: it is sent now;
- a step left at "sending" by someone else, or by a traced call that failed without a clear
  answer (:class:`Unconfirmed`: a timeout, a 5xx), is *in doubt*. With :func:`send_once_traced` (the
  message carries its step id, and the platform can be asked what arrived) the step waits until
  the attempt that marked it is surely over (:data:`IN_DOUBT_AFTER_S`: every send is cut at
  :data:`SEND_LIMIT_S`), then the platform is asked: delivered, it is marked "sent"; not
  delivered, it is taken over (one taker only) and sent. Without a way to ask (plain
  :func:`send_once`), or when the platform cannot answer, the step is skipped: at most once,
  counted as ``clientcoach_replies_in_doubt_total``.

Outside a delivery (Socket Mode, polling, reminders) calls run directly.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from bot.inbox.base import Entry, Inbox
from bot.metrics import METRICS
from bot.store.base import StoreUnavailable

T = TypeVar("T")
log = logging.getLogger("clientcoach.inbox")

SEND_LIMIT_S = 45.0  # one outgoing call, its retries included, is cut after this
IN_DOUBT_AFTER_S = SEND_LIMIT_S + 10.0  # a step marked longer ago than this is not in flight
SENT = "sent"

Seen = Callable[[str, float], Awaitable[bool | None]]


class ReplyInFlight(StoreUnavailable):
    """A step is being sent by another attempt right now: the entry is handled again later."""


class Unconfirmed(Exception):  # noqa: N818 - a state, like the others here
    """Raised by a traced call that failed without a clear "not posted" (a timeout, a 5xx, a
    429 after its retries): the step stays "sending" and is settled later by asking."""


def _sending() -> str:
    return f"sending {time.time():.3f} {secrets.token_hex(4)}"


def marked_at(value: str) -> float:
    """When a "sending" journal value was written (0 for one without a time)."""
    parts = value.split()
    try:
        return float(parts[1])
    except (IndexError, ValueError):
        return 0.0


class _Unconfirmed:
    """Journal writes of this process whose answer never came back (bounded)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._values: OrderedDict[str, str] = OrderedDict()

    def add(self, step: str, value: str) -> None:
        self._values[step] = value
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def pop(self, step: str) -> str | None:
        return self._values.pop(step, None)


_unconfirmed = _Unconfirmed()


class Delivery:
    """The journal of one entry being handled: steps are numbered in the order they run."""

    def __init__(self, entry: Entry, inbox: Inbox) -> None:
        self.entry = entry
        self.inbox = inbox
        self._steps = 0
        self._turns = 0
        self.failure: BaseException | None = None
        self.pending: list[Awaitable[None]] = []  # work a listener handed back, run inline

    async def send(self, call: Callable[[str], Awaitable[T]], seen: Seen | None = None) -> T | None:
        """Run ``call(step)`` unless the journal says the step was (or may have been) sent."""
        step = f"{self.entry.key}:s{self._steps}"
        self._steps += 1
        value = _sending()
        try:
            before = await self.inbox.mark(step, value)
        except StoreUnavailable:
            _unconfirmed.add(step, value)
            raise
        if before is not None and not await self._take_over(step, before, value, seen):
            return None
        try:
            async with asyncio.timeout(SEND_LIMIT_S):
                result = await call(step)
        except (Unconfirmed, TimeoutError) as exc:
            if seen is None:  # nobody to ask later: at most once, as the caller decides
                raise
            log.warning("reply not confirmed, settled later",
                        extra={"event": self.entry.key, "error": str(exc)[:80] or "timeout"})
            raise ReplyInFlight(f"step {self._steps - 1} not confirmed") from exc
        await self.inbox.mark(step, SENT)
        METRICS.replies_sent.labels(self.entry.platform).inc()
        return result

    async def _take_over(self, step: str, before: str, value: str, seen: Seen | None) -> bool:
        """Whether a step found in the journal is to be sent now (and is now ours)."""
        if before == SENT:
            return False
        if _unconfirmed.pop(step) == before:  # our own mark, whose answer was lost
            return await self.inbox.replace(step, before, value)
        if seen is None:
            return self._in_doubt("no way to ask the platform")
        started = marked_at(before)
        if not started:  # written by a version that kept no time: when to look is unknown
            return self._in_doubt("no time to look at")
        if time.time() - started < IN_DOUBT_AFTER_S:
            raise ReplyInFlight(f"step {self._steps - 1} marked {time.time() - started:.0f} s ago")
        try:
            delivered = await seen(step, started)
        except Exception as exc:  # noqa: BLE001 - an unanswered question leaves it in doubt
            delivered = None
            log.warning("reply in doubt: the platform was not asked",
                        extra={"event": self.entry.key, "error": type(exc).__name__})
        if delivered is None:
            return self._in_doubt("the platform could not tell")
        if delivered:
            await self.inbox.mark(step, SENT)
            log.info("reply in doubt had arrived", extra={"event": self.entry.key})
            return False
        if not await self.inbox.replace(step, before, value):
            return False  # another worker took it over first
        log.warning("reply in doubt had not arrived: sending it", extra={"event": self.entry.key})
        return True

    def _in_doubt(self, why: str) -> bool:
        METRICS.replies_in_doubt.inc()
        log.warning("reply in doubt, not sent again", extra={"event": self.entry.key, "why": why})
        return False

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
    return await delivery.send(lambda _step: call())


async def send_once_traced(call: Callable[[str | None], Awaitable[T]], seen: Seen) -> T | None:
    """Run ``call(step)`` once per (event, step): the message carries ``step``, and
    ``seen(step, marked_at)`` tells (True/False, None: cannot tell) whether a message with it
    arrived, so a step left in doubt by a crash is sent after all when it had not arrived."""
    delivery = current.get()
    if delivery is None:
        return await call(None)
    return await delivery.send(call, seen)


async def replies_once(compute: Callable[[], Awaitable[list[Any]]]) -> list[Any]:
    """The engine's replies for this turn, computed once per event."""
    delivery = current.get()
    if delivery is None:
        return await compute()
    return await delivery.replies(compute)


def in_delivery() -> bool:
    """True while an inbox entry is being handled (its dedupe was done at intake)."""
    return current.get() is not None
