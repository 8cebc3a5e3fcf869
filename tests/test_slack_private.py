"""Slack: what starts privately stays private, and lands where the app can post."""

from __future__ import annotations

import time

from slack_helpers import payload
from slack_service import slack_service, texts_of

import knowledge
from bot.reminders import ReminderScheduler
from bot.slack.render import escape

KB = knowledge.load()


def ephemeral_click(h, value: str, channel: str = "C0CHAN1") -> dict:
    data = payload("block_actions_ephemeral")
    data["container"]["channel_id"] = channel
    data["channel"] = {"id": channel, "name": "freelance"}
    data["response_url"] = h.api.response_url("click")
    data["actions"][0].update(action_id="cc:0", block_id="cc-owner:U0ALICE", value=value)
    return data


async def test_a_reminder_set_privately_goes_to_the_persons_dm(tmp_path):
    async with slack_service(tmp_path) as h:
        # /coach in a channel the app is not in; the person sets a reminder on the private answer
        await h.click(ephemeral_click(h, "remind:3"))
        (confirm,) = [c for c in h.api.of("response_url") if c.params.get("response_type")]
        assert confirm.params["response_type"] == "ephemeral"
        scheduler = ReminderScheduler(h.store, h.bot.engine, {"slack": h.bot})
        assert await scheduler.run_once(now=time.time() + 4 * 86400) == 1
        (opened,) = h.api.of("conversations.open")
        assert opened.params["users"] == "U0ALICE"
        (post,) = h.api.of("chat.postMessage")
        assert post.params["channel"] == "D0ALICE"  # the stand-in's DM id for U0ALICE
        assert not post.params.get("thread_ts")
        assert escape(KB.text("btn_menu", "en")) in texts_of(post)
        assert h.api.of("chat.postEphemeral") == []
