"""The message that starts a flow fills the slots it states plainly (days late, amount, invoice
number), those questions are not asked, and the draft carries the values."""

from __future__ import annotations

import pytest
from engine_helpers import Chat, memory_engine, real_kb, routed_to

from bot.flows import Flow
from dialogs.registry import FLOWS, check
from dialogs.unpaid_invoice import FLOW as UNPAID

KB = real_kb()
TOPIC = KB.topics["late-payment"]
FIRST = {
    "en": ("my client hasn't paid invoice #2024-017 of 1 200 € for two months",
           {"days": 60, "amount": "1200 EUR", "invoice": "2024-017"}, "€1,200"),
    "nb": ("fakturaen på 5000 kr er 45 dager over forfall",
           {"days": 45, "amount": "5000 NOK"}, "kr\u00a05\u00a0000"),
    "fr": ("facture F-12 impayée depuis 3 semaines", {"days": 21, "invoice": "F-12"}, None),
}  # fmt: skip


def asked(chat: Chat, lang: str) -> str | None:
    found = [q.id for q in TOPIC.questions if chat.last[0].text.endswith(q.text.get(lang))]
    return found[0] if found else None


@pytest.mark.parametrize("lang", ["en", "nb", "fr"])
async def test_first_message_fills_slots_and_skips_their_questions(
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    text, slots, shown_amount = FIRST[lang]
    routed_to(monkeypatch, "late-payment")
    chat = Chat(memory_engine(), locale=lang)
    await chat.command(f"lang:{lang}")
    await chat.say(text)
    session = await chat.session()
    assert session.flow == "unpaid-invoice" and session.state == "asking_terms"
    assert session.slots == slots
    noted = KB.text("noted_days", lang, value=slots["days"])
    assert noted in chat.last[0].text
    order = []
    answers = {"terms": "a:terms:in-writing", "history": "a:history:first-time"}
    for _ in range(8):
        question = asked(chat, lang)
        if question is None:
            break
        order.append(question)
        if question in answers:
            await chat.press(answers[question])
        else:
            await chat.press("skip")
    expected = ["terms", "history", *[q for q in ("amount", "invoice") if q not in slots]]
    assert order == expected
    verdict = chat.last[0]
    outcome = "call" if slots["days"] >= 30 else "send-reminder"
    assert TOPIC.outcome(outcome).text.get(lang) in verdict.text
    draft = verdict.draft
    assert draft is not None
    template = TOPIC.draft(TOPIC.outcome(outcome).draft).text.get(lang)
    if "{days_overdue}" in template:
        assert str(slots["days"]) in draft.text
    if "{invoice_number}" in template and "invoice" in slots:
        assert slots["invoice"] in draft.text
    if "{amount}" in template and shown_amount:
        assert shown_amount in draft.text


async def test_repeated_late_payer_is_still_asked_about_trust(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routed_to(monkeypatch, "late-payment")
    chat = Chat(memory_engine())
    await chat.say("invoice INV-9 for 800 € has been unpaid for 3 weeks")
    await chat.press("a:terms:verbal")
    await chat.press("a:history:repeated")
    assert asked(chat, "en") == "trust", "the declared condition still decides"
    await chat.press("a:trust:no-trust")
    draft = chat.last[0].draft
    assert TOPIC.outcome("collection").text.en in chat.last[0].text and draft is not None


async def test_an_unclear_message_fills_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    routed_to(monkeypatch, "late-payment")
    chat = Chat(memory_engine())
    await chat.say("terms were 30 days and it is two months now, 300 € paid of 1 200 €")
    assert (await chat.session()).slots == {}
    assert KB.text("prefill_noted", "en", items="x")[:12] not in chat.text
    await chat.press("a:terms:none")
    await chat.press("a:history:first-time")
    assert asked(chat, "en") == "days"


async def test_a_message_routed_elsewhere_fills_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    text = FIRST["en"][0]
    chat = Chat(memory_engine())
    routed_to(monkeypatch, "fire-client")
    await chat.say(text)
    session = await chat.session()
    assert session.flow == "drop-client" and session.slots == {}
    routed_to(monkeypatch, "time-zones")  # no flow, and none its openings lead to
    await chat.say("cancel")
    await chat.say(text)
    assert set((await chat.session()).slots) == {"_d"}
    routed_to(monkeypatch, "time-zones", "late-payment")  # two buttons: nothing is kept
    await chat.say(text)
    await chat.press("topic:late-payment")
    assert (await chat.session()).slots == {}
    await chat.press("a:terms:none")
    await chat.press("a:history:first-time")
    assert asked(chat, "en") == "days"


async def test_the_menu_button_starts_the_flow_empty() -> None:
    chat = Chat(memory_engine())
    await chat.press("flow:unpaid-invoice")
    assert (await chat.session()).slots == {}


def test_flow_passes_over_prefilled_questions_by_its_transitions() -> None:
    flow = Flow(UNPAID)
    every = {"days": 40, "amount": "1 EUR", "invoice": "A1"}
    assert flow.start(dict(every)).state == "asking_terms"
    model = flow.advance("asking_history", {**every, "terms": "none", "history": "first-time"})
    assert model.state == "done" and model.outcomes == ["call"]
    model = flow.advance("asking_history", {**every, "terms": "none", "history": "repeated"})
    assert model.state == "asking_trust"
    model = flow.advance("asking_history", {"days": 3, "terms": "none", "history": "first-time"})
    assert model.state == "asking_amount"
    say_no = Flow(FLOWS["say-no"])  # any answered question is passed over, by the transitions
    assert say_no.start({"situation": "competitor"}).state == "done"
    assert say_no.start({"situation": "unrealistic"}).state == "asking_alternative"


def test_registry_checks_prefill_declarations() -> None:
    assert check(KB) == []
    interface = dict(KB.interface)
    del interface["noted_days"]
    broken = KB.model_copy(update={"interface": interface})
    assert any("noted_days" in p for p in check(broken))
