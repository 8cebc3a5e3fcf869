"""`clientcoach serve` (web process) and `clientcoach worker` (what is not behind HTTP)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
from collections.abc import Iterator
from typing import Any

import click

from bot.config import MissingSetting, Settings, get_settings

log = logging.getLogger("clientcoach.worker")


@click.command()
@click.option("--host", default=None, help="Interface to bind (default: all when $PORT is set).")
@click.option("--port", type=int, default=None, help="Port (default: $PORT or 8000).")
@click.option("--workers", type=int, default=None,
              help="Processes (default: $WEB_CONCURRENCY or 1)")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve Slack, Telegram webhooks and /healthz over HTTP."""
    import uvicorn

    from bot.logs import setup_logging

    settings = get_settings()
    setup_logging(settings.log_level, log_text=settings.log_text)
    workers = workers or settings.web_concurrency
    if workers > 1 and not settings.store.startswith(("redis://", "rediss://", "unix://")):
        raise click.ClickException(
            f"{workers} workers need a shared store: the SQLite and in-memory stores belong to "
            "one process (conversations would be lost between workers). Set CLIENTCOACH_STORE="
            "redis://host:6379/0, or run one worker."
        )
    options: dict[str, Any] = {
        "host": host or settings.bind_host,
        "port": port or settings.port,
        "log_config": None,
        "proxy_headers": True,
        "lifespan": "on",
        "timeout_graceful_shutdown": 10,
        **uvicorn_limits(settings),
    }
    from bot.consumer import consumer_mode

    mode = consumer_mode(settings)
    if mode == "process" or workers > 1:
        _shared_metrics()
    if workers > 1:
        with _consumers(settings, mode):
            uvicorn.run("bot.server:app_factory", factory=True, workers=workers, **options)
        return
    from bot.server import create_app

    with _consumers(settings, mode):  # started first: both processes boot side by side
        try:
            app = create_app(settings, consume=mode == "inline", freeze_heap=True)
        except MissingSetting as exc:
            raise click.ClickException(str(exc)) from exc
        uvicorn.run(app, **options)


def _shared_metrics() -> None:
    """prometheus-client's multi-process mode for this service's processes: a folder of their
    own (removed at exit; those of killed services are removed here, see
    :mod:`bot.metrics_dirs`) unless ``PROMETHEUS_MULTIPROC_DIR`` names one. Set before
    anything imports prometheus-client."""
    import atexit
    import os
    import shutil

    from bot.metrics_dirs import make_folder, remove_stale

    if os.environ.get(MULTIPROC_ENV):
        return
    remove_stale()
    folder = make_folder()
    os.environ[MULTIPROC_ENV] = folder
    _own_metrics_dirs.append(folder)
    atexit.register(shutil.rmtree, folder, True)


MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # as bot.metrics reads it (not imported this early)
_own_metrics_dirs: list[str] = []


@contextlib.contextmanager
def _consumers(settings: Settings, mode: str) -> Iterator[None]:
    """The inbox consumers beside the HTTP workers while they run (none when ``inline``)."""
    from bot.consumer import ConsumerProcesses, ConsumerThread

    running: Any = None
    if mode == "process" and settings.consumers:
        running = ConsumerProcesses(settings.consumers).start()
    elif mode == "thread":
        running = ConsumerThread(settings).start()
    if running is None:
        yield
        return
    # uvicorn re-raises the SIGTERM it stopped on; stop the consumers first, then end the same way
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    terminated = False
    try:
        yield
    except _Terminated:
        terminated = True
    finally:
        running.stop()
        signal.signal(signal.SIGTERM, previous)
        for folder in _own_metrics_dirs:  # atexit does not run when SIGTERM ends the process
            shutil.rmtree(folder, ignore_errors=True)
    if terminated:
        signal.raise_signal(signal.SIGTERM)


