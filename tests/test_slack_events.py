"""Slack payload → Turn: the translation table over recorded payloads, no network."""

from __future__ import annotations

import pytest
from slack_helpers import payload

import knowledge
from bot.slack.events import (
    action_to_inbound,
    command_payload,
    command_to_inbound,
    event_to_inbound,
    plain_text,
    to_turn,
)
from bot.vocab import Vocabulary

BOT = "UBOT1"
VOCAB = Vocabulary.from_knowledge(knowledge.load())

# name, overrides, expected (chat, thread, user, kind, chat_kind) or None when ignored
EVENTS = [
    ("message_im", {}, ("T0CC1:D0DM1", "", "U0ALICE", "message", "direct")),
    ("message_im", {"thread_ts": "1.2"}, ("T0CC1:D0DM1", "1.2", "U0ALICE", "message", "direct")),
    ("app_mention", {}, ("T0CC1:C0CHAN1", "1732450100.000200", "U0ALICE", "message", "group")),
    ("app_mention", {"thread_ts": "9.9"}, ("T0CC1:C0CHAN1", "9.9", "U0ALICE", "message", "group")),
    ("app_mention", {"text": "<@UBOT1>"}, ("T0CC1:C0CHAN1", "1732450100.000200", "U0ALICE",
                                           "command", "group")),
    ("message_thread_reply", {}, ("T0CC1:C0CHAN1", "1732450100.000200", "U0ALICE", "message",
                                  "group")),
    ("message_thread_reply", {"user": "U0BOB"}, ("T0CC1:C0CHAN1", "1732450100.000200", "U0BOB",
                                                 "message", "group")),
    ("message_thread_reply", {"text": "<@UBOT1> again"}, None),  # app_mention answers it
    ("message_channel", {}, None),
    ("message_bot", {}, None),
    ("message_bot_subtype", {}, None),
    ("message_own", {}, None),
    ("message_own", {"bot_id": None}, None),
    ("message_changed", {}, None),
    ("message_deleted", {}, None),
    ("message_im", {"subtype": "channel_join"}, None),
    ("message_im", {"subtype": "file_share", "text": "", "files": [{"id": "F1"}]},
     ("T0CC1:D0DM1", "", "U0ALICE", "non_text", "direct")),
    ("member_joined_channel", {}, ("T0CC1:C0CHAN1", "", "U0ALICE", "joined", "group")),
    ("member_joined_channel", {"user": "U0BOB"}, None),
    ("app_home_opened", {}, None),
]


@pytest.mark.parametrize(("name", "overrides", "expected"), EVENTS)
def test_event_table(name, overrides, expected):
    inbound = event_to_inbound(payload(name, **overrides), BOT)
    if expected is None:
        assert inbound is None
        return
    assert inbound is not None
    turn = inbound.turn
    assert (turn.key.chat, turn.key.thread, turn.key.user, turn.kind, turn.chat_kind) == expected
    assert turn.key.platform == "slack"
    assert turn.event_id == payload(name)["event_id"]


def test_mention_text_loses_the_bot_mention_and_starts_a_thread():
    inbound = event_to_inbound(payload("app_mention"), BOT)
    assert inbound.turn.text == "a client keeps adding work"
    assert inbound.starts_thread and inbound.thread_ts == "1732450100.000200"
    assert inbound.channel == "C0CHAN1"


def test_thread_reply_needs_an_active_thread_unless_under_the_bots_post():
    assert event_to_inbound(payload("message_thread_reply"), BOT).needs_active_thread
    under_bot = event_to_inbound(payload("message_thread_reply", parent_user_id=BOT), BOT)
    assert not under_bot.needs_active_thread


