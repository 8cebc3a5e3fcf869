"""The Slack adapter: ``SlackBot(settings, engine, store)`` (Events API, Socket Mode, OAuth).

``bot.slack.events`` translates payloads into turns, ``bot.slack.render`` lays replies out as
Block Kit; ``bot.slack.app`` wires both into slack-bolt. Imported lazily to keep start-up fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.slack.app import SlackBot

__all__ = ["SlackBot"]


def __getattr__(name: str) -> Any:
    if name == "SlackBot":
        from bot.slack.app import SlackBot

        return SlackBot
    raise AttributeError(name)
