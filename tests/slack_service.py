"""The Slack app for tests: ``clientcoach serve``'s app under uvicorn on 127.0.0.1, the real engine
and a real store, the Web API stand-in; signed requests go to it over HTTP as Slack sends them.

``async with slack_service(tmp_path) as h:`` then ``await h.event("message_im", text=...)``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from server_helpers import running_server
from slack_helpers import (
    BOT_TOKEN,
    SIGNING_SECRET,
    action_request,
    event_request,
    form_request,
    payload,
)

from bot.config import Settings
from bot.engine import Engine
from bot.server import create_app
from bot.standins.slack_api import SlackApiStandIn
from bot.store import open_store

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

@dataclass
class Harness:
    api: SlackApiStandIn
    http: httpx.AsyncClient
    bot: Any
    store: Any
    counter: int = 0

    def next_id(self) -> str:
        self.counter += 1
        return f"Ev{time.monotonic_ns()}{self.counter}"

    async def event(self, name: str, *, event_id: str | None = None,
                    headers: dict[str, str] | None = None, sign_args: dict | None = None,
                    **fields: Any) -> httpx.Response:
        data = payload(name, **fields)
        if data.get("type") == "event_callback":
            data["event_id"] = event_id or self.next_id()
        body, signed = event_request(data, **(sign_args or {}))
        response = await self.http.post("/slack/events", content=body,
                                        headers={**signed, **(headers or {})})
        await self.bot.drain()
        return response

    async def command(self, name: str, text: str = "", **fields: Any) -> httpx.Response:
        form = payload(name, text=text, response_url=self.api.response_url(name), **fields)
        body, signed = form_request(form)
        response = await self.http.post("/slack/events", content=body, headers=signed)
        await self.bot.drain()
        return response

    async def click(self, data: dict[str, Any]) -> httpx.Response:
        body, signed = action_request(data)
        response = await self.http.post("/slack/events", content=body, headers=signed)
        await self.bot.drain()
        return response


def settings_for(api: SlackApiStandIn, tmp_path, **extra: Any) -> Settings:
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api.api_url,
        "CLIENTCOACH_STORE": f"sqlite:///{tmp_path / 'coach.sqlite3'}",
        **extra,
    }
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def slack_service(tmp_path, **settings: Any) -> AsyncIterator[Harness]:
    """The service with Slack only; ``settings`` are extra environment values."""
    api = SlackApiStandIn().start()
    config = settings_for(api, tmp_path, **settings)
    store = open_store(config.store)
    app = create_app(config, engine=Engine(store), store=store, reminders=False)
    try:
        async with running_server(app) as base, httpx.AsyncClient(
                base_url=base, trust_env=False, timeout=10) as http:
            yield Harness(api, http, app.state.platforms["slack"], store)
    finally:
        api.stop()
        await store.close()


def texts_of(call) -> str:
    """Everything a person would read in one recorded call."""
    blocks = call.params.get("blocks") or []
    return json.dumps(blocks, ensure_ascii=False) + str(call.params.get("text"))


def buttons_of(call) -> list[dict]:
    return [e for b in call.params.get("blocks") or [] if b["type"] == "actions"
            for e in b["elements"]]
