"""Flood control and retries for every Bot API call, one budget per bot across all workers.

Telegram's limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
about 30 messages a second per bot, one a second per chat, 20 a minute per group. Every call
addressed to a chat, a button press or an inline query counts towards the bot's 30/s; new
messages (``send*``, ``copyMessage``, ``forwardMessage``) also count towards their chat's 1/s
and, in a group, its 20/min (edits and answers to button presses do not). The windows are exact
sliding windows (:mod:`bot.flood_windows`), kept in Redis when the store is Redis so every worker
shares them, in the process otherwise; the bot's 30 a second are paced (one every ~37 ms), not
sent in bursts.

When the store cannot be reached, a call waits on this process's own windows instead of failing
(the reply is not lost to a Redis outage). A 429 pauses the whole bot — every worker — for its
``retry_after``, then the call is retried (a bounded number of times). Server errors (5xx) and
network failures are retried with exponential backoff; a request Telegram rejected (400) is
never retried. A new message whose request may have reached Telegram (it timed out while being
written or read) is never sent again: Telegram has no idempotency key, so a retry could deliver
it twice; the reply journal then holds that step as in doubt. A timeout before the request left
(connecting, or waiting for a pooled connection) is retried like any network failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.flood_windows import Ticket, Window, WindowLimiter, per_window
from bot.store.base import StoreUnavailable

log = logging.getLogger("bot.telegram")

Held = tuple[WindowLimiter, Ticket]
_RESERVED: ContextVar[Held | None] = ContextVar("clientcoach_telegram_reserved", default=None)
SENDS = ("copyMessage", "copyMessages", "forwardMessage", "forwardMessages")
ADDRESSED = ("chat_id", "callback_query_id", "inline_query_id")


def retry_after_s(exc: RetryAfter) -> float:
    """The seconds a 429 asks to wait (a ``timedelta`` inside python-telegram-bot 22)."""
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(exc.retry_after if isinstance(exc.retry_after, int | float)
                 else exc.retry_after.total_seconds())


def is_send(endpoint: str) -> bool:
    """True for the methods that post a new message to a chat."""
    return endpoint.startswith("send") and endpoint != "sendChatAction" or endpoint in SENDS


def may_have_arrived(exc: NetworkError) -> bool:
    """True when a failed request may still have reached Telegram: a timeout once it was on its
    way (not while connecting or waiting for a connection from the pool)."""
    if not isinstance(exc, TimedOut):
        return False
    return not isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


class RetryingRateLimiter(BaseRateLimiter[int]):
    """Telegram's flood limits for one bot, shared through ``limiter``; plus retries."""

    def __init__(
        self,
        limiter: WindowLimiter | None = None,
        *,
        bot: str = "bot",
        retries: int = 3,
        backoff: float = 0.5,
        max_retry_after_retries: int = 3,
        overall_max_rate: float = 30,
        chat_max_rate: float = 1,
        group_max_per_minute: float = 20,
    ) -> None:
        self.limiter = limiter or WindowLimiter.for_store(None)
        self._local = WindowLimiter.for_store(None)  # while the shared store is down
        self.bot = f"tg:{bot}"
        self.paused = f"{self.bot}:pause"  # set for a 429's retry_after, read by every send
        self._retries = retries
        self._backoff = backoff
        self._max_retry_after = max_retry_after_retries
        self._overall = per_window(overall_max_rate)
        self._chat = per_window(chat_max_rate)
        self._group = per_window(group_max_per_minute, 60.0)

    async def initialize(self) -> None:
        """Nothing to open: the windows live in the store."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def windows(self, endpoint: str, data: dict[str, Any]) -> list[Window]:
        """The windows one call counts towards (none for calls addressed to nobody)."""
        if not any(data.get(name) is not None for name in ADDRESSED):
            return []
        count, seconds = self._overall
        windows: list[Window] = [(self.bot, count, seconds, seconds / max(count, 1))]  # paced
        chat = data.get("chat_id")
        if chat is not None and is_send(endpoint):
            with contextlib.suppress(TypeError, ValueError):
                chat = int(chat)
            windows.append((f"{self.bot}:c:{chat}", *self._chat, 0.0))
            if isinstance(chat, str) or chat < 0:  # groups, supergroups and @channel names
                windows.append((f"{self.bot}:g:{chat}", *self._group, 0.0))
        return [window for window in windows if window[1] > 0]  # a rate of 0: no limit

    async def _wait(self, windows: list[Window]) -> Held:
        """Room in the shared windows; with the store down, in this process's own (the message
        is kept to the limits as far as this process knows, rather than held or lost)."""
        try:
            return self.limiter, await self.limiter.wait(self.paused, windows, "telegram")
        except StoreUnavailable:
            return self._local, await self._local.wait(self.paused, windows, "telegram")

    async def reserve(self, endpoint: str, data: dict[str, Any]) -> None:
        """Wait for room now, for the call this task makes next (see :meth:`release`).

        The reply journal marks a message "sending" just before its call; waiting for room
        first means a worker that dies during a long wait (a busy group) leaves the message
        unmarked, and the next worker sends it, instead of leaving it in doubt."""
        windows = self.windows(endpoint, data)
        if windows:
            _RESERVED.set(await self._wait(windows))

    async def release(self) -> None:
        """Close a reservation the next call did not use (its step was already sent)."""
        held = _RESERVED.get()
        _RESERVED.set(None)
        if held is not None:
            await held[0].done(held[1])

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for room in the bot's windows, run the call; retry 429 (after pausing the whole
        bot), 5xx and network failures; give up and raise after the bounded retries."""
        windows = self.windows(endpoint, data)
        max_retry_after = rate_limit_args or self._max_retry_after
        failures = refusals = 0
        held, _ = _RESERVED.get(), _RESERVED.set(None)
        while True:
            if windows and held is None:  # a retry waits again
                held = await self._wait(windows)
            try:
                return await callback(*args, **kwargs)
            except BadRequest:
                raise
            except RetryAfter as exc:
                refusals += 1
                if refusals > max_retry_after:
                    log.warning("telegram %s refused with 429 %d times", endpoint, refusals)
                    raise
                seconds = retry_after_s(exc) + 0.1
                try:
                    await self.limiter.pause(self.paused, seconds)
                except StoreUnavailable:
                    await self._local.pause(self.paused, seconds)
                if not windows:  # a call outside the windows still waits, in this task
                    await asyncio.sleep(seconds)
            except NetworkError as exc:
                if is_send(endpoint) and may_have_arrived(exc):
                    log.warning("telegram %s timed out; not sent again", endpoint)
                    raise
                if failures == self._retries:
                    log.warning(
                        "telegram %s failed after %d attempts: %s",
                        endpoint,
                        failures + 1,
                        type(exc).__name__,
                    )
                    raise
                await asyncio.sleep(self._backoff * 2**failures)
                failures += 1
            finally:
                if held is not None:  # sent or not, its place in the windows is now
                    await held[0].done(held[1])
                    held = None
