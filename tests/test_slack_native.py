"""Slack's own surfaces through the real Bolt app over HTTP: the "Ask clientcoach" message
shortcut, assistant threads, an ephemeral click that keeps its question, and "Continue in a DM"
carrying the conversation."""

from __future__ import annotations

import json
import logging

import pytest
from slack_helpers import action_request, payload
from slack_service import buttons_of, slack_service, texts_of

import knowledge
from bot.engine import Engine
from bot.models import ConversationKey, Turn
from bot.slack.render import escape
from bot.standins.slack_api import BOT_USER_ID
from bot.store.memory import MemoryStore
from bot.suggestions import prompts

KB = knowledge.load()
LOCALES = {"en": "en-US", "fr": "fr-FR", "nb": "nb-NO"}
TERMS = KB.topic("late-payment").question("terms")
CLIENT_TEXT = payload("message_shortcut")["message"]["text"]


def values_of(call) -> set[str]:
    """Every payload a person can pick: buttons and the options of a select menu."""
    found = set()
    for element in buttons_of(call):
        found |= {o["value"] for o in element.get("options", [])}
        if element.get("value"):
            found.add(element["value"])
    return found


async def shortcut(h, data: dict) -> None:
    body, signed = action_request(data)
    response = await h.http.post("/slack/events", content=body, headers=signed)
    assert response.status_code == 200
    await h.bot.drain()


# Message shortcut --------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "nb"])
async def test_shortcut_on_a_french_client_message_gives_private_advice_and_a_draft(
        tmp_path, lang, caplog):
    async with slack_service(tmp_path) as h:
        h.api.locales["U0ALICE"] = LOCALES[lang]
        h.api.names["U0CLIENT"] = "Marie Dupont"
        with caplog.at_level(logging.DEBUG):
            await shortcut(h, shortcut_on(h))
        (opened,) = h.api.of("conversations.open")
        assert opened.params["users"] == "U0ALICE"
        (post,) = h.api.of("chat.postMessage")
        assert post.params["channel"] == "D0ALICE"  # the person's DM, never the shared channel
        shown = texts_of(post)
        topic = KB.topic("late-payment")
        assert escape(topic.title.get(lang)) in shown  # the advice, in the person's language
        assert escape(KB.text("quoted_about", lang, client="Marie Dupont")) in shown
        first_draft = topic.drafts[0]
        assert escape(first_draft.title.get("fr")) in shown  # the reply draft, in French
        assert "Bonjour Marie Dupont" in shown  # addressed to the message's author
        assert "1\u00a0200\u00a0€" in shown  # the amount the message states, the French way
        assert "flow:unpaid-invoice" in values_of(post)
        (note,) = h.api.of("response_url")
        assert note.params["response_type"] == "ephemeral"
        assert escape(KB.text("quoted_sent", lang)) in note.params["text"]
        assert h.api.of("chat.postEphemeral") == []
        session = await h.store.load("slack|T0CC1:D0ALICE||U0ALICE")
        assert session.lang == lang and session.topic == "late-payment"  # not set by the quote
        logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
        assert "facture" not in logged and "Marie" not in logged


def shortcut_on(h, **message: str) -> dict:
    data = payload("message_shortcut")
    data["message"].update(message)
    data["response_url"] = h.api.response_url("shortcut")
    return data


async def test_shortcut_on_ones_own_message_needs_no_name_lookup(tmp_path):
    async with slack_service(tmp_path) as h:
        await shortcut(h, shortcut_on(h, user="U0ALICE"))
        assert [c.params["user"] for c in h.api.of("users.info")] == ["U0ALICE"]  # locale only
        (post,) = h.api.of("chat.postMessage")
        assert escape(KB.text("quoted_about_own", "en")) in texts_of(post)


async def test_shortcut_on_a_message_about_nothing_offers_the_situations(tmp_path):
    async with slack_service(tmp_path) as h:
        await shortcut(h, shortcut_on(h, text="lunch at noon?"))
        (post,) = h.api.of("chat.postMessage")
        assert escape(KB.text("quoted_unclear", "en")) in texts_of(post)
        assert "flow:unpaid-invoice" in values_of(post)


# Assistant threads -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "nb", "en"])
async def test_assistant_thread_shows_suggested_prompts_in_the_persons_language(tmp_path, lang):
    async with slack_service(tmp_path) as h:
        h.api.locales["U0ALICE"] = LOCALES[lang]
        await h.event("assistant_thread_started")
        (set_prompts,) = h.api.of("assistant.threads.setSuggestedPrompts")
        params = set_prompts.params
        assert params["channel_id"] == "D0DM1" and params["thread_ts"] == "1732453000.000100"
        assert params["title"] == KB.text("assistant_prompts_title", lang)
        titles = [p["title"] for p in params["prompts"]]
        assert 1 <= len(titles) <= 4
        assert KB.text("flow_unpaid_invoice", lang) in titles
        assert KB.text("prompt_unpaid_invoice", lang) in [p["message"] for p in params["prompts"]]
        (greeting,) = h.api.of("chat.postMessage")
        assert greeting.params["thread_ts"] == "1732453000.000100"
        assert escape(KB.text("greeting", lang)) in texts_of(greeting)
        values = values_of(greeting)
        assert {f"flow:{fid}" for fid in h.bot.engine.flows} <= values  # all six situations


@pytest.mark.parametrize("lang", ["fr", "nb", "en"])
async def test_each_suggested_prompt_starts_its_situation(lang):
    engine = Engine(MemoryStore())
    found = prompts(engine, lang)
    assert len(found) == 4
    for prompt in found:
        flow_id = next(f for f, flow in engine.flows.items()
                       if KB.text(flow.spec.label, lang) == prompt["title"])
        key = ConversationKey(platform="test", chat=f"D-{flow_id}", user="u")
        await engine.handle(Turn(key=key, text=prompt["message"], locale=lang))
        assert (await engine.store.load(key.as_str())).flow == flow_id, prompt


