"""`clientcoach worker` as a real process (Telegram long polling against the stand-in, reminder
scheduler on Redis), and the per-person rate limit shared by two processes' engines."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from process_helpers import Proc, clean_env
from redis_helpers import scratch_redis
from test_multiprocess import text_update

import knowledge
from bot.engine import Engine
from bot.models import ConversationKey, Turn
from bot.standins.telegram_api import TOKEN, TelegramStandIn
from bot.store.base import Reminder
from bot.store.redis import RedisSessionStore


@pytest.fixture
def tg() -> Iterator[TelegramStandIn]:
    stand_in = TelegramStandIn().start()
    yield stand_in
    stand_in.close()


@pytest.fixture
async def store_url():
    async with scratch_redis() as scratch:
        yield scratch


async def test_worker_polls_telegram_sends_reminders_and_stops_cleanly(tg, store_url):
    env = clean_env(CLIENTCOACH_STORE=store_url, CLIENTCOACH_REMINDER_INTERVAL="0.2",
                    TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=tg.api_url)
    worker = Proc(["worker"], env).start()
    store = RedisSessionStore(store_url)
    try:
        await tg.wait_for(lambda s: bool(s.of("getUpdates")), timeout=20)
        user, other = 61_000_001, 61_000_002
        tg.push_update(text_update(user, "/help"))
        await tg.wait_for(lambda s: len(s.sent(user)) >= 1, timeout=10)
        await store.add_reminder(Reminder(
            id="w1", key=f"telegram|{other}||{other}", person=f"telegram|{other}",
            due=time.time() - 1, lang="fr", topic="late-payment"))
        await tg.wait_for(lambda s: len(s.sent(other)) == 1, timeout=10)
        assert await store.pending_reminders() == 0
        assert worker.stop() == 0
        out = worker.output()
        assert "reminder scheduler stopped" in out and "worker stopped" in out
        assert TOKEN not in out
    finally:
        worker.stop()
        await store.close()


async def test_worker_with_nothing_configured_says_so(store_url):
    worker = Proc(["worker"], clean_env(CLIENTCOACH_STORE=store_url)).start()
    assert worker.proc is not None
    assert worker.proc.wait(timeout=20) == 1
    assert "nothing to run" in worker.output()


async def test_rate_limit_is_per_person_and_shared_between_processes(store_url):
    kb = knowledge.load()
    stores = [RedisSessionStore(store_url), RedisSessionStore(store_url)]
    engines = [Engine(s, kb, rate_limit=3, rate_window=60) for s in stores]
    flooder = ConversationKey(platform="telegram", chat="-100", user="1")
    calm = ConversationKey(platform="telegram", chat="-100", user="2")
    notice = kb.text("rate_limited", "en")
    texts = []
    for n in range(5):
        replies = await engines[n % 2].handle(Turn(key=flooder, kind="command", payload="help",
                                                    locale="en", chat_kind="group"))
        texts.append(replies[0].text)
    assert texts[:3].count(notice) == 0 and texts[3:] == [notice, notice]
    replies = await engines[1].handle(Turn(key=calm, kind="command", payload="help", locale="en",
                                           chat_kind="group"))
    assert replies[0].text != notice  # one person's flood does not starve the others
    await asyncio.gather(*(s.close() for s in stores))


async def test_worker_runs_slack_socket_mode_and_slack_reminders(store_url, monkeypatch):
    from slack_helpers import BOT_TOKEN, payload
    from test_slack_socket import envelope

    from bot.cli.serve import run_worker
    from bot.config import Settings
    from bot.standins.slack_api import SlackApiStandIn, SocketModeServer

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    api = SlackApiStandIn().start()
    sockets = await SocketModeServer().start()
    api.socket_url = sockets.url
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN=BOT_TOKEN,  # type: ignore[call-arg]
                        SLACK_APP_TOKEN="xapp-1-test-app-token", SLACK_API_URL=api.api_url,
                        CLIENTCOACH_STORE=store_url, CLIENTCOACH_REMINDER_INTERVAL=0.1)
    store = RedisSessionStore(store_url)
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(settings, stop=stop))
    try:
        await api.wait_for("apps.connections.open", 1, timeout=10)
        event = payload("message_im", text="my client has not paid", channel="D0WORK1")
        event["event_id"] = "Ev0WORKER1"
        sockets.push(envelope(1, "events_api", event))
        await api.wait_for("chat.postMessage", 1, timeout=10)
        await store.add_reminder(Reminder(
            id="s1", key="slack|T0CC1:D0WORK2||U0BOB", person="slack|U0BOB",
            due=time.time() - 1, lang="nb", topic="rates"))
        posts = await api.wait_for("chat.postMessage", 2, timeout=10)
        assert [p.params["channel"] for p in posts] == ["D0WORK1", "D0WORK2"]
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await sockets.stop()
        api.stop()
        await store.close()
