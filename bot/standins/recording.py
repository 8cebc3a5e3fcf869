"""What both stand-ins share: a thread-safe log of the calls they received, and failures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Failure:
    """How the next ``times`` calls of a method are answered: ``status`` (200 = normally),
    after ``delay`` seconds, with ``retry_after`` on a 429."""

    status: int
    times: int
    retry_after: int | None = None
    delay: float = 0.0


class CallLog:
    """Recorded calls (objects with a ``method``), guarded by ``_lock``; waiters are woken on
    every new call, so a benchmark can block on a reply without polling."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.failures: dict[str, list[Failure]] = {}
        self._lock = threading.Lock()
        self._recorded = threading.Condition(self._lock)

    def fail(self, method: str, status: int, *, times: int = 1, retry_after: int | None = None,
             delay: float = 0.0) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` (after ``delay`` seconds)."""
        with self._lock:
            self.failures.setdefault(method, []).append(
                Failure(status, times, retry_after, delay))

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer normally after ``seconds``."""
        self.fail(method, 200, times=times, delay=seconds)

    def _next_failure(self, method: str) -> Failure | None:
        with self._lock:
            queue = self.failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

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