class _Terminated(BaseException):
    """SIGTERM arrived after uvicorn had finished with it."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated


@click.command()
def consume() -> None:
    """Handle the inbox and send reminders (`serve` starts this itself; see the README)."""
    from bot.consumer import run_consumer, shared_store
    from bot.logs import setup_logging

    settings = get_settings()
    setup_logging(settings.log_level, log_text=settings.log_text)
    if not shared_store(settings):
        raise click.ClickException(
            "a consumer of its own needs a shared store (CLIENTCOACH_STORE=redis://...): with "
            "SQLite or the in-memory store, `clientcoach serve` handles the inbox itself")
    try:
        run_consumer(settings)
    except MissingSetting as exc:
        raise click.ClickException(str(exc)) from exc


def uvicorn_limits(settings: Settings) -> dict[str, Any]:
    """Bounded resources: connections handled at once (503 beyond), accept backlog, idle
    keep-alive; slow or huge headers are cut by :mod:`bot.http_limits` (bodies by the app)."""
    from bot.http_limits import GuardedHttpToolsProtocol

    return {
        "limit_concurrency": settings.limit_concurrency,
        "backlog": settings.backlog,
        "timeout_keep_alive": settings.keepalive_s,
        "http": GuardedHttpToolsProtocol,
    }


async def run_worker(
    settings: Settings,
    *,
    telegram: bool | None = None,
    slack: bool | None = None,
    reminders: bool = True,
    stop: asyncio.Event | None = None,
    stop_after: float | None = None,
) -> None:
    """Telegram polling, Slack Socket Mode and the reminder scheduler until ``stop`` is set (or
    ``stop_after`` seconds after start-up, which takes a while on a busy machine)."""
    from bot.reminders import ReminderScheduler
    from bot.server import build_engine, build_platforms, open_configured_store

    stop = stop or asyncio.Event()
    if telegram is None:
        telegram = settings.telegram_enabled and not settings.telegram_webhook_enabled
    if slack is None:
        slack = settings.slack_socket_enabled
    if telegram:
        settings.require("TELEGRAM_BOT_TOKEN")
    if slack:
        settings.require("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN")
    can_send = settings.telegram_enabled or settings.slack_bot_token or settings.slack_oauth
    if not (telegram or slack or (reminders and can_send)):
        raise click.ClickException(
            "nothing to run: configure Telegram or Slack (see `clientcoach config check`)"
        )
    store = open_configured_store(settings)
    engine = build_engine(settings, store)
    platforms = build_platforms(settings, engine, store, http=False)

    jobs: dict[str, Any] = {}
    started: list[Any] = []
    try:
        if "telegram" in platforms:
            await platforms["telegram"].start()
            started.append(platforms["telegram"])
        if telegram:
            from bot.telegram.polling import attach_inbox

            attach_inbox(platforms["telegram"], {name: bot.process for name, bot in
                                                 platforms.items() if hasattr(bot, "process")})
            jobs["telegram-polling"] = platforms["telegram"].run_polling(stop)
        if slack:
            jobs["slack-socket"] = platforms["slack"].run_socket_mode(stop)
        if reminders and platforms:
            scheduler = ReminderScheduler(
                store, engine, platforms, interval=settings.reminder_interval_s
            )
            jobs["reminders"] = scheduler.run(stop)
        log.info("worker started", extra={"jobs": sorted(jobs)})
        if stop_after is not None:
            asyncio.get_running_loop().call_later(stop_after, stop.set)
        tasks = [asyncio.create_task(job, name=name) for name, job in jobs.items()]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        stop.set()
        await asyncio.wait(tasks, timeout=15)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        for bot in started:
            try:
                await bot.stop()
            except Exception:  # noqa: BLE001 - shutting down anyway
                log.exception("platform stop failed")
        await store.close()
        log.info("worker stopped")


@click.command()
@click.option("--telegram/--no-telegram", default=None, help="Telegram long polling.")
@click.option("--slack/--no-slack", default=None, help="Slack Socket Mode.")
@click.option("--reminders/--no-reminders", default=True, help="Send due reminders.")
def worker(telegram: bool | None, slack: bool | None, reminders: bool) -> None:
    """Run what does not live behind HTTP: polling, Socket Mode, the reminder scheduler."""
    run_worker_until_stopped(telegram=telegram, slack=slack, reminders=reminders)


def run_worker_until_stopped(
    *,
    telegram: bool | None,
    slack: bool | None,
    reminders: bool,
    seconds: float | None = None,
    required: tuple[str, ...] = (),
) -> None:
    """:func:`run_worker` from the command line: logging set up, stopped by Ctrl-C, SIGTERM or
    ``seconds`` after start-up; a missing setting ends with a message naming it."""
    from bot.logs import setup_logging

    settings = get_settings()
    setup_logging(settings.log_level, log_text=settings.log_text)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, telegram=telegram, slack=slack, reminders=reminders, stop=stop,
                         stop_after=seconds)

    try:
        settings.require(*required)
        asyncio.run(main())
    except MissingSetting as exc:
        raise click.ClickException(str(exc)) from exc
