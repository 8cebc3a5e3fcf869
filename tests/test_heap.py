"""Freezing what start-up built (``bot.heap``): garbage is collected first, live objects are
frozen, and the service does it only when asked (the ``serve`` command), once it is ready."""

from __future__ import annotations

import gc
import weakref

import httpx
from server_helpers import running_server

from bot.config import Settings
from bot.heap import freeze_startup_heap
from bot.server import create_app
from bot.store.memory import MemoryStore


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_garbage_is_collected_before_the_live_heap_is_frozen():
    gc.unfreeze()
    try:
        left, right = _Node(), _Node()
        left.other, right.other = right, left  # a cycle: only the collector frees it
        dead = weakref.ref(left)
        del left, right
        frozen = freeze_startup_heap()
        assert dead() is None
        assert frozen == gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


async def test_service_freezes_its_heap_once_ready_only_when_asked():
    settings = Settings(CLIENTCOACH_STORE="memory://")  # type: ignore[call-arg]
    for freeze in (False, True):
        gc.unfreeze()
        try:
            app = create_app(settings, engine=object(), store=MemoryStore(), platforms={},
                             freeze_heap=freeze)
            async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
                assert (await client.get("/healthz")).status_code == 200
                assert (gc.get_freeze_count() > 0) is freeze
        finally:
            gc.unfreeze()
