"""Multi-workspace distribution: Bolt's OAuth flow over HTTP, installations in the session store."""

from __future__ import annotations

import html
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from redis_helpers import redis_url, require_redis, unique_prefix
from server_helpers import running_server
from slack_helpers import SIGNING_SECRET, event_request, payload
from slack_sdk.oauth.installation_store import Installation

import knowledge
from bot.config import Settings
from bot.engine import Engine
from bot.models import ConversationKey, Reply
from bot.server import create_app
from bot.slack.oauth import KeyValueInstallationStore, SignedStateStore, sqlite_path
from bot.standins.slack_api import SlackApiStandIn
from bot.store import open_store

KB = knowledge.load()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


async def test_install_redirect_event_and_uninstall(tmp_path):
    api = SlackApiStandIn().start()
    settings = Settings(_env_file=None, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="client-secret-xyz",
                        SLACK_API_URL=api.api_url,
                        CLIENTCOACH_STORE=f"sqlite:///{tmp_path / 'oauth.sqlite3'}")
    store = open_store(settings.store)
    app = create_app(settings, engine=Engine(store), store=store, reminders=False)
    bot = app.state.platforms["slack"]
    try:
        async with running_server(app) as base, httpx.AsyncClient(
                base_url=base, trust_env=False, timeout=10) as http:
            install = await http.get("/slack/install")
            assert install.status_code == 302
            target = urlsplit(install.headers["location"])
            query = parse_qs(target.query)
            assert target.netloc == "slack.com" and query["client_id"] == ["111.222"]
            assert "chat:write" in query["scope"][0].split(",")
            state = query["state"][0]
            cookie = install.headers["set-cookie"].split(";")[0]

            done = await http.get(f"/slack/oauth_redirect?code=c0de&state={state}",
                                  headers={"Cookie": cookie})
            assert done.status_code == 200
            assert "xoxb" not in done.text
            for lang in ("en", "fr", "nb"):
                assert html.escape(KB.text("slack_install_done", lang)) in done.text
            (exchange,) = api.of("oauth.v2.access")
            assert exchange.params["code"] == "c0de"

            again = await http.get(f"/slack/oauth_redirect?code=c0de&state={state}",
                                   headers={"Cookie": cookie})
            assert again.status_code >= 400  # a state works once

            # Events of the installed workspace are answered with its own bot token.
            data = payload("message_im", text="my client has not paid my invoice")
            body, signed = event_request(data)
            assert (await http.post("/slack/events", content=body, headers=signed)).status_code \
                == 200
            await bot.drain()
            (post,) = await api.wait_for("chat.postMessage", 1)
            assert post.params["channel"] == "D0DM1"

            # Reminders use the stored installation too.
            key = ConversationKey(platform="slack", chat="T0CC1:D0DM1", user="U0ALICE")
            await bot.send(key, [Reply(text="Still unpaid?", lang="en")])
            assert len(api.of("chat.postMessage")) == 2

            uninstall = payload("message_im")
            uninstall["event"] = {"type": "app_uninstalled", "event_ts": str(time.time())}
            body, signed = event_request(uninstall)
            assert (await http.post("/slack/events", content=body, headers=signed)).status_code \
                == 200
            await bot.drain()
            assert await bot.installations.async_find_bot(enterprise_id=None,
                                                          team_id="T0CC1") is None
            with pytest.raises(LookupError):
                await bot.send(key, [Reply(text="x", lang="en")])
    finally:
        api.stop()
        await store.close()


async def test_signed_states_are_single_use_and_unforgeable(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    states = SignedStateStore("secret", store)
    state = await states.async_issue()
    assert await states.async_consume(state)
    assert not await states.async_consume(state)
    issued, nonce, _ = (await states.async_issue()).split(".")
    assert not await states.async_consume(f"{issued}.{nonce}.deadbeef")
    assert not await SignedStateStore("other", store).async_consume(await states.async_issue())
    old = SignedStateStore("secret", store, ttl=-1)
    assert not await old.async_consume(await old.async_issue())
    await store.close()


def test_sqlite_path_matches_the_store_url():
    assert str(sqlite_path("sqlite:////var/lib/cc.sqlite3")) == "/var/lib/cc.sqlite3"
    assert str(sqlite_path("sqlite:///data/cc.sqlite3")) == "data/cc.sqlite3"
    assert sqlite_path("redis://127.0.0.1:6379/0") is None


async def test_installations_in_the_redis_store():
    require_redis()
    from bot.store.redis import RedisSessionStore

    store = RedisSessionStore(redis_url(unique_prefix()))
    try:
        installations = KeyValueInstallationStore(store)
        await installations.async_save(Installation(
            app_id="A1", team_id="T9", user_id="U1", bot_token="xoxb-9", bot_id="B9",
            bot_user_id="UB9", bot_scopes=["chat:write"]))
        bot = await installations.async_find_bot(enterprise_id=None, team_id="T9")
        assert bot.bot_token == "xoxb-9" and bot.bot_scopes == ["chat:write"]
        found = await installations.async_find_installation(enterprise_id=None, team_id="T9")
        assert found.user_id == "U1"
        await installations.async_delete_all(enterprise_id=None, team_id="T9")
        assert await installations.async_find_bot(enterprise_id=None, team_id="T9") is None
    finally:
        await store.clear()
        await store.close()
