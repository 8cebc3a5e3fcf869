"""``clientcoach telegram-polling``: the Telegram bot over long polling, no public URL needed."""

from __future__ import annotations

import click


@click.command("telegram-polling")
@click.option(
    "--reminders/--no-reminders", default=True, help="Also send due follow-up reminders."
)
@click.option(
    "--seconds", type=float, default=None,
    help="Stop this many seconds after start-up (smoke tests).",
)
def telegram_polling(reminders: bool, seconds: float | None) -> None:
    """Answer Telegram through getUpdates until Ctrl-C (needs TELEGRAM_BOT_TOKEN)."""
    from bot.cli.serve import run_worker_until_stopped

    run_worker_until_stopped(
        telegram=True,
        slack=False,
        reminders=reminders,
        seconds=seconds,
        required=("TELEGRAM_BOT_TOKEN",),
    )
