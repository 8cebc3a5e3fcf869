"""The engine outside the flows' verdicts: menu, language, commands, topics, drafts, reminders,
forgetting, limits and failures, restarts, and input nobody planned for."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import LANGS, Chat, check_reply, memory_engine, real_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.engine as engine_module
from bot.engine import Engine
from bot.models import ConversationKey, Turn
from bot.store.base import Reminder, Session, StoreUnavailable
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore
from bot.understanding import Routing

KB = real_kb()
FLOW_TOPICS = set(KB.catalog.flows.values())
PLAIN_TOPICS = [t for t in KB.catalog.topics if t not in FLOW_TOPICS]


def t(key: str, lang: str, **values: Any) -> str:
    return KB.text(key, lang, **values)


@pytest.fixture
def chat() -> Chat:
    return Chat(memory_engine())


# Start, menu, help ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_start_greets_and_shows_the_menu_in_the_locale(lang: str) -> None:
    chat = Chat(memory_engine(), locale={"fr": "fr_FR", "nb": "no", "en": "en-GB"}[lang])
    (reply,) = await chat.command("start")
    assert reply.lang == lang
    assert reply.text.startswith(t("greeting", lang)) and t("menu_intro", lang) in reply.text
    flows = [b.payload for b in reply.buttons if b.payload.startswith("flow:")]
    assert flows == [f"flow:{f}" for f in KB.catalog.flows]
    assert {"help", "checklist", "lang"} <= set(chat.payloads)


async def test_no_locale_and_no_text_means_english(chat: Chat) -> None:
    (reply,) = await chat.command("start")
    assert reply.lang == "en"


async def test_help_lists_every_topic_without_a_flow(chat: Chat) -> None:
    (reply,) = await chat.command("help")
    assert reply.text == t("help", "en")
    assert [p for p in chat.payloads if p.startswith("topic:")] == [
        f"topic:{x}" for x in PLAIN_TOPICS
    ]


async def test_checklist_picker_and_checklist(chat: Chat) -> None:
    await chat.command("checklist")
    assert [p for p in chat.payloads if p.startswith("checklist:")] == [
        f"checklist:{x}" for x in KB.catalog.topics
    ]
    (reply,) = await chat.command("checklist-late-payment")  # a deep link
    topic = KB.topics["late-payment"]
    assert reply.checklist == [i.text.en for i in topic.checklist]
    assert reply.text == t("checklist_title", "en", title=topic.title.en)


# Language -------------------------------------------------------------------------------------

NB_TEXT = "Kunden min har ikke betalt fakturaen sin på tre måneder, og han svarer ikke på e-post"
FR_TEXT = "Mon client ne répond plus à mes messages depuis que je lui ai envoyé la facture"


async def test_language_detected_in_the_message_beats_the_locale() -> None:
    chat = Chat(memory_engine(), locale="en")
    replies = await chat.say(NB_TEXT)
    assert {r.lang for r in replies} == {"nb"}


async def test_explicit_choice_beats_the_message() -> None:
    chat = Chat(memory_engine(), locale="en")
    (reply,) = await chat.press("lang:fr")
    assert reply.text == t("lang_set", "fr") and reply.lang == "fr"
    replies = await chat.say(NB_TEXT)
    assert {r.lang for r in replies} == {"fr"}
    session = await chat.session()
    assert session.lang == "fr" and session.lang_chosen


async def test_short_messages_keep_the_current_language() -> None:
    chat = Chat(memory_engine())
    await chat.say(FR_TEXT)
    assert chat.last[0].lang == "fr"
    await chat.say("ok")
    assert chat.last[0].lang == "fr"


async def test_language_picker(chat: Chat) -> None:
    (reply,) = await chat.command("lang")
    assert chat.payloads == ["lang:fr", "lang:nb", "lang:en"]
    assert [b.label for b in reply.buttons] == [t("lang_self", x) for x in LANGS]


# Command words, in every language, at any point -----------------------------------------------


@pytest.mark.parametrize(
    ("word", "lang", "key"),
    [
        ("menu", "en", "menu_intro"), ("Meny", "nb", "menu_intro"), ("accueil", "fr", "menu_intro"),
        ("/help", "en", "help"), ("hjelp", "nb", "help"), ("aide", "fr", "help"),
        ("Start over", "en", "greeting"), ("start på nytt", "nb", "greeting"),
        ("recommencer !", "fr", "greeting"), ("language", "en", "lang_pick"),
        ("språk", "nb", "lang_pick"), ("langue", "fr", "lang_pick"),
    ],
)  # fmt: skip
async def test_command_words(chat: Chat, word: str, lang: str, key: str) -> None:
    await chat.say(word)
    assert t(key, lang) in chat.text
    assert chat.last[0].lang == lang


@pytest.mark.parametrize(
    ("word", "lang"),
    [("English", "en"), ("på norsk", "nb"), ("en français", "fr"), ("norsk", "nb")],
)
async def test_language_words_switch_and_remember(chat: Chat, word: str, lang: str) -> None:
    await chat.say(word)
    assert chat.last[0].text == t("lang_set", lang)
    session = await chat.session()
    assert session.lang == lang and session.lang_chosen


@pytest.mark.parametrize("word", ["menu", "meny", "cancel", "avbryt", "annuler", "/cancel"])
async def test_menu_and_cancel_leave_a_flow(chat: Chat, word: str) -> None:
    await chat.press("flow:drop-client")
    await chat.press("a:time:ignored")
    await chat.say(word)
    session = await chat.session()
    assert session.flow is None and session.state == "idle" and session.slots == {}
    assert any(p.startswith("flow:") for p in chat.payloads)
    await chat.press("a:work:respectful")  # the old flow's button is now stale
    assert t("stale", chat.last[0].lang) in chat.text


async def test_help_mid_flow_keeps_the_flow_and_asks_again(chat: Chat) -> None:
    await chat.press("flow:say-no")
    await chat.say("help")
    assert len(chat.last) == 2 and chat.last[0].text == t("help", "en")
    assert chat.last[1].text == KB.topics["say-no"].question("situation").text.en
    assert (await chat.session()).state == "asking_situation"


async def test_start_over_mid_flow_greets_again(chat: Chat) -> None:
    await chat.press("flow:unpaid-invoice")
    await chat.say("start over")
    assert chat.last[0].text.startswith(t("greeting", "en"))
    assert (await chat.session()).flow is None


async def test_language_switch_mid_flow_continues_in_the_new_language(chat: Chat) -> None:
    await chat.press("flow:say-no")
    await chat.press("a:situation:unrealistic")
    await chat.press("lang:nb")
    question = KB.topics["say-no"].question("alternative")
    assert [r.text for r in chat.last] == [t("lang_set", "nb"), question.text.nb]
    assert [b.label for b in chat.last[1].buttons][:2] == [o.label.nb for o in question.options]
    await chat.say("på engelsk")
    assert chat.last[1].text == question.text.en
    await chat.press("a:alternative:have-alt")
    verdict = chat.last[0]
    assert verdict.lang == "en"
    assert KB.topics["say-no"].outcome("refuse-with-alternative").text.en in verdict.text


# Unexpected input -----------------------------------------------------------------------------


async def test_unexpected_answer_gets_a_reask_with_the_options(chat: Chat) -> None:
    await chat.press("flow:client-left")
    await chat.say("banana")
    (reply,) = chat.last
    question = KB.topics["client-left"].question("reason")
    assert reply.text == t("clarify_choice_1", "en") + "\n\n" + question.text.en
    assert [b.payload for b in reply.buttons][:-1] == [f"a:reason:{o.id}" for o in question.options]
    assert (await chat.session()).state == "asking_reason"


@pytest.mark.parametrize(
    "payload",
    ["a:handover:done", "a:reason:nope", "a:days:12", "zzz", "topic:nope", "flow:nope",
     "checklist:nope", "draft:de", "remind:x", "a:time:ignored"],
)  # fmt: skip
async def test_foreign_or_stale_payloads_mid_flow_reask(chat: Chat, payload: str) -> None:
    await chat.press("flow:client-left")
    await chat.press(payload)
    assert chat.last[-1].text.endswith(KB.topics["client-left"].question("reason").text.en)
    assert (await chat.session()).state == "asking_reason"


@pytest.mark.parametrize("payload", ["a:time:ignored", "skip", "zzz", "topic:nope", "a:x"])
async def test_stale_payloads_outside_a_flow_show_the_menu(chat: Chat, payload: str) -> None:
    (reply,) = await chat.press(payload)
    assert reply.text == t("stale", "en")
    assert any(p.startswith("flow:") for p in chat.payloads)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
async def test_empty_text(chat: Chat, text: str) -> None:
    (reply,) = await chat.say(text)
    assert reply.text == t("empty", "en")
    await chat.press("flow:say-no")
    await chat.say(text)
    assert chat.last[0].text.startswith(t("reask", "en"))


async def test_skip_passes_over_a_required_question_too(chat: Chat) -> None:
    await chat.press("flow:client-left")
    await chat.press("skip")
    session = await chat.session()
    assert session.state == "asking_handover" and session.slots == {"reason": None}
    assert chat.last[-1].text.startswith(t("skipped", "en"))


async def test_very_long_text_is_answered_quickly_and_kept_small(chat: Chat) -> None:
    long = ("my client never pays and keeps asking for more work " * 1000)[:50_000]
    started = time.perf_counter()
    await chat.say(long)
    await chat.press("flow:unpaid-invoice")
    for payload in ("a:terms:none", "a:history:first-time"):
        await chat.press(payload)
    await chat.say("7 " + long)
    await chat.say("300 € " + long)
    await chat.say("ref-1 " * 8_000)
    assert time.perf_counter() - started < 2.0
    raw = chat.engine.store.sessions[chat.key.as_str()][1]  # type: ignore[attr-defined]
    assert len(raw.encode()) <= 2048
    assert chat.last[0].draft is not None


async def test_zero_width_and_rtl_text(chat: Chat) -> None:
    for text in ("\u200b\u200b", "\u202eoll\u202c", "مرحبا بك", "🙂" * 500):
        await chat.say(text)


async def test_non_text_and_joined(chat: Chat) -> None:
    (reply,) = await chat.send("non_text")
    assert reply.text == t("non_text", "en")
    await chat.press("flow:say-no")
    await chat.send("non_text")
    assert [r.text for r in chat.last] == [
        t("non_text", "en"),
        KB.topics["say-no"].question("situation").text.en,
    ]
    group = Chat(memory_engine(), chat_kind="group", locale="fr")
    (intro,) = await group.send("joined")
    assert intro.text == t("group_intro", "fr")


# Topics ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic_id", PLAIN_TOPICS)
async def test_topic_answer(topic_id: str, lang: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    (reply,) = await chat.press(f"topic:{topic_id}")
    topic = KB.topics[topic_id]
    assert reply.lang == lang
    assert topic.title.get(lang) in reply.text and topic.summary.get(lang) in reply.text
    for item in topic.advice:
        assert item.text.get(lang) in reply.text
    assert reply.checklist == [i.text.get(lang) for i in topic.checklist]
    assert reply.draft is not None and reply.draft.title == topic.drafts[0].title.get(lang)
    for name in topic.drafts[0].placeholders(lang):
        assert t(f"hint_{name}", lang) in reply.draft.text
    others = {f"dr:{d.id}" for d in topic.drafts[1:3]}
    assert {f"draft:{x}" for x in LANGS if x != lang} | {"menu"} | others == set(chat.payloads)
    for other in LANGS:
        if other == lang:
            continue
        (again,) = await chat.press(f"draft:{other}")
        assert again.lang == lang and again.draft is not None and again.draft.lang == other
        assert again.draft.title == topic.drafts[0].title.get(other)
        name = t(f"lang_name_{other}", lang)
        assert again.text == t("draft_other_lang", lang, language=name)


@pytest.mark.parametrize("topic_id", sorted(FLOW_TOPICS))
async def test_a_flow_topic_starts_its_flow(chat: Chat, topic_id: str) -> None:
    await chat.press(f"topic:{topic_id}")
    session = await chat.session()
    assert session.flow == KB.flow_for_topic(topic_id) and session.state.startswith("asking_")


async def test_group_topic_answers_suggest_a_direct_message() -> None:
    chat = Chat(memory_engine(), chat_kind="group")
    (reply,) = await chat.press("topic:rates")
    assert reply.continue_in_dm and reply.resume == "topic:rates"
    (reply,) = await chat.press("flow:say-no")
    assert reply.continue_in_dm and reply.resume == "flow:say-no"
    direct = Chat(memory_engine())
    (reply,) = await direct.press("flow:say-no")
    assert not reply.continue_in_dm and reply.resume is None


MULTI = [x for x in KB.catalog.topics if len(KB.topics[x].drafts) >= 2]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic_id", [x for x in MULTI if x in PLAIN_TOPICS][:3])
async def test_other_drafts_of_a_topic_are_reachable(topic_id: str, lang: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    await chat.press(f"topic:{topic_id}")
    drafts = KB.topics[topic_id].drafts
    offered = [b for b in chat.last[0].buttons if b.payload.startswith("dr:")]
    assert [(b.payload, b.label) for b in offered] == [
        (f"dr:{d.id}", d.title.get(lang)) for d in drafts[1:3]
    ]
    (reply,) = await chat.press(offered[0].payload)
    second = drafts[1]
    assert reply.lang == lang and reply.draft is not None
    assert reply.draft.title == second.title.get(lang) and reply.draft.lang == lang
    assert reply.text == t("draft_pick", lang, title=second.title.get(lang))
    shown = [b.payload for b in reply.buttons if b.payload.startswith("dr:")]
    assert f"dr:{second.id}" not in shown and f"dr:{drafts[0].id}" in shown
    assert len(shown) <= 2
    other = next(x for x in LANGS if x != lang)
    (again,) = await chat.press(f"draft:{other}")  # the draft now shown, in another language
    assert again.draft is not None and again.draft.title == second.title.get(other)


async def test_a_verdict_offers_the_topics_other_drafts(chat: Chat) -> None:
    await finish_unpaid(chat)
    topic = KB.topics["late-payment"]
    shown = chat.last[0].draft
    assert shown is not None
    used = next(d for d in topic.drafts if d.title.en == shown.title)
    offered = [p for p in chat.payloads if p.startswith("dr:")]
    assert offered == [f"dr:{d.id}" for d in topic.drafts if d.id != used.id][:2]
    (reply,) = await chat.press(offered[0])
    assert reply.draft is not None and reply.draft.title != shown.title
    assert "10" in reply.draft.text or "{days_overdue}" not in topic.draft(offered[0][3:]).text.en


@pytest.mark.parametrize("payload", ["dr:nope", "dr:reminder", "dr:Bad Id", "dr:"])
async def test_stale_or_foreign_draft_buttons_get_the_usual_reask(
    chat: Chat, payload: str
) -> None:
    (reply,) = await chat.press(payload)  # nothing answered yet
    assert reply.text == t("stale", "en")
    await chat.press("topic:rates")
    (reply,) = await chat.press("dr:part-ways")  # a draft of another topic
    assert reply.text == t("stale", "en")
    await chat.press("flow:say-no")
    await chat.press(payload)
    assert chat.last[-1].text.endswith(KB.topics["say-no"].question("situation").text.en)
    assert (await chat.session()).state == "asking_situation"
    await chat.press("flow:unpaid-invoice")  # a draft of this very topic, but mid-flow
    await chat.press("dr:payment-plan")
    assert chat.last[-1].text.endswith(KB.topics["late-payment"].question("terms").text.en)
    assert chat.last[-1].draft is None


async def test_draft_without_a_topic(chat: Chat) -> None:
    (reply,) = await chat.press("draft:fr")
    assert reply.text == t("draft_none", "en")


def fake_route(routing: Routing):  # noqa: ANN201
    return lambda text, lang=None: routing


async def test_routing_to_a_topic_an_ambiguity_and_off_topic(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = Routing(ranked=[("rates", 0.9)], candidates=["rates"], ambiguous=False, offtopic=False)
    monkeypatch.setattr(engine_module, "route", fake_route(one))
    (reply,) = await chat.say("something about what I charge")
    assert KB.topics["rates"].summary.en in reply.text
    pair = ["ghosting", "late-payment"]
    ranked = list(zip(pair, [0.5, 0.4], strict=True))
    two = Routing(ranked=ranked, candidates=pair, ambiguous=True, offtopic=False)
    monkeypatch.setattr(engine_module, "route", fake_route(two))
    (reply,) = await chat.say("they vanished after the invoice")
    assert reply.text == t("ambiguous", "en")
    assert chat.payloads == ["topic:ghosting", "topic:late-payment", "menu"]
    await chat.press("topic:late-payment")
    assert (await chat.session()).flow == "unpaid-invoice"
    off = Routing(ranked=[], candidates=[], ambiguous=False, offtopic=True)
    monkeypatch.setattr(engine_module, "route", fake_route(off))
    await chat.say("cancel")
    (reply,) = await chat.say("what is the weather like in Bergen tomorrow")
    assert reply.text == t("offtopic", "en")


async def test_real_routing_answers_a_described_situation(chat: Chat) -> None:
    replies = await chat.say(
        "My client still has not paid my invoice and it is two months late now"
    )
    assert (await chat.session()).flow == "unpaid-invoice" or "topic:" in " ".join(chat.payloads)
    assert replies


async def test_mid_flow_a_long_message_about_another_topic_leaves_the_flow(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.press("flow:drop-client")
    one = Routing(ranked=[("rates", 0.9)], candidates=["rates"], ambiguous=False, offtopic=False)
    monkeypatch.setattr(engine_module, "route", fake_route(one))
    await chat.say("actually I want to talk about raising what I charge")
    assert "switch:rates" in chat.payloads and "keep" in chat.payloads, "asks before leaving"
    assert (await chat.session()).flow == "drop-client"
    await chat.press("switch:rates")
    assert KB.topics["rates"].summary.en in chat.text
    session = await chat.session()
    assert session.flow is None and session.paused and session.paused["flow"] == "drop-client"
    assert "resume:drop-client" in chat.payloads, "the paused flow is offered again"


# Reminders and forgetting ---------------------------------------------------------------------


async def finish_unpaid(chat: Chat) -> None:
    await chat.press("flow:unpaid-invoice")
    for payload in ("a:terms:in-writing", "a:history:first-time"):
        await chat.press(payload)
    await chat.say("10")
    await chat.press("skip")
    await chat.press("skip")


async def test_reminder_set_delivered_and_cancelled() -> None:
    chat = Chat(memory_engine(), locale="nb")
    await finish_unpaid(chat)
    assert {"remind:7", "remind:14"} <= set(chat.payloads)
    at = datetime.now(UTC)
    (reply,) = await chat.send("button", payload="remind:7", at=at)
    title = KB.topics["late-payment"].title.nb
    assert reply.text == t("reminder_set", "nb", days=7, title=title)
    store = chat.engine.store
    assert await store.claim_due_reminders(at.timestamp() + 6 * 86400) == []
    (due,) = await store.claim_due_reminders(at.timestamp() + 7 * 86400 + 1)
    assert (due.key, due.person, due.lang, due.topic) == (
        chat.key.as_str(),
        chat.key.person,
        "nb",
        "late-payment",
    )
    follow_up = chat.engine.reminder_reply(due)
    check_reply(follow_up)
    assert follow_up.text == t("reminder_due", "nb", title=title)
    assert [b.payload for b in follow_up.buttons] == ["flow:unpaid-invoice", "menu"]
    await chat.press("remind:14")
    (reply,) = await chat.press("remind:cancel")
    assert reply.text == t("reminder_cancelled", "nb")
    (reply,) = await chat.press("remind:cancel")
    assert reply.text == t("reminder_none", "nb")
    (reply,) = await chat.press("remind:999")
    assert reply.text == t("reminder_bad", "nb")


async def test_reminder_reply_for_a_plain_topic_and_an_unknown_one(chat: Chat) -> None:
    base = {"id": "r", "key": "test|c||u", "person": "test|u", "due": 0.0}
    reply = chat.engine.reminder_reply(Reminder(**base, lang="fr", topic="ghosting"))
    assert [b.payload for b in reply.buttons] == ["topic:ghosting", "menu"] and reply.lang == "fr"
    reply = chat.engine.reminder_reply(Reminder(**base, lang="xx", topic=""))
    assert reply.lang == "en" and [b.payload for b in reply.buttons] == ["menu"]


async def test_forget_asks_first_then_deletes_everything(chat: Chat) -> None:
    await finish_unpaid(chat)
    await chat.press("remind:7")
    other = Chat(chat.engine, chat="c2")
    await other.press("flow:say-no")
    (reply,) = await chat.say("forget me")
    assert reply.text == t("forget_confirm", "en")
    assert chat.payloads == ["forget:yes", "menu"]
    assert await chat.session() is not None  # nothing deleted yet
    (reply,) = await chat.press("forget:yes")
    assert reply.text == t("forgotten", "en")
    store: MemoryStore = chat.engine.store  # type: ignore[assignment]
    assert await chat.session() is None and await other.session() is None
    assert store.reminders == {}


# Limits and failures --------------------------------------------------------------------------


async def test_rate_limit_gives_a_polite_notice() -> None:
    chat = Chat(memory_engine(rate_limit=3), locale="fr")
    for _ in range(3):
        await chat.say("menu")
    (reply,) = await chat.say("menu")
    assert reply.text == t("rate_limited", "fr")
    other = Chat(chat.engine, user="someone-else")
    (reply,) = await other.say("menu")
    assert reply.text == t("menu_intro", "en")


class BrokenStore(MemoryStore):
    async def load(self, key: str) -> Session | None:
        raise StoreUnavailable("down")


async def test_store_outage_gives_a_short_notice() -> None:
    chat = Chat(Engine(BrokenStore(), KB), locale="nb")
    (reply,) = await chat.say("hei")
    assert reply.text == t("unavailable", "nb")


@pytest.mark.parametrize(
    "broken",
    [Session(flow="gone-flow", state="asking_x"), Session(flow="say-no", state="asking_nothing"),
     Session(flow="say-no", state="done"), Session(lang="de", flow=None, state="weird")],
)  # fmt: skip
async def test_a_session_in_an_undefined_state_is_repaired(chat: Chat, broken: Session) -> None:
    await chat.engine.store.save(chat.key.as_str(), chat.key.person, broken)
    await chat.say("hello")
    session = await chat.session()
    assert session.flow is None and session.state == "idle" and session.lang in (*LANGS, None)


async def test_restart_mid_flow_with_sqlite_resumes(tmp_path: Path) -> None:
    path = tmp_path / "cc.sqlite3"
    first = Chat(Engine(SQLiteStore(path), KB), locale="fr")
    await first.press("flow:unpaid-invoice")
    await first.press("a:terms:verbal")
    await first.press("a:history:repeated")
    await first.say("40 jours")
    await first.engine.store.close()

    second = Chat(Engine(SQLiteStore(path), KB), locale="fr")  # a new process, same file
    await second.say("850 €")
    assert second.last[0].text == KB.topics["late-payment"].question("invoice").text.fr
    await second.say("F-88")
    await second.press("a:trust:no-trust")
    verdict = second.last[0]
    assert KB.topics["late-payment"].outcome("collection").text.fr in verdict.text
    assert (
        verdict.draft is not None
        and "850\u00a0€" in verdict.draft.text
        and "F-88" in verdict.draft.text
    )
    assert "40" in verdict.draft.text
    await second.engine.store.close()


# Property: nothing a person sends can break a conversation --------------------------------------

PAYLOADS = st.sampled_from(
    ["start", "menu", "help", "cancel", "lang", "lang:nb", "lang:no", "topic:rates", "flow:say-no",
     "flow:unpaid-invoice", "checklist", "checklist:ghosting", "a:situation:competitor",
     "a:terms:none", "a:history:repeated", "a:days:1", "draft:fr", "remind:3", "remind:cancel",
     "skip", "forget", "a:time:ignored", "flow-drop-client", "nonsense"]
)  # fmt: skip
STEPS = st.lists(
    st.one_of(
        PAYLOADS.map(lambda p: ("button", p)), st.text(max_size=300).map(lambda x: ("message", x))
    ),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
async def test_any_sequence_is_answered_and_leaves_a_defined_state(
    steps: list[tuple[str, str]],
) -> None:
    engine = memory_engine()
    chat = Chat(engine)
    for kind, value in steps:
        if kind == "button":
            await chat.press(value)
        else:
            await chat.say(value)
        session = await chat.session()
        if session is None:
            continue
        json.loads(session.to_json())
        if session.flow is None:
            assert session.state == "idle"
        else:
            assert engine.flows[session.flow].valid_state(session.state)


def test_turn_key_round_trip() -> None:
    key = ConversationKey(platform="test", chat="c", user="u")
    assert Turn(key=key).key.as_str() == "test|c||u"


async def test_rate_window_comes_from_the_settings() -> None:
    from bot.config import Settings
    from bot.engine import build_engine

    now = [1000.0]
    store = MemoryStore(clock=lambda: now[0])
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, CLIENTCOACH_RATE_LIMIT=2, CLIENTCOACH_RATE_WINDOW=5
    )
    engine = build_engine(settings, store)
    assert (engine.rate_limit, engine.rate_window) == (2, 5.0)
    chat = Chat(engine)
    for _ in range(2):
        await chat.say("menu")
    (reply,) = await chat.say("menu")
    assert reply.text == t("rate_limited", "en")
    now[0] += 5  # a new window of five seconds, not sixty
    (reply,) = await chat.say("menu")
    assert reply.text == t("menu_intro", "en")
    assert Engine(MemoryStore(), KB).rate_window == 60.0
