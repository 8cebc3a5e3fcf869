"""The worker side of the inbox: read, handle (one person's turns in order), acknowledge.

Handlers are per platform. A handler that raises ``StoreUnavailable`` leaves its entry in the
inbox (retried here with backoff, then reclaimed after the claim time); any other error is
logged and the entry dropped after ``max_attempts`` (a bug does not heal by retrying). An entry
of a platform this worker has no handler for is left alone (taken over after the claim time).
Entries in hand are touched every third of the claim time so no other worker takes them over.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress

from bot.inbox.base import Entry, Inbox
from bot.inbox.delivery import Delivery, ReplyInFlight, current
from bot.metrics import METRICS
from bot.store._locks import KeyLocks
from bot.store.base import StoreUnavailable

log = logging.getLogger("clientcoach.inbox")

Handler = Callable[[Entry], Awaitable[None]]
STORE_RETRY_S = (0.2, 0.5, 1.0, 2.0, 4.0)


class InboxRunner:
    """``await runner.run(stop)`` in the service's lifespan; ``drain()`` for tests."""

    def __init__(self, inbox: Inbox, handlers: dict[str, Handler], *, concurrency: int = 32,
                 claim_idle_s: float = 15.0, max_attempts: int = 5) -> None:
        self.inbox = inbox
        self.handlers = handlers
        self._platforms = frozenset(handlers)
        self.consumer = f"{socket.gethostname()}-{os.getpid()}"
        self.claim_idle_s = claim_idle_s
        self.max_attempts = max_attempts
        self._slots = asyncio.Semaphore(concurrency)
        self._order = KeyLocks()
        self._held: dict[str, Entry] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._failures: dict[str, int] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def run(self, stop: asyncio.Event) -> None:
        loops = [asyncio.create_task(loop(stop)) for loop in (self._read, self._reclaim,
                                                               self._heartbeat)]
        try:
            await stop.wait()
        finally:
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=10)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far is handled (bounded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with suppress(StoreUnavailable):
                waiting, held, _ = await self.inbox.depth()
                if not waiting and not held and not self._tasks:
                    return
            await asyncio.sleep(0.01)

    # loops ----------------------------------------------------------------------------------
    async def _read(self, stop: asyncio.Event) -> None:
        pause = 0.1
        while not stop.is_set():
            await self._slots.acquire()
            self._slots.release()
            try:
                entries = await self.inbox.read(self.consumer, 32, 1.0, self._platforms)
            except StoreUnavailable as exc:
                METRICS.store_errors.labels("inbox_read").inc()
                log.warning("inbox read failed", extra={"error": str(exc)[:120]})
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
                continue
            pause = 0.1
            for entry in entries:  # in hand from now on: touched, never taken over as idle
                self._held[entry.id] = entry
            for entry in entries:
                await self._start(entry)

    async def _reclaim(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(min(5.0, self.claim_idle_s / 3))
            try:
                entries = await self.inbox.reclaim(self.consumer, self.claim_idle_s, 32,
                                                   self._platforms)
            except StoreUnavailable:
                continue
            for entry in entries:
                if entry.id in self._held:
                    continue
                METRICS.inbox_reclaimed.inc()
                await self._start(entry)

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.claim_idle_s / 3)
            with suppress(StoreUnavailable):
                await self.inbox.touch(self.consumer, list(self._held))

    # one entry ------------------------------------------------------------------------------
    async def _start(self, entry: Entry) -> None:
        await self._slots.acquire()
        self._held[entry.id] = entry
        task = asyncio.create_task(self._handle(entry))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, entry: Entry) -> None:
        try:
            async with self._order.hold(entry.order):
                await self._attempt(entry)
        finally:
            self._held.pop(entry.id, None)
            self._slots.release()

    async def _attempt(self, entry: Entry) -> None:
        handler = self.handlers.get(entry.platform)
        if handler is None:  # stored by a process with a platform this one lacks: left to it
            log.warning("inbox entry left for a worker that has its platform",
                        extra={"platform": entry.platform})
            return
        for attempt, pause in enumerate((*STORE_RETRY_S, None)):
            delivery = Delivery(entry, self.inbox)
            token = current.set(delivery)
            try:
                await handler(entry)
                if delivery.failure is not None:
                    raise delivery.failure
            except ReplyInFlight as exc:
                log.info("inbox entry waits for a reply in flight", extra={"why": str(exc)})
                return  # handled again once reclaimed
            except StoreUnavailable as exc:
                METRICS.store_errors.labels("inbox_handle").inc()
                METRICS.inbox_retries.inc()
                if pause is None:
                    log.warning("inbox entry left for later", extra={"error": str(exc)[:120]})
                    return
                log.info("inbox entry retried", extra={"attempt": attempt + 1})
                await asyncio.sleep(pause)
                continue
            except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the worker
                failures = self._failures[entry.id] = self._failures.get(entry.id, 0) + 1
                log.error("inbox entry failed", extra={"platform": entry.platform,
                                                       "error": type(exc).__name__})
                if failures < self.max_attempts:
                    return  # reclaimed later
                METRICS.inbox_dropped.inc()
            finally:
                current.reset(token)
            self._failures.pop(entry.id, None)
            with suppress(StoreUnavailable):
                await self.inbox.ack(entry.id)
                METRICS.turns.labels(entry.platform).inc()
                METRICS.end_to_end.observe(max(0.0, time.time() - entry.received))
            return
