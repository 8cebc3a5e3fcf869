"""Timing helpers: warm up, repeat, report medians and p99 (no means: these machines are noisy)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Microseconds per call over ``n`` measured calls."""

    median_us: float
    p99_us: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return {"median": round(self.median_us, 1), "p99": round(self.p99_us, 1), "n": self.n}


def summarise(samples_ns: list[int]) -> Timing:
    ordered = sorted(samples_ns)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Timing(statistics.median(ordered) / 1000, p99 / 1000, len(ordered))


def measure(fn: Callable[[int], object], n: int, warmup: int) -> Timing:
    """Time ``fn(i)`` for ``warmup`` untimed then ``n`` timed calls."""
    for i in range(warmup):
        fn(i)
    clock = time.perf_counter_ns
    samples = []
    for i in range(n):
        start = clock()
        fn(warmup + i)
        samples.append(clock() - start)
    return summarise(samples)


async def measure_async(fn: Callable[[int], Awaitable[object]], n: int, warmup: int) -> Timing:
    """Like :func:`measure` for coroutines, on the running loop."""
    for i in range(warmup):
        await fn(i)
    clock = time.perf_counter_ns
    samples = []
    for i in range(n):
        start = clock()
        await fn(warmup + i)
        samples.append(clock() - start)
    return summarise(samples)


def run(coro: Awaitable[object]) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]
