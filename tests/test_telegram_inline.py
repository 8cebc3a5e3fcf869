"""Telegram inline mode and what the bot shows about itself, through the real Application over
HTTP (webhook) against the Bot API stand-in, which checks answerInlineQuery as Telegram does."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from standins.telegram_harness import Harness, fresh, telegram_service

import knowledge
from bot.cli import main as cli
from bot.config import MissingSetting
from bot.engine import Engine
from bot.inline_drafts import InlineDrafts
from bot.store.memory import MemoryStore
from bot.telegram.app import ALLOWED_UPDATES
from bot.telegram.profile import GROUP_COMMANDS, PRIVATE_COMMANDS

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
KB = knowledge.load()
KARI = 41230002


def load(name: str, **query: Any) -> dict[str, Any]:
    data = fresh(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))
    data.get("inline_query", {}).update(query)
    return data


async def answered(h: Harness, update: dict[str, Any]) -> dict[str, Any]:
    before = len(h.stand_in.of("answerInlineQuery"))
    assert (await h.post(update)).status_code == 200
    await h.stand_in.wait_for(lambda s: len(s.of("answerInlineQuery")) > before)
    return h.stand_in.of("answerInlineQuery")[-1].params


async def test_inline_reminder_1200_in_norwegian_gives_drafts_with_the_amount(tmp_path):
    async with telegram_service(tmp_path) as h:
        params = await answered(h, load("inline_query_nb"))
        results = params["results"]
        assert results and all(r["type"] == "article" for r in results)
        first = results[0]
        reminder = KB.topic("late-payment").draft("reminder")
        assert first["id"] == "reminder"
        assert first["title"] == reminder.title.get("nb")
        assert first["description"] == KB.topic("late-payment").title.get("nb")
        text = first["input_message_content"]["message_text"]
        assert "1\u00a0200" in text or "1 200" in text  # the amount, written the Norwegian way
        assert KB.text("hint_amount", "nb") not in text
        assert params["is_personal"] is True and params["cache_time"] > 0
        assert params["button"]["start_parameter"] == "start"
        assert params["button"]["text"] == KB.text("inline_open_bot", "nb")
        assert h.stand_in.of("sendMessage") == []


async def test_inline_query_in_another_language_follows_the_persons_language(tmp_path):
    async with telegram_service(tmp_path) as h:
        params = await answered(h, load("inline_query_nb", query="relance facture 800"))
        assert params["results"][0]["title"] in {
            d.title.get("nb") for d in KB.topic("late-payment").drafts}


async def test_empty_inline_query_offers_the_most_used_drafts(tmp_path):
    async with telegram_service(tmp_path) as h:
        params = await answered(h, load("inline_query_empty_fr"))
        ids = [r["id"] for r in params["results"]]
        first_of_each = [KB.topic(t).drafts[0].id for t in KB.catalog.topics][: len(ids)]
        assert ids == first_of_each and all(r["title"] for r in params["results"])
        # a draft chosen (chosen_inline_result) moves up for everyone's empty query
        chosen = fresh(json.loads((FIXTURES / "chosen_inline_result_nb.json").read_text()))
        chosen["chosen_inline_result"]["result_id"] = "payment-plan"
        assert (await h.post(chosen)).status_code == 200
        await h.stand_in.settle(quiet=0.2)
        assert h.bot.inline.drafts.chosen["payment-plan"] == 1
        again = await answered(h, load("inline_query_empty_fr"))
        assert again["results"][0]["id"] == "payment-plan"
        assert again["results"][0]["title"] == KB.topic("late-payment").draft(
            "payment-plan").title.get("fr")


async def test_inline_query_that_names_nothing_offers_to_open_the_bot(tmp_path):
    async with telegram_service(tmp_path) as h:
        params = await answered(h, load("inline_query_nb", query="lunsj i morgen?"))
        assert params["results"] == []
        assert params["button"]["text"] == KB.text("inline_none", "nb")


async def test_inline_language_chosen_in_private_wins(tmp_path):
    async with telegram_service(tmp_path) as h:
        start = fresh(json.loads((FIXTURES / "private_start_nb.json").read_text()))
        start["message"]["text"] = "/lang en"
        start["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 5}]
        await h.exchange(start, KARI)
        params = await answered(h, load("inline_query_nb"))
        assert params["results"][0]["title"] == KB.topic("late-payment").draft(
            "reminder").title.get("en")


def test_results_are_cached_per_query_and_language():
    drafts = InlineDrafts(Engine(MemoryStore()))
    today = date(2026, 12, 1)
    first = drafts.search("reminder 1200", "nb", today)
    assert drafts.search("Reminder  1200", "nb", today) is first
    assert drafts.search("reminder 1200", "fr", today) is not first
    assert drafts.search("reminder 1200", "fr", today)[0].lang == "fr"


# What Telegram shows about the bot ---------------------------------------------------------

async def test_menus_per_chat_kind_and_descriptions_per_language(tmp_path):
    async with telegram_service(tmp_path) as h:
        menus = {(c.params.get("language_code"), c.params["scope"]["type"]):
                 [cmd["command"] for cmd in c.params["commands"]]
                 for c in h.stand_in.of("setMyCommands")}  # fmt: skip
        codes = {None, "en", "fr", "nb", "no", "nn"}
        assert set(menus) == {(c, s) for c in codes for s in ("all_private_chats",
                                                               "all_group_chats")}
        assert menus[("nn", "all_private_chats")] == list(PRIVATE_COMMANDS)
        assert menus[("fr", "all_group_chats")] == list(GROUP_COMMANDS)
        assert "forget" not in GROUP_COMMANDS and "start" not in GROUP_COMMANDS
        nn = next(c for c in h.stand_in.of("setMyCommands")
                  if c.params.get("language_code") == "nn")
        assert nn.params["commands"][0]["description"] == KB.text(
            f"tg_cmd_{nn.params['commands'][0]['command']}", "nb")
        descriptions = {c.params.get("language_code"): c.params["description"]
                        for c in h.stand_in.of("setMyDescription")}
        shorts = {c.params.get("language_code"): c.params["short_description"]
                  for c in h.stand_in.of("setMyShortDescription")}
        for code, lang in [(None, "en"), ("fr", "fr"), ("nb", "nb"), ("nn", "nb"), ("no", "nb")]:
            assert descriptions[code] == KB.text("tg_description", lang)
            assert shorts[code] == KB.text("tg_short_description", lang)


def test_inline_updates_are_allowed():
    assert {"inline_query", "chosen_inline_result"} <= set(ALLOWED_UPDATES)


BAD_SECRETS = ["has space", "a" * 257, "émoji", "semi;colon"]


@pytest.mark.parametrize("secret", BAD_SECRETS, ids=["space", "257", "accent", "semicolon"])
async def test_a_webhook_secret_telegram_would_refuse_stops_the_start(tmp_path, secret):
    with pytest.raises(MissingSetting, match="1 to 256 characters"):
        async with telegram_service(tmp_path, TELEGRAM_WEBHOOK_SECRET=secret):
            pass


@pytest.mark.parametrize(("secret", "ok"), [("abc_DEF-123", True), ("x" * 256, True),
                                            *((s, False) for s in BAD_SECRETS)])
def test_config_check_reports_a_bad_webhook_secret(monkeypatch, tmp_path, secret, ok):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", secret)
    result = CliRunner().invoke(cli, ["config", "check"])
    line = next(x for x in result.output.splitlines() if "Telegram webhook" in x)
    assert line.endswith("ready") is ok, result.output
    assert ("1 to 256 characters" in result.output) is not ok
    assert secret not in result.output  # never printed
