"""Redis for tests: the shared server on 127.0.0.1:6379 (skip when absent) and spare servers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

REDIS_HOST = "127.0.0.1"
REDIS_PORT = int(os.environ.get("CLIENTCOACH_TEST_REDIS_PORT", "6379"))
REDIS_DB = int(os.environ.get("CLIENTCOACH_TEST_REDIS_DB", "0"))


def redis_answers(port: int = REDIS_PORT, host: str = REDIS_HOST) -> bool:
    """True when a Redis server answers PING on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def require_redis() -> None:
    """Skip the calling test when no Redis answers on the shared port."""
    if not redis_answers():
        pytest.skip(f"no Redis answers on {REDIS_HOST}:{REDIS_PORT} (start redis-server to run)")


def unique_prefix() -> str:
    """A key prefix of its own for one test, so runs never see each other's keys."""
    return f"cctest:{uuid.uuid4().hex[:10]}:"


def redis_url(prefix: str, port: int = REDIS_PORT, db: int = REDIS_DB) -> str:
    return f"redis://{REDIS_HOST}:{port}/{db}?prefix={prefix}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((REDIS_HOST, 0))
        return sock.getsockname()[1]


class SpareRedis:
    """A throw-away ``redis-server`` on a spare loopback port that tests can stop and start."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("redis-server is not installed: outage tests need their own Redis")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="cc-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary or "redis-server", "--bind", REDIS_HOST, "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if redis_answers(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError("spare redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
            self.proc = None

    def url(self, prefix: str = "cc:") -> str:
        return f"redis://{REDIS_HOST}:{self.port}/0?prefix={prefix}"

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.asynccontextmanager
async def scratch_redis() -> AsyncIterator[str]:
    """A Redis URL with a key prefix of its own; its keys are deleted afterwards (skip without
    Redis)."""
    from bot.store.redis import RedisSessionStore

    require_redis()
    url = redis_url(unique_prefix())
    try:
        yield url
    finally:
        cleaner = RedisSessionStore(url)
        await cleaner.clear()
        await cleaner.close()


@contextlib.contextmanager
def scratch_redis_url() -> Iterator[str]:
    """:func:`scratch_redis` for synchronous fixtures (processes started by the test)."""
    from bot.store.redis import RedisSessionStore

    require_redis()
    url = redis_url(unique_prefix())
    try:
        yield url
    finally:

        async def clean() -> None:
            cleaner = RedisSessionStore(url)
            await cleaner.clear()
            await cleaner.close()

        asyncio.run(clean())



@contextlib.contextmanager
def scratch_store_url(kind: str, directory: Path) -> Iterator[str]:
    """A store URL for processes started by a test: a SQLite file in ``directory``, or (``kind``
    "redis") a scratch prefix on the test Redis, cleaned afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'cc.sqlite3'}"
        return
    with scratch_redis_url() as url:
        yield url
