"""Hostile and malformed requests against the real Slack and Telegram apps over real HTTP: the
log stays small and free of bodies, nothing answers 500, nothing writes a traceback."""

from __future__ import annotations

import io
import json
import logging
import time

import httpx
import pytest
from server_helpers import running_server
from slack_helpers import BOT_TOKEN, SIGNING_SECRET, action_request, event_request, payload, sign

from bot.config import Settings
from bot.engine import Engine
from bot.logs import setup_logging
from bot.server import create_app
from bot.standins.slack_api import SlackApiStandIn
from bot.store import open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def log_stream():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    setup_logging("INFO", stream=stream, json_lines=True)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
async def base(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    api = SlackApiStandIn().start()
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN=BOT_TOKEN,
                        SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=api.api_url,
                        CLIENTCOACH_STORE=f"sqlite:///{tmp_path / 'coach.sqlite3'}",
                        CLIENTCOACH_MAX_BODY_BYTES=1_100_000)
    store = open_store(settings.store)
    app = create_app(settings, engine=Engine(store), store=store, reminders=False)
    try:
        async with running_server(app) as url:
            yield url, app.state.platforms["slack"]
    finally:
        api.stop()
        await store.close()


async def test_fifty_unsigned_one_megabyte_requests_add_little_log(base, log_stream):
    url, _ = base
    body = json.dumps({"type": "event_callback", "event": {"type": "message",
                                                           "text": "Zyxwvut " * 125_000}})
    assert 990_000 < len(body) < 1_100_000
    before = len(log_stream.getvalue())
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30) as client:
        for n in range(50):
            headers = {"X-Slack-Request-Timestamp": str(int(time.time())),
                       "X-Slack-Signature": f"v0={n:064x}", "Content-Type": "application/json"}
            answer = await client.post("/slack/events", content=body, headers=headers)
            assert answer.status_code == 401
    added = log_stream.getvalue()[before:]
    assert len(added.encode()) < 20_000
    assert "Zyxwvut" not in added and "Traceback" not in added
    assert "signature" in added  # one short line says why


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "٣٣٣".encode(), b"\xff\xfe", "9" * 40])
async def test_odd_timestamps_are_401_without_traceback(base, log_stream, timestamp):
    url, _ = base
    async with httpx.AsyncClient(base_url=url, trust_env=False) as client:
        answer = await client.post("/slack/events", content=b'{"type":"event_callback"}',
                                   headers=[(b"X-Slack-Request-Timestamp", timestamp),
                                            (b"X-Slack-Signature", b"v0=00")])
    assert answer.status_code == 401
    assert "Traceback" not in log_stream.getvalue()


def _signed_post(data: object, *, form: bool = False) -> tuple[str, dict[str, str]]:
    if form:
        return action_request(data)  # type: ignore[arg-type]
    text = json.dumps(data)
    return text, sign(text)


SHAPES = [
    {"type": "event_callback", "event_id": "EvNULL1", "event": None},
    {"type": "event_callback", "event_id": "EvLIST1", "event": []},
    {"type": "event_callback", "event_id": "EvSTR1", "event": "message"},
    {"type": "event_callback", "event": {"type": "message", "channel": 5, "user": None}},
    {"type": None},
    [],
    "just a string",
    {"type": "block_actions", "actions": [{"value": "x"}], "user": {"id": "U1"}},
    {"type": "block_actions", "actions": 7},
]


@pytest.mark.parametrize("shape", range(len(SHAPES)))
async def test_signed_odd_shapes_never_give_500(base, log_stream, shape):
    url, bot = base
    data = SHAPES[shape]
    form = isinstance(data, dict) and data.get("type") == "block_actions"
    body, headers = _signed_post(data, form=form)
    async with httpx.AsyncClient(base_url=url, trust_env=False) as client:
        answer = await client.post("/slack/events", content=body, headers=headers)
    await bot.drain()
    assert answer.status_code < 500
    assert "Traceback" not in log_stream.getvalue()


async def test_a_real_event_still_gets_its_answer(base):
    url, bot = base
    data = payload("message_im", text="hello")
    data["event_id"] = f"EvOK{time.monotonic_ns()}"
    body, headers = event_request(data)
    async with httpx.AsyncClient(base_url=url, trust_env=False) as client:
        assert (await client.post("/slack/events", content=body,
                                  headers=headers)).status_code == 200
    await bot.drain()
    assert bot is not None


async def test_an_abandoned_upload_logs_no_traceback(base, log_stream):
    import asyncio

    url, _ = base
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                 b"Content-Type: application/json\r\n\r\n" + b"{" * 1000)
    await writer.drain()
    writer.close()
    await asyncio.sleep(0.3)
    assert "Traceback" not in log_stream.getvalue()
