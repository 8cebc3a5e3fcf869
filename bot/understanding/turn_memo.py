"""Work shared by the readings of one turn, and forgotten with it.

A turn reads its message many times: for the language, the topic, the question asked, facts
for other questions, corrections, small talk. Those readings share their work through a memo
that lives for that one turn only, so no message is ever recognised from an earlier turn (a
person's next message is new; a benchmark that repeats its messages must not be flattered).
Outside a turn (loading the vocabularies, evaluation tools), a bounded process-wide cache serves
instead, which is what loading the same phrases again and again needs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, wraps
from typing import Any, TypeVar

_current: ContextVar[dict[Hashable, Any] | None] = ContextVar("turn_memo", default=None)

R = TypeVar("R")


@contextmanager
def one_turn() -> Iterator[dict[Hashable, Any]]:
    """The memo of one turn: what is remembered inside is gone when the block ends."""
    memo: dict[Hashable, Any] = {}
    token = _current.set(memo)
    try:
        yield memo
    finally:
        _current.reset(token)
        memo.clear()


def current() -> dict[Hashable, Any] | None:
    """The memo of the turn being answered, or None outside a turn."""
    return _current.get()


def per_turn(maxsize: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Remember a pure function's results for the turn being answered; outside a turn, in a
    process-wide LRU cache of ``maxsize`` entries."""

    def wrap(fn: Callable[..., R]) -> Callable[..., R]:
        outside = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def remembered(*args: Hashable) -> R:
            memo = _current.get()
            if memo is None:
                return outside(*args)
            key = (remembered, args)
            try:
                return memo[key]
            except KeyError:
                value = memo[key] = fn(*args)
                return value

        remembered.cache_clear = outside.cache_clear  # type: ignore[attr-defined]
        return remembered

    return wrap
