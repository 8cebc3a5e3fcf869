"""One behaviour table for both platforms (``bot.reply_policy``): the engine decides, each adapter
only carries it out. Each row is checked in the engine, then through the real Bolt app and the
real python-telegram-bot Application over HTTP against the stand-ins."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from slack_helpers import payload
from slack_service import slack_service, texts_of
from standins.telegram_harness import fresh, telegram_service

import knowledge
from bot.engine import Engine
from bot.models import ConversationKey, Turn
from bot.slack.render import escape
from bot.store.base import StoreUnavailable
from bot.store.memory import MemoryStore

KB = knowledge.load()
TG_FIXTURES = Path(__file__).parent / "fixtures" / "telegram"


def tg(name: str) -> dict[str, Any]:
    return fresh(json.loads((TG_FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def dead_redis() -> str:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


async def store_down(*args: Any) -> None:
    raise StoreUnavailable("down")


def key(user: str, chat: str = "G1") -> ConversationKey:
    return ConversationKey(platform="test", chat=chat, user=user)


# The table, in the engine ------------------------------------------------------------------

async def test_engine_someone_elses_button_is_a_private_notice_and_touches_nothing():
    store = MemoryStore()
    engine = Engine(store)
    turn = Turn(key=key("bob"), chat_kind="group", kind="button", payload="flow:say-no",
                owner="alice", locale="fr")
    (reply,) = await engine.handle(turn)
    assert reply.private and reply.notice and not reply.buttons
    assert reply.text == KB.text("foreign_button", "fr")
    assert await store.load(turn.key.as_str()) is None
    own = turn.model_copy(update={"owner": "bob"})
    replies = await engine.handle(own)
    assert not any(r.notice for r in replies)
    assert (await store.load(turn.key.as_str())).flow == "say-no"


async def test_engine_store_down_is_a_private_notice():
    engine = Engine(MemoryStore())
    engine.store.load = store_down  # type: ignore[method-assign]
    (reply,) = await engine.handle(Turn(key=key("bob"), text="hello", locale="nb"))
    assert reply.private and reply.notice and reply.text == KB.text("unavailable", "nb")


@pytest.mark.parametrize("private", [True, False])
async def test_engine_offers_share_only_for_a_private_checklist(private):
    engine = Engine(MemoryStore())
    turn = Turn(key=key("bob"), chat_kind="group", kind="command",
                payload="checklist:late-payment", private=private)
    (reply,) = await engine.handle(turn)
    assert reply.checklist
    assert reply.private is private
    assert reply.share == ("checklist:late-payment" if private else None)


# The same rows on Slack --------------------------------------------------------------------

def slack_click(h: Any, *, user: str, owner: str, channel: str = "C0CHAN1") -> dict[str, Any]:
    data = payload("block_actions")
    data["user"] = {"id": user, "username": user.lower(), "name": user.lower(),
                    "team_id": "T0CC1"}
    data["container"]["channel_id"] = channel
    data["channel"] = {"id": channel, "name": "freelance"}
    data["response_url"] = h.api.response_url("click")
    for block in data["message"]["blocks"]:
        if block["type"] == "actions":
            block["block_id"] = f"cc-owner:{owner}"
    data["actions"][0]["block_id"] = f"cc-owner:{owner}"
    data["actions"][0]["value"] = "flow:say-no"
    return data


def slack_private(h: Any) -> list[str]:
    calls = h.api.of("response_url") + h.api.of("chat.postEphemeral")
    return [texts_of(c) for c in calls if c.params.get("response_type", "ephemeral") == "ephemeral"]


def slack_public(h: Any) -> list[Any]:
    return h.api.of("chat.postMessage") + h.api.of("chat.update")


async def test_slack_someone_elses_button(tmp_path):
    async with slack_service(tmp_path) as h:
        await h.click(slack_click(h, user="U0BOB", owner="U0ALICE"))
        await h.api.settle(0.1)
        (shown,) = slack_private(h)
        assert escape(KB.text("foreign_button", "en")) in shown
        assert slack_public(h) == []


async def test_slack_store_down_on_a_press(tmp_path):
    async with slack_service(tmp_path) as h:
        # the sessions and the inbox cannot be read or written (as with a dead Redis, without
        # the seconds its clients spend retrying)
        h.store.load = store_down
        if h.bot.inbox is not None:
            h.bot.inbox.put = store_down
        await h.click(slack_click(h, user="U0ALICE", owner="U0ALICE", channel="D0DM1"))
        await h.api.settle(0.1)
        (shown,) = slack_private(h)
        assert escape(KB.text("unavailable", "en")) in shown
        assert slack_public(h) == []  # the buttons stay: nothing was taken


async def test_slack_private_checklist_is_offered_for_sharing(tmp_path):
    async with slack_service(tmp_path) as h:
        await h.command("slash_checklist", "late-payment")
        (answer,) = h.api.of("response_url")
        shares = [e for b in answer.params["blocks"] if b["type"] == "actions"
                  for e in b["elements"] if e["action_id"] == "cc-share"]
        assert [s["value"] for s in shares] == ["checklist:late-payment"]


# The same rows on Telegram -----------------------------------------------------------------

def tg_private(h: Any) -> list[str]:
    return [c.params.get("text") for c in h.stand_in.of("answerCallbackQuery")
            if c.params.get("text")]


def tg_public(h: Any) -> list[Any]:
    return h.stand_in.of("sendMessage") + h.stand_in.of("editMessageText")


async def test_telegram_someone_elses_button(tmp_path):
    async with telegram_service(tmp_path) as h:
        assert (await h.post(tg("callback_query_group_foreign"))).status_code == 200
        await h.stand_in.wait_for(lambda s: bool(s.of("answerCallbackQuery")))
        await h.stand_in.settle(quiet=0.2)
        assert tg_private(h) == [KB.text("foreign_button", "nb")]
        assert tg_public(h) == [] and h.stand_in.of("editMessageReplyMarkup") == []


async def test_telegram_store_down_on_a_press(tmp_path):
    async with telegram_service(tmp_path, CLIENTCOACH_STORE=dead_redis()) as h:
        assert (await h.post(tg("callback_query_private_en"))).status_code == 200
        await h.stand_in.wait_for(lambda s: bool(s.of("answerCallbackQuery")), timeout=15)
        await h.stand_in.settle(quiet=0.2)
        assert tg_private(h) == [KB.text("unavailable", "en")]
        assert tg_public(h) == [] and h.stand_in.of("editMessageReplyMarkup") == []


async def test_telegram_group_checklist_is_public_so_nothing_to_share(tmp_path):
    async with telegram_service(tmp_path) as h:
        update = tg("group_command_help")
        update["message"]["text"] = "/checklist late-payment"
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 10}]
        chat = update["message"]["chat"]["id"]
        (sent,) = await h.exchange(update, chat)
        first_item = KB.topic("late-payment").checklist[0].text.get("nb")
        assert first_item in sent["text"]
        assert h.stand_in.of("answerCallbackQuery") == []


# Command words are the engine's: the same words work after /coach, in a DM, on Telegram ----

async def test_slack_glem_works_after_coach_and_in_a_dm(tmp_path):
    async with slack_service(tmp_path) as h:
        await h.command("slash_coach", "glem")
        await h.event("message_im", text="glem")
        after_command = h.api.of("response_url")[-1]
        in_dm = h.api.of("chat.postMessage")[-1]
        for call in (after_command, in_dm):
            values = {e.get("value") for b in call.params["blocks"] if b["type"] == "actions"
                      for e in b["elements"]}
            assert "forget:yes" in values
            assert escape(KB.text("forget_confirm", "nb")) in texts_of(call)


async def test_telegram_glem_in_private(tmp_path):
    async with telegram_service(tmp_path) as h:
        update = tg("private_start_nb")
        update["message"]["text"] = "glem"
        update["message"].pop("entities", None)
        (sent,) = await h.exchange(update, update["message"]["chat"]["id"])
        keyboard = sent["reply_markup"]["inline_keyboard"]
        assert "forget:yes" in {b.get("callback_data") for row in keyboard for b in row}
        assert sent["text"] == KB.text("forget_confirm", "nb")
