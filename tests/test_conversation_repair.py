"""Conversation repair in each language: correction, interruption with resume, small talk and
feelings, clarification, skip, cancel, commands that never switch the language; and the
regressions people met before it existed."""

from __future__ import annotations

import pytest
from engine_helpers import LANGS, Chat, memory_engine, real_kb

KB = real_kb()

SAY = {  # what a person types, per language
    "en": {"opening": "my client hasn't paid my invoice", "terms": "we signed a contract",
           "history": "no, he did this last year too", "days": "seven weeks",
           "fix_days": "actually it's 50 days", "thanks": "thanks!", "hi": "hello",
           "what": "wait what?", "gutted": "I'm gutted, this client is ruining my month",
           "junk": "purple elephants", "junk2": "blah blah", "skip": "skip", "stop": "cancel",
           "other": "also I want to ask how to raise my rates for all my clients next year",
           "no_trust": "no, I don't trust him", "fix_terms": "sorry I meant it was only verbal"},
    "fr": {"opening": "mon client ne m'a pas payé ma facture",
           "terms": "c'était écrit dans le devis signé",
           "history": "non, il l'a déjà fait l'an dernier", "days": "un mois et demi",
           "fix_days": "en fait c'est 50 jours", "thanks": "merci", "hi": "bonjour",
           "what": "quoi ?", "gutted": "ça me mine, ce client me gâche le mois",
           "junk": "éléphants violets", "junk2": "bla bla", "skip": "passer", "stop": "annuler",
           "other": "je voudrais aussi savoir comment augmenter mes tarifs pour mes clients",
           "no_trust": "non, j'en doute", "fix_terms": "non, c'était à l'oral"},
    "nb": {"opening": "kunden har ikke betalt fakturaen min", "terms": "skriftlig",
           "history": "nei, han har gjort det før", "days": "fem uker",
           "fix_days": "egentlig er det 50 dager", "thanks": "takk", "hi": "hei",
           "what": "hæ?", "gutted": "jeg er helt knust, denne kunden ødelegger måneden",
           "junk": "lilla elefanter", "junk2": "bla bla", "skip": "hopp over", "stop": "avbryt",
           "other": "jeg vil også spørre hvordan jeg kan øke prisene mine for kundene neste år",
           "no_trust": "nei, jeg tviler", "fix_terms": "nei vent, det var muntlig"},
}  # fmt: skip


async def started(lang: str) -> Chat:
    chat = Chat(memory_engine(), locale=lang)
    await chat.say(SAY[lang]["opening"])
    session = await chat.session()
    assert session.flow == "unpaid-invoice" and session.state == "asking_terms"
    return chat


def question(question_id: str, lang: str) -> str:
    return KB.topics["late-payment"].question(question_id).text.get(lang)


@pytest.mark.parametrize("lang", LANGS)
async def test_answers_in_own_words_move_the_flow_on(lang: str) -> None:
    chat = await started(lang)
    for said in ("terms", "history", "days"):
        await chat.say(SAY[lang][said])
    session = await chat.session()
    assert session.slots["terms"] == "in-writing" and session.slots["history"] == "repeated"
    assert session.slots["days"] in (49, 45, 35) and session.state == "asking_amount"


@pytest.mark.parametrize("lang", LANGS)
async def test_correction_changes_the_answer_and_says_so(lang: str) -> None:
    chat = await started(lang)
    for said in ("terms", "history", "days"):
        await chat.say(SAY[lang][said])
    await chat.say(SAY[lang]["fix_days"])
    session = await chat.session()
    assert session.slots["days"] == 50 and session.state == "asking_amount"
    assert chat.last[0].text.startswith(KB.text("corrected", lang, items="").split("{")[0][:6])
    await chat.say(SAY[lang]["fix_terms"])
    session = await chat.session()
    assert session.slots["terms"] == "verbal", "a choice already given can be corrected too"
    assert session.slots["history"] == "repeated" and session.slots["days"] == 50


@pytest.mark.parametrize("lang", LANGS)
async def test_small_talk_keeps_the_question_and_the_language(lang: str) -> None:
    chat = await started(lang)
    for kind, said in (("thanks", "thanks"), ("greeting", "hi"), ("confused", "what")):
        (reply,) = await chat.say(SAY[lang][said])
        assert reply.text.startswith(KB.text(f"talk_{kind}", lang)), kind
        assert reply.text.endswith(question("terms", lang))
        session = await chat.session()
        assert session.state == "asking_terms" and session.lang == lang


