"""The reminder scheduler on the Redis store: once across schedulers, retries, restarts, stop."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis_helpers import scratch_redis

from bot.models import ConversationKey, Reply
from bot.reminders import ReminderScheduler, parse_key
from bot.store.base import Reminder
from bot.store.redis import RedisSessionStore


class FakeEngine:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def reminder_reply(self, reminder: Reminder) -> list[Reply]:
        self.asked.append(reminder.id)
        return [Reply(text=f"follow-up {reminder.topic}", lang=reminder.lang)]  # type: ignore[arg-type]


class FakeSender:
    def __init__(self, fail: int = 0) -> None:
        self.sent: list[tuple[ConversationKey, list[Reply]]] = []
        self.fail = fail

    async def send(self, key: ConversationKey, replies: list[Reply]) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("platform down")
        self.sent.append((key, replies))


@pytest.fixture
async def url():
    async with scratch_redis() as scratch:
        yield scratch


def reminder(rid: str, due: float, platform: str = "telegram") -> Reminder:
    key = f"{platform}|42||7"
    return Reminder(id=rid, key=key, person=f"{platform}|7", due=due, lang="nb", topic="ghosting")


def test_parse_key_round_trips():
    key = ConversationKey(platform="slack", chat="C1", thread="1712.5", user="U1")
    assert parse_key(key.as_str()) == key


async def test_due_reminder_is_sent_once_by_two_schedulers(url):
    stores = [RedisSessionStore(url), RedisSessionStore(url)]
    senders = [FakeSender(), FakeSender()]
    scheds = [ReminderScheduler(s, FakeEngine(), {"telegram": f}, batch=3)
              for s, f in zip(stores, senders, strict=True)]
    now = time.time()
    for i in range(20):
        await stores[0].add_reminder(reminder(f"r{i}", now - 1))
    await stores[0].add_reminder(reminder("future", now + 600))
    for _ in range(10):
        await asyncio.gather(*(s.run_once() for s in scheds))
    sent = senders[0].sent + senders[1].sent
    assert len(sent) == 20
    assert sent[0][0] == ConversationKey(platform="telegram", chat="42", user="7")
    assert sent[0][1][0].lang == "nb"
    assert await stores[0].pending_reminders() == 1
    for s in stores:
        await s.close()


async def test_failed_send_is_put_back_and_retried(url):
    store = RedisSessionStore(url)
    sender = FakeSender(fail=2)
    sched = ReminderScheduler(store, FakeEngine(), {"telegram": sender}, retry_delays=(1.0, 2.0))
    now = time.time()
    await store.add_reminder(reminder("x", now - 1))
    assert await sched.run_once(now) == 0
    assert await store.pending_reminders() == 1  # back in the store, not lost
    assert await sched.run_once(now + 0.5) == 0  # not due again yet
    assert await sched.run_once(now + 1.1) == 0  # second failure, delay 2 s
    assert await sched.run_once(now + 3.2) == 1
    assert len(sender.sent) == 1 and await store.pending_reminders() == 0
    await store.close()


async def test_send_reporting_zero_messages_counts_as_a_failure(url):
    class Quiet(FakeSender):
        async def send(self, key, replies):
            return 0

    store = RedisSessionStore(url)
    sched = ReminderScheduler(store, FakeEngine(), {"telegram": Quiet()})
    await store.add_reminder(reminder("q", time.time() - 1))
    assert await sched.run_once() == 0 and sched.failed == 1
    assert await store.pending_reminders() == 1
    await store.close()


async def test_reminder_dropped_after_max_attempts(url):
    store = RedisSessionStore(url)
    sched = ReminderScheduler(store, FakeEngine(), {"telegram": FakeSender(fail=99)},
                              max_attempts=3, retry_delays=(1.0,))
    now = time.time()
    await store.add_reminder(reminder("x", now - 1))
    for step in range(5):
        await sched.run_once(now + step * 1.5)
    assert await store.pending_reminders() == 0 and sched.failed == 3
    await store.close()


async def test_platform_not_served_here_is_left_for_another_process(url):
    store = RedisSessionStore(url)
    sched = ReminderScheduler(store, FakeEngine(), {"telegram": FakeSender()})
    now = time.time()
    await store.add_reminder(reminder("s", now - 1, platform="slack"))
    assert await sched.run_once(now) == 0
    assert await store.pending_reminders() == 1 and sched.failed == 0
    other = FakeSender()
    assert await ReminderScheduler(store, FakeEngine(), {"slack": other}).run_once(now + 60) == 1
    await store.close()


async def test_run_loop_sends_reminders_due_before_start_and_stops(url):
    store = RedisSessionStore(url)
    await store.add_reminder(reminder("old", time.time() - 3600))  # due during downtime
    sender = FakeSender()
    stop = asyncio.Event()
    task = asyncio.create_task(
        ReminderScheduler(store, FakeEngine(), {"telegram": sender}, interval=0.05).run(stop)
    )
    for _ in range(100):
        if sender.sent:
            break
        await asyncio.sleep(0.02)
    await store.add_reminder(reminder("soon", time.time() + 0.1))
    for _ in range(100):
        if len(sender.sent) == 2:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert [r[1][0].text for r in sender.sent] == ["follow-up ghosting"] * 2
    await store.close()
