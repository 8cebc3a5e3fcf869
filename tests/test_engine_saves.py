"""A turn that changes nothing does not write the session again (until it needs touching)."""

from __future__ import annotations

import time

from engine_helpers import Chat, real_kb

from bot import engine as engine_module
from bot.engine import Engine
from bot.store.base import Session
from bot.store.memory import MemoryStore


class CountingStore(MemoryStore):
    """The memory store, counting writes."""

    def __init__(self) -> None:
        super().__init__()
        self.saves = 0

    async def save(self, key: str, person: str, session: Session) -> None:
        self.saves += 1
        await super().save(key, person, session)


async def test_unchanged_turns_are_not_written_changed_ones_are() -> None:
    store = CountingStore()
    chat = Chat(Engine(store, real_kb()), locale="en")
    await chat.press("menu")
    assert store.saves == 1  # a new conversation is stored
    await chat.press("menu")
    assert store.saves == 1  # nothing changed: no write
    await chat.press("flow:say-no")
    assert store.saves == 2
    session = await chat.session()
    assert session.flow == "say-no"
    await chat.press("a:nope:nope")  # a stale answer: re-asked, state unchanged
    assert store.saves == 2
    await chat.press("lang:nb")
    assert store.saves == 3


async def test_an_unchanged_session_is_still_touched_before_it_could_expire(monkeypatch) -> None:
    store = CountingStore()
    chat = Chat(Engine(store, real_kb()), locale="en")
    await chat.press("menu")
    later = time.time() + engine_module.TOUCH_AFTER + 1
    monkeypatch.setattr(engine_module.time, "time", lambda: later)
    await chat.press("menu")
    assert store.saves == 2
