"""Long polling through the durable inbox: an update is stored before Telegram is told it arrived.

python-telegram-bot's :class:`~telegram.ext.Updater` calls ``getUpdates`` and puts each update of
a batch into its queue, awaiting every ``put``; only then does it move its offset past the batch,
and the next ``getUpdates`` (or the last one, when it stops) confirms it to Telegram. The queue
given here stores each update in the inbox with its dedupe mark inside ``put``, so an update is in
the inbox before its offset goes out, and a process killed after that loses nothing: a worker
handles the entry, journalled, in the person's order, as for a webhook.

While the inbox cannot be written, ``put`` waits and tries again: the offset is not sent, and
Telegram keeps the update (up to 24 h) and gives it again. Nothing is lost, and a person's later
updates stay behind the earlier one. Inline queries skip the inbox (see
:meth:`TelegramBot.answered_directly`): they go to the Application in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from telegram.ext import Updater

from bot.inbox import open_inbox
from bot.inbox.runner import Handler, InboxRunner
from bot.store.base import StoreUnavailable

if TYPE_CHECKING:
    from bot.telegram.app import TelegramBot

log = logging.getLogger("bot.telegram")

RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)
RUNNER_STOP_S = 15.0


class InboxQueue(asyncio.Queue):  # type: ignore[type-arg]
    """The Updater's queue: ``put`` returns once the update is stored (or handed on)."""

    def __init__(self, bot: TelegramBot) -> None:
        super().__init__()
        self.bot = bot

    async def put(self, item: Any) -> None:
        await take(self.bot, item)


async def take(bot: TelegramBot, update: Any) -> None:
    """Store one fetched update in the inbox, waiting for the store while it is down."""
    if bot.answered_directly(update):
        await bot.app.update_queue.put(update)
        return
    failures = 0
    while True:
        try:
            await bot.store_update(update, bot.update_body(update))
            if failures:
                log.info("telegram polling: inbox back after %d failed writes", failures)
            return
        except StoreUnavailable as exc:
            if not failures:
                log.warning("telegram polling: inbox unavailable, update not confirmed (%s)",
                            type(exc).__name__)
            await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])
            failures += 1
        except Exception as exc:  # noqa: BLE001 - a bug must not stop polling for everyone
            log.error("telegram polling: update %s not stored (%s), handled in-process",
                      getattr(update, "update_id", None), type(exc).__name__)
            await bot.app.update_queue.put(update)
            return


def attach_inbox(bot: TelegramBot, handlers: dict[str, Handler] | None = None) -> None:
    """Give ``bot`` the inbox beside its store and a runner for it. ``handlers`` are those of
    every platform of the process (an entry another platform stored must not be left to a runner
    that cannot handle it); by default only Telegram's."""
    settings = bot.settings
    inbox = open_inbox(bot.store, maxlen=settings.inbox_maxlen)
    bot.inbox = inbox
    bot.runner = InboxRunner(inbox, handlers or {"telegram": bot.process},
                             concurrency=settings.inbox_concurrency,
                             claim_idle_s=settings.inbox_claim_idle_s,
                             max_attempts=settings.inbox_max_attempts)


async def run_polling(bot: TelegramBot, stop: asyncio.Event, *, timeout: int,
                      allowed_updates: list[str]) -> None:
    """Poll until ``stop`` is set; the inbox's runner handles what was stored. On the way out
    the last offset is confirmed (only stored updates), then the updates in hand finish."""
    await bot.start(webhook=False)
    if bot.inbox is None or bot.runner is None:
        attach_inbox(bot)
    runner_stop = asyncio.Event()
    runner = asyncio.create_task(bot.runner.run(runner_stop), name="telegram-inbox")
    updater = Updater(bot.app.bot, InboxQueue(bot))  # shares the Application's bot
    try:
        await updater.initialize()  # never shut down apart: that would close the shared bot
        await updater.start_polling(poll_interval=0, timeout=timeout,
                                    allowed_updates=allowed_updates)
        await stop.wait()
    finally:
        if updater.running:
            await updater.stop()  # the last getUpdates: confirms what is stored, nothing else
        runner_stop.set()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(runner, timeout=RUNNER_STOP_S)
        await bot.stop()
