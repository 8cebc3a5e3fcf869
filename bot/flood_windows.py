"""Flood limits as exact sliding windows: never more than ``count`` messages in any ``seconds``.

Telegram states its limits as counts per window (30 messages a second per bot, one a second per
chat, 20 a minute per group), and going over them is answered with a 429 that stalls the whole
bot. :meth:`WindowLimiter.wait` reserves one message under several windows at once (the bot's,
the chat's, the group's) or sleeps until it can; :meth:`WindowLimiter.pause` stops every sender
under a key for a while (a 429's ``retry_after``).

Why a sliding-window log in one Lua script rather than a library or the GCRA cells of
:mod:`bot.flood`:

- a cell rate (GCRA, leaky bucket: ``aiolimiter``, python-telegram-bot's ``AIORateLimiter``)
  that allows a burst of 20 in a group also allows 20 more within the same minute; only a log of
  the last ``count`` send times guarantees the count in *every* window;
- the windows of one message must be checked and taken together, atomically across workers:
  ``limits`` and ``pyrate-limiter`` (moving windows on Redis) check one key per call, so taking
  the bot's budget and then finding the chat full would waste it, or race between workers;
- the script reads Redis's own clock (``TIME``), so workers on different hosts share one time.

Each window is a sorted set of at most ``count`` send times (kept for the window's length). A
window can also ask for a least gap between two sends: the bot's 30 a second go out one every
~37 ms rather than 30 at once, so a sender slowed down (a busy host, a slow network) cannot bunch
the end of one window's burst against the start of the next. Windows are held ``margin_s``
longer than the platform's figure, for the jitter between sending and arriving, and a message's
entry is moved to the time its request ended once it has been sent: the next one in the window
is reserved after that, so however slowly a request travels, it cannot arrive closer than the
window to the one after it (unless it takes longer than the window itself). With a store
that is not Redis (SQLite, memory: one process anyway) the same logs live in the process.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from bot.flood_wait import wait_for_room
from bot.metrics import METRICS
from bot.store.base import StoreUnavailable

log = logging.getLogger("clientcoach.flood")

Window = tuple[str, int, float, float]  # (key, messages, seconds, least seconds between two)

# KEYS: the pause key, then one sorted set per window. ARGV: count, window ms, gap ms per window,
# then the member to add. Returns 0 (reserved) or the ms to wait.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = redis.call('PTTL', KEYS[1])
if wait < 0 then wait = 0 end
for i = 2, #KEYS do
  local count = tonumber(ARGV[3 * i - 5])
  local window = tonumber(ARGV[3 * i - 4])
  local gap = tonumber(ARGV[3 * i - 3])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local n = redis.call('ZCARD', KEYS[i])
  if n >= count then
    local oldest = redis.call('ZRANGE', KEYS[i], n - count, n - count, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now + 1
    if w > wait then wait = w end
  end
  if gap > 0 and n > 0 then
    local last = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
    local w = tonumber(last[2]) + gap - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
local member = ARGV[#ARGV]
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, member)
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3 * i - 4]) + 1000)
end
return 0
"""

# KEYS: the windows of one reserved message. ARGV: its member, then each window's ms. The send
# is over: its entry takes the time it ended (only if it is still there).
_STAMP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  if redis.call('ZADD', key, 'XX', 'CH', now, ARGV[1]) == 1 then
    redis.call('PEXPIRE', key, tonumber(ARGV[i + 1]) + 1000)
  end
