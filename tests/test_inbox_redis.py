"""The Redis inbox under its worst cases, on the real server (a key prefix of its own).

- A dead worker's entries are found even behind a long pending list of live ones (XAUTOCLAIM
  scans a bounded part of the list per call: its cursor is followed).
- Entries a worker has read but not started yet (all its slots busy) are in hand: touched by
  its heartbeat, never taken over as idle by another worker (which would run the turn twice).
- Puts made at once share pipelines, yet each caller gets its own answer: a first copy, a
  repeat, or the store unavailable; a Redis without the script (new, restarted) still stores.
"""

from __future__ import annotations

import asyncio

import pytest
from redis_helpers import SpareRedis, redis_url, require_redis, unique_prefix

from bot.inbox.redis import PUT_BATCH, RedisInbox
from bot.inbox.runner import InboxRunner
from bot.store.base import StoreUnavailable
from bot.store.redis import RedisSessionStore


@pytest.fixture
async def inbox():
    require_redis()
    store = RedisSessionStore(redis_url(unique_prefix()))
    yield RedisInbox(store)
    await store.clear()
    await store.close()


async def put(inbox: RedisInbox, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        assert await inbox.put("slack", f"k{i}", f"o{i}", "{}")


async def test_dead_entries_behind_many_live_ones_are_reclaimed(inbox):
    await put(inbox, 400)
    live = await inbox.read("live", 350, 0.1)
    dead = await inbox.read("dead", 50, 0.1)
    assert len(live) == 350 and len(dead) == 50
    await asyncio.sleep(0.3)
    found: list[str] = []
    for _ in range(4):  # each call scans at most 10 × count pending entries
        await inbox.touch("live", [e.id for e in live])
        found += [e.key for e in await inbox.reclaim("taker", 0.2, 32)]
    assert sorted(found) == sorted(e.key for e in dead)


async def test_entries_read_ahead_are_not_taken_over_while_waiting_for_a_slot(inbox):
    release = asyncio.Event()
    handled: list[str] = []

    async def slow(entry) -> None:
        handled.append(entry.key)
        await release.wait()

    runner = InboxRunner(inbox, {"slack": slow}, concurrency=1, claim_idle_s=0.3)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await put(inbox, 3)
        for _ in range(100):
            if handled:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(1.0)  # three times the claim time: the waiting two stay in hand
        assert await inbox.reclaim("other-worker", 0.3, 32) == []
        release.set()
        await runner.drain(5)
        assert handled == ["k0", "k1", "k2"]
    finally:
        release.set()
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_puts_made_at_once_share_pipelines_and_each_gets_its_own_answer(inbox):
    pipelines = 0
    make_pipeline = inbox.redis.pipeline

    def counted(*args, **kwargs):
        nonlocal pipelines
        pipelines += 1
        return make_pipeline(*args, **kwargs)

    inbox.redis.pipeline = counted
    keys = [f"k{i}" for i in range(150)] + [f"k{i}" for i in range(0, 150, 3)]  # 50 repeats
    answers = await asyncio.gather(*(inbox.put("slack", k, f"o{k}", k) for k in keys))
    assert answers == [True] * 150 + [False] * 50
    assert pipelines <= -(-len(keys) // PUT_BATCH) + 1  # 200 puts, not 200 round trips
    stored = await inbox.read("w", 500, 0.1)
    assert sorted(e.key for e in stored) == sorted(keys[:150])
    assert all(e.body == e.key and e.order == f"o{e.key}" for e in stored)


async def test_puts_on_a_new_then_stopped_then_restarted_redis():
    spare = SpareRedis()
    spare.start()
    store = RedisSessionStore(spare.url(), timeout=0.5, pool_timeout=0.5)
    inbox = RedisInbox(store)
    try:
        assert await inbox.put("slack", "a", "o", "{}")  # the script is not loaded yet
        spare.stop()
        failed = await asyncio.gather(*(inbox.put("slack", f"b{i}", "o", "{}")
                                        for i in range(5)), return_exceptions=True)
        assert all(isinstance(f, StoreUnavailable) for f in failed)
        assert len({id(f) for f in failed}) == 5  # one error of its own per caller
        spare.start()  # no persistence: empty, without the script
        for _ in range(50):
            try:
                assert await inbox.put("slack", "c", "o", "{}")
                break
            except StoreUnavailable:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("no put worked after Redis came back")
        assert not await inbox.put("slack", "c", "o", "{}")
    finally:
        await store.close()
        spare.close()


async def test_an_entry_of_a_platform_a_worker_lacks_goes_at_once_to_one_that_has_it(inbox):
    """A worker that serves Slack only reads a Telegram entry: it hands it back, and a Telegram
    worker takes it over at its next claim, without waiting for the claim delay to expire (the
    Slack worker's own claims hand it back again)."""
    assert await inbox.put("telegram", "tg:1", "telegram|1|1", "{}")
    assert await inbox.put("slack", "ev:1", "slack|T|C|U", "{}")
    read = await inbox.read("slack-only", 10, 0.1, {"slack"})
    assert [e.key for e in read] == ["ev:1"]
    assert await inbox.reclaim("slack-only", 60, 10, {"slack"}) == []
    taken = await inbox.reclaim("telegram-worker", 60, 10, {"telegram"})
    assert [e.key for e in taken] == ["tg:1"]
