"""The Redis session store: shared by every web and worker process of one deployment.

Key layout (``p`` is the key prefix, ``cc:`` unless the URL says ``?prefix=``):

- ``p s:<key>``        session JSON, expires after the idle time;
- ``p lock:<key>``     per-conversation lock (``SET NX PX`` with a token, released by a script);
- ``p e:<event id>``   dedupe mark (``SET NX EX``, at least ten minutes);
- ``p rl:<person>``    rate-limit counter of the current window;
- ``p rem``            sorted set of reminder ids by due time, ``p r:<id>`` the reminder JSON,
  ``p rk:<key>``      the reminder ids of one conversation;
- ``p p:<person>``     index of everything stored for a person (``s:``, ``e:``, ``r:`` members),
  so :meth:`RedisSessionStore.forget` can delete it all;
- ``p inst:<id>``      Slack installations (opaque JSON owned by the Slack adapter).

Connections come from a :class:`~redis.asyncio.BlockingConnectionPool` of a fixed size: a burst
waits (up to ``pool_timeout``) for a free connection instead of failing. A pool still busy after
that raises :class:`StoreBusy`, told apart from Redis being down (:class:`StoreUnavailable`);
the client reconnects on the next command.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from redis import exceptions as redis_errors
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from bot.store.base import Reminder, Session, SessionStore, StoreBusy, StoreUnavailable

T = TypeVar("T")

MIN_EVENT_TTL = 600.0
LOCK_LEASE_MS = 30_000
LOCK_WAIT_S = 15.0

_DOWN = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.BusyLoadingError,
    redis_errors.ReadOnlyError,
    OSError,
    asyncio.TimeoutError,
)

# Release a lock only if we still hold it.
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# Take up to ARGV[2] reminders due at ARGV[1]; ZREM decides who owns each one.
_CLAIM = """
local prefix = ARGV[3]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  if redis.call('ZREM', KEYS[1], id) == 1 then
    local rkey = prefix .. 'r:' .. id
    local raw = redis.call('GET', rkey)
    redis.call('DEL', rkey)
    if raw then
      local r = cjson.decode(raw)
      redis.call('SREM', prefix .. 'rk:' .. r['key'], id)
      redis.call('SREM', prefix .. 'p:' .. r['person'], 'r:' .. id)
      table.insert(out, raw)
    end
  end
end
return out
"""

# Delete the reminders of one conversation.
_CANCEL = """
local prefix = ARGV[1]
local ids = redis.call('SMEMBERS', KEYS[1])
local n = 0
for _, id in ipairs(ids) do
  local rkey = prefix .. 'r:' .. id
  local raw = redis.call('GET', rkey)
  if raw then
    local r = cjson.decode(raw)
    redis.call('SREM', prefix .. 'p:' .. r['person'], 'r:' .. id)
  end
  n = n + redis.call('ZREM', prefix .. 'rem', id)
  redis.call('DEL', rkey)
