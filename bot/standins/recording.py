"""What both stand-ins share: a thread-safe list of the calls they received."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class CallLog:
    """Recorded calls (objects with a ``method``), guarded by ``_lock``; waiters are woken on
    every new call, so a benchmark can block on a reply without polling."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self._lock = threading.Lock()
        self._recorded = threading.Condition(self._lock)

    def record(self, call: Any) -> None:
        with self._lock:
            self.calls.append(call)
            self._recorded.notify_all()

    def of(self, method: str) -> list[Any]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def block_until_call(self, match: Callable[[Any], bool], timeout: float = 5.0) -> bool:
        """Block the calling thread (no polling) until a recorded call satisfies ``match``."""
        seen = 0

        def found() -> bool:
            nonlocal seen
            new, seen = self.calls[seen:], len(self.calls)
            return any(match(call) for call in new)

        with self._recorded:
            return self._recorded.wait_for(found, timeout)
