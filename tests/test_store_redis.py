"""The Redis store against a real Redis: sharing between clients, locks, reminders, outages."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis_helpers import SpareRedis, scratch_redis

from bot.store.base import Reminder, Session, StoreUnavailable
from bot.store.redis import RedisSessionStore, parse_redis_url


@pytest.fixture
async def url():
    async with scratch_redis() as scratch:
        yield scratch


@pytest.fixture
async def pair(url):
    """Two independent clients on the same Redis: two workers of one deployment."""
    a, b = RedisSessionStore(url), RedisSessionStore(url)
    yield a, b
    await a.close()
    await b.close()


async def keys_of(store: RedisSessionStore) -> list[str]:
    return [k async for k in store.redis.scan_iter(match=store.prefix + "*")]


def test_url_prefix_is_split_off():
    assert parse_redis_url("redis://h:1/3?prefix=x:") == ("redis://h:1/3", "x:")
    assert parse_redis_url("redis://h:1/3") == ("redis://h:1/3", "cc:")


async def test_session_saved_by_one_worker_is_seen_by_another(pair):
    a, b = pair
    await a.save("slack|T|C||U1", "slack|U1", Session(lang="nb", flow="say-no", state="q_alt"))
    got = await b.load("slack|T|C||U1")
    assert got is not None and (got.lang, got.flow, got.state) == ("nb", "say-no", "q_alt")
    assert await b.load("slack|T|C||U2") is None


async def test_idle_sessions_expire(url):
    store = RedisSessionStore(url, idle_seconds=1)
    await store.save("k", "p", Session(state="x"))
    ttl = await store.redis.pttl(store.k("s:k"))
    assert 0 < ttl <= 1000
    await store.close()


async def test_lock_serialises_two_workers_so_no_update_is_lost(pair):
    a, b = pair
    key, person = "telegram|1||7", "telegram|7"
    await a.save(key, person, Session(slots={"n": 0}))

    async def bump(store: RedisSessionStore) -> None:
        async with store.lock(key):
            session = await store.load(key)
            assert session is not None
            await asyncio.sleep(0.001)  # widen the read-modify-write window
            session.slots["n"] += 1
            await store.save(key, person, session)

    await asyncio.gather(*(bump(a if i % 2 else b) for i in range(40)))
    final = await a.load(key)
    assert final is not None and final.slots["n"] == 40


async def test_lock_is_released_on_error_and_per_key(pair):
    a, b = pair
    with pytest.raises(ValueError):
        async with a.lock("k1"):
            raise ValueError
    async with b.lock("k1"), b.lock("k2"):
        pass
    assert not await a.redis.exists(a.k("lock:k1"))


async def test_event_claimed_once_across_workers_with_ten_minute_ttl(pair):
    a, b = pair
    results = await asyncio.gather(*(s.claim_event("Ev1", "slack|U1") for s in (a, b) * 5))
    assert sorted(results) == [False] * 9 + [True]
    assert await a.redis.pttl(a.k("e:Ev1")) > 599_000
    assert await b.claim_event("Ev2", None, ttl=5)
    assert await b.redis.pttl(b.k("e:Ev2")) > 599_000


async def test_rate_limit_counts_per_person_and_window(pair):
    a, b = pair
    allowed = [await (a if i % 2 else b).hit_rate("tg|1", 0.5, 3) for i in range(5)]
    assert allowed == [True, True, True, False, False]
    assert await a.hit_rate("tg|2", 0.5, 3)
    await asyncio.sleep(0.6)
    assert await b.hit_rate("tg|1", 0.5, 3)


def reminder(rid: str, due: float, key: str = "slack|T|D||U1", person: str = "slack|U1"):
    return Reminder(id=rid, key=key, person=person, due=due, lang="fr", topic="late-payment")


async def test_due_reminders_are_claimed_once_across_workers(pair):
    a, b = pair
    now = time.time()
    for i in range(30):
        await a.add_reminder(reminder(f"r{i}", now - 1))
    await a.add_reminder(reminder("later", now + 3600))
    batches = await asyncio.gather(*(s.claim_due_reminders(now, limit=4) for s in (a, b) * 6))
    ids = [r.id for batch in batches for r in batch]
    ids += [r.id for r in await b.claim_due_reminders(now)]
    assert sorted(ids) == sorted(f"r{i}" for i in range(30))
    assert await a.pending_reminders() == 1
    assert await a.claim_due_reminders(now + 3601) == [reminder("later", now + 3600)]
    assert not [k for k in await keys_of(a) if ":r:" in k or ":rk:" in k or k.endswith(":rem")]


async def test_reminders_survive_a_new_client_and_can_be_cancelled(url):
    store = RedisSessionStore(url)
    now = time.time()
    await store.add_reminder(reminder("x1", now + 5))
    await store.add_reminder(reminder("x2", now + 5))
    await store.add_reminder(reminder("y1", now + 5, key="slack|T|D||U9", person="slack|U9"))
    await store.close()
    again = RedisSessionStore(url)
    assert await again.cancel_reminders("slack|T|D||U1") == 2
    assert await again.cancel_reminders("slack|T|D||U1") == 0
    assert [r.id for r in await again.claim_due_reminders(now + 10)] == ["y1"]
    await again.close()


async def test_forget_deletes_everything_of_the_person_and_nothing_else(url):
    store = RedisSessionStore(url)
    me, other = "slack|U1", "slack|U2"
    await store.save("slack|T|D||U1", me, Session(state="a"))
    await store.save("slack|T|C|1.2|U1", me, Session(state="b"))
    await store.save("slack|T|D||U2", other, Session(state="c"))
    await store.claim_event("E1", me)
    await store.claim_event("E2", other)
    await store.hit_rate(me, 60, 20)
    await store.add_reminder(reminder("m1", time.time() + 3600))
    await store.add_reminder(reminder("o1", time.time() + 3600, "slack|T|D||U2", other))
    before = await keys_of(store)

    assert await store.forget(me) == 4

    left = await keys_of(store)
    assert not [k for k in left if "U1" in k or k.endswith(":m1") or k.endswith("e:E1")]
    assert set(left) < set(before) and store.k("s:slack|T|D||U2") in left
    assert [r.id for r in await store.claim_due_reminders(time.time() + 7200)] == ["o1"]
    assert await store.claim_event("E1", me)  # the dedupe mark went too
    await store.clear()
    await store.close()


async def test_person_index_lives_as_long_as_a_far_reminder(url):
    store = RedisSessionStore(url, idle_seconds=60)
    await store.add_reminder(reminder("far", time.time() + 10 * 86400))
    await store.save("slack|T|D||U1", "slack|U1", Session())
    assert await store.redis.pttl(store.k("p:slack|U1")) > 9 * 86400 * 1000
    await store.close()


async def test_installations_round_trip(url):
    store = RedisSessionStore(url)
    await store.save_installation("T1:bot", {"bot_token": "xoxb-x", "team_id": "T1"})
    assert await store.find_installation("T1:bot") == {"bot_token": "xoxb-x", "team_id": "T1"}
    await store.delete_installation("T1:bot")
    assert await store.find_installation("T1:bot") is None
    await store.close()


async def test_outage_raises_store_unavailable_and_recovers_by_itself():
    spare = SpareRedis()
    spare.start()
    store = RedisSessionStore(spare.url(), timeout=0.5)
    try:
        await store.ping()
        await store.save("k", "p", Session(state="one"))
        spare.stop()
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await store.ping()
        with pytest.raises(StoreUnavailable):
            await store.load("k")
        with pytest.raises(StoreUnavailable):
            await store.claim_event("E", "p")
        with pytest.raises(StoreUnavailable):
            async with store.lock("k"):
                pass
        assert time.monotonic() - started < 5
        spare.start()
        await store.ping()
        await store.save("k", "p", Session(state="two"))
        got = await store.load("k")
        assert got is not None and got.state == "two"
    finally:
        await store.close()
        spare.close()
