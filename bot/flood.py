"""Flood limits shared by every worker: one budget per bot, per chat, per channel.

Each limit is a GCRA (generic cell rate algorithm) cell: ``rate`` messages a second with bursts
of ``burst``. :meth:`FloodLimiter.wait` reserves one message under several limits at once (the
bot's 30/s and the chat's 1/s, say) or sleeps until it can. With the Redis store the cells live
in Redis (one Lua script, Redis's own clock), so two workers share one budget; otherwise they
live in the process. :meth:`FloodLimiter.pause` honours a platform's ``retry_after`` for everyone.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.flood_wait import wait_for_room

log = logging.getLogger("clientcoach.flood")

Limit = tuple[str, float, int]  # (key, messages per second, burst)
SAFETY = 0.97  # keep a little under the platform's figure: arrival times jitter

# KEYS: cells. ARGV: per cell interval ms, tolerance ms. Returns 0 (reserved) or ms to wait.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local tolerance = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local w = tat - tolerance - now
  if w > wait then wait = w end
end
if wait > 0 then return math.ceil(wait) end
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local tat = tats[i] + interval
  redis.call('SET', key, tostring(tat), 'PX', math.ceil(tat - now) + 1000)
end
return 0
"""


class _LocalCells:
    """The same cells in one process (SQLite and memory stores: one process anyway)."""

    def __init__(self) -> None:
        self.tats: dict[str, float] = {}

    async def reserve(self, cells: list[tuple[str, float, float]]) -> float:
        now = time.monotonic() * 1000
        tats = [max(self.tats.get(key, now), now) for key, _, _ in cells]
        wait = max(tat - tolerance - now for tat, (_, _, tolerance) in zip(tats, cells,
                                                                            strict=True))
        if wait > 0:
            return wait
        for tat, (key, interval, _) in zip(tats, cells, strict=True):
            self.tats[key] = tat + interval
        if len(self.tats) > 50_000:
            self.tats = {k: v for k, v in self.tats.items() if v > now}
        return 0.0

    async def push_back(self, key: str, ms: float) -> None:
        now = time.monotonic() * 1000
        self.tats[key] = max(self.tats.get(key, now), now + ms)


class _RedisCells:
    def __init__(self, store: Any) -> None:
        self.store = store
        self._reserve = store.redis.register_script(_RESERVE)

    async def reserve(self, cells: list[tuple[str, float, float]]) -> float:
        keys = [self.store.k("fl:", key) for key, _, _ in cells]
        args = [v for _, interval, tolerance in cells for v in (interval, tolerance)]
        return float(await self.store._run(lambda: self._reserve(keys=keys, args=args)))

    async def push_back(self, key: str, ms: float) -> None:
        name = self.store.k("fl:", key)
        redis = self.store.redis

        async def call() -> None:
            seconds, micros = await redis.time()
            until = seconds * 1000 + micros / 1000 + ms
            await redis.set(name, str(until), px=int(ms) + 1000)

        await self.store._run(call)


class FloodLimiter:
    """``await limiter.wait([(key, rate, burst), ...], platform)`` before each message."""

    def __init__(self, cells: Any) -> None:
        self.cells = cells

    @classmethod
    def for_store(cls, store: Any) -> FloodLimiter:
        from bot.store.redis import RedisSessionStore

        if isinstance(store, RedisSessionStore):
            return cls(_RedisCells(store))
        return cls(_LocalCells())

    async def wait(self, limits: list[Limit], platform: str) -> float:
        """Sleep until one message fits every limit; returns the seconds waited."""
        cells = []
        for key, rate, burst in limits:
            interval = 1000.0 / (max(rate, 0.001) * SAFETY)
            cells.append((key, interval, interval * max(burst - 1, 0)))
        return await wait_for_room(lambda: self.cells.reserve(cells), platform)

    async def pause(self, key: str, seconds: float) -> None:
        """Nobody sends under ``key`` for ``seconds`` (a 429's ``retry_after``)."""
        log.warning("flood limit hit, pausing", extra={"key": key.split(":")[0],
                                                       "seconds": seconds})
        await self.cells.push_back(key, seconds * 1000)
