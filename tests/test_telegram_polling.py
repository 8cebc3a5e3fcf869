"""Long polling: updates served by the stand-in's ``getUpdates`` to the real Application, in a
bounded run; and ``clientcoach telegram-polling`` as a process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from standins.telegram_harness import fast_limiter, fresh, settings_for

import knowledge
from bot.config import MissingSetting, Settings
from bot.server import build_engine, open_configured_store
from bot.standins.telegram_api import TelegramStandIn
from bot.telegram import TelegramBot

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
KB = knowledge.load()
ANNE, KARI, TOM = 41230001, 41230002, 41230003
GROUP = -1001700000042


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


async def test_polling_answers_every_language_and_stays_silent_where_it_should(
    tmp_path: Path,
) -> None:
    with TelegramStandIn() as stand_in:
        settings = settings_for(stand_in, tmp_path, TELEGRAM_WEBHOOK_SECRET=None)
        store = open_configured_store(settings)
        bot = TelegramBot(settings, build_engine(settings, store), store,
                          rate_limiter=fast_limiter())  # fmt: skip
        stop = asyncio.Event()
        task = asyncio.create_task(bot.run_polling(stop, timeout=1))
        try:
            for name in ("private_start_nb", "group_chatter", "edited_message", "channel_post"):
                stand_in.push_update(fresh(load(name)))
            stand_in.push_update(fresh(load("private_start_deep_link_en")))
            stand_in.push_update(fresh(load("my_chat_member_added_fr")))
            await stand_in.wait_for(
                lambda s: s.sent(KARI) and s.sent(TOM) and s.sent(GROUP), timeout=10
            )
            await stand_in.settle(quiet=0.3)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=10)
            await store.close()
        assert KB.text("greeting", "nb") in stand_in.sent(KARI)[0]["text"]
        assert any(KB.topic("late-payment").checklist[0].text.en in m["text"]
                   for m in stand_in.sent(TOM))  # fmt: skip
        assert [KB.text("group_intro", "fr")] == [m["text"] for m in stand_in.sent(GROUP)]
        assert stand_in.of("deleteWebhook")  # polling never runs beside a webhook
        polls = stand_in.of("getUpdates")
        assert polls[0].params.get("allowed_updates") == [
            "message", "callback_query", "my_chat_member", "inline_query", "chosen_inline_result",
        ]  # fmt: skip
        offsets = [c.params.get("offset") for c in polls if c.params.get("offset")]
        assert offsets and max(offsets) > 900_000_000  # updates were acknowledged
        assert len(stand_in.of("setMyCommands")) == 12  # 6 languages x private chats, groups


async def test_polling_and_service_start_share_one_start(tmp_path: Path) -> None:
    """The worker starts the bot, then runs polling: start-up calls happen once."""
    with TelegramStandIn() as stand_in:
        settings = settings_for(stand_in, tmp_path)
        store = open_configured_store(settings)
        bot = TelegramBot(settings, build_engine(settings, store), store,
                          rate_limiter=fast_limiter())  # fmt: skip
        await bot.start()
        stop = asyncio.Event()
        task = asyncio.create_task(bot.run_polling(stop, timeout=1))
        stand_in.push_update(fresh(load("private_start_nb")))
        await stand_in.wait_for(lambda s: bool(s.sent(KARI)), timeout=10)
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        await bot.stop()  # a second stop is harmless
        await store.close()
        assert len(stand_in.of("getMe")) == 1


def test_missing_token_names_the_variable(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, CLIENTCOACH_STORE=f"sqlite:///{tmp_path}/s.db")  # type: ignore[call-arg]
    with pytest.raises(MissingSetting, match="TELEGRAM_BOT_TOKEN"):
        TelegramBot(settings, object(), object())  # type: ignore[arg-type]


def test_webhook_route_needs_its_secret(tmp_path: Path) -> None:
    with TelegramStandIn() as stand_in:
        settings = settings_for(stand_in, tmp_path, TELEGRAM_WEBHOOK_SECRET=None)
        store = open_configured_store(settings)
        bot = TelegramBot(settings, build_engine(settings, store), store)
        with pytest.raises(MissingSetting, match="TELEGRAM_WEBHOOK_SECRET"):
            bot.routes()


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "SLACK_", "CLIENTCOACH_"))}  # fmt: skip
    env.update(NO_PROXY="127.0.0.1,localhost", CLIENTCOACH_STORE=f"sqlite:///{tmp_path}/c.db",
               HOME=str(tmp_path), **values)  # fmt: skip
    return env


def _clientcoach(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    code = "from bot.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=tmp_path, env=_env(tmp_path, **env),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_cli_without_token_stops_with_the_variable_name(tmp_path: Path) -> None:
    result = _clientcoach(tmp_path, "telegram-polling", "--seconds", "1")
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr


def test_cli_polls_answers_and_stops(tmp_path: Path) -> None:
    with TelegramStandIn() as stand_in:
        stand_in.push_update(fresh(load("private_start_nb")))
        result = _clientcoach(
            tmp_path, "telegram-polling", "--seconds", "4", "--no-reminders",
            TELEGRAM_BOT_TOKEN=stand_in.token, TELEGRAM_API_URL=stand_in.api_url,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        assert stand_in.sent(KARI), result.stderr[-2000:]
        assert stand_in.token not in result.stderr + result.stdout
        assert KB.text("greeting", "nb") not in result.stderr + result.stdout
