"""The inbox consumer: engine turns and replies, apart from the HTTP workers that acknowledge.

The HTTP side only checks, deduplicates and stores a request; everything else (the engine turn,
the replies, reminders) runs here. Where it runs is ``CLIENTCOACH_CONSUMER``:

- ``process`` (the default with Redis): ``clientcoach serve`` starts ``CLIENTCOACH_CONSUMERS``
  processes of ``clientcoach consume`` beside its HTTP workers, restarts one that dies, and stops
  them when it stops. They run at a lower CPU priority (``CLIENTCOACH_CONSUMER_NICE``), so a
  burst of turns never delays an acknowledgement: acks are cheap, and Slack retries after 3 s.
- ``thread``: the same loop in a thread of the HTTP process (shares the interpreter's lock).
- ``inline`` (the default with SQLite and the in-memory store, which belong to one process):
  the consumer shares the HTTP worker's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from bot.config import Settings

log = logging.getLogger("clientcoach.consumer")

PARENT_ENV = "CLIENTCOACH_CONSUMER_PARENT"
RESTART_WAIT_S = (1.0, 2.0, 5.0, 10.0)


def shared_store(settings: Settings) -> bool:
    """Whether the store can be reached from several processes (Redis)."""
    return settings.store.startswith(("redis://", "rediss://", "unix://"))


def consumer_mode(settings: Settings) -> str:
    """``process``, ``thread`` or ``inline`` (``auto``: a process when the store is shared)."""
    mode = settings.consumer
    if mode == "auto":
        return "process" if shared_store(settings) else "inline"
    if mode in ("process", "thread") and not shared_store(settings):
        return "inline"  # SQLite and the in-memory store belong to one process
    return mode


async def consume(settings: Settings, stop: asyncio.Event, *, nice: int = 0,
                  freeze_heap: bool = False) -> None:
    """Handle inbox entries (and send due reminders) until ``stop`` is set; ``nice`` lowers
    this process's CPU priority once it is ready, ``freeze_heap`` (a process of its own)
    freezes what start-up built (:mod:`bot.heap`)."""
    from bot.server import _inbox_runner, build_engine, build_platforms, open_configured_store

    store = open_configured_store(settings)
    engine = build_engine(settings, store)
    platforms = build_platforms(settings, engine, store, http=False)
    runner = _inbox_runner(settings, store, platforms)
    started: list[Any] = []
    jobs: list[asyncio.Task[None]] = []
    try:
        for name, bot in platforms.items():
            if hasattr(bot, "start"):
                await _start(name, bot)
                started.append(bot)
        if runner is not None:
            jobs.append(asyncio.create_task(runner.run(stop), name="inbox"))
        if settings.web_reminders and platforms:
            from bot.reminders import ReminderScheduler

            scheduler = ReminderScheduler(store, engine, platforms,
                                          interval=settings.reminder_interval_s)
            jobs.append(asyncio.create_task(scheduler.run(stop), name="reminders"))
        if freeze_heap:
            from bot.heap import freeze_startup_heap

            freeze_startup_heap()
        log.info("consumer ready", extra={"platforms": sorted(platforms)})
        if nice:  # after the start-up, which should not be slowed down
            with contextlib.suppress(OSError):
                os.nice(nice)
        await stop.wait()
        if jobs:
            await asyncio.wait(jobs, timeout=15)
    finally:
        for job in jobs:
            job.cancel()
        for bot in started:
            with contextlib.suppress(Exception):
                await bot.stop()
        await store.close()
        log.info("consumer stopped")


async def _start(name: str, bot: Any) -> None:
    """Start a platform for sending; Telegram's webhook is the HTTP worker's to register."""
    if name == "telegram":
        await bot.start(webhook=False)
    else:
        await bot.start()


def _watch_parent(stop: asyncio.Event, loop: asyncio.AbstractEventLoop) -> None:
    """Stop when the process that started this one is gone (even killed with SIGKILL)."""
    parent = int(os.environ.get(PARENT_ENV) or 0)
    if not parent:
        return
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    def check() -> None:
        if os.getppid() != parent:
            log.warning("consumer parent gone, stopping")
            stop.set()
            return
        loop.call_later(1.0, check)

    check()


def run_consumer(settings: Settings) -> None:
    """``clientcoach consume``: :func:`consume` until SIGTERM, Ctrl-C or the parent's end."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        _watch_parent(stop, loop)
        await consume(settings, stop, nice=settings.consumer_nice, freeze_heap=True)

    asyncio.run(main())


class ConsumerProcesses:
    """The consumer processes of one ``clientcoach serve``: started, restarted, stopped."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.procs: list[subprocess.Popen[bytes] | None] = [None] * count
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="consumers", daemon=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "consume"], env=env)

    def start(self) -> ConsumerProcesses:
        for i in range(self.count):
            self.procs[i] = self._spawn()
        self._watcher.start()
        return self

    def _watch(self) -> None:
        failures = [0] * self.count
        while not self._stopping.wait(0.5):
            for i, proc in enumerate(self.procs):
                if proc is None or proc.poll() is None or self._stopping.is_set():
                    continue
                wait = RESTART_WAIT_S[min(failures[i], len(RESTART_WAIT_S) - 1)]
                log.error("consumer exited, restarting",
                          extra={"code": proc.returncode, "restart_in_s": wait})
                failures[i] += 1
                if self._stopping.wait(wait):
                    return
                self.procs[i] = self._spawn()

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM each (they finish the turns in hand), SIGKILL what is left at ``timeout``."""
        self._stopping.set()
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            if proc is None:
                continue
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


class ConsumerThread:
    """:func:`consume` on an event loop of its own in a thread of the HTTP process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="consumer", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            await consume(self.settings, self._stop)

        asyncio.run(main())

    def start(self) -> ConsumerThread:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self, timeout: float = 20.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
