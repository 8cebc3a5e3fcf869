"""Conversations in people's own words: openings that land on a topic without a flow, facts
from the opening corrected later, answers that list what was asked, skips said in words, and a
bare button number at a free-text question."""

from __future__ import annotations

import pytest
from engine_helpers import Chat, memory_engine, real_kb, routed_to

KB = real_kb()


# Openings on a topic without a flow ------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        ("fr", "il me doit 2400 balles, il répond plus", "2400 EUR"),
        ("nb", "han skylder meg 15 000 kr og svarer ikke lenger", "15000 NOK"),
        ("en", "he owes me $2,400 and stopped answering", "2400 USD"),
    ],
)
@pytest.mark.parametrize("topics", [("ghosting",), ("ghosting", "late-payment")])
async def test_money_owed_starts_the_unpaid_invoice_flow(
    monkeypatch: pytest.MonkeyPatch, lang: str, text: str, amount: str, topics: tuple[str, ...]
) -> None:
    routed_to(monkeypatch, *topics)
    chat = Chat(memory_engine(), locale=lang)
    await chat.say(text)
    session = await chat.session()
    assert session.flow == "unpaid-invoice"
    assert session.slots["amount"] == amount


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "my client stopped answering my emails"),
        ("en", "she went quiet after I sent a quote for $2,400"),  # money, but nothing owed
    ],
)
async def test_silence_without_money_owed_stays_ghosting(
    monkeypatch: pytest.MonkeyPatch, lang: str, text: str
) -> None:
    routed_to(monkeypatch, "ghosting")
    chat = Chat(memory_engine(), locale=lang)
    await chat.say(text)
    session = await chat.session()
    assert session.flow is None and session.topic == "ghosting"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "baisse ton tarif, un autre fait moins cher"),
        ("nb", "kunden ber meg senke prisen fordi en annen frilanser gjør det billigere"),
        ("en", "lower your rate, someone else does it cheaper"),
    ],
)
async def test_a_rival_cheaper_request_starts_the_say_no_flow(
    monkeypatch: pytest.MonkeyPatch, lang: str, text: str
) -> None:
    routed_to(monkeypatch, "competitor-cheaper")
    chat = Chat(memory_engine(), locale=lang)
    replies = await chat.say(text)
    assert (await chat.session()).topic == "say-no"
    let_go = KB.topics["say-no"].outcome("let-go").text.get(lang)
    assert let_go in replies[0].text  # the rival named in the opening: let go, at once


# Skipping in words ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "passe cette question"),
        ("fr", "je prefere pas dire, question suivante"),
        ("nb", "hopp over den"),
        ("en", "I'd rather skip that one"),
        ("en", "skip this one"),
    ],
)
async def test_a_skip_in_words_passes_over_the_question(
    monkeypatch: pytest.MonkeyPatch, lang: str, text: str
) -> None:
    routed_to(monkeypatch, "late-payment")
    chat = Chat(memory_engine(), locale=lang)
    await chat.say("invoice 300 EUR, 40 days late")
    await chat.press("a:terms:in-writing")
    await chat.press("a:history:first-time")
    session = await chat.session()
    assert session.state == "asking_invoice"
    await chat.say(text)
    session = await chat.session()
    assert chat.last[0].text.startswith(KB.text("skipped", session.lang))
    assert "invoice" not in session.slots  # nothing stored as the number


async def test_a_skip_word_inside_an_answer_is_read_as_the_answer() -> None:
    chat = Chat(memory_engine(), locale="fr")
    await chat.press("flow:drop-client")
    await chat.press("a:time:respected")
    await chat.say("il passe son temps à dire que c'est nul")
    session = await chat.session()
    assert session.state != "asking_work" or "work" in session.slots
    assert not chat.last[0].text.startswith(KB.text("skipped", "fr"))


