"""One contract, every store: the same tests run on the memory, SQLite and Redis stores.

A new store joins by adding a branch to the ``make`` fixture (and its id to ``KINDS``).
Redis runs when a server answers on 127.0.0.1:6379 (see ``redis_helpers``), else it skips.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from redis_helpers import redis_url, require_redis, unique_prefix

from bot.store import UnknownStore, open_store
from bot.store.base import Reminder, Session, SessionStore, StoreUnavailable
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore

KINDS = ["memory", "sqlite", "redis"]


class Clock:
    """A clock a test moves by hand (stores that take a ``clock``)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=KINDS)
async def make(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """``make(idle_seconds=...)`` → (store, advance): ``advance(s)`` lets ``s`` seconds pass."""
    kind = request.param
    made: list[SessionStore] = []
    clock = Clock()
    prefix = unique_prefix()
    if kind == "redis":
        require_redis()

    def factory(idle_seconds: float = 3600) -> tuple[SessionStore, Callable[[float], Any]]:
        if kind == "memory":
            store: SessionStore = MemoryStore(idle_seconds, clock=clock)
        elif kind == "sqlite":
            store = SQLiteStore(tmp_path / "s.sqlite3", idle_seconds, clock=clock)
        else:
            from bot.store.redis import RedisSessionStore

            store = RedisSessionStore(redis_url(prefix), idle_seconds=idle_seconds)
        made.append(store)

        async def advance(seconds: float) -> None:
            if kind == "redis":
                await asyncio.sleep(seconds)
            else:
                clock.now += seconds

        return store, advance

    yield factory
    for store in made:
        if kind == "redis":
            await store.clear()  # type: ignore[attr-defined]
        await store.close()


def session(**fields: Any) -> Session:
    return Session(**fields)


async def test_missing_session_is_none(make) -> None:
    store, _ = make()
    assert await store.load("test|c||nobody") is None


async def test_session_round_trip(make) -> None:
    store, _ = make()
    saved = session(lang="nb", lang_chosen=True, flow="unpaid-invoice", state="asking_days",
                    slots={"terms": "verbal", "amount": "1200.5 EUR", "note": "ærlig talt"},
                    topic="late-payment")  # fmt: skip
    await store.save("test|c||u", "test|u", saved)
    got = await store.load("test|c||u")
    assert got is not None
    assert (got.lang, got.lang_chosen, got.flow, got.state) == (
        "nb",
        True,
        "unpaid-invoice",
        "asking_days",
    )
    assert got.slots == saved.slots and got.topic == "late-payment"
    assert got.updated > 0


async def test_save_overwrites(make) -> None:
    store, _ = make()
    await store.save("k", "p", session(state="a"))
    await store.save("k", "p", session(state="b"))
    got = await store.load("k")
    assert got is not None and got.state == "b"


async def test_idle_sessions_expire(make) -> None:
    store, advance = make(idle_seconds=1)
    await store.save("k", "p", session(state="x"))
    assert await store.load("k") is not None
    await advance(1.3)
    assert await store.load("k") is None


async def test_lock_serialises_updates_of_one_conversation(make) -> None:
    store, _ = make()

    async def bump() -> None:
        async with store.lock("k"):
            current = await store.load("k") or session(slots={"n": 0})
            await asyncio.sleep(0.002)
            current.slots["n"] = current.slots.get("n", 0) + 1
            await store.save("k", "p", current)

    await asyncio.gather(*(bump() for _ in range(8)))
    got = await store.load("k")
    assert got is not None and got.slots["n"] == 8


async def test_lock_of_one_key_does_not_block_another(make) -> None:
    store, _ = make()
    async with store.lock("a"):
        await asyncio.wait_for(_enter(store, "b"), timeout=2)


async def _enter(store: SessionStore, key: str) -> None:
    async with store.lock(key):
        pass


async def test_event_is_claimed_once(make) -> None:
    store, _ = make()
    assert await store.claim_event("ev-1", "test|u") is True
    assert await store.claim_event("ev-1", "test|u") is False
    assert await store.claim_event("ev-2", "test|u") is True


async def test_concurrent_claims_of_one_event_yield_one_winner(make) -> None:
    store, _ = make()
    results = await asyncio.gather(*(store.claim_event("ev-x", "p") for _ in range(10)))
    assert results.count(True) == 1


async def test_rate_limit_counts_per_person(make) -> None:
    store, _ = make()
    allowed = [await store.hit_rate("test|u", 60, 3) for _ in range(5)]
    assert allowed == [True, True, True, False, False]
    assert await store.hit_rate("test|other", 60, 3) is True


def reminder(rid: str, due: float, key: str = "test|c||u", person: str = "test|u") -> Reminder:
    return Reminder(id=rid, key=key, person=person, due=due, lang="fr", topic="late-payment")


async def test_due_reminders_are_claimed_once_in_due_order(make) -> None:
    store, _ = make()
    now = time.time()
    await store.add_reminder(reminder("r2", now - 10))
    await store.add_reminder(reminder("r1", now - 20))
    await store.add_reminder(reminder("r3", now + 3600))
    claimed = await store.claim_due_reminders(now)
    assert [r.id for r in claimed] == ["r1", "r2"]
    assert claimed[0] == reminder("r1", now - 20)
    assert await store.claim_due_reminders(now) == []
    assert [r.id for r in await store.claim_due_reminders(now + 7200)] == ["r3"]


async def test_concurrent_claimers_never_share_a_reminder(make) -> None:
    store, _ = make()
    now = time.time()
    for n in range(20):
        await store.add_reminder(reminder(f"r{n}", now - n))
    batches = await asyncio.gather(*(store.claim_due_reminders(now, limit=3) for _ in range(10)))
    ids = [r.id for batch in batches for r in batch]
    assert len(ids) == len(set(ids)) == 20


async def test_cancel_reminders_of_a_conversation(make) -> None:
    store, _ = make()
    now = time.time()
    await store.add_reminder(reminder("a", now + 10))
    await store.add_reminder(reminder("b", now + 20))
    await store.add_reminder(reminder("c", now + 10, key="test|other||u"))
    assert await store.cancel_reminders("test|c||u") == 2
    assert await store.cancel_reminders("test|c||u") == 0
    assert [r.id for r in await store.claim_due_reminders(now + 60)] == ["c"]


async def test_reminders_of_a_person_soonest_first(make) -> None:
    store, _ = make()
    now = time.time()
    await store.add_reminder(reminder("later", now + 20))
    await store.add_reminder(reminder("sooner", now + 10, key="test|other||u"))
    await store.add_reminder(reminder("theirs", now + 5, person="test|v"))
    assert [r.id for r in await store.reminders_of("test|u")] == ["sooner", "later"]
    assert [r.key for r in await store.reminders_of("test|u")] == ["test|other||u", "test|c||u"]
    await store.claim_due_reminders(now + 15)
    assert [r.id for r in await store.reminders_of("test|u")] == ["later"]
    assert await store.reminders_of("test|nobody") == []


async def test_forget_deletes_everything_of_one_person_only(make) -> None:
    store, _ = make()
    now = time.time()
    await store.save("test|c1||u", "test|u", session(state="a"))
    await store.save("test|c2||u", "test|u", session(state="b"))
    await store.save("test|c1||v", "test|v", session(state="c"))
    await store.add_reminder(reminder("mine", now + 10))
    await store.add_reminder(reminder("theirs", now + 10, key="test|c1||v", person="test|v"))
    await store.claim_event("ev-u", "test|u")
    assert await store.forget("test|u") >= 4
    assert await store.load("test|c1||u") is None and await store.load("test|c2||u") is None
    assert await store.load("test|c1||v") is not None
    assert [r.id for r in await store.claim_due_reminders(now + 60)] == ["theirs"]
    assert await store.claim_event("ev-u", "test|u") is True  # the dedupe mark went too
    assert await store.forget("test|nobody") == 0


async def test_ping(make) -> None:
    store, _ = make()
    await store.ping()


# SQLite only -----------------------------------------------------------------------------------


async def test_sqlite_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "x" / "db.sqlite3"
    first = SQLiteStore(path)
    await first.save("k", "p", session(flow="say-no", state="asking_alternative"))
    await first.add_reminder(reminder("r", time.time() - 1))
    await first.close()
    second = SQLiteStore(path)
    got = await second.load("k")
    assert got is not None and got.state == "asking_alternative"
    assert [r.id for r in await second.claim_due_reminders(time.time())] == ["r"]
    await second.close()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


async def test_sqlite_locked_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = SQLiteStore(path, busy_timeout=0.05)
    await store.ping()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            await store.save("k", "p", session(state="a"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    await store.save("k", "p", session(state="a"))  # and it recovers
    assert (await store.load("k")) is not None
    await store.close()


async def test_sqlite_read_only_database_is_a_clear_error(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3")
    await store.ping()
    assert store._conn is not None
    store._conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreUnavailable, match="read-only"):
        await store.save("k", "p", session(state="a"))
    await store.close()


async def test_sqlite_unusable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = SQLiteStore(blocker / "db.sqlite3")
    with pytest.raises(StoreUnavailable, match=str(blocker)):
        await store.ping()


def test_open_store_urls(tmp_path: Path) -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    absolute = open_store(f"sqlite:///{tmp_path}/a.sqlite3")
    assert isinstance(absolute, SQLiteStore) and absolute.path == tmp_path / "a.sqlite3"
    home = open_store("sqlite:///~/cc.sqlite3")
    assert isinstance(home, SQLiteStore) and home.path == Path.home() / "cc.sqlite3"
    with pytest.raises(UnknownStore, match="sqlite:///path"):
        open_store("postgres://x")
