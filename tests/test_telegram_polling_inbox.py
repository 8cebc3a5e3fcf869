"""Long polling through the durable inbox, with the real python-telegram-bot Application and
Updater polling the Bot API stand-in over HTTP on 127.0.0.1.

Shown here: a fetched update is in the inbox before the ``getUpdates`` offset that confirms it
goes out; while the inbox cannot be written nothing is confirmed, and the update is answered once
it can; an update Telegram gives again is answered once; inline queries are answered directly,
never queued. Then with real ``clientcoach worker`` processes: a worker SIGKILLed after it
confirmed updates it had not answered yet loses none of them: the next process (SQLite: the
restarted worker; Redis: a ``clientcoach consume`` process) answers each exactly once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from process_helpers import Proc, clean_env
from redis_helpers import scratch_redis, scratch_store_url
from standins.telegram_harness import fast_limiter, fresh, settings_for, telegram_service

import knowledge
from bot.inbox.runner import InboxRunner
from bot.server import build_engine, open_configured_store
from bot.standins.telegram_api import BOT_ID, TOKEN, TelegramStandIn
from bot.store.base import StoreUnavailable
from bot.store.redis import RedisSessionStore
from bot.telegram import TelegramBot
from bot.telegram.polling import attach_inbox

KB = knowledge.load()
FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
GREETING = KB.text("greeting", "en")
_ids = itertools.count(int(time.time()) % 1_000_000 * 1000 + 11)
_users = itertools.count(64_000_001)


def start_update(user: int) -> dict[str, Any]:
    """``/start`` in the private chat of ``user``."""
    return {"update_id": next(_ids), "message": {
        "message_id": next(_ids) % 100_000, "date": int(time.time()), "text": "/start",
        "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        "from": {"id": user, "is_bot": False, "first_name": "Kari", "language_code": "en"},
        "chat": {"id": user, "type": "private", "first_name": "Kari"},
    }}


def load(name: str) -> dict[str, Any]:
    return fresh(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def confirmed(tg: TelegramStandIn, update_id: int) -> bool:
    """Whether a ``getUpdates`` offset past ``update_id`` reached Telegram (the confirmation)."""
    return any(int(c.params.get("offset") or 0) > update_id for c in tg.of("getUpdates"))


def greetings(tg: TelegramStandIn, chat: int) -> int:
    return sum(GREETING in m["text"] for m in tg.sent(chat))


class Polling:
    """A :class:`TelegramBot` polling the stand-in in this process, on SQLite."""

    def __init__(self, tg: TelegramStandIn, tmp_path: Path) -> None:
        settings = settings_for(tg, tmp_path, TELEGRAM_WEBHOOK_SECRET=None)
        self.store = open_configured_store(settings)
        self.bot = TelegramBot(settings, build_engine(settings, self.store), self.store,
                               rate_limiter=fast_limiter())
        attach_inbox(self.bot)
        assert self.bot.inbox is not None
        self.inbox = self.bot.inbox
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Polling:
        self.task = asyncio.create_task(self.bot.run_polling(self.stop, timeout=1))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, timeout=20)
        await self.store.close()


# in one process ------------------------------------------------------------------------------

async def test_a_polled_update_is_in_the_inbox_before_its_offset_confirms_it(
    tmp_path: Path,
) -> None:
    with TelegramStandIn() as tg:
        polling = Polling(tg, tmp_path)
        stored: list[tuple[str, bool]] = []
        put = polling.inbox.put

        async def slow_put(platform: str, key: str, *args: Any, **kwargs: Any) -> bool:
            await asyncio.sleep(0.3)  # a slow store: the confirmation has to wait for it
            first = await put(platform, key, *args, **kwargs)
            stored.append((key, confirmed(tg, update_id)))
            return first

        polling.inbox.put = slow_put  # type: ignore[method-assign]
        user = next(_users)
        update = start_update(user)
        update_id = update["update_id"]
        async with polling:
            tg.push_update(update)
            await tg.wait_for(lambda s: bool(s.sent(user)) and confirmed(s, update_id),
                              timeout=15)
            await tg.settle(quiet=0.3)
        # stored with its dedupe key, and Telegram was not told before that
        assert stored == [(f"tg:{BOT_ID}:{update_id}", False)]
        assert greetings(tg, user) == 1
        with sqlite3.connect(tmp_path / "clientcoach.sqlite3") as db:
            assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)  # handled


async def test_while_the_inbox_cannot_be_written_nothing_is_confirmed(tmp_path: Path) -> None:
    with TelegramStandIn() as tg:
        polling = Polling(tg, tmp_path)
        refused: list[bool] = []
        put = polling.inbox.put

        async def failing_put(*args: Any, **kwargs: Any) -> bool:
            if len(refused) < 4:  # the store is down for the first four writes (about 2 s)
                refused.append(confirmed(tg, update_id))
                raise StoreUnavailable("store down (test)")
            return await put(*args, **kwargs)

        polling.inbox.put = failing_put  # type: ignore[method-assign]
        user = next(_users)
        update = start_update(user)
        update_id = update["update_id"]
        async with polling:
            tg.push_update(update)
            await tg.wait_for(lambda s: len(refused) >= 3, timeout=10)
            assert not confirmed(tg, update_id) and tg.sent(user) == []
            await tg.wait_for(lambda s: bool(s.sent(user)) and confirmed(s, update_id),
                              timeout=15)
            await tg.settle(quiet=0.3)
        assert refused == [False] * 4
        assert greetings(tg, user) == 1  # the real answer, once, not an "unavailable" notice
        assert all(KB.text("unavailable", "en") not in m["text"] for m in tg.sent(user))


async def test_an_update_telegram_gives_again_is_answered_once(tmp_path: Path) -> None:
    with TelegramStandIn() as tg:
        user = next(_users)
        update = start_update(user)
        async with Polling(tg, tmp_path):
            tg.push_update(update)
            await tg.wait_for(lambda s: bool(s.sent(user)) and confirmed(s, update["update_id"]),
                              timeout=15)
            await tg.settle(quiet=0.3)
            answered = len(tg.sent(user))
            polls = len(tg.of("getUpdates"))
            tg.push_update(update)  # a confirmation lost on the way: Telegram sends it again
            # the poll under way returns it; the next one confirms it, once it is stored
            await tg.wait_for(lambda s: len(s.of("getUpdates")) > polls, timeout=10)
            await tg.settle(quiet=0.5)
        assert answered >= 1 and len(tg.sent(user)) == answered and greetings(tg, user) == 1


async def test_inline_queries_are_answered_directly_and_a_choice_counted_once(
    tmp_path: Path,
) -> None:
    with TelegramStandIn() as tg:
        polling = Polling(tg, tmp_path)
        keys: list[str] = []
        put = polling.inbox.put

        async def recording_put(platform: str, key: str, *args: Any, **kwargs: Any) -> bool:
            keys.append(key)
            return await put(platform, key, *args, **kwargs)

        polling.inbox.put = recording_put  # type: ignore[method-assign]
        query = load("inline_query_nb")
        chosen = load("chosen_inline_result_nb")
        chosen["chosen_inline_result"]["result_id"] = "payment-plan"
        async with polling:
            tg.push_update(query)
            await tg.wait_for(lambda s: bool(s.of("answerInlineQuery")), timeout=15)
            tg.push_update(chosen)
            await tg.wait_for(lambda s: confirmed(s, chosen["update_id"]), timeout=15)
            tg.push_update(chosen)  # given again
            await tg.wait_for(lambda s: confirmed(s, chosen["update_id"]), timeout=15)
            await tg.settle(quiet=0.5)
            counted = polling.bot.inline.drafts.chosen["payment-plan"]
        assert keys == []  # neither went through the inbox
        (answer,) = tg.of("answerInlineQuery")
        assert answer.params["inline_query_id"] == query["inline_query"]["id"]
        assert answer.params["results"]
        assert counted == 1


async def test_webhook_inline_queries_are_answered_without_the_inbox(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        query = load("inline_query_nb")
        assert (await h.post(query)).status_code == 200
        await h.stand_in.wait_for(lambda s: bool(s.of("answerInlineQuery")), timeout=10)
        text = start_update(next(_users))
        await h.exchange(text, text["message"]["chat"]["id"])
    with sqlite3.connect(tmp_path / "clientcoach.sqlite3") as db:
        marks = {i for (i,) in db.execute("SELECT id FROM events")}
    assert f"tg:{BOT_ID}:{text['update_id']}" in marks  # a turn is stored with its mark
    assert f"tg:{BOT_ID}:{query['update_id']}" not in marks  # the inline query never was


# processes killed after confirming what they had not answered yet -----------------------------

@pytest.fixture(scope="module")
def stand_in() -> Iterator[TelegramStandIn]:
    with TelegramStandIn() as tg:
        yield tg


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with scratch_store_url(request.param, tmp_path) as url:
        yield url


def worker_env(tg: TelegramStandIn, store: str) -> dict[str, str]:
    return clean_env(
        CLIENTCOACH_STORE=store, CLIENTCOACH_RATE_LIMIT="1000", CLIENTCOACH_WEB_REMINDERS="0",
        CLIENTCOACH_INBOX_CLAIM_IDLE="1", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=tg.api_url,
        # one entry at a time, and a chat's second message held 5 s by its flood window: the
        # worker is killed while it holds fetched, confirmed updates it has not answered
        CLIENTCOACH_INBOX_CONCURRENCY="1", TELEGRAM_CHAT_MAX_RATE="0.2",
    )


async def wait_polling(tg: TelegramStandIn, proc: Proc, after: int, timeout: float = 40) -> None:
    """Until ``proc`` sent a ``getUpdates`` (more than ``after`` calls in all)."""
    deadline = time.monotonic() + timeout
    while len(tg.of("getUpdates")) <= after:
        assert proc.proc is not None and proc.proc.poll() is None, proc.output()[-3000:]
        assert time.monotonic() < deadline, proc.output()[-3000:]
        await asyncio.sleep(0.05)


async def test_a_worker_killed_after_confirming_updates_loses_none(
    stand_in: TelegramStandIn, store_url: str
) -> None:
    tg = stand_in
    env = worker_env(tg, store_url)
    shared = store_url.startswith("redis")
    first, second, third = next(_users), next(_users), next(_users)
    worker = Proc(["worker", "--no-reminders"], env)
    running: list[Proc] = [worker]
    try:
        polls = len(tg.of("getUpdates"))
        worker.start()
        await wait_polling(tg, worker, polls)
        tg.push_update(start_update(first))
        await tg.wait_for(lambda s: greetings(s, first) == 1, timeout=15)
        await tg.settle(quiet=0.2)
        per_start = len(tg.sent(first))  # what one /start is answered with
        # the first person's second /start waits for their chat's window; the two others
        # wait for the worker's only slot
        updates = [start_update(first), start_update(second), start_update(third)]
        for update in updates:
            tg.push_update(update)
        last = max(u["update_id"] for u in updates)
        await tg.wait_for(lambda s: confirmed(s, last), timeout=10)
        assert worker.proc is not None
        worker.proc.send_signal(signal.SIGKILL)  # nothing cleaned up, nothing flushed
        worker.proc.wait(timeout=5)
        running.remove(worker)
        assert len(tg.sent(first)) == per_start  # confirmed, and not answered
        assert tg.sent(second) == [] and tg.sent(third) == []
        # SQLite: the same worker restarted on its file; Redis: a consumer process (it does
        # not poll), which takes the dead worker's entries over
        nxt = Proc(["consume"], env) if shared else Proc(["worker", "--no-reminders"], env)
        running.append(nxt.start())
        await tg.wait_for(lambda s: greetings(s, first) == 2 and greetings(s, second) == 1
                          and greetings(s, third) == 1, timeout=40)
        await tg.settle(quiet=1.0, timeout=10)
        assert len(tg.sent(first)) == 2 * per_start
        assert len(tg.sent(second)) == per_start and len(tg.sent(third)) == per_start
        assert greetings(tg, first) == 2 and greetings(tg, second) == 1
        assert greetings(tg, third) == 1
        if shared:
            store = RedisSessionStore(store_url)
            try:
                assert await store.redis.xlen(store.k("in")) == 0  # handled and removed
            finally:
                await store.close()
        else:
            with sqlite3.connect(store_url.removeprefix("sqlite:///")) as db:
                assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)
    finally:
        for proc in running:
            proc.stop()


# a consumer without the entry's platform ------------------------------------------------------

async def run_for(runner: InboxRunner, seconds: float) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait_for(task, 15)


async def test_on_sqlite_a_consumer_without_the_platform_never_takes_its_entries(
    tmp_path: Path,
) -> None:
    """A ``serve`` running Slack only and a polling worker on one SQLite file share the inbox:
    the one without Telegram must neither drop a polled update nor hold it."""
    from bot.inbox.sqlite import SQLiteInbox
    from bot.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "shared.sqlite3")
    inbox = SQLiteInbox(store)
    handled: list[str] = []

    async def handle(entry: Any) -> None:
        handled.append(entry.key)

    try:
        assert await inbox.put("telegram", "tg:1:1", "telegram|5|5", "{}")
        await run_for(InboxRunner(inbox, {"slack": handle}, claim_idle_s=0.3), 1.2)
        assert handled == [] and (await inbox.depth())[:2] == (1, 0)  # waiting, nobody's
        with_it = InboxRunner(inbox, {"telegram": handle}, claim_idle_s=0.3)
        stop = asyncio.Event()
        task = asyncio.create_task(with_it.run(stop))
        await with_it.drain(5)
        stop.set()
        await asyncio.wait_for(task, 15)
        assert handled == ["tg:1:1"] and (await inbox.depth())[:2] == (0, 0)
    finally:
        await store.close()


async def test_on_redis_a_consumer_without_the_platform_leaves_its_entries() -> None:
    """The stream hands an entry to any consumer: one without its platform does not
    acknowledge it, so one that has it takes it over after the claim time."""
    from bot.inbox.redis import RedisInbox

    handled: list[str] = []

    async def handle(entry: Any) -> None:
        handled.append(entry.key)

    async with scratch_redis() as url:
        store = RedisSessionStore(url)
        try:
            inbox = RedisInbox(store)
            assert await inbox.put("telegram", "tg:1:2", "telegram|5|5", "{}")
            await run_for(InboxRunner(inbox, {"slack": handle}, claim_idle_s=0.3), 1.0)
            assert handled == [] and await store.redis.xlen(store.k("in")) == 1
            with_it = InboxRunner(inbox, {"telegram": handle}, claim_idle_s=0.3)
            with_it.consumer += "-other"  # another process
            await run_for(with_it, 2.0)
            assert handled == ["tg:1:2"] and await store.redis.xlen(store.k("in")) == 0
        finally:
            await store.close()
