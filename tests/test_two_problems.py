"""A short message that tells two problems is offered both; one problem told with other topics'
words stays one."""

import pytest
from engine_helpers import Chat, memory_engine

from bot.understanding.router import route
from bot.understanding.two_problems import clauses, worth_reading

BRIEF_AND_PAY = {
    "en": "he changes the brief every week and now refuses to pay until I add features",
    "fr": "il change le brief toutes les semaines et maintenant il refuse de payer tant que "
    "j'ajoute pas des fonctionnalités",
    "nb": "han endrer briefen hver uke og nå nekter han å betale før jeg legger til flere "
    "funksjoner",
}


@pytest.mark.parametrize("lang", sorted(BRIEF_AND_PAY))
def test_scope_creep_and_unpaid_invoice_are_two_topics(lang: str) -> None:
    r = route(BRIEF_AND_PAY[lang], lang)
    assert r.two_topics and not r.offtopic
    assert set(r.candidates) == {"scope-creep", "late-payment"}
    assert r.candidates[0] == r.ranked[0][0]  # the whole message's likelier topic comes first


@pytest.mark.parametrize("lang", sorted(BRIEF_AND_PAY))
async def test_the_bot_says_it_sees_two_things_and_offers_both(lang: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    await chat.say(BRIEF_AND_PAY[lang])
    assert chat.payloads[:2] == ["topic:scope-creep", "topic:late-payment"]
    session = await chat.session()
    assert set(session.later.split(",")) == {"scope-creep", "late-payment"}


@pytest.mark.parametrize(
    ("lang", "text", "topic"),
    [
        ("en", "I finished the extra revisions he asked for, and now the invoice for them is a "
         "month overdue", "late-payment"),
        ("fr", "ma facture pour le site a 40 jours de retard, alors que j'ai livré toutes les "
         "pages prévues dans le devis", "late-payment"),
        ("nb", "hver uke kommer det en ny liten endring, alt er ubetalt ekstraarbeid i tillegg til "
         "det opprinnelige tilbudet", "scope-creep"),
    ],
)  # fmt: skip
def test_one_problem_in_other_topics_words_stays_one(lang: str, text: str, topic: str) -> None:
    r = route(text, lang)
    assert not r.two_topics
    assert r.top == topic


def test_topics_of_one_conversation_are_not_two_problems() -> None:
    # an unpaid invoice and ending the collaboration lead to one conversation
    r = route("the invoice is three months overdue, and now I want to stop working with him", "en")
    assert not r.two_topics


def test_clauses_cut_at_marks_and_connectives_and_drop_the_background() -> None:
    assert clauses(
        "they want more pages for free, and on top of that the invoice is late", "en"
    ) == [
        "they want more pages for free",
        "the invoice is late",
    ]
    assert clauses("la facture est en retard alors que j'ai tout livré", "fr") == [
        "la facture est en retard"
    ]


def test_short_messages_and_single_clauses_are_not_cut() -> None:
    assert not worth_reading("he wants more pages and now won't pay", "en")  # under ten words
    assert not worth_reading("the client keeps asking for more pages than the quote says", "en")