@pytest.mark.parametrize("lang", LANGS)
async def test_distress_is_acknowledged_before_the_advice(lang: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    (reply,) = await chat.say(SAY[lang]["gutted"])
    assert reply.text.startswith(KB.text("talk_distress", lang))


@pytest.mark.parametrize("lang", LANGS)
async def test_clarification_never_repeats_itself_then_offers_skip_and_stop(lang: str) -> None:
    chat = await started(lang)
    (first,) = await chat.say(SAY[lang]["junk"])
    (second,) = await chat.say(SAY[lang]["junk2"])
    assert first.text != second.text
    assert KB.text("clarify_choice_1", lang) in first.text
    assert KB.text("clarify_choice_2", lang) in second.text
    payloads = [b.payload for b in second.buttons]
    assert "skip" in payloads and "cancel" in payloads
    assert (await chat.session()).state == "asking_terms"


@pytest.mark.parametrize("lang", LANGS)
async def test_skip_and_cancel_in_words(lang: str) -> None:
    chat = await started(lang)
    await chat.say(SAY[lang]["skip"])
    session = await chat.session()
    assert session.state == "asking_history" and session.slots == {"terms": None}
    await chat.say(SAY[lang]["stop"])
    assert (await chat.session()).flow is None
    assert chat.last[0].text == KB.text("cancelled", lang)


@pytest.mark.parametrize("lang", LANGS)
async def test_interruption_asks_first_then_the_flow_is_paused_and_resumed(lang: str) -> None:
    chat = await started(lang)
    await chat.say(SAY[lang]["terms"])
    await chat.say(SAY[lang]["other"])
    assert "keep" in chat.payloads and any(p.startswith("switch:") for p in chat.payloads)
    assert (await chat.session()).flow == "unpaid-invoice", "nothing is left before the answer"
    switch = next(p for p in chat.payloads if p.startswith("switch:"))
    await chat.press(switch)
    session = await chat.session()
    assert session.flow is None and session.paused["slots"]["terms"] == "in-writing"
    assert "resume:unpaid-invoice" in chat.payloads
    await chat.press("resume:unpaid-invoice")
    session = await chat.session()
    assert session.flow == "unpaid-invoice" and session.state == "asking_history"
    assert session.slots["terms"] == "in-writing", "nothing already noted is asked again"


async def test_keep_going_stays_in_the_flow() -> None:
    chat = await started("en")
    await chat.say(SAY["en"]["other"])
    await chat.press("keep")
    session = await chat.session()
    assert session.flow == "unpaid-invoice" and session.state == "asking_terms"
    assert chat.last[0].text.startswith(KB.text("kept", "en"))


async def test_starting_the_same_flow_again_resumes_it() -> None:
    chat = await started("en")
    await chat.say(SAY["en"]["terms"])
    await chat.press("menu")
    assert (await chat.session()).paused["flow"] == "unpaid-invoice"
    await chat.press("flow:unpaid-invoice")
    session = await chat.session()
    assert session.state == "asking_history" and session.slots["terms"] == "in-writing"


@pytest.mark.parametrize("word", ["menu", "help", "ok", "stop", "hei", "takk"])
async def test_command_words_never_switch_the_language(word: str) -> None:
    chat = await started("en")
    await chat.say(word)
    assert (await chat.session()).lang == "en"


@pytest.mark.parametrize(("said", "lang"), [("can you speak english?", "en"),
                                            ("tu parles français ?", "fr"),
                                            ("kan du snakke norsk?", "nb")])  # fmt: skip
async def test_asking_for_a_language_switches_to_it(said: str, lang: str) -> None:
    chat = Chat(memory_engine(), locale="en" if lang != "en" else "fr")
    await chat.say("hello")
    await chat.say(said)
    assert (await chat.session()).lang == lang


@pytest.mark.parametrize(
    ("said", "payload"),
    [("oublie-moi", "forget"), ("oublie moi", "forget"), ("glem meg", "forget"),
     ("forget me", "forget"), ("forget it", "cancel"), ("glem det", "cancel")],
)  # fmt: skip
async def test_global_commands_in_their_natural_variants(said: str, payload: str) -> None:
    chat = await started("en")
    await chat.say(said)
    if payload == "forget":
        assert "forget:yes" in chat.payloads
    else:
        assert (await chat.session()).flow is None and chat.last[0].text == KB.text(
            "cancelled", "en"
        )


async def test_a_thanks_after_forget_me_keeps_the_question() -> None:
    """Seen before: "takk" silently cancelled the forget question."""
    chat = Chat(memory_engine(), locale="nb")
    await chat.say("glem meg")
    await chat.say("takk")
    assert (await chat.session()) is not None
    await chat.say("ja")
    assert chat.last[0].text == KB.text("forgotten", "nb")


# Regressions from people's conversations ---------------------------------------------------
async def test_no_he_did_this_last_year_too_is_an_answer_not_a_new_topic() -> None:
    chat = await started("en")
    await chat.say("we had a signed contract, net 30")
    await chat.say("no he did this last year too")
    session = await chat.session()
    assert session.flow == "unpaid-invoice" and session.slots["history"] == "repeated"


async def test_a_complaint_mid_flow_loses_nothing_already_noted() -> None:
    chat = Chat(memory_engine(), locale="en")
    await chat.say("invoice INV-88 of 3 400 € is 47 days late")
    before = dict((await chat.session()).slots)
    await chat.say("wait what?? i was talking about my unpaid invoice")
    session = await chat.session()
    assert session.flow == "unpaid-invoice"
    assert {k: session.slots[k] for k in before} == before
    assert before == {"days": 47, "amount": "3400 EUR", "invoice": "INV-88"}


@pytest.mark.parametrize(
    ("flow", "question", "text", "lang", "option"),
    [("unpaid-invoice", "history", "nei", "nb", "repeated"),
     ("client-left", "reason", "vet ikke", "nb", "unknown"),
     ("client-left", "reason", "budget cuts", "en", "budget"),
     ("new-client-check", "contact", "only some", "en", "partial"),
     ("unpaid-invoice", "terms", "skriftlig", "nb", "in-writing"),
     ("unpaid-invoice", "terms", "written", "en", "in-writing"),
     ("unpaid-invoice", "terms", "par ecrit", "fr", "in-writing"),
     ("unpaid-invoice", "history", "no", "en", "repeated")],
)  # fmt: skip
async def test_answers_that_used_to_loop_are_taken(
    flow: str, question: str, text: str, lang: str, option: str
) -> None:
    chat = Chat(memory_engine(), locale=lang)
    await chat.press(f"flow:{flow}")
    for _ in range(8):  # answer earlier questions with their first button
        session = await chat.session()
        if session.state == f"asking_{question}":
            break
        answers = [p for p in chat.payloads if p.startswith("a:")]
        await chat.press(answers[0] if answers else "skip")
    await chat.say(text)
    assert (await chat.session()).slots.get(question) == option


async def test_at_a_number_question_zero_is_re_asked_and_a_number_is_an_answer() -> None:
    chat = await started("en")
    await chat.say("we signed a contract")
    await chat.say("first time")
    await chat.say("0")
    assert (await chat.session()).state == "asking_days"
    assert KB.text("clarify_invalid_days", "en") in chat.text
    await chat.say("3")
    session = await chat.session()
    assert session.slots["days"] == 3 and session.state == "asking_amount"


async def test_the_terms_written_in_the_quote_are_an_answer_not_the_invoicing_article() -> None:
    chat = Chat(memory_engine(), locale="fr")
    await chat.say("ma facture n'est toujours pas payée")
    await chat.say("c'etait ecrit dans le devis signé, paiement a 30 jours")
    session = await chat.session()
    assert session.flow == "unpaid-invoice" and session.slots["terms"] == "in-writing"


# Openings: the flow a first message asks for ---------------------------------------------------
OPENINGS = [
    ("fr", "Faut-il que je laisse tomber ma cliente la plus rentable ?", "drop-client"),  # ma, -e
    ("fr", "je me demande si je continue avec cette boîte ou si je coupe les ponts", "drop-client"),
    ("fr", "mes clients se barrent les uns après les autres, pourquoi ?", "losing-clients"),
    ("fr", "comment je décline poliment une mission pareille ?", "say-no"),
    ("nb", "Lurer på om jeg skal gi opp samarbeidet med et byrå", "drop-client"),
    ("nb", "En kunde har sluttet å bruke meg", "client-left"),
    ("nb", "Hvordan takker jeg pent nei?", "say-no"),
    ("en", "Is it worth sticking with a client who barely sends me anything?", "drop-client"),
    ("en", "Thinking of cutting loose a client", "drop-client"),
    ("en", "A new agency reached out. What should I check before signing?", "new-client-check"),
]


@pytest.mark.parametrize(("lang", "text", "flow"), OPENINGS)
def test_an_opening_that_asks_what_a_flow_answers_starts_it(
    lang: str, text: str, flow: str
) -> None:
    assert memory_engine().policy.asked_flow(text, lang) == flow


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "mon client m'a lâché, je suis dégoûté"),  # "le lâcher" is no "lâché" on its own
        ("en", "one and done clients are fine by me, what should I charge?"),
    ],
)
def test_a_pronoun_is_no_filler_of_an_opening(lang: str, text: str) -> None:
    assert memory_engine().policy.asked_flow(text, lang) != "drop-client"


async def test_an_opening_fact_needs_more_than_a_common_verb() -> None:
    chat = Chat(memory_engine(), locale="en")
    await chat.say("the client is wrapping up our engagement at the end of the month")
    session = await chat.session()
    assert session.flow == "client-left"
    assert "handover" not in session.slots  # "wrapping up" an engagement hands nothing over


def test_an_opening_two_flows_ask_for_equally_is_left_to_the_router() -> None:
    policy = memory_engine().policy
    assert policy.asked_flow("J'arrive pas à garder mes clients plus de 3 mois", "fr") != (
        "drop-client"  # "garder mes clients" is all of them, "garder ce client" this one
    )


@pytest.mark.parametrize("lang", LANGS)
async def test_confusion_outside_a_flow_asks_what_is_going_on_not_for_an_answer(lang: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    (reply,) = await chat.say(SAY[lang]["what"])
    assert reply.text.startswith(KB.text("talk_confused_menu", lang))
    assert KB.text("talk_confused", lang) not in reply.text  # no question waits for an answer
    assert reply.buttons, "the menu comes with it"
