"""The Slack app end to end: signed requests over real HTTP to ``clientcoach serve``'s app, the
real engine and SQLite store, and a local Web API stand-in that records what Slack would show."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import quote

import pytest
from slack_helpers import (
    BOT_TOKEN,
    SIGNING_SECRET,
    event_request,
    payload,
    sign,
)
from slack_service import buttons_of, slack_service, texts_of

import knowledge
from bot.slack.render import escape
from bot.standins.slack_api import BOT_USER_ID

KB = knowledge.load()
TERMS = KB.topic("late-payment").question("terms")
UNPAID = {
    "en": "my client has not paid my invoice",
    "fr": "mon client ne paie pas ma facture",
    "nb": "kunden min har ikke betalt fakturaen",
}
LOCALES = {"en": "en-US", "fr": "fr-FR", "nb": "nb-NO"}


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
async def slack(tmp_path):
    async with slack_service(tmp_path) as harness:
        yield harness


# Direct messages ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "fr", "nb"])
async def test_direct_message_in_three_languages(slack, lang):
    slack.api.locales["U0ALICE"] = LOCALES[lang]
    response = await slack.event("message_im", text=UNPAID[lang])
    assert response.status_code == 200
    (post,) = slack.api.of("chat.postMessage")
    assert post.params["channel"] == "D0DM1"
    assert not post.params.get("thread_ts")
    assert post.authorization
    labels = [e["text"]["text"] for e in buttons_of(post)]
    assert TERMS.option("in-writing").label.get(lang) in labels
    values = [e["value"] for e in buttons_of(post)]
    assert "a:terms:in-writing" in values
    # locale looked up once with include_locale, then cached
    await slack.event("message_im", text=UNPAID[lang])
    (info,) = slack.api.of("users.info")
    assert info.params["user"] == "U0ALICE" and info.params["include_locale"] in ("1", "true", True)


async def test_ack_is_fast_even_when_slack_is_slow(slack):
    slack.api.delay("chat.postMessage", 1.0)
    data = payload("message_im", text=UNPAID["en"])
    data["event_id"] = slack.next_id()
    body, signed = event_request(data)
    started = time.perf_counter()
    response = await slack.http.post("/slack/events", content=body, headers=signed)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and elapsed < 0.5
    await slack.api.wait_for("chat.postMessage", 1, timeout=5)


async def test_button_click_replaces_buttons_and_continues(slack):
    await slack.event("message_im", text=UNPAID["en"])
    (question,) = slack.api.of("chat.postMessage")
    data = payload("block_actions")
    button = next(e for e in buttons_of(question) if e["value"] == "a:terms:in-writing")
    block = next(b for b in question.params["blocks"] if b["type"] == "actions")
    data["message"] = {"type": "message", "ts": "1732451000.001100", "bot_id": "BBOT1",
                       "text": question.params["text"], "blocks": question.params["blocks"]}
    data["actions"] = [{**button, "block_id": block["block_id"], "type": "button",
                        "action_ts": "1732451010.001200"}]
    response = await slack.click(data)
    assert response.status_code == 200
    (update,) = slack.api.of("chat.update")
    assert update.params["channel"] == "D0DM1" and update.params["ts"] == "1732451000.001100"
    assert all(b["type"] != "actions" for b in update.params["blocks"])
    label = escape(TERMS.option("in-writing").label.get("en"))
    assert label in texts_of(update)
    posts = slack.api.of("chat.postMessage")
    assert len(posts) == 2
    history = KB.topic("late-payment").question("history")
    assert escape(history.text.get("en")) in texts_of(posts[1])


async def test_a_click_by_someone_else_leaves_the_owners_buttons(slack):
    data = payload("block_actions")
    data["user"] = {"id": "U0BOB", "username": "bob", "name": "bob", "team_id": "T0CC1"}
    data["response_url"] = slack.api.response_url("foreign")
    await slack.click(data)
    assert slack.api.of("chat.update") == []
    assert slack.api.of("chat.postMessage") == []
    (notice,) = slack.api.of("response_url")
    assert notice.params["response_type"] == "ephemeral"
    assert escape(KB.text("foreign_button", "en")) in texts_of(notice)
    assert await slack.store.load("slack|T0CC1:D0DM1||U0BOB") is None  # nothing was run as Bob's


# Channels and threads ----------------------------------------------------------------------

async def test_mention_is_answered_in_its_thread_and_followups_are_per_person(slack):
    await slack.event("app_mention", text=f"<@{BOT_USER_ID}> {UNPAID['en']}")
    (first,) = slack.api.of("chat.postMessage")
    assert first.params["channel"] == "C0CHAN1"
    assert first.params["thread_ts"] == "1732450100.000200"
    # The engine suggests continuing in private: a link to the app's DM, labelled from knowledge.
    link = next(e for e in buttons_of(first) if e["action_id"] == "cc-dm")
    assert link["url"] == "https://slack.com/app_redirect?app=A0CC1&team=T0CC1"
    assert link["text"]["text"] == KB.text("slack_continue_in_dm", "en")

    # The same person answers in the thread, without mentioning the bot: her flow goes on.
    await slack.event("message_thread_reply", text="yes in writing")
    posts = slack.api.of("chat.postMessage")
    assert len(posts) == 2 and posts[1].params["thread_ts"] == "1732450100.000200"
    history = KB.topic("late-payment").question("history")
    assert escape(history.text.get("en")) in texts_of(posts[1])

    # Someone else in the same thread gets a conversation of their own (not Alice's flow).
    await slack.event("message_thread_reply", user="U0BOB", text="yes in writing")
    posts = slack.api.of("chat.postMessage")
    assert len(posts) == 3 and posts[2].params["thread_ts"] == "1732450100.000200"
    assert escape(history.text.get("en")) not in texts_of(posts[2])
    keys = {"slack|T0CC1:C0CHAN1|1732450100.000200|U0ALICE",
            "slack|T0CC1:C0CHAN1|1732450100.000200|U0BOB"}
    for key in keys:
        assert await slack.store.load(key) is not None
    alice = await slack.store.load("slack|T0CC1:C0CHAN1|1732450100.000200|U0ALICE")
    assert alice.flow == "unpaid-invoice"


async def test_channel_chatter_and_unknown_threads_are_ignored(slack):
    await slack.event("message_channel")
    await slack.event("message_thread_reply", thread_ts="1700000000.000001")
    await slack.api.settle(0.1)
    assert slack.api.replies() == []


@pytest.mark.parametrize(
    "name", ["message_bot", "message_bot_subtype", "message_own", "message_changed",
             "message_deleted"])
async def test_ignored_messages_get_200_and_no_reply(slack, name):
    response = await slack.event(name)
    assert response.status_code == 200
    await slack.api.settle(0.1)
    assert slack.api.replies() == []


async def test_bot_joining_a_channel_says_hello_there(slack):
    await slack.event("member_joined_channel")
    (post,) = slack.api.of("chat.postMessage")
    assert post.params["channel"] == "C0CHAN1" and not post.params.get("thread_ts")
    assert escape(KB.text("group_intro", "en")) in texts_of(post)


# Slash commands ----------------------------------------------------------------------------

async def test_checklist_without_topic_is_an_ephemeral_picker(slack):
    started = time.perf_counter()
    response = await slack.command("slash_checklist")
    assert response.status_code == 200 and response.content in (b"", b"null")
    assert time.perf_counter() - started < 3
    (answer,) = slack.api.of("response_url")
    assert answer.path == "/hooks/slash_checklist"
    assert answer.params["response_type"] == "ephemeral"
    (menu,) = buttons_of(answer)
    assert menu["type"] == "static_select"
    assert "checklist:late-payment" in {o["value"] for o in menu["options"]}
    assert slack.api.of("chat.postMessage") == []


@pytest.mark.parametrize("lang", ["en", "fr", "nb"])
async def test_checklist_with_topic_has_check_marks_and_a_share_button(slack, lang):
    slack.api.locales["U0ALICE"] = LOCALES[lang]
    await slack.command("slash_checklist", "late-payment")
    (answer,) = slack.api.of("response_url")
    assert answer.params["response_type"] == "ephemeral"
    first_item = KB.topic("late-payment").checklist[0].text.get(lang)
    assert f"✅ {escape(first_item)}" in texts_of(answer)
    share = next(e for e in buttons_of(answer) if e["action_id"] == "cc-share")
    assert share["text"]["text"] == KB.text("slack_share", lang)
    assert share["value"] == "checklist:late-payment"

    # "Share in channel": posted for everyone, without buttons; the private copy goes away.
    data = payload("block_actions_ephemeral")
    data["response_url"] = slack.api.response_url("share")
    data["actions"][0]["value"] = share["value"]
    await slack.click(data)
    shared, deleted = slack.api.of("response_url")[1:]
    assert shared.params["response_type"] == "in_channel"
    assert f"✅ {escape(first_item)}" in texts_of(shared)
    assert buttons_of(shared) == []
    assert deleted.params == {"delete_original": True}


async def test_checklist_named_in_words_can_be_shared_too(slack):
    slack.api.locales["U0ALICE"] = LOCALES["fr"]
    await slack.command("slash_checklist", "mes factures impayées, le client ne paie pas !")
    (answer,) = slack.api.of("response_url")
    share = next(e for e in buttons_of(answer) if e["action_id"] == "cc-share")
    assert share["value"] == "checklist:late-payment"


async def test_coach_language_and_forget(slack):
    await slack.command("slash_coach")
    start = slack.api.of("response_url")[-1]
    assert start.params["response_type"] == "ephemeral" and buttons_of(start)

    await slack.command("slash_coach", "lang nb")
    answer = slack.api.of("response_url")[-1]
    assert escape(KB.text("lang_set", "nb")) in texts_of(answer)
    session = await slack.store.load("slack|T0CC1:D0DM1||U0ALICE")
    assert session.lang == "nb" and session.lang_chosen

    await slack.command("slash_coach", "forget")
    confirm = slack.api.of("response_url")[-1]
    assert "forget:yes" in {e.get("value") for e in buttons_of(confirm)}
    data = payload("block_actions")
    data["container"] = {"type": "message", "message_ts": "1.1", "channel_id": "D0DM1",
                         "is_ephemeral": True}
    data.pop("message")
    data["response_url"] = slack.api.response_url("forget")
    data["actions"][0]["value"] = "forget:yes"
    await slack.click(data)
    replaced, done = slack.api.of("response_url")[-2:]
    assert replaced.params["replace_original"] is True
    assert all(b["type"] != "actions" for b in replaced.params["blocks"])
    assert done.params["response_type"] == "ephemeral"
    assert await slack.store.load("slack|T0CC1:D0DM1||U0ALICE") is None


# Home, verification, security --------------------------------------------------------------

async def test_url_verification_answers_the_challenge(slack):
    response = await slack.event("url_verification")
    assert response.status_code == 200
    assert response.json() == {"challenge": payload("url_verification")["challenge"]}


async def test_a_queued_event_is_acknowledged_without_building_bolts_request(slack, monkeypatch):
    import bot.slack.app as slack_app

    built = []
    real = slack_app.to_async_bolt_request

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(slack_app, "to_async_bolt_request", counted)
    assert (await slack.event("message_im", text=UNPAID["en"])).status_code == 200
    assert built == []  # only stored: the consumer reads it with Bolt
    assert len(slack.api.of("chat.postMessage")) == 1
    response = await slack.event("url_verification")  # answered by Bolt in the HTTP worker
    assert response.json() == {"challenge": payload("url_verification")["challenge"]}
    assert built == [1]


@pytest.mark.parametrize("lang", ["en", "fr", "nb"])
async def test_app_home_shows_topics_in_the_persons_language(slack, lang):
    slack.api.locales["U0ALICE"] = LOCALES[lang]
    await slack.event("app_home_opened")
    (publish,) = slack.api.of("views.publish")
    assert publish.params["user_id"] == "U0ALICE"
    view = publish.params["view"]
    assert view["type"] == "home"
    dumped = json.dumps(view, ensure_ascii=False)
    assert escape(KB.topic("late-payment").title.get(lang)) in dumped
    assert escape(KB.text(f"lang_name_{lang}", lang)) in dumped


async def test_bad_signature_and_stale_timestamp_get_401_and_no_reply(slack):
    bad = await slack.event("message_im", sign_args={"secret": "wrong-secret"})
    stale = await slack.event("message_im", sign_args={"timestamp": int(time.time()) - 600})
    data = payload("message_im")
    body, _ = event_request(data)
    unsigned = await slack.http.post("/slack/events", content=body,
                                     headers={"Content-Type": "application/json"})
    broken = "{not json"
    forged = await slack.http.post("/slack/events", content=broken,
                                   headers={"Content-Type": "application/json",
                                            **sign(broken, secret="wrong-secret")})
    assert bad.status_code == stale.status_code == unsigned.status_code == 401
    assert forged.status_code == 401
    await slack.api.settle(0.1)
    assert slack.api.replies() == []


async def test_a_retried_event_is_answered_once(slack):
    await slack.event("message_im", event_id="Ev0RETRY01", text=UNPAID["en"])
    retry = await slack.event("message_im", event_id="Ev0RETRY01", text=UNPAID["en"],
                              headers={"X-Slack-Retry-Num": "1",
                                       "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status_code == 200
    await slack.api.settle(0.1)
    assert len(slack.api.of("chat.postMessage")) == 1
    # A first delivery that carries a retry number (sent while we were down) is answered.
    await slack.event("message_im", event_id="Ev0RETRY02", text=UNPAID["en"],
                      headers={"X-Slack-Retry-Num": "2"})
    assert len(slack.api.of("chat.postMessage")) == 2


@pytest.mark.parametrize(
    "text",
    ["<!channel> <!here> <!everyone> pay now", "<script>alert('x')</script> & co",
     "word " * 8200, "ctrl \x00\x01\x02\x1b[2J\x7f chars"],
    ids=["mentions", "script", "40kb", "control"],
)
async def test_malicious_text_gets_a_safe_reply(slack, text):
    encoded = text.replace("&", "&amp;").replace("<!channel>", "<!channel>")
    response = await slack.event("message_im", text=encoded)
    assert response.status_code == 200
    (post,) = slack.api.of("chat.postMessage")
    assert len(post.params["blocks"]) <= 50
    for block in post.params["blocks"]:
        if block["type"] == "section":
            section_text = block["text"]["text"]
            assert len(section_text) <= 3000
            assert "<!" not in section_text and "<@" not in section_text
            assert "<script" not in section_text


def sign_bytes(body: bytes) -> dict[str, str]:
    """``sign`` for a body that need not be UTF-8."""
    stamp = str(int(time.time()))
    mac = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac.hexdigest()}"}


JSON, FORM = "application/json", "application/x-www-form-urlencoded"
NESTED = "[" * 100_000 + "]" * 100_000
HUGE = '{"type": "event_callback", "event": {"type": "message", "text": "' + "a" * 1_100_000 + '"}}'
# name, body, content type, expected status (a 4xx, or 200 for an event ignored without reply)
MALFORMED = [
    ("truncated", "{not json", JSON, {400}),
    ("truncated-event", '{"type": "event_callback", "event": {"type": "message", "te', JSON, {400}),
    ("no-event", '{"type": "event_callback"}', JSON, {200, 404}),
    ("unknown-event", '{"type": "event_callback", "event": {"type": "reaction_added"}}', JSON,
     {200}),
    ("unknown-type", '{"type": "nothing_we_know"}', JSON, {200, 404}),
    ("wrong-types", '{"type": "event_callback", "event": {"type": "message", "user": 1}}', JSON,
     {200, 400}),
    ("event-not-object", '{"type": "event_callback", "event": "message"}', JSON, {400}),
    ("text-not-string", '{"type": "event_callback", "event": {"type": "message", '
     '"channel_type": "im", "channel": "D0DM1", "user": "U0ALICE", "text": {"a": 1}}}', JSON,
     {200}),
    ("user-not-string", '{"type": "event_callback", "event": {"type": "message", '
     '"channel_type": "im", "channel": "D0DM1", "user": {"id": "U0ALICE"}, "text": "hi"}}', JSON,
     {200, 400}),
    ("event-type-number", '{"type": "event_callback", "event": {"type": 5}}', JSON, {400}),
    ("type-number", '{"type": 5, "event": {"type": "message"}}', JSON, {400}),
    ("user-of-click-not-object", "payload=" + quote('{"type": "block_actions", "user": "U0ALICE", '
     '"actions": [{"action_id": "cc:0", "value": "menu"}]}'), FORM, {400}),
    ("no-channel", '{"type": "event_callback", "event": {"type": "message", '
     '"channel_type": "im", "user": "U0ALICE", "text": "hello"}}', JSON, {200}),
    ("array", "[1, 2, 3]", JSON, {400}),
    ("null", "null", JSON, {200, 400}),
    ("deeply-nested", NESTED, JSON, {400}),
    ("broken-form", "payload=%7Bbroken", FORM, {400}),
    ("no-actions", "payload=%7B%22type%22%3A%22block_actions%22%7D", FORM, {200, 404}),
    ("actions-not-list", "payload=" + quote('{"type": "block_actions", "actions": 5, '
     '"user": {"id": "U0ALICE"}}'), FORM, {400}),
    ("no-user", "command=%2Fcoach", FORM, {200, 404}),
    ("empty", "", JSON, {400, 404}),
    ("empty-form", "", FORM, {200, 400, 404}),
    ("plain-text", "hello there", "text/plain", {200, 400, 404}),
    ("xml", "<event><type>message</type></event>", "application/xml", {200, 400, 404}),
    ("huge", HUGE, JSON, {413}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "content_type", "expected"), MALFORMED,
                         ids=[case[0] for case in MALFORMED])  # fmt: skip
async def test_malformed_signed_requests_never_500(slack, name, body, content_type, expected):
    response = await slack.http.post("/slack/events", content=body,
                                     headers={"Content-Type": content_type, **sign(body)})
    assert response.status_code in expected, (name, response.status_code)
    await slack.bot.drain()
    await slack.api.settle(0.1)
    assert slack.api.replies() == []


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"type": "event_callback", "x": "\xc3("}'],
                         ids=["bad-utf8", "bad-utf8-in-json"])  # fmt: skip
async def test_invalid_utf8_is_a_4xx_never_500(slack, body):
    response = await slack.http.post("/slack/events", content=body,
                                     headers={"Content-Type": JSON, **sign_bytes(body)})
    assert response.status_code == 400
    await slack.bot.drain()
    assert slack.api.replies() == []


async def test_rate_limit_and_server_errors_are_retried_with_bounded_backoff(slack):
    slack.api.fail("chat.postMessage", 429, retry_after=0)
    slack.api.fail("chat.postMessage", 503)
    await slack.event("message_im", text=UNPAID["en"])
    await slack.api.wait_for("chat.postMessage", 3)
    await slack.api.settle(0.2)
    assert len(slack.api.of("chat.postMessage")) == 3  # 429, 503, then delivered once


async def test_a_web_api_that_keeps_failing_is_logged_and_its_reply_kept(slack, caplog):
    """A 500 on the call and on its three retries does not say the message was not posted:
    the reply is not given up but kept in the inbox, to be settled by reading the channel once
    its send is surely over (tests/test_reply_doubt.py shows it sent then)."""
    slack.api.fail("chat.postMessage", 500, times=10)
    with caplog.at_level(logging.INFO):
        await slack.event("message_im", text=UNPAID["en"])
    assert len(slack.api.of("chat.postMessage")) == 4  # one try and three retries
    assert any(r.getMessage() == "reply not confirmed, settled later" for r in caplog.records)
    waiting, held, _ = await slack.bot.inbox.depth()
    assert waiting + held == 1


async def test_logs_never_contain_message_text_or_tokens(slack, caplog):
    secret = "Invoice 4711 for Globex Corporation is unpaid"
    with caplog.at_level(logging.DEBUG):
        await slack.event("message_im", text=secret)
        await slack.event("app_mention", text=f"<@{BOT_USER_ID}> {secret}")
        await slack.command("slash_coach", secret)
    assert slack.api.replies()
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Globex" not in logged
    assert BOT_TOKEN not in logged and SIGNING_SECRET not in logged
