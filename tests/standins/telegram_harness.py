"""Run the real Telegram bot for tests: the service app (``bot.server.create_app``) under
uvicorn on a free loopback port, the real engine and SQLite store, the Bot API stand-in.

``async with telegram_service(tmp_path) as h:`` then ``await h.post(update)`` sends an update
to ``/telegram/webhook`` over HTTP, exactly as Telegram would.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from bot.config import Settings
from bot.server import build_engine, create_app, open_configured_store
from bot.standins.telegram_api import TOKEN, TelegramStandIn
from bot.store.base import SessionStore
from bot.telegram import TelegramBot
from bot.telegram.limits import RetryingRateLimiter

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
SECRET = "webhook-secret-for-tests"
_update_ids = itertools.count(900_000_001)


def settings_for(stand_in: TelegramStandIn, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": stand_in.api_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "CLIENTCOACH_STORE": f"sqlite:///{tmp_path / 'clientcoach.sqlite3'}",
        "CLIENTCOACH_RATE_LIMIT": 1000,
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def fast_limiter() -> RetryingRateLimiter:
    """The production limiter with short backoff and no per-chat or per-group cap (tests burst
    on purpose; the caps have tests of their own)."""
    return RetryingRateLimiter(backoff=0.05, overall_max_rate=1000, chat_max_rate=0,
                               group_max_per_minute=0)


def fresh(update: dict[str, Any], **message: Any) -> dict[str, Any]:
    """A copy of a recorded update with a new ``update_id`` and message fields replaced."""
    data = copy.deepcopy(update)
    data["update_id"] = next(_update_ids)
    body = data.get("message") or data.get("callback_query") or data.get("my_chat_member")
    for name, value in message.items():
        if name == "language_code":
            body["from"]["language_code"] = value
        elif value is None:
            body.pop(name, None)
        else:
            body[name] = value
    if "message" in data and "text" in message and "entities" not in message:
        data["message"].pop("entities", None)
    return data


@dataclass
class Harness:
    stand_in: TelegramStandIn
    bot: TelegramBot
    store: SessionStore
    client: httpx.AsyncClient
    url: str

    async def post(
        self, update: dict[str, Any] | bytes, *, secret: str | None = SECRET
    ) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        if isinstance(update, dict):
            self.stand_in.remember_update(update)
            return await self.client.post(self.url, json=update, headers=headers)
        headers["Content-Type"] = "application/json"
        return await self.client.post(self.url, content=update, headers=headers)

    async def exchange(
        self, update: dict[str, Any], chat_id: int, *, expect: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Post an update; return the messages sent to ``chat_id`` in answer (at least
        ``expect``), once the bot has gone quiet."""
        before = len(self.stand_in.sent(chat_id))
        response = await self.post(update)
        assert response.status_code == 200, response.text
        await self.stand_in.wait_for(
            lambda s: len(s.sent(chat_id)) >= before + expect, timeout=timeout
        )
        await self.stand_in.settle(quiet=0.15)
        return self.stand_in.sent(chat_id)[before:]


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def telegram_service(
    tmp_path: Path,
    *,
    privacy_mode: bool = True,
    read_timeout: float = 5.0,
    production_limits: bool = False,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """The whole service for one test; everything is stopped on exit. ``production_limits``
    keeps the flood limits the settings give (Telegram's own) instead of lifting them."""
    with TelegramStandIn(privacy_mode=privacy_mode) as stand_in:
        config = settings_for(stand_in, tmp_path, **settings)
        store = open_configured_store(config)
        engine = build_engine(config, store)
        limiter = None if production_limits else fast_limiter()
        bot = TelegramBot(config, engine, store, rate_limiter=limiter, read_timeout=read_timeout)
        app = create_app(
            config, engine=engine, store=store, reminders=False, platforms={"telegram": bot}
        )
        sock = _free_socket()
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        )
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            for _ in range(500):
                if server.started or task.done():
                    break
                await asyncio.sleep(0.01)
            assert server.started, "uvicorn did not start"
            port = sock.getsockname()[1]
            async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
                yield Harness(
                    stand_in, bot, store, client, f"http://127.0.0.1:{port}/telegram/webhook"
                )
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, timeout=15)
            sock.close()
            await store.close()
