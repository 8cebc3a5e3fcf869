"""Waiting for room under a flood limit: ask the store how long until one more message fits,
sleep that long (at most a minute at a time), ask again; count the waits in the metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.metrics import METRICS
from bot.store.base import StoreUnavailable

MAX_WAIT_S = 60.0  # the longest single sleep before the store is asked again


async def wait_for_room(reserve: Callable[[], Awaitable[float]], platform: str) -> float:
    """Sleep until ``reserve`` (milliseconds still to wait, 0 or less once reserved) says the
    message fits; returns the seconds waited. A store error is counted and raised."""
    waited = 0.0
    while True:
        try:
            ms = await reserve()
        except StoreUnavailable:
            METRICS.store_errors.labels("flood").inc()
            raise
        if ms <= 0:
            break
        pause = min(ms / 1000, MAX_WAIT_S)
        waited += pause
        await asyncio.sleep(pause)
    if waited:
        METRICS.rate_limit_waits.labels(platform).inc()
        METRICS.rate_limit_wait_seconds.labels(platform).inc(waited)
    return waited
