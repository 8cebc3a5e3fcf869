"""Structured logging: JSON lines when stderr is not a terminal, short lines when it is.

Call :func:`setup_logging` once per process. Pass context as ``extra={...}`` (ids, flow, state,
latency_ms); it becomes JSON fields. Message text is never logged unless ``CLIENTCOACH_LOG_TEXT=1``:
use :func:`text_field`. Anything shaped like a Slack or Telegram token is masked on the way out.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from typing import Any, TextIO

_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message", "asctime", "taskName", "color_message"
}
_SECRETS = re.compile(
    r"xox[a-z]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,}|(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}"
)
_QUIET = ("httpx", "httpcore", "hpack", "websockets", "telegram.ext.ExtBot", "slack_sdk")


def mask_secrets(text: str) -> str:
    """Replace anything that looks like a bot, app or user token by ``***``."""
    return _SECRETS.sub("***", text)


_log_text: bool | None = None


def log_text_enabled() -> bool:
    """True when the operator allowed message text in logs (``CLIENTCOACH_LOG_TEXT=1``)."""
    if _log_text is not None:
        return _log_text
    return os.environ.get("CLIENTCOACH_LOG_TEXT", "").lower() in ("1", "true", "yes", "on")


def text_field(text: str | None) -> dict[str, Any]:
    """Log fields describing a user's text: its length, and the text itself only if allowed."""
    if text is None:
        return {}
    fields: dict[str, Any] = {"text_len": len(text)}
    if log_text_enabled():
        fields["text"] = text
    return fields


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, msg, then every ``extra`` field."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        data.update(_extras(record))
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return mask_secrets(json.dumps(data, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """Human lines for a terminal: ``12:00:01 INFO name: msg key=value ...``."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        extra = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{stamp} {record.levelname} {record.name}: {record.getMessage()}"
        if extra:
            line += " " + extra
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return mask_secrets(line)


def setup_logging(
    level: str | int = "INFO",
    *,
    stream: TextIO | None = None,
    json_lines: bool | None = None,
    log_text: bool | None = None,
) -> logging.Handler:
    """Route every logger to one handler on ``stream`` (stderr); returns that handler.

    ``log_text`` (the ``CLIENTCOACH_LOG_TEXT`` setting, also read from ``.env``) overrides the
    environment for :func:`text_field`.
    """
    global _log_text
    _log_text = log_text
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not (hasattr(stream, "isatty") and stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_clientcoach", False):
            root.removeHandler(old)
    handler._clientcoach = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uv = logging.getLogger(name)
        uv.handlers.clear()
        uv.propagate = True
    return handler
