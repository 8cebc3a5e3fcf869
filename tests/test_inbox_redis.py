"""The Redis inbox under its worst cases, on the real server (a key prefix of its own).

- A dead worker's entries are found even behind a long pending list of live ones (XAUTOCLAIM
  scans a bounded part of the list per call: its cursor is followed).
- Entries a worker has read but not started yet (all its slots busy) are in hand: touched by
  its heartbeat, never taken over as idle by another worker (which would run the turn twice).
"""

from __future__ import annotations

import asyncio

import pytest
from redis_helpers import redis_url, require_redis, unique_prefix

from bot.inbox.redis import RedisInbox
from bot.inbox.runner import InboxRunner
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