end
return 0
"""


@dataclass(frozen=True)
class Ticket:
    """One reserved message: :meth:`WindowLimiter.done` stamps it with the time it was sent."""

    member: str
    windows: tuple[Window, ...]
    waited: float = 0.0


class _LocalLogs:
    """The same logs in one process."""

    def __init__(self) -> None:
        self.logs: dict[str, dict[str, float]] = {}
        self.paused: dict[str, float] = {}

    async def reserve(self, pause_key: str, windows: list[Window], member: str) -> float:
        now = time.monotonic() * 1000
        wait = max(0.0, self.paused.get(pause_key, 0.0) - now)
        for key, count, window, gap in windows:
            log_ = self.logs.setdefault(key, {})
            for old in [m for m, at in log_.items() if at <= now - window]:
                del log_[old]
            times = sorted(log_.values())
            if len(times) >= count:
                wait = max(wait, times[len(times) - count] + window - now + 1)
            if gap > 0 and times:
                wait = max(wait, times[-1] + gap - now)
        if wait > 0:
            return wait
        for key, _, _, _ in windows:
            self.logs[key][member] = now
        if len(self.logs) > 50_000:
            self.logs = {k: v for k, v in self.logs.items() if v}
        return 0.0

    async def stamp(self, windows: list[Window], member: str) -> None:
        now = time.monotonic() * 1000
        for key, *_ in windows:
            if member in self.logs.get(key, {}):
                self.logs[key][member] = now

    async def push_back(self, pause_key: str, ms: float) -> None:
        now = time.monotonic() * 1000
        self.paused[pause_key] = max(self.paused.get(pause_key, 0.0), now + ms)


class _RedisLogs:
    def __init__(self, store: Any) -> None:
        self.store = store
        self._reserve = store.redis.register_script(_RESERVE)
        self._stamp = store.redis.register_script(_STAMP)

    async def reserve(self, pause_key: str, windows: list[Window], member: str) -> float:
        keys = [self.store.k("fw:", pause_key)] + [self.store.k("fw:", w[0]) for w in windows]
        args: list[Any] = [v for _, count, window, gap in windows
                           for v in (count, int(window), int(gap))]
        args.append(member)
        return float(await self.store._run(lambda: self._reserve(keys=keys, args=args)))

    async def stamp(self, windows: list[Window], member: str) -> None:
        keys = [self.store.k("fw:", w[0]) for w in windows]
        args = [member, *(int(w[2]) for w in windows)]
        await self.store._run(lambda: self._stamp(keys=keys, args=args))

    async def push_back(self, pause_key: str, ms: float) -> None:
        name = self.store.k("fw:", pause_key)
        redis = self.store.redis

        async def call() -> None:
            left = await redis.pttl(name)
            if left is None or left < ms:
                await redis.set(name, "1", px=max(1, int(ms)))

        await self.store._run(call)


class WindowLimiter:
    """``ticket = await limiter.wait(pause_key, [(key, count, seconds, gap), ...], platform)``
    before a message, ``await limiter.done(ticket)`` once it is sent."""

    def __init__(self, logs: Any, *, margin_s: float = 0.1) -> None:
        self.logs = logs
        self.margin_s = margin_s  # windows are held a little longer: arrival times jitter
        self._members = itertools.count()
        self._me = f"{os.getpid()}-{id(self):x}"

    @classmethod
    def for_store(cls, store: Any, *, margin_s: float = 0.1) -> WindowLimiter:
        from bot.store.redis import RedisSessionStore

        if isinstance(store, RedisSessionStore):
            return cls(_RedisLogs(store), margin_s=margin_s)
        return cls(_LocalLogs(), margin_s=margin_s)

    @property
    def shared(self) -> bool:
        """True when every worker sees the same windows (Redis)."""
        return isinstance(self.logs, _RedisLogs)

    def held(self, windows: list[Window]) -> list[Window]:
        """The windows as kept: in ms, ``margin_s`` longer, those with a count only."""
        return [(key, count, (seconds + self.margin_s) * 1000, gap * 1000)
                for key, count, seconds, gap in windows if count > 0]

    async def wait(self, pause_key: str, windows: list[Window], platform: str) -> Ticket:
        """Sleep until one more message fits every window (and comes at least its gap after the
        one before) and no pause holds; the ticket says how long it waited."""
        held = self.held(windows)
        member = f"{self._me}-{next(self._members)}"
        waited = await wait_for_room(lambda: self.logs.reserve(pause_key, held, member), platform)
        return Ticket(member, tuple(held), waited)

    async def done(self, ticket: Ticket) -> None:
        """The message has been sent (or given up): its place in the windows moves from the
        time it was reserved to now, so a slow request cannot bring the next one closer than
        the window to it. Best effort: the store being down leaves the reservation time."""
        try:
            await self.logs.stamp(list(ticket.windows), ticket.member)
        except StoreUnavailable:
            METRICS.store_errors.labels("flood").inc()

    async def pause(self, pause_key: str, seconds: float) -> None:
        """Nobody waiting on ``pause_key`` sends for ``seconds`` (a 429's ``retry_after``)."""
        log.warning("flood limit hit, pausing", extra={"seconds": seconds})
        await self.logs.push_back(pause_key, seconds * 1000)


def per_window(rate: float, seconds: float = 1.0) -> tuple[int, float]:
    """A rate in messages per ``seconds`` as (count, window): 30/s → (30, 1 s), 0.5/s → (1, 2 s);
    (0, 0) turns the limit off."""
    if rate <= 0:
        return 0, 0.0
    count = max(1, int(rate))
    return count, seconds * count / rate
