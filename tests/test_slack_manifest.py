"""The app manifest asks for what the adapter uses, and nothing it does not."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.oauth import BOT_SCOPES

MANIFEST = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "slack" / "manifest.yml").read_text(encoding="utf-8"))


def test_scopes_match_the_oauth_flow():
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == BOT_SCOPES
    assert MANIFEST["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


def test_events_commands_and_interactivity_point_at_the_service():
    settings = MANIFEST["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"]
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {"message.im", "message.channels", "app_mention", "app_home_opened",
            "member_joined_channel", "app_uninstalled", "tokens_revoked"} <= events
    commands = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}
    assert set(commands) == {"/checklist", "/coach"}
    assert all(c["url"].endswith("/slack/events") for c in commands.values())
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"]
