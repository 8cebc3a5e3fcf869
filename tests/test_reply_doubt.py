"""A reply left "sending" by a worker that died mid-send is settled, not given up.

The service runs in-process (real uvicorn on loopback, the real engine and store, the Slack
stand-in). The journal is put in the state a worker killed mid-send leaves it, through the
inbox's own ``mark``, then the event arrives again: a message that never reached Slack is sent
(once), one that did is not sent a second time, and one marked moments ago (its sender may be
alive) is neither sent nor dropped.
"""

from __future__ import annotations

import time

import pytest
from redis_helpers import redis_url, require_redis, unique_prefix
from slack_service import slack_service

from bot.inbox import delivery
from bot.inbox.delivery import IN_DOUBT_AFTER_S
from bot.slack.traced import REPLY_EVENT

CHANNEL = "D0DOUBT1"


def dead_sender(seconds_ago: float) -> str:
    """The journal value of a step whose sender marked it ``seconds_ago``, then died."""
    return f"sending {time.time() - seconds_ago:.3f} 0dead0"


def replies(h, channel: str = CHANNEL) -> list:
    return [c for c in h.api.of("chat.postMessage") if c.params.get("channel") == channel]


async def hello(h, event_id: str):
    return await h.event("message_im", event_id=event_id, user="U0DOUBT1", channel=CHANNEL,
                         text="hello")


@pytest.mark.parametrize("store", ["sqlite", "redis"])
async def test_a_reply_that_never_arrived_is_sent_once(tmp_path, store):
    extra = {}
    if store == "redis":
        require_redis()
        extra["CLIENTCOACH_STORE"] = redis_url(unique_prefix())
    async with slack_service(tmp_path, **extra) as h:
        event_id = h.next_id()
        step = f"slack:{event_id}:message:s0"
        assert await h.bot.inbox.mark(step, dead_sender(IN_DOUBT_AFTER_S + 60)) is None
        assert (await hello(h, event_id)).status_code == 200
        (sent,) = replies(h)  # before: "in doubt, not sent again", and nothing reached Slack
        assert sent.params["metadata"] == {"event_type": REPLY_EVENT,
                                           "event_payload": {"step": step}}
        assert h.api.of("conversations.history")  # Slack was asked first
        assert await h.bot.inbox.mark(step, dead_sender(0)) == "sent"
        assert (await hello(h, event_id)).status_code == 200  # a repeat: nothing more
        assert len(replies(h)) == 1


async def test_a_reply_that_did_arrive_is_not_sent_again(tmp_path):
    async with slack_service(tmp_path) as h:
        event_id = h.next_id()
        step = f"slack:{event_id}:message:s0"
        marked = time.time() - IN_DOUBT_AFTER_S - 60
        await h.bot.inbox.mark(step, f"sending {marked:.3f} 0dead0")
        # What the dead worker's call left at Slack: the message, with its step.
        h.api.posted[CHANNEL] = [{"type": "message", "ts": f"{marked + 0.2:.6f}", "text": "hi",
                                  "metadata": {"event_type": REPLY_EVENT,
                                               "event_payload": {"step": step}}}]
        assert (await hello(h, event_id)).status_code == 200
        assert replies(h) == []
        assert await h.bot.inbox.mark(step, dead_sender(0)) == "sent"


async def test_a_reply_marked_moments_ago_waits_and_is_kept(tmp_path):
    async with slack_service(tmp_path) as h:
        event_id = h.next_id()
        step = f"slack:{event_id}:message:s0"
        await h.bot.inbox.mark(step, dead_sender(1))
        assert (await hello(h, event_id)).status_code == 200
        assert replies(h) == [] and h.api.of("conversations.history") == []
        waiting, held, _ = await h.bot.inbox.depth()
        assert waiting + held == 1  # still in the inbox, handled again once reclaimed


async def test_a_send_that_failed_past_its_retries_is_settled_and_sent_once(tmp_path,
                                                                            monkeypatch):
    """Slack answers 503 to the first call and to each of its three retries: nothing was
    posted, so the reply is not given up; once its mark is old enough the channel is read and
    the reply sent, once."""
    monkeypatch.setattr(delivery, "IN_DOUBT_AFTER_S", 0.3)
    async with slack_service(tmp_path, CLIENTCOACH_INBOX_CLAIM_IDLE="0.3") as h:
        h.api.fail("chat.postMessage", 503, times=4)
        assert (await hello(h, h.next_id())).status_code == 200
        for _ in range(100):  # the entry is taken up again after the claim time
            if [c for c in replies(h) if c.status == 200]:
                break
            await h.bot.drain(0.1)
        await h.api.settle(quiet=0.5)
        statuses = [c.status for c in replies(h)]
        assert statuses == [503, 503, 503, 503, 200]
        assert h.api.of("conversations.history")  # asked before sending again
