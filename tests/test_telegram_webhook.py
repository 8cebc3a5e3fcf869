"""The Telegram bot end to end in webhook mode: recorded updates are POSTed over HTTP to
``/telegram/webhook`` of the real service app (uvicorn on 127.0.0.1), the real Application,
engine and SQLite store answer, and the Bot API stand-in records (and validates) what is sent."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from standins.telegram_harness import SECRET, Harness, fresh, telegram_service

import knowledge
from bot.standins.telegram_api import BOT_ID, TOKEN
from bot.telegram.app import ALLOWED_UPDATES
from bot.telegram.profile import PRIVATE_COMMANDS as COMMANDS

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
KB = knowledge.load()
ANNE, KARI, TOM = 41230001, 41230002, 41230003
GROUP = -1001700000042
_query_ids = itertools.count(1)


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def t(key: str, lang: str, **values: Any) -> str:
    return KB.text(key, lang, **values)


def person(update: dict[str, Any]) -> dict[str, Any]:
    return (update.get("message") or update["callback_query"])["from"]


def press(message: dict[str, Any], data: str, who: dict[str, Any]) -> dict[str, Any]:
    """A callback_query update for a button of a message the bot sent."""
    labels = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
              for b in row if "callback_data" in b]  # fmt: skip
    assert data in labels, f"{data} not offered: {labels}"
    return fresh({
        "update_id": 0,
        "callback_query": {
            "id": f"77{next(_query_ids):08d}", "from": who, "message": message,
            "chat_instance": "-6020137734113541", "data": data,
        },
    })  # fmt: skip


def payloads(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b.get("callback_data") or b.get("url") for row in rows for b in row]


async def nothing_sent(h: Harness, update: dict[str, Any] | bytes, status: int = 200) -> None:
    before = len(h.stand_in.calls)
    response = await h.post(update)
    assert response.status_code == status
    await h.stand_in.settle(quiet=0.2)
    new = [c.method for c in h.stand_in.calls[before:]]
    assert new == [], new


async def test_start_up_registers_the_command_menu_and_the_webhook(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram")
    url = "https://coach.example.org/telegram/webhook"
    async with telegram_service(tmp_path, TELEGRAM_WEBHOOK_URL=url) as h:
        assert h.stand_in.of("getMe")
        menus = {c.params.get("language_code"): c.params["commands"]
                 for c in h.stand_in.of("setMyCommands")
                 if c.params["scope"]["type"] == "all_private_chats"}  # fmt: skip
        assert set(menus) == {None, "en", "fr", "nb", "no", "nn"}
        for code, lang in [(None, "en"), ("en", "en"), ("fr", "fr"), ("nb", "nb"), ("no", "nb"),
                           ("nn", "nb")]:
            assert [c["command"] for c in menus[code]] == list(COMMANDS)
            assert [c["description"] for c in menus[code]] == [
                t(f"tg_cmd_{name}", lang) for name in COMMANDS
            ]
        hook = h.stand_in.of("setWebhook")[0].params
        assert (hook["url"], hook["secret_token"]) == (url, SECRET)
        assert hook["allowed_updates"] == ALLOWED_UPDATES
    assert "can_read_all_group_messages=False" in caplog.text


@pytest.mark.parametrize(
    ("locale", "lang"), [("fr", "fr"), ("nb", "nb"), ("no", "nb"), ("en-GB", "en"), (None, "en")]
)
async def test_start_greets_in_the_language_of_the_app(
    tmp_path: Path, locale: str | None, lang: str
) -> None:
    async with telegram_service(tmp_path) as h:
        update = fresh(load("private_start_nb"))
        if locale is None:
            del update["message"]["from"]["language_code"]
        else:
            update["message"]["from"]["language_code"] = locale
        sent = await h.exchange(update, KARI)
        assert t("greeting", lang) in sent[0]["text"]
        assert "flow:unpaid-invoice" in payloads(sent[-1])
        call = h.stand_in.of("sendMessage")[0].params
        assert call["parse_mode"] == "HTML"
        assert "reply_parameters" not in call  # private chats are not answered as replies


async def test_private_text_in_french_is_answered_in_french(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        sent = await h.exchange(fresh(load("private_text_fr")), ANNE)
        question = KB.topic("late-payment").question("terms")
        assert question.text.fr in sent[-1]["text"]
        assert {f"a:terms:{o.id}" for o in question.options} <= set(payloads(sent[-1]))


async def test_deep_link_opens_the_checklist_in_english(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        sent = await h.exchange(fresh(load("private_start_deep_link_en")), TOM)
        shown = "\n".join(m["text"] for m in sent)
        for item in KB.topic("late-payment").checklist:
            assert f"\u2610 {item.text.en}" in shown


async def test_button_press_is_answered_and_the_keyboard_replaced_by_the_choice(
    tmp_path: Path,
) -> None:
    async with telegram_service(tmp_path) as h:
        start = fresh(load("private_start_nb"), language_code="nb")
        menu = (await h.exchange(start, KARI))[-1]
        update = press(menu, "flow:unpaid-invoice", person(start))
        sent = await h.exchange(update, KARI)
        answered = h.stand_in.of("answerCallbackQuery")
        assert [c.params["callback_query_id"] for c in answered] == [
            update["callback_query"]["id"]
        ]
        assert "text" not in answered[0].params
        edit = h.stand_in.of("editMessageText")[0].params
        assert edit["message_id"] == menu["message_id"]
        assert "reply_markup" not in edit or not edit["reply_markup"].get("inline_keyboard")
        label = KB.text("flow_unpaid_invoice", "nb")
        pressed = next(m for m in h.stand_in.sent(KARI) if m["message_id"] == menu["message_id"])
        assert pressed["text"].endswith(t("tg_your_choice", "nb", label=label))
        assert "reply_markup" not in pressed
        question = KB.topic("late-payment").question("terms")
        assert question.text.nb in sent[-1]["text"]


async def test_forget_asks_with_a_button_then_deletes(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        hello = fresh(load("private_text_fr"))
        await h.exchange(hello, ANNE)
        key = f"telegram|{ANNE}||{ANNE}"
        assert await h.store.load(key) is not None
        forget = fresh(load("private_text_fr"), text="/forget",
                       entities=[{"offset": 0, "length": 7, "type": "bot_command"}])  # fmt: skip
        confirm = (await h.exchange(forget, ANNE))[-1]
        assert t("forget_confirm", "fr") in confirm["text"]
        assert "forget:yes" in payloads(confirm)
        assert await h.store.load(key) is not None  # nothing deleted before the press
        done = await h.exchange(press(confirm, "forget:yes", person(hello)), ANNE)
        assert t("forgotten", "fr") in done[-1]["text"]
        assert await h.store.load(key) is None


async def test_group_mention_is_answered_as_a_reply(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        await h.exchange(fresh(load("group_mention_en")), GROUP)
        calls = h.stand_in.of("sendMessage")
        assert calls and all(c.params["reply_parameters"]["message_id"] == 9001 for c in calls)


async def test_reply_to_the_bot_in_a_group_is_answered(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        sent = await h.exchange(fresh(load("group_reply_to_bot_en")), GROUP)
        assert sent and sent[0]["reply_to_message"]["message_id"] == 9005


@pytest.mark.parametrize(
    "name",
    [
        "group_chatter",
        "group_reply_to_person",
        "group_command_other_bot",
        "group_photo",
        "group_service_bot_added",
        "edited_message",
        "channel_post",
        "my_chat_member_promoted",
        "my_chat_member_blocked_private",
    ],
)
async def test_updates_the_bot_stays_silent_on(tmp_path: Path, name: str) -> None:
    async with telegram_service(tmp_path) as h:
        await nothing_sent(h, fresh(load(name)))


@pytest.mark.parametrize(("name", "lang", "chat"), [("private_photo", "fr", ANNE),
                                                    ("private_voice", "nb", KARI)])  # fmt: skip
async def test_attachments_in_private_get_a_short_answer(
    tmp_path: Path, name: str, lang: str, chat: int
) -> None:
    async with telegram_service(tmp_path) as h:
        sent = await h.exchange(fresh(load(name)), chat)
        assert t("non_text", lang) in sent[0]["text"]


async def test_added_to_a_group_introduces_itself_once(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        sent = await h.exchange(fresh(load("my_chat_member_added_fr")), GROUP)
        assert len(sent) == 1
        assert t("group_intro", "fr") in sent[0]["text"]
        assert "reply_parameters" not in h.stand_in.of("sendMessage")[0].params


async def test_two_people_in_one_group_keep_separate_conversations(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        tom = fresh(load("group_mention_en"), text="@clientcoach_test_bot /start",
                    entities=[{"offset": 0, "length": 21, "type": "mention"}])  # fmt: skip
        tom["message"]["text"] = "@clientcoach_test_bot"
        tom_menu = (await h.exchange(tom, GROUP))[-1]
        kari = fresh(load("group_command_help"))
        await h.exchange(kari, GROUP)
        # Tom opens a flow with his own button
        tom_question = (await h.exchange(press(tom_menu, "flow:say-no", person(tom)), GROUP))[-1]
        assert tom_question["reply_to_message"]["message_id"] == tom["message"]["message_id"]
        # Kari presses Tom's button: a notice only for her, nothing taken or sent
        option = next(p for p in payloads(tom_question) if p.startswith("a:"))
        before = len(h.stand_in.calls)
        foreign = press(tom_question, option, person(kari))
        assert (await h.post(foreign)).status_code == 200
        await h.stand_in.wait_for(lambda s: len(s.of("answerCallbackQuery")) >= 2)
        await h.stand_in.settle(quiet=0.2)
        new = h.stand_in.calls[before:]
        assert [c.method for c in new] == ["answerCallbackQuery"]
        assert new[0].params["text"] == t("foreign_button", "nb")
        tom_session = await h.store.load(f"telegram|{GROUP}||{TOM}")
        kari_session = await h.store.load(f"telegram|{GROUP}||{KARI}")
        assert tom_session is not None and tom_session.flow == "say-no"
        assert kari_session is not None and kari_session.flow is None
        # Tom's own press is taken
        sent = await h.exchange(press(tom_question, option, person(tom)), GROUP)
        assert sent


async def test_sensitive_flow_in_a_group_offers_to_continue_in_private(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        update = fresh(load("group_mention_en"),
                       text="@clientcoach_test_bot my client still has not paid my invoice",
                       entities=[{"offset": 0, "length": 21, "type": "mention"}])  # fmt: skip
        sent = await h.exchange(update, GROUP)
        links = [p for p in payloads(sent[-1]) if p.startswith("https://")]
        assert links == ["https://t.me/clientcoach_test_bot?start=flow-unpaid-invoice"]
        assert t("continue_in_dm", "en") in sent[-1]["text"]
        # ... and the deep link, opened in private, starts that flow there
        start = fresh(load("private_start_deep_link_en"), text="/start flow-unpaid-invoice",
                      entities=[{"offset": 0, "length": 6, "type": "bot_command"}])  # fmt: skip
        private = await h.exchange(start, TOM)
        question = KB.topic("late-payment").question("terms")
        assert question.text.en in private[-1]["text"]


async def test_forum_topic_answers_stay_in_the_topic(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        await h.exchange(fresh(load("forum_topic_mention_nb")), -1001700000099)
        call = h.stand_in.of("sendMessage")[0].params
        assert call["message_thread_id"] == 300


async def test_duplicate_update_id_gets_one_answer(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        update = fresh(load("private_start_nb"))
        sent = await h.exchange(update, KARI)
        await nothing_sent(h, update)
        assert len(h.stand_in.sent(KARI)) == len(sent)


async def test_duplicate_update_across_two_services_sharing_a_store(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as one, telegram_service(tmp_path) as two:
        update = fresh(load("private_text_fr"))
        first, second = await asyncio.gather(one.post(update), two.post(update))
        assert first.status_code == second.status_code == 200
        await one.stand_in.wait_for(lambda s: True)
        await asyncio.sleep(0.2)
        await one.stand_in.settle(quiet=0.3)
        await two.stand_in.settle(quiet=0.3)
        counts = sorted([len(one.stand_in.sent(ANNE)), len(two.stand_in.sent(ANNE))])
        assert counts[0] == 0 and counts[1] >= 1


@pytest.mark.parametrize("secret", ["wrong-secret", "", None, SECRET + "x"])
async def test_wrong_webhook_secret_is_rejected_without_reply(
    tmp_path: Path, secret: str | None
) -> None:
    async with telegram_service(tmp_path) as h:
        update = fresh(load("private_start_nb"))
        before = len(h.stand_in.calls)
        response = await h.post(update, secret=secret)
        assert response.status_code == 403
        await h.stand_in.settle(quiet=0.2)
        assert h.stand_in.calls[before:] == []
        # the rejected update was not marked as seen: the real delivery is answered
        assert await h.exchange(update, KARI)


MALFORMED: list[tuple[str, bytes, set[int]]] = [
    ("truncated JSON", b'{"update_id": 5, "message": {"text": "hi"', {400}),
    ("not an object", b"[1, 2, 3]", {400}),
    ("no update_id", b'{"message": {}}', {400}),
    ("update_id is a string", b'{"update_id": "5"}', {400}),
    ("message of the wrong type", b'{"update_id": 5, "message": "hello"}', {400}),
    ("chat missing", b'{"update_id": 6, "message": {"message_id": 1, "date": 1, "text": "x"}}',
     {200, 400}),
    ("unknown update type", b'{"update_id": 7, "poll": {"id": "1"}}', {200, 400}),
    ("empty body", b"", {400}),
    ("not UTF-8", b"\xff\xfe\x00", {400}),
    ("huge body", b'{"update_id": 8, "x": "' + b"a" * 2_000_000 + b'"}', {413}),
    ("deeply nested", b'{"update_id": 9, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     {400}),
    ("null", b"null", {400}),
    ("invalid UTF-8 inside JSON", b'{"update_id": 10, "message": {"text": "\xc3("}}', {400}),
    ("text is a number", b'{"update_id": 11, "message": {"message_id": 1, "date": 1, '
     b'"chat": {"id": 41230001, "type": "private"}, "from": {"id": 41230001, "is_bot": false, '
     b'"first_name": "A"}, "text": 5}}', {200, 400}),
    ("chat id is a string", b'{"update_id": 12, "message": {"message_id": 1, "date": 1, '
     b'"chat": {"id": "x", "type": "private"}, "text": "hi"}}', {200, 400}),
    ("no sender", b'{"update_id": 13, "message": {"message_id": 1, "date": 1, '
     b'"chat": {"id": 41230001, "type": "private"}, "text": "hi"}}', {200, 400}),
    ("callback without message", b'{"update_id": 14, "callback_query": {"id": "1", '
     b'"from": {"id": 41230001, "is_bot": false, "first_name": "A"}, "chat_instance": "1", '
     b'"data": "menu"}}', {200, 400}),
    ("callback data is a list", b'{"update_id": 15, "callback_query": {"id": "1", '
     b'"from": {"id": 41230001, "is_bot": false, "first_name": "A"}, "chat_instance": "1", '
     b'"data": [1]}}', {200, 400}),
    ("update_id negative", b'{"update_id": -1}', {200, 400}),
    ("form body", b"update_id=16&message=hi", {400}),
]  # fmt: skip
NOT_JSON_TYPES = [("text/plain", b"hello"), ("application/x-www-form-urlencoded", b"update_id=17"),
                  ("application/xml", b"<update/>")]  # fmt: skip


async def test_malformed_bodies_are_4xx_or_ignored_never_500(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with telegram_service(tmp_path) as h:
        for name, body, expected in MALFORMED:
            response = await h.post(body)
            assert response.status_code in expected, (name, response.status_code)
        for content_type, body in NOT_JSON_TYPES:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": content_type}
            response = await h.client.post(h.url, content=body, headers=headers)
            assert response.status_code == 400, (content_type, response.status_code)
        await h.stand_in.settle(quiet=0.2)
        assert h.stand_in.of("sendMessage") == []
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
        # still answering afterwards
        assert await h.exchange(fresh(load("private_start_nb")), KARI)


async def test_hostile_and_huge_text_round_trips_safely(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        text = ("<b>unpaid</b> & <i>invoice</i> _x_ *y* " * 300)[:10_000]
        assert len(text) == 10_000
        sent = await h.exchange(fresh(load("private_text_fr"), text=text), ANNE)
        assert sent  # every sendMessage passed the stand-in's HTML and length checks
        for call in h.stand_in.of("sendMessage"):
            assert "<b>unpaid</b>" not in call.params["text"]


async def test_logs_hold_neither_message_text_nor_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_words = "Zanzibar-invoice-4471 for my client Olafsen"
    async with telegram_service(tmp_path) as h:
        menu = (await h.exchange(fresh(load("private_start_nb")), KARI))[-1]
        await h.exchange(fresh(load("private_text_fr"), text=secret_words), ANNE)
        await h.exchange(press(menu, "flow:unpaid-invoice", person(load("private_start_nb"))),
                         KARI)  # fmt: skip
        await h.post(fresh(load("private_start_nb")), secret="wrong")
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.__dict__}" for r in caplog.records
    )
    assert caplog.records
    assert "Zanzibar" not in logged
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged
    assert SECRET not in logged
    assert str(BOT_ID) in logged or "telegram" in logged
