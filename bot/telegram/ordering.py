"""Updates of one person in one chat are handled in the order they came; others run alongside.

python-telegram-bot runs concurrent updates in any order. A person who taps two answers quickly
must not have the second handled first, so updates are queued per (chat, user).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def person_of(update: object) -> tuple[int, int] | None:
    """(chat id, user id) of an update, 0 for what it lacks; None when it has neither."""
    if not isinstance(update, Update):
        return None
    chat, user = update.effective_chat, update.effective_user
    if chat is None and user is None:
        return None
    return (chat.id if chat else 0, user.id if user else 0)


class PerPersonOrder(BaseUpdateProcessor):
    """At most ``max_concurrent_updates`` at once; one person's updates one after another."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._users: dict[tuple[int, int], int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = person_of(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody else waits: forget the lock
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