# Correcting a fact read from the opening -------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "opening", "text", "slot", "value"),
    [
        ("fr", "il me doit 2400 € depuis 3 semaines", "non c'est 3000 pas 2400",
         "amount", "3000 EUR"),
        ("nb", "fakturaen på 8000 kr forfalt for tre uker siden", "det var 9000, ikke 8000",
         "amount", "9000 NOK"),
        ("en", "my invoice of $500 is 45 days overdue", "actually it's 60 days", "days", 60),
        ("en", "my invoice of $500 is 45 days overdue", "it's two months, not 45 days", "days", 60),
        ("fr", "facture de 800 € impayée depuis 45 jours", "en fait ça fait deux mois", "days", 60),
    ],
)
async def test_a_fact_from_the_opening_is_corrected_at_a_later_question(
    monkeypatch: pytest.MonkeyPatch, lang: str, opening: str, text: str, slot: str, value: object
) -> None:
    routed_to(monkeypatch, "late-payment")
    chat = Chat(memory_engine(), locale=lang)
    await chat.say(opening)
    await chat.press("a:terms:in-writing")
    session = await chat.session()
    assert session.state == "asking_history" and slot in session.slots
    await chat.say(text)
    session = await chat.session()
    assert session.slots[slot] == value
    assert session.state == "asking_history"  # a change only: the question is asked again
    assert "terms" in session.slots and "history" not in session.slots


async def test_a_correction_with_the_answer_takes_both(monkeypatch: pytest.MonkeyPatch) -> None:
    routed_to(monkeypatch, "late-payment")
    chat = Chat(memory_engine(), locale="fr")
    await chat.say("il me doit 2400 € depuis 3 semaines")
    await chat.press("a:terms:in-writing")
    await chat.say("c'est la premiere fois. ah et non attends, c'est 3000 pas 2400, j'avais oublie")
    session = await chat.session()
    assert session.slots["amount"] == "3000 EUR" and session.slots["days"] == 21
    assert session.slots["history"] == "first-time"
    assert session.state == "asking_invoice"


async def test_an_old_value_not_negated_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    routed_to(monkeypatch, "late-payment")
    chat = Chat(memory_engine(), locale="en")
    await chat.say("my invoice of $500 is 45 days overdue")
    await chat.press("a:terms:in-writing")
    await chat.say("first time, and I had 3 other clients pay on time")
    session = await chat.session()
    assert session.slots["days"] == 45 and session.slots["amount"] == "500 USD"


# A typed number in the terminal ----------------------------------------------------------------
async def test_a_typed_number_presses_the_numbered_skip_only_where_numbers_are_no_answer() -> None:
    from bot.terminal.conversation import Conversation

    engine = memory_engine()
    conversation = Conversation.of(engine, "en")
    replies = await conversation.send(kind="button", payload="flow:unpaid-invoice")
    for payload in ("a:terms:in-writing", "a:history:first-time"):
        replies = await conversation.send(kind="button", payload=payload)
    assert conversation.state is not None and conversation.state["question"] == "days"
    pressed, replies = await conversation.say("1", replies[-1].buttons)
    assert pressed is None and conversation.state["slots"]["days"] == 1  # "1" day late
    assert conversation.state["question"] == "amount"
    pressed, replies = await conversation.say("2", replies[-1].buttons)
    assert pressed is None and conversation.state["slots"]["amount"] == "2"
    assert conversation.state["question"] == "invoice"
    buttons = replies[-1].buttons
    assert [b.payload for b in buttons][:1] == ["skip"]  # shown as "1) Skip"
    pressed, replies = await conversation.say("1", buttons)
    assert pressed == "skip"
    assert "invoice" not in (conversation.state["slots"] or {})


def test_a_number_of_no_button_at_the_invoice_question_is_its_number() -> None:
    from bot.models import Button
    from bot.terminal.conversation import pick_button

    skip = [Button(payload="skip", label="Skip")]
    assert pick_button("1", skip, numbers_answer=False) == "skip"
    assert pick_button("7", skip, numbers_answer=False) is None  # invoice number 7
    assert pick_button("1", skip, numbers_answer=True) is None  # 1 day late
    assert engine_takes_number("unpaid-invoice", "days")
    assert not engine_takes_number("unpaid-invoice", "invoice")


def engine_takes_number(flow_id: str, question_id: str) -> bool:
    return memory_engine().takes_number(flow_id, question_id)


# A judgement is asked, never read from the opening --------------------------------------------
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "un client me doit 2400 balles depuis 6 semaines, il répond plus à mes mails"),
        ("en", "client owes me $2,400 for 6 weeks and stopped answering my emails"),
        ("nb", "kunden skylder meg 15 000 kroner og svarer ikke på mail lenger"),
    ],
)
async def test_trust_is_asked_even_when_the_opening_says_the_client_went_quiet(
    monkeypatch: pytest.MonkeyPatch, lang: str, text: str
) -> None:
    routed_to(monkeypatch, "late-payment")
    chat = Chat(memory_engine(), locale=lang)
    await chat.say(text)
    session = await chat.session()
    assert "trust" not in session.slots
    assert session.slots.get("terms") != "verbal"  # "svarer ikke på mail" is no "not written"
    presses = {"asking_terms": "a:terms:in-writing", "asking_history": "a:history:repeated"}
    for _ in range(6):
        state = (await chat.session()).state
        if state == "asking_trust":
            break
        await chat.press(presses.get(state, "skip"))
    assert (await chat.session()).state == "asking_trust"


