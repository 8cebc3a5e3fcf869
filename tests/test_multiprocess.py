"""Two real `clientcoach serve` processes sharing one Redis (a key prefix of their own).

Platforms are the local Slack and Telegram stand-ins. Shown here: a conversation alternating
between the processes keeps one consistent flow; the same Telegram update and the same Slack event
sent to both get exactly one reply; a reminder due while both run is sent once; a restart mid-flow
continues the conversation and sends the reminder that fell due during the downtime; a Redis
outage gives 503 on /healthz and a short notice to the person, and both recover by themselves.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from process_helpers import Serve, clean_env
from redis_helpers import SpareRedis, redis_url, require_redis, scratch_redis_url, unique_prefix
from slack_helpers import BOT_TOKEN, SIGNING_SECRET, event_request, payload
from standins.telegram_harness import SECRET

import knowledge
from bot.standins.slack_api import SlackApiStandIn
from bot.standins.telegram_api import BOT_ID, BOT_USERNAME, TOKEN, TelegramStandIn
from bot.store.base import StoreUnavailable
from bot.store.redis import RedisSessionStore

_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)
_users = itertools.count(52_000_001)
UNAVAILABLE = knowledge.load().text("unavailable", "en")


def text_update(user: int, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_ids) % 100_000, "date": int(time.time()), "text": text,
        "from": {"id": user, "is_bot": False, "first_name": "Kari", "language_code": "en"},
        "chat": {"id": user, "type": "private", "first_name": "Kari"},
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]),
                                "type": "bot_command"}]
    return {"update_id": next(_ids), "message": message}


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


def to_chat(tg: TelegramStandIn, chat: int) -> list[str]:
    return [m["text"] for m in tg.sent(chat)]


async def post_update(server: Serve, update: dict[str, Any]) -> int:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            server.url + "/telegram/webhook", content=json.dumps(update),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET,
                     "Content-Type": "application/json"},
        )
    return response.status_code


async def handled(server: Serve, timeout: float = 20) -> None:
    """Wait (bounded) until the service's inbox is empty: an entry is removed only once it was
    handled and its replies sent, so the turn is over (not merely quiet for a moment). With
    Redis down nothing can be in it: the update was handled where it arrived."""
    store = RedisSessionStore(server.env["CLIENTCOACH_STORE"], timeout=0.5)
    deadline = time.monotonic() + timeout
    try:
        while await store._run(lambda: store.redis.xlen(store.k("in"))):
            assert time.monotonic() < deadline, "the inbox was not emptied"
            await asyncio.sleep(0.02)
    except StoreUnavailable:
        pass
    finally:
        await store.close()


async def step(tg: TelegramStandIn, server: Serve, update: dict[str, Any], chat: int) -> None:
    """Send one update and wait until the bot answered the chat and finished the turn."""
    before = len(tg.sent(chat))
    assert await post_update(server, update) == 200
    await tg.wait_for(lambda s: len(s.sent(chat)) > before, timeout=20)
    await handled(server)
    await tg.settle(quiet=0.15)


@pytest.fixture(scope="module")
def platforms() -> Iterator[tuple[TelegramStandIn, SlackApiStandIn]]:
    tg = TelegramStandIn().start()
    slack = SlackApiStandIn().start()
    yield tg, slack
    tg.close()
    slack.stop()


def service_env(tg: TelegramStandIn, slack: SlackApiStandIn, store_url: str) -> dict[str, str]:
    return clean_env(
        CLIENTCOACH_STORE=store_url, CLIENTCOACH_REMINDER_INTERVAL="0.2",
        CLIENTCOACH_RATE_LIMIT="1000", TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=tg.api_url, TELEGRAM_WEBHOOK_SECRET=SECRET,
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
    )


@pytest.fixture(scope="module")
def shared_url() -> Iterator[str]:
    with scratch_redis_url() as url:
        yield url


@pytest.fixture(scope="module")
def pair(platforms, shared_url) -> Iterator[tuple[Serve, Serve]]:
    tg, slack = platforms
    env = service_env(tg, slack, shared_url)
    a, b = Serve(env), Serve(env)
    a.start()
    b.start()
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture
async def store(shared_url):
    store = RedisSessionStore(shared_url)
    yield store
    await store.close()


async def test_both_processes_healthy_and_serving_both_platforms(pair):
    async with httpx.AsyncClient() as client:
        for server in pair:
            health = (await client.get(server.url + "/healthz")).json()
            assert health["status"] == "ok" and health["platforms"] == ["slack", "telegram"]


async def test_alternating_processes_keep_one_consistent_flow(pair, platforms, store):
    tg, _ = platforms
    a, b = pair
    user = next(_users)
    key = f"telegram|{user}||{user}"
    steps: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
        (press_update(user, "flow:unpaid-invoice"), "asking_terms", {}),
        (press_update(user, "a:terms:verbal"), "asking_history", {"terms": "verbal"}),
        (press_update(user, "a:history:first-time"), "asking_days", {"history": "first-time"}),
        (text_update(user, "45"), "asking_amount", {"days": 45}),
        (press_update(user, "skip"), "asking_invoice", {}),
    ]
    for n, (update, state, slots) in enumerate(steps):
        await step(tg, (a, b)[n % 2], update, user)
        session = await store.load(key)
        assert session is not None and session.flow == "unpaid-invoice"
        assert session.state == state
        assert slots.items() <= session.slots.items()
    await step(tg, b, press_update(user, "skip"), user)  # the last answer: an outcome
    session = await store.load(key)
    assert session is not None and session.flow is None and session.slots["days"] == 45


async def test_two_messages_at_once_on_two_processes_are_both_applied(pair, platforms, store):
    tg, _ = platforms
    a, b = pair
    user = next(_users)
    key = f"telegram|{user}||{user}"
    await step(tg, a, press_update(user, "flow:unpaid-invoice"), user)
    await step(tg, b, press_update(user, "a:terms:in-writing"), user)
    # Two different answers race on two processes: the lock applies them one after the other,
    # so the second one sees the first one's state (one is taken, the other re-asked or taken).
    first, second = press_update(user, "a:history:repeated"), text_update(user, "20")
    codes = await asyncio.gather(post_update(a, first), post_update(b, second))
    assert codes == [200, 200]
    await tg.wait_for(lambda s: len(s.sent(user)) >= 4, timeout=20)
    await handled(a)
    await tg.settle(quiet=0.3)
    session = await store.load(key)
    assert session is not None and session.slots.get("history") == "repeated"
    assert session.slots.get("days") in (20, None)


async def test_same_telegram_update_to_both_processes_answered_once(pair, platforms):
    tg, _ = platforms
    user = next(_users)
    update = text_update(user, "/help")
    codes = await asyncio.gather(*(post_update(s, update) for s in pair * 2))
    assert codes == [200] * 4
    await tg.wait_for(lambda s: len(s.sent(user)) >= 1, timeout=20)
    await handled(pair[0])
    await tg.settle(quiet=0.3)
    assert len(tg.sent(user)) == 1


async def test_same_slack_event_to_both_processes_answered_once(pair, platforms):
    _, slack = platforms
    data = payload("message_im", user="U0MULTI1", channel="D0MULTI1", text="hello")
    data["event_id"] = f"Ev{next(_ids)}"
    body, headers = event_request(data)
    async with httpx.AsyncClient(timeout=10) as client:
        answers = await asyncio.gather(*(
            client.post(s.url + "/slack/events", content=body,
                        headers={**headers, "X-Slack-Retry-Num": str(n)})
            for n, s in enumerate(pair * 2)
        ))
    assert [r.status_code for r in answers] == [200] * 4

    def posted() -> list[Any]:
        return [c for c in slack.of("chat.postMessage") if c.params.get("channel") == "D0MULTI1"]

    deadline = time.monotonic() + 10
    while not posted() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await slack.settle(quiet=0.3)
    assert len(posted()) == 1


async def test_reminder_due_while_both_run_is_sent_once(pair, platforms, store):
    tg, _ = platforms
    a, b = pair
    user = next(_users)
    await step(tg, a, press_update(user, "topic:late-payment"), user)
    await step(tg, b, press_update(user, "remind:1"), user)
    # Bring the stored reminder forward from tomorrow to now (both schedulers are polling).
    reminders = [r for r in await store.claim_due_reminders(time.time() + 2 * 86400)
                 if r.person == f"telegram|{user}"]
    assert len(reminders) == 1
    before = len(tg.sent(user))
    await store.add_reminder(replace(reminders[0], due=time.time()))
    await tg.wait_for(lambda s: len(s.sent(user)) > before, timeout=10)
    await asyncio.sleep(1.0)  # five more scheduler ticks on each process
    assert len(tg.sent(user)) == before + 1
    assert await store.claim_due_reminders(time.time() + 400 * 86400) == []


async def test_restart_mid_flow_continues_and_sends_reminder_due_while_down(platforms):
    require_redis()
    tg, slack = platforms
    prefix = unique_prefix()
    store = RedisSessionStore(redis_url(prefix))
    env = service_env(tg, slack, redis_url(prefix))
    user, other = next(_users), next(_users)
    key = f"telegram|{user}||{user}"
    server = Serve(env).start()
    try:
        await step(tg, server, press_update(user, "flow:unpaid-invoice"), user)
        await step(tg, server, press_update(user, "a:terms:none"), user)
        await step(tg, server, press_update(other, "topic:ghosting"), other)
        await step(tg, server, press_update(other, "remind:3"), other)
        assert server.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once done
        assert "reminder scheduler stopped" in server.output()  # a graceful shutdown
        # While nothing runs, the reminder falls due.
        (due,) = await store.claim_due_reminders(time.time() + 4 * 86400)
        await store.add_reminder(replace(due, due=time.time() - 60))
        before = len(tg.sent(other))
        server = Serve(env, port=server.port).start()
        await tg.wait_for(lambda s: len(s.sent(other)) > before, timeout=10)
        await step(tg, server, press_update(user, "a:history:first-time"), user)
        session = await store.load(key)
        assert session is not None and session.state == "asking_days"
        assert session.slots["terms"] == "none"
    finally:
        server.stop()
        await store.clear()
        await store.close()


async def test_redis_outage_gives_503_and_a_short_notice_then_recovers(platforms):
    tg, slack = platforms
    spare = SpareRedis()
    spare.start()
    server = Serve(service_env(tg, slack, spare.url())).start()
    user = next(_users)
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            assert (await client.get(server.url + "/healthz")).status_code == 200
            spare.stop()
            assert (await client.get(server.url + "/healthz")).status_code == 503
            await step(tg, server, text_update(user, "/help"), user)
            assert to_chat(tg, user)[-1] == UNAVAILABLE
            spare.start()
            deadline = time.monotonic() + 10
            while (await client.get(server.url + "/healthz")).status_code != 200:
                assert time.monotonic() < deadline, "no recovery"
                await asyncio.sleep(0.1)
            await step(tg, server, text_update(user, "/help"), user)
            assert to_chat(tg, user)[-1] != UNAVAILABLE
        assert server.proc is not None and server.proc.poll() is None  # never crashed
    finally:
        server.stop()
        spare.close()


async def test_logs_are_json_lines_without_text_or_tokens(pair, platforms):
    tg, slack = platforms
    a, b = pair
    user = next(_users)
    await step(tg, a, text_update(user, "Zyxwvut Consulting still owes me 3 invoices"), user)
    await step(tg, b, text_update(user, "Qwertzu never answers my mails"), user)
    data = payload("message_im", user="U0LOGS1", channel="D0LOGS1", text="Plokmijn is late")
    data["event_id"] = f"Ev{next(_ids)}"
    body, headers = event_request(data)
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.post(a.url + "/slack/events", content=body,
                                  headers=headers)).status_code == 200
    await slack.settle(quiet=0.3)
    for server in pair:
        out = server.output()
        for secret in ("Zyxwvut", "Qwertzu", "Plokmijn", TOKEN, BOT_TOKEN, SIGNING_SECRET):
            assert secret not in out
        lines = [line for line in out.splitlines() if line.strip()]
        assert lines and all(json.loads(line)["level"] for line in lines)
