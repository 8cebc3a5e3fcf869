"""The inbox on Redis: a Stream with one consumer group shared by every worker.

- ``p in``        the stream (``XADD ... MAXLEN ~ n``), fields platform, key, order, body, at;
- group ``work``  ``XREADGROUP`` hands each entry to one worker, ``XACK`` + ``XDEL`` finish it,
  ``XAUTOCLAIM`` takes over entries idle for longer than the claim time (a dead worker's), and
  live workers ``XCLAIM ... JUSTID`` what they hold, which resets its idle time;
- ``p e:<key>``   the dedupe mark, written in the same script as the entry;
- puts made in the same turn of the event loop (a burst of acknowledgements) go to Redis in one
  pipeline: each is still its own script, atomic, with its own answer, but they share one
  connection, one write and one read (redis-py's per-command work was a quarter of an HTTP
  worker's CPU under load);
- ``p j:<step>``  the delivery journal ("sending" / "sent" per reply), ``p jv:<key>`` replies
  computed for an event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from typing import Any

from redis import exceptions as redis_errors

from bot.inbox.base import JOURNAL_TTL_S, Entry, Inbox
from bot.store.base import StoreUnavailable
from bot.store.redis import MIN_EVENT_TTL, RedisSessionStore

GROUP = "work"
UNCLAIMED = "unclaimed"  # holds entries handed back by a worker without their platform
HANDED_BACK_IDLE_MS = 24 * 3600 * 1000
PUT_BATCH = 64  # puts per pipeline at most

# KEYS: mark, stream, person index. ARGV: person, ttl ms, maxlen, platform, key, order, body, at
_PUT = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
if ARGV[1] ~= '' then
  redis.call('SADD', KEYS[3], 'e:' .. ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ARGV[2], 'NX')
  redis.call('PEXPIRE', KEYS[3], ARGV[2], 'GT')
end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'p', ARGV[4], 'k', ARGV[5],
                  'o', ARGV[6], 'b', ARGV[7], 't', ARGV[8])
"""


# KEYS: journal step. ARGV: old value, new value, ttl ms
_REPLACE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""


def _entry(entry_id: str, fields: dict[str, str]) -> Entry:
    return Entry(entry_id, fields.get("p", ""), fields.get("k", ""), fields.get("o", ""),
                 fields.get("b", ""), float(fields.get("t") or 0))


