"""Telegram webhooks through the durable inbox: an update is stored with its dedupe mark before
the ``200``, a worker answers it, a repeat is never answered twice, and an update acknowledged by
a process that is then killed is answered by the next one (SQLite: after a restart on the same
file; Redis: by the other process, which takes the entry over).

The processes are real ``clientcoach serve`` processes with the real Application and engine,
posted to over HTTP; the Bot API is the stand-in."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from process_helpers import Serve, clean_env
from redis_helpers import scratch_store_url
from standins.telegram_harness import SECRET, fresh, telegram_service

import knowledge
from bot.inbox import open_inbox
from bot.standins.telegram_api import BOT_ID, BOT_USERNAME, TOKEN, TelegramStandIn
from bot.store import open_store
from bot.store.redis import RedisSessionStore

KB = knowledge.load()
FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
_ids = itertools.count(int(time.time()) % 1_000_000 * 1000 + 7)
_users = itertools.count(63_000_001)


def press_update(user: int, data: str) -> dict[str, Any]:
    return {"update_id": next(_ids), "callback_query": {
        "id": str(next(_ids)), "chat_instance": "-1", "data": data,
        "from": {"id": user, "is_bot": False, "first_name": "Kari", "language_code": "en"},
        "message": {
            "message_id": 1, "date": int(time.time()), "text": "?",
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Client Coach",
                     "username": BOT_USERNAME},
            "chat": {"id": user, "type": "private", "first_name": "Kari"},
        },
    }}


async def post(url: str, update: dict[str, Any]) -> int:
    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        response = await client.post(
            url + "/telegram/webhook", content=json.dumps(update),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET,
                     "Content-Type": "application/json"},
        )
    return response.status_code


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(rf"^{name}(?:\{{(.*)\}})? (\S+)$", line)
        if match and (match.group(1) or "") == wanted:
            return float(match.group(2))
    return 0.0


# in one process, through the harness ---------------------------------------------------------

async def test_a_repeated_update_is_stored_once_and_answered_once(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        update = fresh(json.loads((FIXTURES / "private_text_fr.json").read_text("utf-8")))
        chat = update["message"]["chat"]["id"]
        metrics_url = h.url.replace("/telegram/webhook", "/metrics")
        before = (await h.client.get(metrics_url)).text  # counters are per process
        codes = await asyncio.gather(*(h.post(update) for _ in range(3)))
        assert codes and all(c.status_code == 200 for c in codes)
        await h.stand_in.wait_for(lambda s: len(s.sent(chat)) >= 1)
        await h.stand_in.settle(quiet=0.3)
        first = len(h.stand_in.sent(chat))
        assert (await h.post(update)).status_code == 200  # a later redelivery by Telegram
        await h.stand_in.settle(quiet=0.3)
        assert len(h.stand_in.sent(chat)) == first
        page = (await h.client.get(metrics_url)).text

        def grew(name: str, **labels: str) -> float:
            return metric(page, name, **labels) - metric(before, name, **labels)

        assert grew("clientcoach_acks_total", platform="telegram", outcome="queued") == 1
        assert grew("clientcoach_acks_total", platform="telegram", outcome="repeat") == 3
        assert grew("clientcoach_replies_sent_total", platform="telegram") == first


async def test_the_update_is_in_the_inbox_when_the_200_is_sent(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        h.stand_in.delay("sendMessage", 1.0)  # the worker is busy sending while we look
        update = fresh(json.loads((FIXTURES / "private_text_fr.json").read_text("utf-8")))
        assert (await h.post(update)).status_code == 200
        with sqlite3.connect(tmp_path / "clientcoach.sqlite3") as db:
            keys = [k for (k,) in db.execute("SELECT key FROM inbox")]
            marks = [i for (i,) in db.execute("SELECT id FROM events")]
        key = f"tg:{BOT_ID}:{update['update_id']}"
        assert keys == [key] and key in marks
        await h.stand_in.wait_for(lambda s: bool(s.sent(update["message"]["chat"]["id"])))
        await h.bot.runner.drain(5)
        with sqlite3.connect(tmp_path / "clientcoach.sqlite3") as db:
            assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)


# killed mid-answer: separate processes -----------------------------------------------------

@pytest.fixture(scope="module")
def stand_in() -> Iterator[TelegramStandIn]:
    with TelegramStandIn() as tg:
        yield tg


def env_for(tg: TelegramStandIn, store: str) -> dict[str, str]:
    return clean_env(
        CLIENTCOACH_STORE=store, CLIENTCOACH_RATE_LIMIT="1000", CLIENTCOACH_WEB_REMINDERS="0",
        CLIENTCOACH_INBOX_CLAIM_IDLE="1", TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=tg.api_url, TELEGRAM_WEBHOOK_SECRET=SECRET,
    )


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with scratch_store_url(request.param, tmp_path) as url:
        yield url


@pytest.mark.parametrize(("store_url", "in_flight"), [
    ("sqlite", "answerCallbackQuery"), ("sqlite", "editMessageReplyMarkup"),
    ("redis", "editMessageReplyMarkup"),
], indirect=["store_url"])
async def test_an_acknowledged_update_is_answered_after_its_worker_is_killed(
    stand_in: TelegramStandIn, store_url: str, in_flight: str
) -> None:
    """A press answers with three calls: the toast, the keyboard's removal, the question. The
    process dies during the first or the second; the next one sends what was not sent, once."""
    tg = stand_in
    env = env_for(tg, store_url)
    shared = store_url.startswith("redis")
    user = next(_users)
    update = press_update(user, "flow:unpaid-invoice")
    query_id = update["callback_query"]["id"]

    def answered() -> list[Any]:
        return [c for c in tg.of("answerCallbackQuery")
                if c.params.get("callback_query_id") == query_id]

    def edited() -> list[Any]:
        return [c for c in tg.of("editMessageReplyMarkup") if c.params.get("chat_id") == user]

    def calls() -> list[Any]:
        return answered() if in_flight == "answerCallbackQuery" else edited()

    running = [Serve(env).start()]
    if shared:  # Redis: a second worker runs all along and takes the entry over
        running.append(Serve(env).start())
    try:
        tg.delay(in_flight, 2.5)  # one call of the press is under way…
        assert await post(running[0].url, update) == 200
        await tg.wait_for(lambda s: bool(calls()), timeout=10)
        victim = await holder(running, store_url) if shared else running[0]
        assert victim.proc is not None
        # …when the process that took it dies (SIGKILL: nothing cleaned up); with Redis that is
        # the worker's consumer process, killed with the worker itself
        for pid in await consumer_pids(victim, store_url) if shared else []:
            os.kill(pid, signal.SIGKILL)
        victim.proc.kill()
        victim.proc.wait(timeout=5)
        running.remove(victim)
        assert tg.sent(user) == []
        if not running:  # SQLite: one process at a time, the next one on the same file
            running.append(Serve(env).start())
        survivor = running[0]
        await tg.wait_for(lambda s: len(s.sent(user)) >= 1, timeout=15)
        await tg.settle(quiet=0.5)
        texts = [m["text"] for m in tg.sent(user)]
        question = KB.topic("late-payment").question("terms").text.en
        assert any(question in t for t in texts), texts
        assert len(texts) == len(set(texts))  # nothing twice
        # the call made before it died is not made again, nor the one in flight (in doubt)
        assert len(answered()) == 1 and len(edited()) == 1
        # Telegram delivering the same update again changes nothing
        sent = len(tg.sent(user))
        assert await post(survivor.url, update) == 200
        await tg.settle(quiet=0.5)
        assert len(tg.sent(user)) == sent and len(answered()) == 1 and len(edited()) == 1
        page = httpx.get(survivor.url + "/metrics", timeout=5, trust_env=False).text
        assert metric(page, "clientcoach_inbox_reclaimed_total") == 1
        assert metric(page, "clientcoach_replies_in_doubt_total") == 1
        assert metric(page, "clientcoach_replies_sent_total", platform="telegram") >= sent
    finally:
        for proc in running:
            proc.stop()


async def test_an_entry_left_in_the_inbox_waits_until_its_platform_has_started(
    stand_in: TelegramStandIn, tmp_path: Path
) -> None:
    """An update a dead worker acknowledged is in the inbox when the next one starts: it is
    handled once the bot is up (getMe answered), at the first attempt, not failed and retried."""
    tg = stand_in
    url = f"sqlite:///{tmp_path / 'coach.sqlite3'}"
    update = fresh(json.loads((FIXTURES / "private_text_fr.json").read_text("utf-8")))
    user = next(_users)
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = user
    store = open_store(url)
    try:
        await open_inbox(store).put(
            "telegram", f"tg:{BOT_ID}:{update['update_id']}", f"telegram|{user}|{user}",
            json.dumps(update), f"telegram|{user}",
        )
    finally:
        await store.close()
    tg.delay("getMe", 2.0)  # the bot takes a while to come up
    server = Serve(env_for(tg, url)).start()
    try:
        await tg.wait_for(lambda s: bool(s.sent(user)), timeout=30)
        await tg.settle(quiet=0.5)
        assert "inbox entry failed" not in server.output()
        page = httpx.get(server.url + "/metrics", timeout=5, trust_env=False).text
        assert metric(page, "clientcoach_turns_total", platform="telegram") == 1
        assert metric(page, "clientcoach_inbox_dropped_total") == 0
    finally:
        server.stop()


async def holder_pid(store_url: str) -> int:
    """The pid of the consumer holding the inbox's pending entry (consumers are host-pid)."""
    store = RedisSessionStore(store_url)
    try:
        pending = await store.redis.xpending_range(store.k("in"), "work", min="-", max="+",
                                                   count=10)
    finally:
        await store.close()
    (entry,) = pending
    consumer = entry["consumer"]
    consumer = consumer.decode() if isinstance(consumer, bytes) else consumer
    return int(consumer.rsplit("-", 1)[1])


