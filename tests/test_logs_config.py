"""Structured logs (JSON lines, no text unless allowed, tokens masked) and `config check`."""

from __future__ import annotations

import io
import json
import logging

import pytest
from click.testing import CliRunner

from bot.cli.config import config, mask_url
from bot.logs import setup_logging, text_field

SLACK_TOKEN = "xoxb-1234567890-abcdefghijkl"
TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def capture(**kwargs) -> io.StringIO:
    stream = io.StringIO()
    setup_logging("INFO", stream=stream, **kwargs)
    return stream


def test_json_lines_with_fields_and_no_text(monkeypatch):
    monkeypatch.delenv("CLIENTCOACH_LOG_TEXT", raising=False)
    stream = capture()
    logging.getLogger("clientcoach.test").info(
        "turn", extra={"key": "slack|T|D||U1", "flow": "say-no", "state": "q_alt",
                       "latency_ms": 1.5, **text_field("my client never pays")},
    )
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["msg"] == "turn" and line["flow"] == "say-no" and line["latency_ms"] == 1.5
    assert line["text_len"] == 20 and "text" not in line
    assert "never pays" not in stream.getvalue()


def test_text_only_when_allowed(monkeypatch):
    monkeypatch.setenv("CLIENTCOACH_LOG_TEXT", "1")
    stream = capture()
    logging.getLogger("clientcoach.test").info("turn", extra=text_field("hello there"))
    assert json.loads(stream.getvalue())["text"] == "hello there"


def test_tokens_are_masked_and_httpx_quiet():
    stream = capture(json_lines=False)
    log = logging.getLogger("clientcoach.test")
    log.warning("calling https://api.telegram.org/bot%s/getMe with %s", TG_TOKEN, SLACK_TOKEN)
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/sendMessage", TG_TOKEN)
    out = stream.getvalue()
    assert TG_TOKEN not in out and SLACK_TOKEN not in out and "***" in out
    assert "sendMessage" not in out
    assert logging.getLogger("httpx").level == logging.WARNING


def test_config_check_masks_secrets_and_names_what_is_missing(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TG_TOKEN)
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
    monkeypatch.setenv("CLIENTCOACH_STORE", "redis://:hunter2@127.0.0.1:6379/3")
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(config, ["check"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert TG_TOKEN not in out and SLACK_TOKEN not in out and "hunter2" not in out
    assert "Telegram polling (worker)        ready" in out
    assert "Slack over HTTP (Events API)     missing SLACK_SIGNING_SECRET" in out
    assert "Telegram webhook (serve)         missing TELEGRAM_WEBHOOK_SECRET" in out
    assert mask_url("redis://u:p@h:1/0") == "redis://u:***@h:1/0"


def test_config_check_strict_fails_without_platform(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID",
                 "SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert CliRunner().invoke(config, ["check", "--strict"]).exit_code == 1