async def test_topics_that_lead_to_different_places_are_still_offered_as_a_choice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routed_to(monkeypatch, "rates", "competitor-cheaper")
    chat = Chat(memory_engine(), locale="en")
    await chat.say("how much should I charge, others are cheaper")
    assert (await chat.session()).flow is None
    assert {"topic:rates", "topic:competitor-cheaper"} <= set(chat.payloads)


# A question back, and stopping in words ------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "text"),
    [("fr", "pourquoi tu demandes ?"), ("nb", "hvorfor spør du?"), ("en", "why do you ask?")],
)
async def test_why_do_you_ask_is_answered_and_the_question_kept(lang: str, text: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    await chat.command(f"lang:{lang}")
    await chat.press("flow:unpaid-invoice")
    (reply,) = await chat.say(text)
    assert reply.text.startswith(KB.text("talk_why", lang))
    assert (await chat.session()).state == "asking_terms"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "on arrete la, merci"),
        ("fr", "laisse tomber, j'ai plus envie"),
        ("nb", "vi stopper her, takk"),
        ("en", "ok let's stop here"),
    ],
)
async def test_stopping_in_words_leaves_the_flow(lang: str, text: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    await chat.command(f"lang:{lang}")
    await chat.press("flow:unpaid-invoice")
    replies = await chat.say(text)
    assert (await chat.session()).flow is None
    assert replies[0].text == KB.text("cancelled", lang)


async def test_stop_words_inside_an_answer_are_the_answer() -> None:
    chat = Chat(memory_engine(), locale="fr")
    await chat.command("lang:fr")
    await chat.press("flow:client-left")
    await chat.say("il a laissé tomber le projet, plus de budget")
    session = await chat.session()
    assert session.flow == "client-left" and session.slots.get("reason") is not None


# Amounts as people write them ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        ("en", "3k", "3000"),
        ("fr", "2,5k€", "2500 EUR"),
        ("en", "about 2 grand", "2000"),
        ("en", "1.5k dollars", "1500 USD"),
        ("nb", "to tusen kroner", "2000 NOK"),
        ("fr", "environ 3000", "3000"),
        ("en", "roughly 4200 I think", "4200"),
    ],
)
def test_an_amount_in_thousands_or_among_words_is_read(lang: str, text: str, amount: str) -> None:
    from datetime import date

    policy = memory_engine().policy
    value, _ = policy.read_value("unpaid-invoice", "amount", text, lang, date(2026, 12, 1))
    assert value == amount


async def test_a_topic_that_is_itself_an_answer_starts_its_flow_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routed_to(monkeypatch, "competitor-cheaper")
    chat = Chat(memory_engine(), locale="en")
    replies = await chat.say("They say another agency can do it faster. What should I tell them?")
    let_go = KB.topics["say-no"].outcome("let-go").text.get("en")
    assert (await chat.session()).topic == "say-no" and let_go in replies[0].text


async def test_how_often_one_thing_happens_answers_no_other_how_often_question() -> None:
    chat = Chat(memory_engine(), locale="fr")
    await chat.command("lang:fr")
    await chat.press("flow:losing-clients")
    await chat.say("ça arrive, surtout sur les gros projets")
    session = await chat.session()
    assert session.slots.get("quality") == "sometimes"
    assert "deadlines" not in session.slots  # asked in its turn, not read from this answer


@pytest.mark.parametrize(
    ("lang", "text", "days"),
    [
        ("fr", "une quinzaine de jours", 15),
        ("fr", "une dizaine de jours", 10),
        ("fr", "quelques semaines", 21),
        ("en", "a few weeks", 21),
        ("nb", "noen uker", 21),
    ],
)
def test_approximate_numbers_of_days_are_read(lang: str, text: str, days: int) -> None:
    from datetime import date

    policy = memory_engine().policy
    assert policy.read_value("unpaid-invoice", "days", text, lang, date(2026, 12, 1))[0] == days
