"""Telegram's flood limits, one budget per bot across workers: the Bot API stand-in never sees
more than 30 messages in any second from one bot, more than one a second in one chat, or more
than 20 a minute in one group, and a 429 pauses every worker for its ``retry_after``.

"Workers" here are independent limiters, each with its own Redis connection pool and its own
python-telegram-bot ``ExtBot`` talking HTTP to the stand-in; the last test goes through the
whole service (webhook, inbox, Application) with the limiter the settings build."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis_helpers import redis_url, require_redis, unique_prefix
from standins.telegram_harness import telegram_service
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.flood_windows import WindowLimiter
from bot.standins.telegram_api import BOT_ID, TOKEN, TelegramStandIn
from bot.store.redis import RedisSessionStore
from bot.telegram.limits import RetryingRateLimiter

GROUP = -1001700000099
_users = itertools.count(71_000_001)


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The largest number of ``times`` inside one window of ``seconds`` (half-open)."""
    times = sorted(times)
    best = start = 0
    for end, at in enumerate(times):
        while at - times[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def waits(page: str) -> float:
    """``clientcoach_rate_limit_waits_total`` for Telegram in a /metrics page."""
    name = 'clientcoach_rate_limit_waits_total{platform="telegram"}'
    found = [line.split()[-1] for line in page.splitlines() if line.startswith(name)]
    return float(found[0]) if found else 0.0


def arrivals(tg: TelegramStandIn, chat: int | None = None) -> list[float]:
    return [c.at for c in tg.of("sendMessage")
            if chat is None or c.params.get("chat_id") == chat]


@pytest.fixture
async def redis_stores() -> AsyncIterator[list[RedisSessionStore]]:
    require_redis()
    url = redis_url(unique_prefix())
    stores = [RedisSessionStore(url), RedisSessionStore(url)]
    yield stores
    await stores[0].clear()
    for store in stores:
        await store.close()


@pytest.fixture
def stand_in() -> Any:
    with TelegramStandIn() as tg:
        yield tg


async def workers(tg: TelegramStandIn, stores: list[RedisSessionStore],
                  **limits: Any) -> list[ExtBot]:
    bots = []
    for store in stores:
        limiter = RetryingRateLimiter(WindowLimiter.for_store(store), bot=str(BOT_ID),
                                      backoff=0.05, **limits)
        request = HTTPXRequest(connection_pool_size=128)  # as the Application's (256)
        bot = ExtBot(TOKEN, base_url=tg.api_url, rate_limiter=limiter, request=request)
        await bot.initialize()
        bots.append(bot)
    return bots


async def test_two_workers_share_the_bots_30_a_second_and_each_chats_1_a_second(
        stand_in: TelegramStandIn, redis_stores: list[RedisSessionStore]) -> None:
    bots = await workers(stand_in, redis_stores)
    chats = [next(_users) for _ in range(40)]
    sends = [bots[n % 2].send_message(chat, f"m{n}") for n in range(2) for chat in chats]
    sends += [bots[n % 2].send_message(chats[0], f"again {n}") for n in range(3)]
    began = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*sends), timeout=30)
    took = time.monotonic() - began
    for bot in bots:
        await bot.shutdown()
    assert len(arrivals(stand_in)) == 83
    assert most_in_any_window(arrivals(stand_in), 1.0) <= 30
    for chat in chats:
        assert most_in_any_window(arrivals(stand_in, chat), 1.0) <= 1, chat
    assert took >= 2.0  # 83 messages cannot go out in under ~3 windows of 30
    assert len(arrivals(stand_in, chats[0])) == 5