def children(pid: int) -> list[int]:
    found: list[int] = []  # a child started by a thread is listed under that thread's task
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return found


async def holder(running: list[Serve], store_url: str) -> Serve:
    """The ``serve`` whose consumer process (its child) holds the inbox's pending entry."""
    pid = await holder_pid(store_url)
    return next(p for p in running if p.proc is not None and pid in children(p.proc.pid))


async def consumer_pids(server: Serve, store_url: str) -> list[int]:
    assert server.proc is not None
    return children(server.proc.pid)


async def test_a_message_held_by_the_chats_flood_limit_is_sent_after_its_worker_dies(
    stand_in: TelegramStandIn, tmp_path: Path
) -> None:
    """The message waits for room before it is marked as being sent: a process killed while
    it waits leaves it to the next one, rather than in doubt."""
    tg = stand_in
    env = env_for(tg, f"sqlite:///{tmp_path / 'cc.sqlite3'}")
    env["TELEGRAM_CHAT_MAX_RATE"] = "0.2"  # one message every 5 s in a chat
    user = next(_users)
    first = press_update(user, "topic:late-payment")
    second = press_update(user, "flow:unpaid-invoice")  # answered with one message
    running = Serve(env).start()
    try:
        assert await post(running.url, first) == 200
        await tg.wait_for(lambda s: len(s.sent(user)) == 1, timeout=10)
        assert await post(running.url, second) == 200
        query = second["callback_query"]["id"]
        await tg.wait_for(lambda s: any(c.params.get("callback_query_id") == query
                                        for c in s.of("answerCallbackQuery")), timeout=10)
        await asyncio.sleep(0.5)  # its message now waits for the chat's window
        assert running.proc is not None
        running.proc.kill()
        running.proc.wait(timeout=5)
        assert len(tg.sent(user)) == 1
        running = Serve(env).start()
        await tg.wait_for(lambda s: len(s.sent(user)) == 2, timeout=15)
        await tg.settle(quiet=0.5)
        assert len(tg.sent(user)) == 2
        question = KB.topic("late-payment").question("terms").text.en
        assert question in tg.sent(user)[-1]["text"]
        assert len([c for c in tg.of("answerCallbackQuery")
                    if c.params.get("callback_query_id") == query]) == 1
    finally:
        running.stop()
