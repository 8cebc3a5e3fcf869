"""Tax questions get the menu, like recipes or the weather: a coach for client relationships has
no advice on them, so offering "the closest topics" would only mislead. Other work questions no
topic covers still get the closest topics, and a client problem that mentions VAT is still that
client problem."""

from __future__ import annotations

import pytest

from bot.understanding.menu_subjects import asks_menu_subject
from bot.understanding.model import model
from bot.understanding.router import route


@pytest.mark.parametrize(
    "text",
    [
        "how much should I put aside for taxes as a self-employed designer",
        "comment déclarer mes impôts en micro-entreprise",
        "hvordan fyller jeg ut skattemeldingen som frilanser",
        "je dois déclarer mon chiffre d'affaires à l'URSSAF quand",
    ],
)
def test_a_tax_question_gets_the_menu(text: str) -> None:
    result = route(text)
    assert result.offtopic and not result.about_work


@pytest.mark.parametrize(
    "text",
    [
        "which legal status should I pick as a new freelancer",
        "what insurance do freelancers need",
    ],
)
def test_other_uncovered_work_questions_still_get_the_closest_topics(text: str) -> None:
    result = route(text)
    assert result.offtopic and result.about_work


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("my client refuses to pay the VAT part of my invoice", "late-payment"),
        ("kunden har ikke betalt fakturaen med mva på to måneder", "late-payment"),
    ],
)
def test_a_client_problem_that_mentions_tax_keeps_its_topic(text: str, topic: str) -> None:
    result = route(text)
    assert not result.offtopic and result.candidates[0] == topic


@pytest.mark.parametrize(("text", "lang"), [
    ("comment payer moins d'impôts en freelance", "fr"),
    ("je facture un client en Suisse, je mets de la TVA ou pas", "fr"),
    ("hvordan fører jeg mva-regnskap", "nb"),
    ("jeg fakturerer en kunde i USA, skal jeg legge på mva", "nb"),
    ("do I charge VAT on invoices to a client in the US", "en"),
    ("how do I export my invoices from QuickBooks to a spreadsheet", "en"),
])  # fmt: skip
def test_a_question_about_a_menu_subject_gets_the_menu_though_its_words_point_to_a_topic(
    text: str, lang: str
) -> None:
    result = route(text, lang, embeddings=False)
    assert result.offtopic and not result.about_work


@pytest.mark.parametrize(("text", "lang", "topic"), [
    ("I need that payment for my tax bill and the client is two months late", "en",
     "late-payment"),
    ("la facture de 2 400 € TVA comprise n'est toujours pas payée", "fr", "late-payment"),
    ("kunden vil ha rabatt fordi timeprisen min med mva blir for dyr", "nb", "rates"),
    ("hva må stå på fakturaen, mva-nummeret og alt", "nb", "invoicing"),
    ("the client now wants me to set up their Notion too, that was never in the brief", "en",
     "scope-creep"),
])  # fmt: skip
def test_a_menu_subject_named_in_passing_leaves_the_client_problem_its_topic(
    text: str, lang: str, topic: str
) -> None:
    result = route(text, lang, embeddings=False)
    assert not result.offtopic and topic in result.candidates


def test_a_side_remark_needs_the_rest_of_the_message_to_be_a_topic_message() -> None:
    m = model()
    assert asks_menu_subject("je dépasse le seuil de TVA, je fais quoi", m, "fr")
    assert not asks_menu_subject("j'en ai besoin pour l'URSSAF et le client a deux mois de retard",
                                 m, "fr")  # fmt: skip
    assert not asks_menu_subject("my client keeps adding pages for free", m, "en")


STATUSES = {
    "en": ["sole trader", "sole proprietor", "self-employed designer"],
    "fr": ["auto-entrepreneur", "micro-entrepreneur"],
    "nb": ["enkeltpersonforetak", "selvstendig næringsdrivende"],
}
QUESTIONS = {
    "en": [("how do i set up proper invoices as a {s}", "invoicing"),
           ("as a {s}, how do I tell clients my rates go up", "rates")],
    "fr": [("comment faire des factures correctes en tant que {s}", "invoicing"),
           ("je suis {s} et mon client ne paie pas depuis deux mois", "late-payment")],
    "nb": [("hvordan lager jeg ordentlige fakturaer som {s}", "invoicing"),
           ("hvordan øker jeg prisene mine som {s}", "rates")],
}  # fmt: skip


@pytest.mark.parametrize("lang", list(STATUSES))
def test_saying_who_asks_does_not_turn_a_topic_question_away(lang: str) -> None:
    """A status (sole trader, auto-entrepreneur) describes the person, not the question: it is
    seen in the work questions no topic covers, yet weighs nothing in the gate."""
    for status in STATUSES[lang]:
        for question, topic in QUESTIONS[lang]:
            result = route(question.format(s=status), lang, embeddings=False)
            assert not result.offtopic and topic in result.candidates, question.format(s=status)


def test_a_status_question_stays_a_work_question_no_topic_covers() -> None:
    result = route("sole trader or limited company, what should I register as", "en")
    assert result.offtopic and result.about_work
