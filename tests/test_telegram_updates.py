"""Update → Turn over the recorded update files: one table, one row per fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.reply_policy import is_foreign
from bot.telegram.updates import (
    Me,
    command_payload,
    deep_link_payload,
    read_update,
    to_turn,
)

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
ME = Me(7000000001, "clientcoach_test_bot")
GROUP = "-1001700000042"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def update_of(data: dict[str, Any]) -> Update:
    return Update.de_json(data, None)


# fixture → expected (kind, payload, text, chat_kind, chat, thread, user) or None (ignored)
CASES: list[tuple[str, tuple[Any, ...] | None]] = [
    (
        "private_text_fr",
        ("message", None, "Mon client ne m'a toujours pas payé la facture de mars, je fais quoi ?",
         "direct", "41230001", "", "41230001"),
    ),
    ("private_start_nb", ("command", "start", None, "direct", "41230002", "", "41230002")),
    (
        "private_start_deep_link_en",
        ("command", "checklist:late-payment", None, "direct", "41230003", "", "41230003"),
    ),
    ("private_photo", ("non_text", None, None, "direct", "41230001", "", "41230001")),
    ("private_voice", ("non_text", None, None, "direct", "41230002", "", "41230002")),
    ("edited_message", None),
    ("channel_post", None),
    (
        "group_mention_en",
        ("message", None, "my client keeps adding work outside the scope we agreed",
         "group", GROUP, "", "41230003"),
    ),
    (
        "group_reply_to_bot_en",
        ("message", None, "how do I say that politely?", "group", GROUP, "", "41230003"),
    ),
    ("group_chatter", None),
    ("group_reply_to_person", None),
    ("group_command_help", ("command", "help", None, "group", GROUP, "", "41230002")),
    ("group_command_other_bot", None),
    ("group_photo", None),
    ("group_service_bot_added", None),
    ("my_chat_member_added_fr", ("joined", None, None, "group", GROUP, "", "41230001")),
    ("my_chat_member_promoted", None),
    ("my_chat_member_blocked_private", None),
    ("inline_query_nb", None),  # inline mode: drafts (bot.telegram.inline), not a conversation
    ("inline_query_empty_fr", None),
    ("chosen_inline_result_nb", None),
    (
        "callback_query_private_en",
        ("button", "lang:en", None, "direct", "41230003", "", "41230003"),
    ),
    (
        "callback_query_group_foreign",
        ("button", "lang:nb", None, "group", GROUP, "", "41230002"),
    ),
    (
        "forum_topic_mention_nb",
        ("message", None, "kunden min har ikke betalt fakturaen", "group", "-1001700000099",
         "300", "41230002"),
    ),
    (
        "basic_group_text_mention",
        ("message", None, "une checklist pour les nouveaux clients ?", "group", "-4100000077",
         "", "41230001"),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fixture_translates(name: str, expected: tuple[Any, ...] | None) -> None:
    data = load(name)
    turn = to_turn(update_of(data), ME)
    if expected is None:
        assert turn is None
        return
    assert turn is not None
    kind, payload, text, chat_kind, chat, thread, user = expected
    assert (turn.kind, turn.payload, turn.text) == (kind, payload, text)
    assert (turn.chat_kind, turn.key.chat, turn.key.thread, turn.key.user) == (
        chat_kind, chat, thread, user,
    )  # fmt: skip
    assert turn.key.platform == "telegram"
    assert turn.event_id == f"tg:{ME.id}:{data['update_id']}"


def test_every_fixture_is_in_the_table() -> None:
    names = {p.stem for p in FIXTURES.glob("*.json")}
    assert names == {c[0] for c in CASES}


def test_locale_is_passed_as_given() -> None:
    assert to_turn(update_of(load("private_start_nb")), ME).locale == "nb"  # type: ignore[union-attr]
    assert to_turn(update_of(load("group_mention_en")), ME).locale == "en-GB"  # type: ignore[union-attr]
    data = load("private_text_fr")
    del data["message"]["from"]["language_code"]
    assert to_turn(update_of(data), ME).locale is None  # type: ignore[union-attr]


def test_group_messages_are_answered_as_replies_private_ones_not() -> None:
    group = read_update(update_of(load("group_mention_en")), ME)
    private = read_update(update_of(load("private_text_fr")), ME)
    assert group is not None and group.reply_to == 9001
    assert private is not None and private.reply_to is None


def test_button_pressed_by_someone_else_is_foreign() -> None:
    incoming = read_update(update_of(load("callback_query_group_foreign")), ME)
    assert incoming is not None and is_foreign(incoming.turn)
    assert incoming.turn.owner == "41230003" != incoming.turn.key.user
    assert incoming.reply_to == 9001


def test_button_pressed_by_its_owner_is_not_foreign() -> None:
    data = load("callback_query_group_foreign")
    data["callback_query"]["from"] = data["callback_query"]["message"]["reply_to_message"]["from"]
    incoming = read_update(update_of(data), ME)
    assert incoming is not None and not is_foreign(incoming.turn)
    assert incoming.turn.key.user == "41230003" == incoming.turn.owner


def test_forum_replies_stay_in_their_topic() -> None:
    incoming = read_update(update_of(load("forum_topic_mention_nb")), ME)
    assert incoming is not None and incoming.thread_id == 300


def test_mention_alone_opens_the_start() -> None:
    data = load("group_mention_en")
    data["message"]["text"] = "@clientcoach_test_bot"
    turn = to_turn(update_of(data), ME)
    assert turn is not None and (turn.kind, turn.payload) == ("command", "start")


def test_mention_is_case_insensitive_and_found_after_emoji() -> None:
    data = load("group_mention_en")
    data["message"]["text"] = "\U0001f44b @ClientCoach_Test_Bot hello"
    data["message"]["entities"] = [{"offset": 3, "length": 21, "type": "mention"}]
    turn = to_turn(update_of(data), ME)
    assert turn is not None and turn.text == "\U0001f44b hello"


def test_mention_of_another_account_is_ignored_in_groups() -> None:
    data = load("group_mention_en")
    data["message"]["text"] = "@someone_else_bot what do you think"
    data["message"]["entities"] = [{"offset": 0, "length": 17, "type": "mention"}]
    assert to_turn(update_of(data), ME) is None


def test_command_without_entities_is_still_a_command() -> None:
    data = load("private_start_nb")
    data["message"]["text"] = "/lang FR"
    del data["message"]["entities"]
    turn = to_turn(update_of(data), ME)
    assert turn is not None and (turn.kind, turn.payload) == ("command", "lang:fr")


def test_messages_from_bots_are_ignored() -> None:
    data = load("private_text_fr")
    data["message"]["from"]["is_bot"] = True
    assert to_turn(update_of(data), ME) is None


def test_callback_on_inline_message_is_ignored() -> None:
    data = load("callback_query_private_en")
    del data["callback_query"]["message"]
    data["callback_query"]["inline_message_id"] = "AAAAAGvYAQBzB8xW"
    assert to_turn(update_of(data), ME) is None


@pytest.mark.parametrize(
    ("arg", "payload"),
    [
        ("checklist-late-payment", "checklist:late-payment"),
        ("flow-unpaid-invoice", "flow:unpaid-invoice"),
        ("topic-rates", "topic:rates"),
        ("menu", "menu"),
        ("has space", None),
        ("<b>", None),
        ("x" * 65, None),
        ("", None),
    ],
)
def test_deep_links(arg: str, payload: str | None) -> None:
    assert deep_link_payload(arg) == payload


@pytest.mark.parametrize(
    ("name", "arg", "payload"),
    [
        ("start", "", "start"),
        ("start", "flow-unpaid-invoice", "flow:unpaid-invoice"),
        ("start", "<script>", "start"),
        ("help", "", "help"),
        ("Menu", "", "menu"),
        ("lang", "no", "lang:no"),
        ("lang", " nb ", "lang:nb"),
        ("checklist", "late-payment", "checklist:late-payment"),
        ("checklist", "late payment", "checklist:late-payment"),
        ("checklist", "é" * 40, "checklist"),
        ("checklist", "a" * 80, "checklist"),
        ("forget", "", "forget"),
        ("cancel", "", "cancel"),
    ],
)
def test_command_payloads(name: str, arg: str, payload: str) -> None:
    assert command_payload(name, arg) == payload
    assert len(payload.encode()) <= 64
