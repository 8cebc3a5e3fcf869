"""Helpers for the Slack tests: recorded payloads, signed requests, a running service."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

FIXTURES = Path(__file__).parent / "fixtures" / "slack"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-0000-secret-token"


def payload(name: str, **event: Any) -> dict[str, Any]:
    """A recorded payload; keyword arguments replace fields of its ``event`` (or the form)."""
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    target = data.get("event", data)
    target.update(event)
    return data


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
         ) -> dict[str, str]:
    """Slack's ``v0`` request signature headers for ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def event_request(data: dict[str, Any], **sign_args: Any) -> tuple[str, dict[str, str]]:
    body = json.dumps(data)
    return body, {"Content-Type": "application/json", **sign(body, **sign_args)}


def form_request(form: dict[str, Any], **sign_args: Any) -> tuple[str, dict[str, str]]:
    body = urlencode(form)
    return body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body, **sign_args)}


def action_request(data: dict[str, Any], **sign_args: Any) -> tuple[str, dict[str, str]]:
    return form_request({"payload": json.dumps(data)}, **sign_args)
