"""The Redis store's bounded pool: a burst waits for a connection; a pool still busy after the
wait is "busy", not "down"; Redis really down is "unavailable"."""

from __future__ import annotations

import asyncio

import pytest
from redis_helpers import SpareRedis, scratch_redis

from bot.store.base import Session, StoreBusy, StoreUnavailable
from bot.store.redis import RedisSessionStore


async def test_a_burst_larger_than_the_pool_waits_instead_of_failing():
    async with scratch_redis() as url:
        store = RedisSessionStore(url, pool_size=4, pool_timeout=5)
        try:
            await asyncio.gather(*(store.save(f"k{i}", "p", Session(state=str(i)))
                                   for i in range(300)))
            loaded = await asyncio.gather(*(store.load(f"k{i}") for i in range(300)))
            assert [s.state for s in loaded if s] == [str(i) for i in range(300)]
        finally:
            await store.close()


async def test_a_pool_busy_past_its_wait_is_busy_not_down():
    async with scratch_redis() as url:
        store = RedisSessionStore(url, pool_size=1, pool_timeout=0.2, timeout=5)
        try:
            hold = asyncio.create_task(store.redis.execute_command("BLPOP", store.k("none"), 1))
            await asyncio.sleep(0.05)
            with pytest.raises(StoreBusy):
                await store.load("k")
            await hold
            assert await store.load("k") is None  # free again
        finally:
            await store.close()


async def test_redis_down_is_unavailable_not_busy():
    spare = SpareRedis()
    spare.start()
    store = RedisSessionStore(spare.url(), timeout=0.5)
    try:
        await store.ping()
        spare.stop()
        with pytest.raises(StoreUnavailable) as caught:
            await store.load("k")
        assert not isinstance(caught.value, StoreBusy)
    finally:
        await store.close()
        spare.close()
