"""The reminder scheduler: claim due reminders from the store and send them through a platform.

The store hands each due reminder to one caller only, so every process may run a scheduler. A
reminder whose reply cannot be built or sent goes back into the store with a delay; it is dropped
(and logged) only after ``max_attempts`` failures.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import replace
from typing import Any, Protocol

from bot.models import ConversationKey, Reply
from bot.store.base import Reminder, SessionStore, StoreUnavailable

log = logging.getLogger("clientcoach.reminders")

RETRY_DELAYS = (30.0, 60.0, 300.0, 900.0, 3600.0)


class DeliveryFailed(RuntimeError):
    """The platform accepted none of the reminder's messages."""


class Sender(Protocol):
    """What a platform adapter offers the scheduler."""

    async def send(self, key: ConversationKey, replies: list[Reply]) -> Any: ...


def parse_key(raw: str) -> ConversationKey:
    """Rebuild a :class:`ConversationKey` from its ``as_str()`` form."""
    platform, chat, thread, user = raw.split("|", 3)
    return ConversationKey(platform=platform, chat=chat, thread=thread, user=user)  # type: ignore[arg-type]


class ReminderScheduler:
    """Polls the store every ``interval`` seconds; at most ``batch`` reminders per tick."""

    def __init__(
        self,
        store: SessionStore,
        engine: Any,
        senders: Mapping[str, Sender],
        *,
        interval: float = 5.0,
        batch: int = 50,
        max_attempts: int = 10,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self.store = store
        self.engine = engine
        self.senders = dict(senders)
        self.interval = interval
        self.batch = batch
        self.max_attempts = max_attempts
        self.retry_delays = retry_delays
        self.attempts: dict[str, int] = {}
        self.unsaved: list[Reminder] = []
        self.sent = 0
        self.failed = 0
        self._store_down = False

    async def _reply(self, reminder: Reminder) -> list[Reply]:
        result = self.engine.reminder_reply(reminder)
        if inspect.isawaitable(result):
            result = await result
        return [result] if isinstance(result, Reply) else list(result)

    async def _deliver(self, reminder: Reminder) -> None:
        platform = reminder.key.split("|", 1)[0]
        sender = self.senders.get(platform)
        if sender is None:
            raise LookupError(f"platform {platform} is not enabled in this process")
        replies = await self._reply(reminder)
        result = await sender.send(parse_key(reminder.key), replies)
        if replies and isinstance(result, int) and not isinstance(result, bool) and result == 0:
            # Adapters that log send failures return how many messages went out.
            raise DeliveryFailed(f"{platform}: nothing was sent")

    def _retry_later(self, reminder: Reminder, now: float, error: BaseException) -> None:
        attempt = self.attempts.get(reminder.id, 0) + 1
        self.failed += 1
        if attempt >= self.max_attempts:
            self.attempts.pop(reminder.id, None)
            log.error(
                "reminder dropped after repeated failures",
                extra={"reminder": reminder.id, "attempts": attempt, "error": type(error).__name__},
            )
            return
        self.attempts[reminder.id] = attempt
        delay = self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)]
        self.unsaved.append(replace(reminder, due=now + delay))
        log.warning(
            "reminder send failed, retrying later",
            extra={"reminder": reminder.id, "attempt": attempt, "retry_in_s": delay,
                   "error": type(error).__name__},
        )

    async def _put_back(self) -> None:
        while self.unsaved:
            await self.store.add_reminder(self.unsaved[0])
            self.unsaved.pop(0)

    async def run_once(self, now: float | None = None) -> int:
        """Deliver the reminders due at ``now``; returns how many were sent."""
        now = time.time() if now is None else now
        await self._put_back()
        claimed = await self.store.claim_due_reminders(now, limit=self.batch)
        sent = 0
        pending = list(claimed)
        try:
            while pending:
                reminder = pending[0]
                started = time.perf_counter()
                try:
                    await self._deliver(reminder)
                except (asyncio.CancelledError, KeyboardInterrupt):
                    raise
                except LookupError as exc:
                    # Another process serves this platform: leave it to them, uncounted.
                    self.unsaved.append(replace(reminder, due=now + max(self.interval, 30.0)))
                    log.warning("reminder for a platform not enabled here",
                                extra={"reminder": reminder.id, "error": str(exc)})
                except Exception as exc:  # noqa: BLE001 - any failure means: try again later
                    self._retry_later(reminder, now, exc)
                else:
                    sent += 1
                    self.attempts.pop(reminder.id, None)
                    log.info(
                        "reminder sent",
                        extra={"reminder": reminder.id, "platform": reminder.key.split("|")[0],
                               "topic": reminder.topic, "lang": reminder.lang,
                               "latency_ms": round((time.perf_counter() - started) * 1000, 2)},
                    )
                pending.pop(0)
        finally:
            # Interrupted mid-batch: what was claimed but not handled goes back as it was.
            self.unsaved.extend(pending)
            if pending:
                await asyncio.shield(self._put_back_quietly())
        self.sent += sent
        await self._put_back()
        return sent

    async def _put_back_quietly(self) -> None:
        try:
            await self._put_back()
        except StoreUnavailable:
            log.warning("store unavailable: reminders kept in memory",
                        extra={"count": len(self.unsaved)})

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set; a store outage is logged once and waited out."""
        log.info("reminder scheduler started", extra={"interval_s": self.interval})
        while not stop.is_set():
            try:
                count = self.batch
                while count >= self.batch and not stop.is_set():
                    count = await self.run_once()
                if self._store_down:
                    log.info("store reachable again: reminders resume")
                    self._store_down = False
            except StoreUnavailable as exc:
                if not self._store_down:
                    log.warning("store unavailable: reminders wait", extra={"error": str(exc)})
                self._store_down = True
            except Exception:  # noqa: BLE001 - the loop must outlive one bad tick
                log.exception("reminder tick failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
        log.info("reminder scheduler stopped", extra={"sent": self.sent, "failed": self.failed})
