"""``clientcoach slack-socket``: Slack over Socket Mode, for a bot without a public URL."""

from __future__ import annotations

import asyncio
import signal

import click


@click.command("slack-socket")
@click.option("--reminders/--no-reminders", default=True, help="Also send due reminders.")
def slack_socket(reminders: bool) -> None:
    """Connect to Slack over Socket Mode (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN)."""
    from bot.cli.serve import run_worker
    from bot.config import MissingSetting, get_settings
    from bot.logs import setup_logging

    settings = get_settings()
    setup_logging(settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, telegram=False, slack=True, reminders=reminders, stop=stop)

    try:
        asyncio.run(main())
    except MissingSetting as exc:
        raise click.ClickException(str(exc)) from exc
