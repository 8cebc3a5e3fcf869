"""Replies that can be looked for afterwards: each message posted while an inbox entry is handled
carries its journal step in Slack's message metadata, so a step left in doubt by a crash can be
settled by reading the channel (``conversations.history``, or ``.replies`` in a thread) instead
of being given up (see :mod:`bot.inbox.delivery`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.inbox.delivery import SEND_LIMIT_S, Unconfirmed

REPLY_EVENT = "clientcoach_reply"
CLOCK_MARGIN_S = 60.0  # between this host's clock and Slack's
MAX_PAGES = 5


async def post_traced(call: Callable[..., Awaitable[Any]], step: str | None) -> Any:
    """``call(metadata=...)`` for ``step``; a failure that does not say "not posted" (a timeout,
    a connection lost, a 5xx, a 429 after the client's retries) is :class:`Unconfirmed`, to be
    settled by reading the channel. Slack's refusals (``ok: false``, other 4xx) are not."""
    try:
        return await call(**with_step({}, step))
    except SlackApiError as exc:
        status = getattr(exc.response, "status_code", 200)
        if step is not None and (status == 429 or status >= 500):
            raise Unconfirmed(f"slack answered {status}") from exc
        raise
    except (TimeoutError, aiohttp.ClientError) as exc:
        if step is None:
            raise
        raise Unconfirmed(type(exc).__name__) from exc


def with_step(message: dict[str, Any], step: str | None) -> dict[str, Any]:
    """``message`` with the step in its metadata (unchanged outside an inbox entry)."""
    if step is None:
        return message
    return {**message, "metadata": {"event_type": REPLY_EVENT, "event_payload": {"step": step}}}


async def arrived(client: Any, channel: str, thread_ts: str | None, step: str,
                  marked_at: float) -> bool:
    """Whether a message carrying ``step`` is in the channel (or thread), looking only at the
    time the step could have been sent in; raises when Slack cannot be asked."""
    window = {"oldest": f"{marked_at - CLOCK_MARGIN_S:.6f}",
              "latest": f"{marked_at + SEND_LIMIT_S + CLOCK_MARGIN_S:.6f}",
              "inclusive": True, "limit": 200, "include_all_metadata": True}
    cursor = None
    for _ in range(MAX_PAGES):
        extra = {"cursor": cursor} if cursor else {}
        if thread_ts:
            page = await client.conversations_replies(channel=channel, ts=thread_ts, **window,
                                                      **extra)
        else:
            page = await client.conversations_history(channel=channel, **window, **extra)
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (metadata.get("event_type") == REPLY_EVENT
                    and (metadata.get("event_payload") or {}).get("step") == step):
                return True
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return False
    raise LookupError("too many messages in the window to tell")
