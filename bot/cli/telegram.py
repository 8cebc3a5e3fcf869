"""``clientcoach telegram-polling``: the Telegram bot over long polling, no public URL needed."""

from __future__ import annotations

import asyncio
import signal

import click

from bot.config import MissingSetting, get_settings


@click.command("telegram-polling")
@click.option(
    "--reminders/--no-reminders", default=True, help="Also send due follow-up reminders."
)
@click.option(
    "--seconds", type=float, default=None, help="Stop after this many seconds (smoke tests)."
)
def telegram_polling(reminders: bool, seconds: float | None) -> None:
    """Answer Telegram through getUpdates until Ctrl-C (needs TELEGRAM_BOT_TOKEN)."""
    from bot.cli.serve import run_worker
    from bot.logs import setup_logging

    settings = get_settings()
    setup_logging(settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if seconds is not None:
            loop.call_later(seconds, stop.set)
        await run_worker(settings, telegram=True, slack=False, reminders=reminders, stop=stop)

    try:
        settings.require("TELEGRAM_BOT_TOKEN")
        asyncio.run(main())
    except MissingSetting as exc:
        raise click.ClickException(str(exc)) from exc