def test_dm_never_needs_a_thread_check():
    assert not event_to_inbound(payload("message_im"), BOT).needs_active_thread


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<@UBOT1> hello", "hello"),
        ("ping <!channel> &amp; <!here>", "ping @channel & @here"),
        ("see <https://example.com|the site> &lt;b&gt;", "see the site <b>"),
        ("<@U123|bob> and <#C1|general>", "@bob and @general"),
        ("", ""),
    ],
)
def test_plain_text(raw, expected):
    assert plain_text(raw, BOT) == expected


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("checklist", "", ("command", "checklist", None)),
        ("checklist", "late-payment", ("command", "checklist:late-payment", None)),
        ("checklist", "Late Payment", ("command", "checklist:late-payment", None)),
        ("checklist", "retard de paiement!", ("command", "checklist", "retard de paiement!")),
        ("coach", "", ("command", "start", None)),
        ("coach", "lang nb", ("message", None, "lang nb")),
        ("coach", "my client is late", ("message", None, "my client is late")),
    ],
)
def test_command_payloads(command, text, expected):
    assert command_payload(command, text) == expected


@pytest.mark.parametrize(
    ("text", "payload"),
    [("lang nb", "lang:nb"), ("langue fr", "lang:fr"), ("lang no", "lang:nb"),
     ("språk en", "lang:en"), ("lang", "lang"), ("forget", "forget"), ("glem", "forget"),
     ("oublier", "forget"), ("help", "help"), ("hjelp", "help"), ("meny", "menu"),
     ("avbryt", "cancel"), ("start", "start")],
)
def test_coach_words_are_the_engines_command_words(text, payload):
    """/coach passes its words on; the engine reads them as it reads a whole DM message."""
    assert command_payload("coach", text) == ("message", None, text)
    assert VOCAB.command(text)[0] == payload


def test_slash_command_is_ephemeral_with_its_response_url():
    inbound = command_to_inbound(payload("slash_checklist", text="late-payment"))
    assert inbound.ephemeral and inbound.response_url.startswith("https://hooks.slack.com/")
    assert inbound.turn.key.as_str() == "slack|T0CC1:C0CHAN1||U0ALICE"
    assert inbound.turn.chat_kind == "group"
    assert command_to_inbound(payload("slash_checklist", command="/other")) is None


def test_button_click_carries_payload_owner_and_label():
    inbound = action_to_inbound(payload("block_actions"))
    assert inbound.turn.kind == "button" and inbound.turn.payload == "menu"
    assert inbound.turn.owner == "U0ALICE" and inbound.label == "Choice"
    assert inbound.message_ts == "1732451000.001100" and not inbound.ephemeral


def test_select_menu_choice_is_read_from_the_selected_option():
    data = payload("block_actions")
    data["actions"] = [{"action_id": "cc:select", "block_id": "cc-owner:U0ALICE",
                        "type": "static_select",
                        "selected_option": {"text": {"type": "plain_text", "text": "Rates"},
                                            "value": "topic:rates"}}]
    inbound = action_to_inbound(data)
    assert inbound.turn.payload == "topic:rates" and inbound.label == "Rates"


def test_share_button_and_oversized_payloads():
    share = action_to_inbound(payload("block_actions_ephemeral"))
    assert share.share and share.ephemeral and share.turn.payload == "checklist:late-payment"
    data = payload("block_actions")
    data["actions"][0]["value"] = "x" * 65
    assert action_to_inbound(data) is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"type": "event_callback"},
        {"type": "event_callback", "event": "oops"},
        {"type": "event_callback", "event": {"type": "message"}},
        {"type": "event_callback", "event": {"type": "message", "user": 5, "channel": []}},
        {"type": "event_callback", "event": {"type": "app_mention", "user": "U1"}},
        {"type": "event_callback", "event": {"type": "reaction_added", "user": "U1"}},
        {"type": "block_actions", "actions": "x"},
        {"type": "block_actions", "actions": [{}], "user": {"id": "U1"}},
        {"type": "block_actions", "actions": [{"value": "menu"}],
         "container": {"type": "view"}, "user": {"id": "U1"}},
        {"command": "/coach"},
    ],
)
def test_malformed_payloads_are_ignored(body):
    assert to_turn(body, BOT) is None
