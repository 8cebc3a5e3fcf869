"""The app manifest asks for what the adapter uses, and nothing it does not: the events its
listeners subscribe to, the scopes of the Web API methods its code calls, its commands."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.slack import app as slack_app
from bot.slack.native import ASSISTANT_EVENTS, SHORTCUT_ID
from bot.slack.oauth import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "slack" / "manifest.yml").read_text(encoding="utf-8"))
GRANTED = set(MANIFEST["oauth_config"]["scopes"]["bot"])
SUBSCRIBED = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])

# Slack's reference: the bot scope each Web API method needs (an empty set: none).
METHOD_SCOPES: dict[str, set[str]] = {
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "views.publish": set(),
    "users.info": {"users:read"},
    "conversations.open": {"im:write"},
    # reading back a reply left in doubt by a crash, wherever replies go
    "conversations.history": {"im:history", "channels:history", "groups:history", "mpim:history"},
    "conversations.replies": {"im:history", "channels:history", "groups:history", "mpim:history"},
    "assistant.threads.setStatus": {"assistant:write"},
    "assistant.threads.setSuggestedPrompts": {"assistant:write"},
    "assistant.threads.setTitle": {"assistant:write"},
}
# A listener's event type → the bot events of the manifest that deliver it.
DELIVERED_BY: dict[str, set[str]] = {
    "message": {"message.im", "message.channels", "message.groups", "message.mpim"},
}
# The scope each bot event needs.
EVENT_SCOPES: dict[str, set[str]] = {
    "message.im": {"im:history"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.mpim": {"mpim:history"},
    "app_mention": {"app_mentions:read"},
    "member_joined_channel": {"channels:read", "groups:read"},
    "assistant_thread_started": {"assistant:write"},
    "assistant_thread_context_changed": {"assistant:write"},
    "app_home_opened": set(),
    "app_uninstalled": set(),
    "tokens_revoked": set(),
}
_CALL = re.compile(r"\bclient\.([a-z]+(?:_[A-Za-z]+)+)\(")


def called_methods() -> set[str]:
    """Every Web API method the Slack adapter's code calls (``client.chat_postMessage(`` …)."""
    found: set[str] = set()
    for source in (ROOT / "bot" / "slack").glob("*.py"):
        for name in _CALL.findall(source.read_text(encoding="utf-8")):
            found.add(name.replace("_", "."))
    return found


def subscribed_events() -> set[str]:
    """The manifest events the app's listeners need."""
    listened = [*slack_app.CONVERSATION_EVENTS, *slack_app.OTHER_EVENTS, *ASSISTANT_EVENTS]
    return {event for name in listened for event in DELIVERED_BY.get(name, {name})}


def needed_scopes() -> set[str]:
    methods = {scope for method in called_methods() for scope in METHOD_SCOPES[method]}
    events = {scope for event in subscribed_events() for scope in EVENT_SCOPES[event]}
    return methods | events | {"commands"}  # slash commands and shortcuts


def test_the_code_calls_only_methods_whose_scope_is_known():
    called = called_methods()
    assert {"chat.postMessage", "conversations.open", "users.info"} <= called
    assert called <= set(METHOD_SCOPES), called - set(METHOD_SCOPES)


def test_every_listened_event_is_subscribed_and_nothing_else():
    assert subscribed_events() == SUBSCRIBED


def test_scopes_are_exactly_what_the_code_needs():
    assert needed_scopes() == GRANTED, (needed_scopes() ^ GRANTED)
    # the greeting on joining a channel needs to read channel membership (public and private)
    assert {"channels:read", "groups:read"} <= GRANTED


def test_scopes_match_the_oauth_flow():
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == BOT_SCOPES
    assert MANIFEST["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


def test_events_commands_and_interactivity_point_at_the_service():
    settings = MANIFEST["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"]
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    commands = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}
    assert set(commands) == set(slack_app.SLASH_COMMANDS)
    assert all(c["url"].endswith("/slack/events") for c in commands.values())
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"]
    shortcuts = MANIFEST["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("message", SHORTCUT_ID)]
    assert MANIFEST["features"]["assistant_view"]["assistant_description"]