async def test_assistant_message_shows_a_status_a_title_and_shares_the_dm_conversation(tmp_path):
    async with slack_service(tmp_path) as h:
        await h.event("message_im_assistant_thread")
        status, *_ = h.api.of("assistant.threads.setStatus")
        assert status.params["status"] == KB.text("assistant_working", "en")
        assert status.params["thread_ts"] == "1732453000.000100"
        methods = [c.method for c in h.api.calls if c.method != "users.info"]
        assert methods.index("assistant.threads.setStatus") < methods.index("chat.postMessage")
        (post,) = h.api.of("chat.postMessage")
        assert post.params["thread_ts"] == "1732453000.000100"
        assert escape(TERMS.text.get("en")) in texts_of(post)
        (title,) = h.api.of("assistant.threads.setTitle")
        assert title.params["title"] == KB.topic("late-payment").title.get("en")
        # the plain DM is the same conversation: the answer there goes on with the flow
        await h.event("message_im", text="yes in writing")
        dm = h.api.of("chat.postMessage")[-1]
        history = KB.topic("late-payment").question("history")
        assert escape(history.text.get("en")) in texts_of(dm)
        assert not dm.params.get("thread_ts")
        # the same topic again in the thread: the title stays as it is
        await h.event("message_im_assistant_thread", text="yes in writing")
        assert len(h.api.of("assistant.threads.setTitle")) == 1
        assert len(h.api.of("assistant.threads.setStatus")) == 2


async def test_a_dm_thread_without_the_assistant_feature_still_gets_answers(tmp_path):
    async with slack_service(tmp_path) as h:
        h.api.fail("assistant.threads.setStatus", 400)
        await h.event("message_im_assistant_thread")
        (post,) = h.api.of("chat.postMessage")
        assert escape(TERMS.text.get("en")) in texts_of(post)


# Ephemeral click, continue in a DM ---------------------------------------------------------

async def test_a_click_on_an_ephemeral_question_keeps_the_question(tmp_path):
    async with slack_service(tmp_path) as h:
        await h.command("slash_coach", "my client has not paid my invoice", channel_id="C0CHAN1")
        (question,) = h.api.of("response_url")
        assert escape(TERMS.text.get("en")) in texts_of(question)
        data = payload("block_actions_ephemeral")  # Slack sends no copy of an ephemeral message
        assert "message" not in data
        data["response_url"] = h.api.response_url("click")
        data["actions"][0].update(action_id="cc:0", block_id="cc-owner:U0ALICE",
                                  value="a:terms:in-writing",
                                  text={"type": "plain_text", "text": "In writing"})
        await h.click(data)
        replaced = next(c for c in h.api.of("response_url") if c.params.get("replace_original"))
        shown = texts_of(replaced)
        assert escape(TERMS.text.get("en")) in shown  # the question stays
        assert escape(KB.text("slack_answered", "en", answer="In writing")) in shown
        assert all(b["type"] != "actions" for b in replaced.params["blocks"])


async def test_continue_in_a_dm_carries_the_conversation(tmp_path):
    async with slack_service(tmp_path) as h:
        await h.event("app_mention", text=f"<@{BOT_USER_ID}> my client has not paid my invoice")
        (first,) = h.api.of("chat.postMessage")
        link = next(e for e in buttons_of(first) if e["action_id"] == "cc-dm")
        assert link["url"].startswith("https://slack.com/app_redirect")
        block = next(b for b in first.params["blocks"] if b.get("block_id") == "cc-dm")
        data = payload("block_actions")
        data["container"] = {"type": "message", "message_ts": "1732450101.000300",
                             "channel_id": "C0CHAN1", "is_ephemeral": False,
                             "thread_ts": "1732450100.000200"}
        data["channel"] = {"id": "C0CHAN1", "name": "freelance"}
        data["message"] = {"type": "message", "ts": "1732450101.000300", "bot_id": "BBOT1",
                           "thread_ts": "1732450100.000200", "text": first.params["text"],
                           "blocks": first.params["blocks"]}
        data["actions"] = [{**link, "block_id": block["block_id"], "type": "button",
                            "action_ts": "1732450120.000100"}]
        await h.click(data)
        (opened,) = h.api.of("conversations.open")
        assert opened.params["users"] == "U0ALICE"
        dm = h.api.of("chat.postMessage")[-1]
        assert dm.params["channel"] == "D0ALICE" and not dm.params.get("thread_ts")
        assert escape(TERMS.text.get("en")) in texts_of(dm)  # the question she was at
        moved = await h.store.load("slack|T0CC1:D0ALICE||U0ALICE")
        assert moved.flow == "unpaid-invoice"
        # and she answers it there
        await h.event("message_im", channel="D0ALICE", text="yes in writing")
        history = KB.topic("late-payment").question("history")
        assert escape(history.text.get("en")) in texts_of(h.api.of("chat.postMessage")[-1])
        assert json.dumps(link)  # the button stays a link to the DM as well


async def test_shortcut_on_an_integrations_message_names_it_from_its_profile(tmp_path):
    async with slack_service(tmp_path) as h:
        data = shortcut_on(h, bot_id="B0ACME", bot_profile={"id": "B0ACME", "name": "Acme Billing"},
                           text="Your invoice is overdue and still unpaid.")
        del data["message"]["user"]
        await shortcut(h, data)
        assert [c.params["user"] for c in h.api.of("users.info")] == ["U0ALICE"]
        (post,) = h.api.of("chat.postMessage")
        assert escape(KB.text("quoted_about", "en", client="Acme Billing")) in texts_of(post)
