"""The HTTP service over real HTTP: health with a real Redis going down and up, body cap, lifespan,
the reminder loop, platforms mounted only when configured."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from redis_helpers import SpareRedis, redis_url, require_redis, unique_prefix
from server_helpers import running_server
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.config import Settings
from bot.models import ConversationKey, Reply
from bot.server import build_platforms, create_app
from bot.store.base import Reminder
from bot.store.redis import RedisSessionStore

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class FakeEngine:
    def reminder_reply(self, reminder: Reminder) -> list[Reply]:
        return [Reply(text="follow-up", lang=reminder.lang)]  # type: ignore[arg-type]


class FakePlatform:
    """Stands for an adapter: one route that echoes the body size, a recording ``send``."""

    def __init__(self) -> None:
        self.sent: list[ConversationKey] = []
        self.events: list[str] = []

    async def echo(self, request: Request) -> JSONResponse:
        return JSONResponse({"size": len(await request.body())})

    def routes(self) -> list[Route]:
        return [Route("/fake/events", self.echo, methods=["POST"])]

    async def start(self) -> None:
        self.events.append("start")

    async def stop(self) -> None:
        self.events.append("stop")

    async def send(self, key: ConversationKey, replies: list[Reply]) -> None:
        self.sent.append(key)


def settings(**env: object) -> Settings:
    return Settings(CLIENTCOACH_STORE="redis://unused", **env)  # type: ignore[arg-type]


@pytest.fixture
async def store():
    require_redis()
    prefix = unique_prefix()
    store = RedisSessionStore(redis_url(prefix))
    yield store
    await store.clear()
    await store.close()


async def test_health_body_cap_lifespan_and_reminders(store):
    fake = FakePlatform()
    cfg = settings(CLIENTCOACH_MAX_BODY_BYTES=1000, CLIENTCOACH_REMINDER_INTERVAL=0.05)
    await store.add_reminder(Reminder(id="r1", key="test|c||u", person="test|u",
                                      due=time.time() - 5, lang="fr", topic="rates"))
    app = create_app(cfg, engine=FakeEngine(), store=store, platforms={"test": fake})
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "ok" and health.json()["platforms"] == ["test"]
        assert (await client.post("/fake/events", content=b"x" * 1000)).json() == {"size": 1000}
        assert (await client.post("/fake/events", content=b"x" * 1001)).status_code == 413

        async def chunks():
            for _ in range(5):
                yield b"y" * 300

        streamed = await client.post("/fake/events", content=chunks())
        assert streamed.status_code == 413
        for _ in range(100):
            if fake.sent:
                break
            await asyncio.sleep(0.02)
        assert fake.sent == [ConversationKey(platform="test", chat="c", user="u")]
        assert fake.events == ["start"]
    assert fake.events == ["start", "stop"]
    assert await store.pending_reminders() == 0


async def test_healthz_503_while_redis_is_down_then_recovers():
    spare = SpareRedis()
    spare.start()
    store = RedisSessionStore(spare.url(), timeout=0.5)
    app = create_app(settings(), engine=FakeEngine(), store=store, platforms={}, reminders=False)
    try:
        async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/healthz")).status_code == 200
            spare.stop()
            started = time.monotonic()
            down = await client.get("/healthz")
            assert down.status_code == 503
            assert down.json() == {"status": "unavailable", "store": "down"}
            assert time.monotonic() - started < 3
            spare.start()
            assert (await client.get("/healthz")).status_code == 200
    finally:
        await store.close()
        spare.close()


def test_platforms_only_when_configured():
    cfg = settings()
    assert build_platforms(cfg, None, None, http=True) == {}  # type: ignore[arg-type]
    assert not settings(TELEGRAM_BOT_TOKEN="1:x").telegram_webhook_enabled
    assert settings(TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_WEBHOOK_SECRET="s").telegram_webhook_enabled
    assert not settings(SLACK_BOT_TOKEN="xoxb-1").slack_http_enabled
    assert settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s").slack_http_enabled
    assert settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1").slack_socket_enabled


def test_bind_host_follows_port(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    assert settings().bind_host == "127.0.0.1"
    monkeypatch.setenv("PORT", "5000")
    assert settings().bind_host == "0.0.0.0" and settings().port == 5000
    assert settings(CLIENTCOACH_HOST="::1").bind_host == "::1"


class FlakyPlatform(FakePlatform):
    """A platform whose API is unreachable for its first two start attempts."""

    def __init__(self) -> None:
        super().__init__()
        self.tries = 0

    async def start(self) -> None:
        self.tries += 1
        if self.tries <= 2:
            raise ConnectionError("api unreachable")
        await super().start()


async def test_platform_start_failure_does_not_keep_the_service_down(store, monkeypatch):
    import bot.server

    monkeypatch.setattr(bot.server, "START_WAIT_S", 0.05)
    monkeypatch.setattr(bot.server, "START_RETRY_S", (0.1,))
    flaky = FlakyPlatform()
    app = create_app(settings(), engine=FakeEngine(), store=store, platforms={"test": flaky},
                     reminders=False)
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/healthz")).status_code == 200
        for _ in range(100):
            if flaky.events:
                break
            await asyncio.sleep(0.02)
        assert flaky.tries == 3 and flaky.events == ["start"]
    assert flaky.events == ["start", "stop"]


async def test_engine_gets_rate_limit_and_window_from_settings(store):
    from bot.server import build_engine

    engine = build_engine(settings(CLIENTCOACH_RATE_LIMIT=7, CLIENTCOACH_RATE_WINDOW=5), store)
    assert (engine.rate_limit, engine.rate_window) == (7, 5.0)
