"""``clientcoach slack-socket``: Slack over Socket Mode, for a bot without a public URL."""

from __future__ import annotations

import click


@click.command("slack-socket")
@click.option("--reminders/--no-reminders", default=True, help="Also send due reminders.")
def slack_socket(reminders: bool) -> None:
    """Connect to Slack over Socket Mode (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN)."""
    from bot.cli.serve import run_worker_until_stopped

    run_worker_until_stopped(telegram=False, slack=True, reminders=reminders)
