"""Socket Mode offline: the stand-in hands out a local WebSocket URL that sends envelopes."""

from __future__ import annotations

import asyncio

import pytest
from slack_helpers import BOT_TOKEN, payload

from bot.config import MissingSetting, Settings
from bot.engine import Engine
from bot.slack import SlackBot
from bot.standins.slack_api import SlackApiStandIn, SocketModeServer
from bot.store import open_store


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def envelope(number: int, kind: str, body: dict, retry: int = 0) -> dict:
    return {"envelope_id": f"env-{number}", "type": kind, "payload": body,
            "accepts_response_payload": kind != "events_api", "retry_attempt": retry,
            "retry_reason": "timeout" if retry else ""}


async def test_socket_mode_round_trip_and_dedupe(tmp_path):
    api = SlackApiStandIn().start()
    sockets = await SocketModeServer().start()
    api.socket_url = sockets.url
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN=BOT_TOKEN,
                        SLACK_APP_TOKEN="xapp-1-test-app-token", SLACK_API_URL=api.api_url,
                        CLIENTCOACH_STORE=f"sqlite:///{tmp_path / 'socket.sqlite3'}")
    store = open_store(settings.store)
    bot = SlackBot(settings, Engine(store), store)
    stop = asyncio.Event()
    task = asyncio.create_task(bot.run_socket_mode(stop))
    try:
        (opened,) = await api.wait_for("apps.connections.open", 1)
        assert opened.authorization
        event = payload("message_im", text="my client has not paid my invoice")
        event["event_id"] = "Ev0SOCKET1"
        # In Socket Mode even a first delivery carries a retry number: dedupe is by event id.
        sockets.push(envelope(1, "events_api", event, retry=0))
        sockets.push(envelope(2, "events_api", event, retry=1))
        await sockets.wait_acks(2)
        await api.wait_for("chat.postMessage", 1)
        command = payload("slash_checklist", text="rates",
                          response_url=api.response_url("socket"))
        sockets.push(envelope(3, "slash_commands", command))
        await sockets.wait_acks(3)
        (answer,) = await api.wait_for("response_url", 1)
        assert answer.params["response_type"] == "ephemeral"
        await bot.drain()
        await api.settle(0.2)
        (post,) = api.of("chat.postMessage")
        assert post.params["channel"] == "D0DM1"
        assert {a["envelope_id"] for a in sockets.acks} == {"env-1", "env-2", "env-3"}
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await sockets.stop()
        api.stop()
        await store.close()


async def test_socket_mode_needs_an_app_token(tmp_path):
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN=BOT_TOKEN,
                        CLIENTCOACH_STORE=f"sqlite:///{tmp_path / 's.sqlite3'}")
    store = open_store(settings.store)
    bot = SlackBot(settings, Engine(store), store)
    with pytest.raises(MissingSetting, match="SLACK_APP_TOKEN"):
        await bot.run_socket_mode(asyncio.Event())
    with pytest.raises(MissingSetting, match="SLACK_SIGNING_SECRET"):
        bot.routes()
    await store.close()
