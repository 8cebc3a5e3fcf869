"""The App Home tab through the real Bolt app: buttons that start each situation, the person's
reminders with a cancel button, their language; clicks there act in the person's DM."""

from __future__ import annotations

import json

import pytest
from slack_helpers import payload
from slack_service import slack_service, texts_of

import knowledge
from bot.slack.render import escape

KB = knowledge.load()
LOCALES = {"en": "en-US", "fr": "fr-FR", "nb": "nb-NO"}
UNPAID = {"en": "my client has not paid my invoice", "nb": "kunden min har ikke betalt fakturaen"}
FLOWS = ("drop-client", "client-left", "say-no", "unpaid-invoice", "new-client-check",
         "losing-clients")


def elements(view: dict) -> list[dict]:
    found = []
    for block in view["blocks"]:
        found += block.get("elements", []) if block["type"] == "actions" else []
        if "accessory" in block:
            found.append(block["accessory"])
    return found


def home_click(value: str) -> dict:
    data = payload("block_actions_home")
    data["actions"][0]["value"] = value
    return data


async def test_home_starts_each_situation_in_the_persons_language(tmp_path):
    async with slack_service(tmp_path) as h:
        h.api.locales["U0ALICE"] = LOCALES["fr"]
        await h.event("app_home_opened")
        (publish,) = h.api.of("views.publish")
        view = publish.params["view"]
        buttons = {e["value"]: e["text"]["text"] for e in elements(view)}
        for flow_id in FLOWS:
            label = KB.text(f"flow_{flow_id.replace('-', '_')}", "fr")
            assert buttons[f"flow:{flow_id}"] == label
        assert "lang" in buttons  # the language can be changed from there
        dumped = json.dumps(view, ensure_ascii=False)
        assert escape(KB.text("slack_home_no_reminders", "fr")) in dumped
        assert escape(KB.text("lang_name_fr", "fr")) in dumped


async def test_a_situation_started_from_home_opens_in_the_dm(tmp_path):
    async with slack_service(tmp_path) as h:
        await h.click(home_click("flow:say-no"))
        (opened,) = h.api.of("conversations.open")
        assert opened.params["users"] == "U0ALICE"
        (post,) = h.api.of("chat.postMessage")
        assert post.params["channel"] == "D0ALICE"
        first = KB.topic("say-no").questions[0]
        assert escape(first.text.get("en")) in texts_of(post)
        session = await h.store.load("slack|T0CC1:D0ALICE||U0ALICE")
        assert session.flow == "say-no"
        assert h.api.of("views.publish")  # the tab is brought up to date


@pytest.mark.parametrize("lang", ["nb", "en"])
async def test_home_lists_reminders_and_cancels_them(tmp_path, lang):
    async with slack_service(tmp_path) as h:
        h.api.locales["U0ALICE"] = LOCALES[lang]
        await h.event("message_im", text=UNPAID[lang])
        click = payload("block_actions")
        click["actions"][0]["value"] = "remind:7"
        await h.click(click)
        await h.event("app_home_opened")
        view = h.api.of("views.publish")[-1].params["view"]
        cancels = [e for e in elements(view) if e["value"].startswith("unremind:")]
        assert len(cancels) == 1 and cancels[0]["text"]["text"] == KB.text("slack_home_cancel",
                                                                             lang)
        dumped = json.dumps(view, ensure_ascii=False)
        title = KB.topic("late-payment").title.get(lang)
        assert escape(title) in dumped and "<!date^" in dumped
        await h.click(home_click(cancels[0]["value"]))
        assert await h.store.reminders_of("slack|U0ALICE") == []
        after = h.api.of("views.publish")[-1].params["view"]
        assert not [e for e in elements(after) if e["value"].startswith("unremind:")]
        assert escape(KB.text("slack_home_no_reminders", lang)) in json.dumps(
            after, ensure_ascii=False)


async def test_language_chosen_from_home_shows_on_home(tmp_path):
    async with slack_service(tmp_path) as h:
        await h.click(home_click("lang:nb"))
        post = h.api.of("chat.postMessage")[-1]
        assert escape(KB.text("lang_set", "nb")) in texts_of(post)
        view = h.api.of("views.publish")[-1].params["view"]
        assert escape(KB.text("slack_home_title", "nb")) in json.dumps(view, ensure_ascii=False)