class RedisInbox(Inbox):
    """The inbox of a :class:`RedisSessionStore`, sharing its connection pool."""

    def __init__(self, store: RedisSessionStore, *, maxlen: int = 100_000) -> None:
        self.store = store
        self.redis = store.redis
        self.stream = store.k("in")
        self.maxlen = maxlen
        self._put = self.redis.register_script(_PUT)
        self._replace = self.redis.register_script(_REPLACE)
        self._group_ready = False
        self._claim_from = "0-0"  # XAUTOCLAIM's cursor: a long pending list is scanned in turns
        self._puts: list[tuple[list[Any], asyncio.Future[Any]]] = []  # waiting for the pipeline
        self._sending: set[asyncio.Task[None]] = set()

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis_errors.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def put(self, platform: str, key: str, order: str, body: str,
                  person: str | None = None, ttl: float = 900) -> bool:
        ttl_ms = int(max(ttl, MIN_EVENT_TTL) * 1000)
        keys = [self.store.k("e:", key), self.stream, self.store.k("p:", person or "-")]
        args = [person or "", ttl_ms, self.maxlen, platform, key, order, body, time.time()]
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        self._puts.append(([len(keys), *keys, *args], answer))
        if len(self._puts) == 1:  # the first of this turn: the others join it until it runs
            loop.call_soon(self._send_puts)
        return bool(await answer)

    def _send_puts(self) -> None:
        waiting, self._puts = self._puts, []
        task = asyncio.create_task(self._send_in_order(waiting))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send_in_order(self, waiting: list[tuple[list[Any], asyncio.Future[Any]]]) -> None:
        try:
            for start in range(0, len(waiting), PUT_BATCH):  # in the order they were made
                await self._pipelined(waiting[start:start + PUT_BATCH])
        finally:  # cancelled (shutting down): nobody is left waiting for an answer
            for _, future in waiting:
                if not future.done():
                    future.set_exception(StoreUnavailable("redis: put not sent"))

    async def _pipelined(self, puts: list[tuple[list[Any], asyncio.Future[Any]]]) -> None:
        """Run the put scripts in one pipeline and hand each caller its own answer (or error).
        A Redis that lost its script cache (restarted) answers NOSCRIPT, with nothing done:
        those puts are sent again with the script's text."""
        async def run(todo: list[tuple[list[Any], asyncio.Future[Any]]],
                      by_text: bool) -> list[Any]:
            async with self.redis.pipeline(transaction=False) as pipe:
                for call, _ in todo:
                    if by_text:
                        pipe.eval(self._put.script, *call)
                    else:
                        pipe.evalsha(self._put.sha, *call)
                return await pipe.execute(raise_on_error=False)

        try:
            answers = await self.store._run(lambda: run(puts, False))
            again = [i for i, a in enumerate(answers) if isinstance(a, redis_errors.NoScriptError)]
            if again:
                retried = await self.store._run(lambda: run([puts[i] for i in again], True))
                for i, a in zip(again, retried, strict=True):
                    answers[i] = a
        except StoreUnavailable as exc:
            for _, future in puts:
                if not future.done():
                    future.set_exception(type(exc)(*exc.args))  # one instance per caller
            return
        except Exception as exc:  # noqa: BLE001 - raised by each caller's put instead
            for _, future in puts:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), a in zip(puts, answers, strict=True):
            if future.done():  # the caller went away (its client disconnected)
                continue
            if isinstance(a, Exception):
                future.set_exception(a)
            else:
                future.set_result(a)

    async def _grouped(self, call: Any) -> Any:
        """Run ``call`` with the group in place; a Redis that came back empty (no persistence)
        has lost the stream and its group: both are created again, and the call retried."""
        async def attempt() -> Any:
            await self._ensure_group()
            try:
                return await call()
            except redis_errors.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                self._group_ready = False
                await self._ensure_group()
                return await call()

        return await self.store._run(attempt)

    async def read(self, consumer: str, count: int, block_s: float,
                   platforms: Collection[str] | None = None) -> list[Entry]:
        answer = await self._grouped(lambda: self.redis.xreadgroup(
            GROUP, consumer, {self.stream: ">"}, count=count, block=max(1, int(block_s * 1000))))
        return await self._own([_entry(i, f) for _, rows in answer or [] for i, f in rows if f],
                               platforms)

    async def reclaim(self, consumer: str, idle_s: float, count: int,
                      platforms: Collection[str] | None = None) -> list[Entry]:
        answer = await self._grouped(lambda: self.redis.xautoclaim(
            self.stream, GROUP, consumer, min_idle_time=int(idle_s * 1000), count=count,
            start_id=self._claim_from))
        if not answer:
            return []
        self._claim_from = answer[0] or "0-0"
        return await self._own([_entry(i, f) for i, f in answer[1] if f], platforms)

    async def _own(self, entries: list[Entry], platforms: Collection[str] | None) -> list[Entry]:
        """The entries of ``platforms``; the others are handed back at once: pending under no
        worker and already idle past any claim delay, so a worker that has their platform takes
        them over at its next claim instead of waiting for this one's to expire."""
        if platforms is None:
            return entries
        foreign = [e.id for e in entries if e.platform not in platforms]
        if foreign:
            await self._grouped(lambda: self.redis.xclaim(
                self.stream, GROUP, UNCLAIMED, min_idle_time=0, message_ids=foreign,
                idle=HANDED_BACK_IDLE_MS, justid=True))
        return [e for e in entries if e.platform in platforms]

    async def touch(self, consumer: str, ids: list[str]) -> None:
        if ids:
            await self._grouped(lambda: self.redis.xclaim(
                self.stream, GROUP, consumer, min_idle_time=0, message_ids=ids, justid=True))

    async def ack(self, entry_id: str) -> None:
        async def call() -> None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.xack(self.stream, GROUP, entry_id)
                pipe.xdel(self.stream, entry_id)
                await pipe.execute()

        await self.store._run(call)

    async def depth(self) -> tuple[int, int, float]:
        async def call() -> tuple[int, int, float]:
            length = await self.redis.xlen(self.stream)
            pending = (await self.redis.xpending(self.stream, GROUP))["pending"]
            first = await self.redis.xrange(self.stream, count=1)
            age = time.time() - int(first[0][0].split("-")[0]) / 1000 if first else 0.0
            return max(0, length - pending), pending, max(0.0, age)

        return await self._grouped(call)

    async def mark(self, step: str, state: str) -> str | None:
        name = self.store.k("j:", step)
        ttl = int(JOURNAL_TTL_S * 1000)
        if state == "sent":
            await self.store._run(lambda: self.redis.set(name, state, px=ttl))
            return None
        return await self.store._run(
            lambda: self.redis.set(name, state, px=ttl, nx=True, get=True))

    async def replace(self, step: str, old: str, new: str) -> bool:
        keys, args = [self.store.k("j:", step)], [old, new, int(JOURNAL_TTL_S * 1000)]
        return bool(await self.store._run(lambda: self._replace(keys=keys, args=args)))

    async def recall(self, key: str) -> str | None:
        return await self.store._run(lambda: self.redis.get(self.store.k("jv:", key)))

    async def keep(self, key: str, value: str) -> str:
        name = self.store.k("jv:", key)
        before = await self.store._run(lambda: self.redis.set(
            name, value, px=int(JOURNAL_TTL_S * 1000), nx=True, get=True))
        return before if before is not None else value
