"""What the HTTP layer needs from a Slack request before it acknowledges it: is it well formed
enough to queue, under which dedupe key, and whose turn it is (for ordering and forget).

- an event: ``slack:<event_id>:<event type>`` (retries by Slack carry the same id);
- a slash command: ``slack-cmd:<trigger_id>:<digest of the request>`` (a replayed signed
  request is the same request);
- a button click: ``slack-act:<trigger_id or action_ts>:<digest>``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Intake:
    """How one request is queued: ``key`` dedupes it, ``order`` serialises one person's turns."""

    key: str
    order: str
    person: str | None
    resent: bool = False  # Slack sends events again after a non-200; commands, clicks: never


class Malformed(ValueError):
    """A signed request whose shape no listener could read."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()[:32]


def intake_of(body: Any) -> Intake | None:
    """The queueing plan of a parsed request, None for what Bolt answers itself (URL
    verification, SSL check, views), :class:`Malformed` for shapes no listener can read."""
    if not isinstance(body, dict):
        raise Malformed("not an object")
    team = _text(body.get("team_id")) or _text((body.get("team") or {}).get("id")
                                                if isinstance(body.get("team"), dict) else "")
    if body.get("type") == "event_callback":
        event = body.get("event")
        if event is None:
            return None  # nothing to answer: Bolt acknowledges it
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise Malformed("event is not an object with a type")
        user, channel = _text(event.get("user")), _text(event.get("channel"))
        event_id = _text(body.get("event_id")) or _digest(body)
        return Intake(f"slack:{event_id}:{event['type']}", f"slack|{team}|{channel}|{user}",
                      f"slack|{user}" if user else None, resent=True)
    if isinstance(body.get("command"), str):
        user, channel = _text(body.get("user_id")), _text(body.get("channel_id"))
        trigger = _text(body.get("trigger_id"))
        return Intake(f"slack-cmd:{trigger}:{_digest(body)}", f"slack|{team}|{channel}|{user}",
                      f"slack|{user}" if user else None)
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        if actions is None:
            return None
        if not isinstance(actions, list) or not actions or not all(
            isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions
        ):
            raise Malformed("actions without action ids")
        user_field = body.get("user")
        user = _text(user_field.get("id")) if isinstance(user_field, dict) else ""
        channel_field = body.get("channel")
        channel = _text(channel_field.get("id")) if isinstance(channel_field, dict) else ""
        trigger = _text(body.get("trigger_id")) or _text(actions[0].get("action_ts"))
        return Intake(f"slack-act:{trigger}:{_digest(body)}", f"slack|{team}|{channel}|{user}",
                      f"slack|{user}" if user else None)
    return None