async def test_a_group_gets_20_a_minute_from_all_workers_together(
        stand_in: TelegramStandIn, redis_stores: list[RedisSessionStore]) -> None:
    bots = await workers(stand_in, redis_stores, chat_max_rate=0)  # only the group's window
    tasks = [asyncio.ensure_future(bots[n % 2].send_message(GROUP, f"g{n}")) for n in range(22)]
    await stand_in.wait_for(lambda s: len(arrivals(s, GROUP)) >= 20, timeout=10)
    await asyncio.sleep(2.0)
    assert len(arrivals(stand_in, GROUP)) == 20  # the 21st waits for the minute to pass
    limiter = bots[0].rate_limiter
    assert isinstance(limiter, RetryingRateLimiter)
    window = limiter.windows("sendMessage", {"chat_id": GROUP})
    ms = await limiter.limiter.logs.reserve(limiter.paused, limiter.limiter.held(window), "probe")
    assert 50_000 < ms <= 61_000  # asked from either worker: about a minute after the first
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for bot in bots:
        await bot.shutdown()


async def test_a_429_pauses_every_worker_for_its_retry_after(
        stand_in: TelegramStandIn, redis_stores: list[RedisSessionStore]) -> None:
    bots = await workers(stand_in, redis_stores)
    first, second = next(_users), next(_users)
    stand_in.fail("sendMessage", 429, retry_after=2)
    refused = asyncio.ensure_future(bots[0].send_message(first, "refused once"))
    await stand_in.wait_for(lambda s: len(s.of("sendMessage")) == 1)
    refused_at = stand_in.of("sendMessage")[0].at
    await asyncio.sleep(0.2)  # the pause is in Redis now
    await bots[1].send_message(second, "the other worker")
    await refused
    (other,) = arrivals(stand_in, second)
    assert other - refused_at >= 2.0  # the second worker waited out the first one's 429
    assert len(arrivals(stand_in, first)) == 2  # refused, then sent
    for bot in bots:
        await bot.shutdown()


async def test_the_service_paces_a_burst_of_people_and_reports_the_waits(tmp_path: Path) -> None:
    require_redis()
    prefix = unique_prefix()
    async with telegram_service(tmp_path, production_limits=True,
                                CLIENTCOACH_STORE=redis_url(prefix)) as h:
        people = [next(_users) for _ in range(45)]
        updates = [{"update_id": 800_000 + n, "message": {
            "message_id": 10 + n, "date": int(time.time()), "text": "/help",
            "entities": [{"offset": 0, "length": 5, "type": "bot_command"}],
            "from": {"id": p, "is_bot": False, "first_name": "P", "language_code": "en"},
            "chat": {"id": p, "type": "private", "first_name": "P"}}}
            for n, p in enumerate(people)]
        metrics_url = h.url.replace("/telegram/webhook", "/metrics")
        before = (await h.client.get(metrics_url)).text  # counters are per process
        codes = await asyncio.gather(*(h.post(u) for u in updates))
        assert all(c.status_code == 200 for c in codes)
        await h.stand_in.wait_for(lambda s: all(s.sent(p) for p in people), timeout=30)
        await h.stand_in.settle(quiet=1.2, timeout=30)
        assert most_in_any_window(arrivals(h.stand_in), 1.0) <= 30
        for person in people:
            assert most_in_any_window(arrivals(h.stand_in, person), 1.0) <= 1
        after = (await h.client.get(metrics_url)).text
        assert waits(after) > waits(before)
        store = RedisSessionStore(redis_url(prefix))
        await store.clear()
        await store.close()


async def test_with_the_store_down_messages_keep_to_this_processs_windows(
        stand_in: TelegramStandIn) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on: Redis is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = RedisSessionStore(f"redis://127.0.0.1:{port}/0")
    try:
        (bot,) = await workers(stand_in, [store])
        chat = next(_users)
        await asyncio.wait_for(asyncio.gather(*(bot.send_message(chat, f"n{n}")
                                                for n in range(3))), timeout=20)
        await bot.shutdown()
    finally:
        await store.close()
    assert len(arrivals(stand_in, chat)) == 3  # delivered, not lost to the outage…
    assert most_in_any_window(arrivals(stand_in, chat), 1.0) <= 1  # …and still paced