end
redis.call('DEL', KEYS[1])
return n
"""

# Delete everything indexed for one person, plus the rate-limit counter and the index itself.
_FORGET = """
local prefix = ARGV[1]
local members = redis.call('SMEMBERS', KEYS[1])
local n = 0
for _, m in ipairs(members) do
  local kind = string.sub(m, 1, 2)
  local rest = string.sub(m, 3)
  if kind == 's:' then
    n = n + redis.call('DEL', prefix .. 's:' .. rest)
  elseif kind == 'e:' then
    n = n + redis.call('DEL', prefix .. 'e:' .. rest)
  elseif kind == 'r:' then
    local rkey = prefix .. 'r:' .. rest
    local raw = redis.call('GET', rkey)
    if raw then
      local r = cjson.decode(raw)
      redis.call('SREM', prefix .. 'rk:' .. r['key'], rest)
    end
    redis.call('ZREM', prefix .. 'rem', rest)
    n = n + redis.call('DEL', rkey)
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
return n
"""


def as_store_error(exc: BaseException) -> StoreUnavailable:
    """:class:`StoreBusy` when no pooled connection came free in time, else unavailable."""
    if isinstance(exc, redis_errors.ConnectionError) and "No connection available" in str(exc):
        return StoreBusy("redis: every pooled connection is busy")
    return StoreUnavailable(f"redis: {type(exc).__name__}")


def _glob_escape(text: str) -> str:
    """``text`` matched literally in a ``SCAN MATCH`` pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def parse_redis_url(url: str) -> tuple[str, str]:
    """Split ``redis://host:port/db?prefix=x`` into the client URL and the key prefix."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((v for k, v in query if k == "prefix"), "cc:")
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class RedisSessionStore(SessionStore):
    """The :class:`SessionStore` contract on Redis, safe for any number of processes."""

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        idle_seconds: float = 72 * 3600,
        prefix: str | None = None,
        client: Redis | None = None,
        timeout: float = 2.0,
        pool_size: int = 64,
        pool_timeout: float = 5.0,
    ) -> None:
        client_url, url_prefix = parse_redis_url(url)
        self.prefix = url_prefix if prefix is None else prefix
        self.idle_ms = max(1000, int(idle_seconds * 1000))
        self.pool_size = pool_size
        if client is None:
            pool = BlockingConnectionPool.from_url(
                client_url,
                max_connections=pool_size,
                timeout=pool_timeout,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                health_check_interval=15,
                retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=1),
                decode_responses=True,
            )
            client = Redis(connection_pool=pool)
        self.redis: Redis = client
        self._unlock = self.redis.register_script(_UNLOCK)
        self._claim = self.redis.register_script(_CLAIM)
        self._cancel = self.redis.register_script(_CANCEL)
        self._forget = self.redis.register_script(_FORGET)

    def k(self, *parts: str) -> str:
        """A full key name under this store's prefix."""
        return self.prefix + "".join(parts)

    async def _run(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except _DOWN as exc:
            raise as_store_error(exc) from exc

    def _index(self, pipe: Any, person: str, member: str, ttl_ms: int) -> None:
        """Record ``member`` in the person's index; it lives as long as its longest member."""
        idx = self.k("p:", person)
        pipe.sadd(idx, member)
        pipe.pexpire(idx, ttl_ms, nx=True)
        pipe.pexpire(idx, ttl_ms, gt=True)

    # Sessions -------------------------------------------------------------------------------
    async def load(self, key: str) -> Session | None:
        raw = await self._run(lambda: self.redis.get(self.k("s:", key)))
        return Session.from_json(raw) if raw else None

    async def save(self, key: str, person: str, session: Session) -> None:
        session.updated = time.time()

        async def call() -> None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(self.k("s:", key), session.to_json(), px=self.idle_ms)
                self._index(pipe, person, "s:" + key, self.idle_ms)
                await pipe.execute()

        await self._run(call)

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        name = self.k("lock:", key)
        token = secrets.token_hex(8)
        deadline = time.monotonic() + LOCK_WAIT_S
        pause = 0.002
        while True:
            if await self._run(lambda: self.redis.set(name, token, nx=True, px=LOCK_LEASE_MS)):
                break
            if time.monotonic() > deadline:
                raise StoreUnavailable("redis: conversation lock busy")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)
        try:
            yield
        finally:
            with suppress(*_DOWN):  # otherwise the lease expires by itself
                await self._unlock(keys=[name], args=[token])

    # Dedupe and rate limits -------------------------------------------------------------------
    async def claim_event(self, event_id: str, person: str | None = None, ttl: float = 900) -> bool:
        ttl_ms = int(max(ttl, MIN_EVENT_TTL) * 1000)

        async def call() -> bool:
            first = await self.redis.set(self.k("e:", event_id), person or "", nx=True, px=ttl_ms)
            if first and person:
                async with self.redis.pipeline(transaction=False) as pipe:
                    self._index(pipe, person, "e:" + event_id, ttl_ms)
                    await pipe.execute()
            return bool(first)

        return await self._run(call)

    async def hit_rate(self, person: str, window: float, limit: int) -> bool:
        name = self.k("rl:", person)

        async def call() -> int:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.pexpire(name, max(1, int(window * 1000)), nx=True)
                count, _ = await pipe.execute()
            return int(count)

        return await self._run(call) <= limit

    # Reminders --------------------------------------------------------------------------------
    async def add_reminder(self, reminder: Reminder) -> None:
        raw = json.dumps(asdict(reminder), ensure_ascii=False, separators=(",", ":"))
        ttl_ms = int(max(0.0, reminder.due - time.time()) * 1000) + self.idle_ms

        async def call() -> None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(self.k("r:", reminder.id), raw)
                pipe.zadd(self.k("rem"), {reminder.id: reminder.due})
                pipe.sadd(self.k("rk:", reminder.key), reminder.id)
                self._index(pipe, reminder.person, "r:" + reminder.id, ttl_ms)
                await pipe.execute()

        await self._run(call)

    async def claim_due_reminders(self, now: float, limit: int = 100) -> list[Reminder]:
        raws = await self._run(
            lambda: self._claim(keys=[self.k("rem")], args=[now, limit, self.prefix])
        )
        return [Reminder(**json.loads(raw)) for raw in raws]

    async def cancel_reminders(self, key: str) -> int:
        return int(
            await self._run(lambda: self._cancel(keys=[self.k("rk:", key)], args=[self.prefix]))
        )

    async def reminders_of(self, person: str) -> list[Reminder]:
        members = await self._run(lambda: self.redis.smembers(self.k("p:", person)))
        ids = sorted(m.decode() if isinstance(m, bytes) else m for m in members)
        keys = [self.k("", m) for m in ids if m.startswith("r:")]
        raws = await self._run(lambda: self.redis.mget(keys)) if keys else []
        found = [Reminder(**json.loads(raw)) for raw in raws if raw]
        return sorted(found, key=lambda r: r.due)

    async def pending_reminders(self) -> int:
        """How many reminders wait (for health output and tests)."""
        return int(await self._run(lambda: self.redis.zcard(self.k("rem"))))

    # Privacy ----------------------------------------------------------------------------------
    async def forget(self, person: str) -> int:
        keys = [self.k("p:", person), self.k("rl:", person)]
        return int(await self._run(lambda: self._forget(keys=keys, args=[self.prefix])))

    # Slack installations ----------------------------------------------------------------------
    async def save_installation(self, install_id: str, data: dict[str, Any]) -> None:
        """Store one Slack installation (bot or user) under an id the adapter chooses."""
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        await self._run(lambda: self.redis.set(self.k("inst:", install_id), raw))

    async def find_installation(self, install_id: str) -> dict[str, Any] | None:
        raw = await self._run(lambda: self.redis.get(self.k("inst:", install_id)))
        return json.loads(raw) if raw else None

    async def delete_installation(self, install_id: str) -> None:
        await self._run(lambda: self.redis.delete(self.k("inst:", install_id)))

    async def installation_ids(self) -> list[str]:
        """The ids of every stored installation (for re-encrypting them)."""
        head = self.k("inst:")

        async def call() -> list[str]:
            return [key[len(head):] async for key in self.redis.scan_iter(
                match=_glob_escape(head) + "*", count=500)]

        return await self._run(call)

    # Health -----------------------------------------------------------------------------------
    async def ping(self) -> None:
        try:
            await asyncio.wait_for(self.redis.ping(), timeout=2.0)
        except (*_DOWN, redis_errors.RedisError) as exc:
            raise as_store_error(exc) from exc

    async def check_writable(self) -> None:
        try:
            await asyncio.wait_for(self.redis.set(self.k("health"), str(time.time()), px=60_000),
                                   timeout=2.0)
        except (*_DOWN, redis_errors.RedisError) as exc:
            raise as_store_error(exc) from exc

    async def close(self) -> None:
        with suppress(*_DOWN):
            await self.redis.aclose()

    async def clear(self) -> int:
        """Delete every key under this store's prefix (tests and ``--reset`` tools only)."""

        async def call() -> int:
            n = 0
            async for name in self.redis.scan_iter(match=self.prefix + "*", count=500):
                n += await self.redis.delete(name)
            return n

        return await self._run(call)
