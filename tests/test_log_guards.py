"""Framework log lines cut short, access lines without query strings, repeated lines summarised."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import RepeatLimit, setup_logging


@pytest.fixture
def stream():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    out = io.StringIO()
    setup_logging("DEBUG", stream=out, json_lines=True)
    yield out
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_bolt_and_slack_sdk_lines_lose_bodies_tokens_and_tracebacks(stream):
    bolt = logging.getLogger("clientcoach.slack.framework")
    bolt.setLevel(logging.DEBUG)
    body = "token=xoxb-1-2&text=Zyxwvut owes me money&response_url=https://hooks.slack.com/x"
    line = f"Invalid request signature detected (signature: v0=1, timestamp: 1, body: {body})"
    bolt.info(line)
    bolt.warning(line)
    try:
        raise ValueError(body)
    except ValueError:
        logging.getLogger("slack_sdk.web.async_base_client").exception("Failed %s", body)
    logging.getLogger("slack_bolt.AsyncApp").debug("Sending a request - body: %s", body)
    out = stream.getvalue()
    assert "Zyxwvut" not in out and "xoxb" not in out and "hooks.slack.com" not in out
    records = lines(stream)
    assert [r["msg"] for r in records] == ["Invalid request signature detected", "Failed"]
    assert records[1]["error"] == "ValueError" and "exc" not in records[1]


def test_access_lines_keep_the_path_not_the_query(stream):
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET",
        "/slack/oauth_redirect?code=SECRETCODE123&state=abc", "1.1", 302)
    out = stream.getvalue()
    assert "SECRETCODE123" not in out and "/slack/oauth_redirect" in out


def test_the_same_error_a_thousand_times_is_written_a_few_times():
    now = [0.0]
    guard = RepeatLimit(per_minute=5, clock=lambda: now[0])

    def record(msg: str) -> logging.LogRecord:
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, None, None)

    passed = [guard.filter(record("socket.accept() out of system resource")) for _ in range(1000)]
    assert sum(passed) == 5
    assert guard.filter(record("another error"))  # other lines are not held back
    assert guard.filter(logging.LogRecord("x", logging.INFO, __file__, 1, "turn", None, None))
    now[0] = 61.0
    first = record("socket.accept() out of system resource")
    assert guard.filter(first) and first.suppressed == 995


def test_access_lines_are_kept_after_an_earlier_uvicorn_config():
    """uvicorn.Config(log_level=..., access_log=False) leaves its loggers at WARNING without
    handlers (a test server started earlier in the same process does that): logging set up
    afterwards still gets the access lines."""
    import uvicorn

    uvicorn.Config(lambda scope, receive, send: None, log_level="warning", access_log=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    out = io.StringIO()
    try:
        setup_logging("INFO", stream=out, json_lines=True)
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/healthz?x=1", "1.1", 200)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert [r["msg"] for r in lines(out)] == ['127.0.0.1:5 - "GET /healthz HTTP/1.1" 200']
