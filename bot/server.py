"""The HTTP service: one Starlette app for Slack, Telegram, ``/healthz`` and the reminder loop.

Each platform is mounted only when its configuration is present, and its package is imported only
then. ``create_app`` builds the store and the engine from the settings unless they are given.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager, suppress
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.config import Settings, get_settings
from bot.metrics import METRICS
from bot.store.base import SessionStore, StoreUnavailable

log = logging.getLogger("clientcoach.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def open_configured_store(settings: Settings) -> SessionStore:
    """The store named by ``CLIENTCOACH_STORE`` (``sqlite:///path`` or ``redis://host:port/db``)."""
    from bot.store import open_store

    return open_store(settings.store, idle_seconds=settings.session_idle_hours * 3600,
                      pool_size=settings.redis_pool_size,
                      pool_timeout=settings.redis_pool_timeout_s)


def build_engine(settings: Settings, store: SessionStore) -> Any:
    """The engine over ``store`` (``bot.engine`` is imported here, not at module import)."""
    from bot import engine as engine_module

    factory = getattr(engine_module, "build_engine", None)
    if factory is not None:
        return factory(settings=settings, store=store)
    return engine_module.Engine(store=store, settings=settings)


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class BodyLimit:
    """Answer 413 to any request body above ``max_bytes`` (declared or streamed) and 408 (and
    ``connection: close``) to one that has not fully arrived ``timeout_s`` after the request
    began (a slow client), without a traceback."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], max_bytes: int,
                 timeout_s: float = 10.0):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                await _refuse(400, "bad content-length", scope, receive, send)
                return
            if too_big:
                await _refuse(413, "request too large", scope, receive, send)
                return
        seen = 0
        started = False
        body_done = False
        deadline = asyncio.get_running_loop().time() + self.timeout_s

        async def limited_receive() -> Message:
            nonlocal seen, body_done
            if body_done:  # waiting for a disconnect after the body: no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _TooSlow from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
                body_done = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except (_TooLarge, _TooSlow) as exc:
            slow = isinstance(exc, _TooSlow)
            METRICS.http_refused.labels("body_too_slow" if slow else "body_too_large").inc()
            if not started:
                await _refuse(408 if slow else 413,
                              "request too slow" if slow else "request too large",
                              scope, receive, send)


async def _refuse(status: int, error: str, scope: Scope, receive: Receive, send: Send) -> None:
    """A short JSON error; a client too slow with its body also loses the connection."""
    headers = {"connection": "close"} if status == 408 else None
    await JSONResponse({"error": error}, status, headers=headers)(scope, receive, send)


def build_platforms(settings: Settings, engine: Any, store: SessionStore, *, http: bool) -> dict:
    """The configured adapters: those served over HTTP (``http``) or all that can send."""
    platforms: dict[str, Any] = {}
    can_send = bool(settings.slack_bot_token or settings.slack_oauth)
    if settings.slack_http_enabled or (not http and can_send):
        from bot.slack import SlackBot

        platforms["slack"] = SlackBot(settings, engine, store)
    if settings.telegram_webhook_enabled or (not http and settings.telegram_enabled):
        from bot.telegram import TelegramBot

        platforms["telegram"] = TelegramBot(settings, engine, store)
    return platforms


START_WAIT_S = 20.0
START_RETRY_S = (1.0, 2.0, 5.0, 10.0, 30.0)


async def _start_platform(name: str, bot: Any, stop: asyncio.Event) -> None:
    """``bot.start()``, retried with backoff until it works or the service stops."""
    attempt = 0
    while not stop.is_set():
        try:
            await bot.start()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a platform API outage must not stop the service
            delay = START_RETRY_S[min(attempt, len(START_RETRY_S) - 1)]
            attempt += 1
            log.error("platform start failed, retrying",
                      extra={"platform": name, "error": type(exc).__name__, "retry_in_s": delay})
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
        else:
            log.info("platform started", extra={"platform": name, "attempts": attempt + 1})
            return


def _inbox_runner(settings: Settings, store: SessionStore, platforms: dict[str, Any]) -> Any:
    """The inbox worker for the platforms that queue their requests (those with ``process``)."""
    queuing = {name: bot for name, bot in platforms.items() if hasattr(bot, "process")}
    if not queuing:
        return None
    from bot.inbox import open_inbox
    from bot.inbox.runner import InboxRunner

    inbox = open_inbox(store, maxlen=settings.inbox_maxlen)
    runner = InboxRunner(inbox, {name: bot.process for name, bot in queuing.items()},
                         concurrency=settings.inbox_concurrency,
                         claim_idle_s=settings.inbox_claim_idle_s,
                         max_attempts=settings.inbox_max_attempts)
    for bot in queuing.values():
        bot.inbox, bot.runner = inbox, runner
    return runner


def _senders(platforms: dict[str, Any]) -> dict[str, Any]:
    return {name: bot for name, bot in platforms.items() if hasattr(bot, "send")}


def create_app(
    settings: Settings | None = None,
    *,
    engine: Any = None,
    store: SessionStore | None = None,
    reminders: bool | None = None,
    platforms: dict[str, Any] | None = None,
    consume: bool = True,
    freeze_heap: bool = False,
) -> Starlette:
    """The ASGI application.

    ``reminders`` overrides ``CLIENTCOACH_WEB_REMINDERS``; ``platforms`` (name → object with
    ``routes()`` and ``send()``) replaces the adapters the settings would build. With
    ``consume=False`` requests are only stored in the inbox: a consumer of its own
    (:mod:`bot.consumer`) handles them and sends the reminders. ``freeze_heap`` (the
    ``serve`` command) freezes what start-up built once the service is ready (:mod:`bot.heap`).
    """
    settings = settings or get_settings()
    own_store = store is None
    store = store if store is not None else open_configured_store(settings)
    engine = engine if engine is not None else build_engine(settings, store)
    run_reminders = settings.web_reminders if reminders is None else reminders
    run_reminders = run_reminders and consume

    if platforms is None:
        platforms = build_platforms(settings, engine, store, http=True)
    routes: list[BaseRoute] = [r for bot in platforms.values() for r in bot.routes()]
    runner = _inbox_runner(settings, store, platforms)
    inbox = runner.inbox if runner is not None else None
    if not consume:
        for bot in platforms.values():
            if getattr(bot, "runner", None) is runner:
                bot.runner = None
        runner = None

    async def healthz(request: Request) -> JSONResponse:
        started = time.perf_counter()
        try:
            await store.check_writable()
        except StoreUnavailable:
            log.warning("health check: store unavailable")
            return JSONResponse({"status": "unavailable", "store": "down"}, status_code=503)
        latency = round((time.perf_counter() - started) * 1000, 2)
        return JSONResponse(
            {"status": "ok", "store": "ok", "store_ms": latency, "platforms": sorted(platforms)}
        )

    async def metrics(request: Request) -> Response:
        if inbox is not None:
            with suppress(StoreUnavailable):
                waiting, pending, age = await inbox.depth()
                METRICS.queue_depth.set(waiting)
                METRICS.queue_pending.set(pending)
                METRICS.queue_age.set(age)
        body, kind = METRICS.render()
        return Response(body, media_type=kind)

    routes.append(Route("/healthz", healthz, methods=["GET", "HEAD"]))
    routes.append(Route("/metrics", metrics, methods=["GET"]))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task: asyncio.Task[None] | None = None
        starting = [
            asyncio.create_task(_start_platform(name, bot, stop), name=f"start-{name}")
            for name, bot in platforms.items()
            if hasattr(bot, "start")
        ]
        # Give platforms a moment to come up; one that cannot reach its API keeps retrying in
        # the background instead of keeping the whole service (and /healthz) down. Entries left
        # in the inbox (by a worker that died) are handled once the platforms are up.
        if starting:
            await asyncio.wait(starting, timeout=START_WAIT_S)
        inbox_task = (asyncio.create_task(runner.run(stop), name="inbox")
                      if runner is not None else None)
        if run_reminders and platforms:
            from bot.reminders import ReminderScheduler

            scheduler = ReminderScheduler(
                store, engine, _senders(platforms), interval=settings.reminder_interval_s
            )
            app.state.scheduler = scheduler
            task = asyncio.create_task(scheduler.run(stop), name="reminders")
        if freeze_heap:
            from bot.heap import freeze_startup_heap

            freeze_startup_heap()
        log.info("service ready", extra={"platforms": sorted(platforms)})
        try:
            yield
        finally:
            stop.set()
            for pending in starting:
                pending.cancel()
            if inbox_task is not None:
                with suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(inbox_task, timeout=15)
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout=10)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
            for name, bot in platforms.items():
                stop_bot = getattr(bot, "stop", None)
                if stop_bot is not None:
                    try:
                        await stop_bot()
                    except Exception:  # noqa: BLE001 - keep shutting the others down
                        log.exception("platform stop failed", extra={"platform": name})
            if own_store:
                await store.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                               timeout_s=settings.body_timeout_s)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.engine = engine
    app.state.platforms = platforms
    return app


def app_factory() -> Starlette:
    """Entry point for ``uvicorn --factory``: logging, settings and the app from the environment."""
    from bot.consumer import consumer_mode
    from bot.logs import setup_logging

    settings = get_settings()
    setup_logging(settings.log_level, log_text=settings.log_text)
    return create_app(settings, consume=consumer_mode(settings) == "inline", freeze_heap=True)
