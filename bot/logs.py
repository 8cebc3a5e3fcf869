"""Structured logging: JSON lines when stderr is not a terminal, short lines when it is.

Call :func:`setup_logging` once per process. Pass context as ``extra={...}`` (ids, flow, state,
latency_ms); it becomes JSON fields. Message text is never logged unless ``CLIENTCOACH_LOG_TEXT=1``:
use :func:`text_field`. Anything shaped like a Slack or Telegram token is masked on the way out.

Framework loggers (Bolt, slack-sdk, uvicorn) are tamed here: their lines are cut to a short
message without arguments (Bolt puts whole request bodies in them), uvicorn's access lines lose
their query string (OAuth codes), and the same line repeated many times a minute (an accept loop
out of file handles, a signature check failing for every request) is written a few times, then
summarised.
"""

from __future__ import annotations

import errno
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
FRAMEWORK_LOGGERS = ("slack_bolt", "slack_sdk", "clientcoach.slack.framework")
REPEATS_PER_MINUTE = 5
_CUT = re.compile(r"[(:{\[%]|\bbody\b|\bheaders?\b|\btoken\b|\bcode\b", re.IGNORECASE)


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


class FrameworkFilter(logging.Filter):
    """Keep framework records to WARNING and up, cut to a short message with no arguments and no
    traceback: Bolt and slack-sdk interpolate request bodies, tokens and OAuth codes into theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(FRAMEWORK_LOGGERS):
            return True
        if record.levelno < logging.WARNING:
            return False
        message = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
        cut = _CUT.search(message)
        short = (message[: cut.start()] if cut else message).strip()[:100] or "framework error"
        if record.exc_info and record.exc_info[0] is not None:
            record.error = record.exc_info[0].__name__
        record.msg, record.args, record.exc_info, record.exc_text = short, None, None, None
        return True


class AccessFilter(logging.Filter):
    """uvicorn access lines without the query string (it carries OAuth ``code`` and ``state``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "uvicorn.access":
            return True
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


class ResourceErrorFilter(logging.Filter):
    """asyncio's "socket.accept() out of system resource" (out of file handles, the loop retries
    every second) as one short line naming the error, without the traceback and socket details;
    :class:`RepeatLimit` then lets a few through a minute."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if record.name != "asyncio" or not isinstance(exc, OSError):
            return True
        if exc.errno not in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
            return True
        record.msg = str(record.msg).split("\n", 1)[0][:100]
        record.args, record.exc_info, record.exc_text = None, None, None
        record.error = errno.errorcode.get(exc.errno or 0, "OSError")
        return True


class RepeatLimit(logging.Filter):
    """At most ``per_minute`` records of the same logger, level and message template a minute;
    the first one let through after a quiet spell says how many were held back."""

    def __init__(self, per_minute: int = REPEATS_PER_MINUTE, clock: Any = time.monotonic) -> None:
        super().__init__()
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[tuple[str, int, str], list[float]] = {}  # key → [window start, n, held]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, str(record.msg)[:200])
        now = self.clock()
        window = self._seen.get(key)
        if window is None or now - window[0] >= 60:
            held = int(window[2]) if window else 0
            if len(self._seen) > 1000:
                self._seen.clear()
            self._seen[key] = [now, 1, 0]
            if held:
                record.suppressed = held
            return True
        window[1] += 1
        if window[1] > self.per_minute:
            window[2] += 1
            return False
        return True


def quiet_frameworks() -> None:
    """Attach :class:`FrameworkFilter` to the framework loggers (idempotent)."""
    for name in FRAMEWORK_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, FrameworkFilter) for f in logger.filters):
            logger.addFilter(FrameworkFilter())
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessFilter) for f in access.filters):
        access.addFilter(AccessFilter())


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
    for guard in (FrameworkFilter(), AccessFilter(), ResourceErrorFilter(), RepeatLimit()):
        handler.addFilter(guard)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uv = logging.getLogger(name)  # as any earlier uvicorn.Config may have left them
        uv.handlers.clear()
        uv.propagate, uv.disabled = True, False
        uv.setLevel(logging.NOTSET)
    quiet_frameworks()
    return handler
