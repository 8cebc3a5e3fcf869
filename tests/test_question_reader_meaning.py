"""Rules that read meaning rather than words: what opens an answer after who it is about, "it
happens" qualified by how often, and what follows an "if" (supposed, not said)."""

from __future__ import annotations

import pytest
from engine_helpers import memory_engine

READER = memory_engine().policy.reader


@pytest.mark.parametrize(
    ("text", "lang", "option"),
    [
        ("il refuse de me montrer sa pièce d'identité", "fr", "id-refused"),
        ("elle veut pas me donner sa carte d'identité", "fr", "id-refused"),
        ("he won't send me his passport", "en", "id-refused"),
        ("han nekter å vise meg passet sitt", "nb", "id-refused"),
    ],
)
def test_a_refusal_said_first_governs_the_id_it_names(text: str, lang: str, option: str) -> None:
    reading = READER.read("new-client-check", "identity", text, lang)
    assert reading.accepted and reading.option == option, reading


@pytest.mark.parametrize(
    ("text", "lang", "option"),
    [
        ("ça m'arrive assez souvent de livrer en retard", "fr", "often"),
        ("ça m'arrive rarement, je suis organisée", "fr", "rarely"),
        ("ça arrive tout le temps", "fr", "often"),
        ("it happens all the time with big projects", "en", "often"),
        ("it happens rarely, I plan well", "en", "rarely"),
        ("det hender ofte at jeg blir sen", "nb", "often"),
        ("det hender nesten aldri", "nb", "rarely"),
    ],
)
def test_it_happens_is_qualified_by_how_often(text: str, lang: str, option: str) -> None:
    reading = READER.read("losing-clients", "deadlines", text, lang)
    assert reading.accepted and reading.option == option, reading


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("un prospect m'a contacté, comment savoir si c'est sérieux ?", "fr"),
        ("how can I tell if this new client is legit and trustworthy?", "en"),
        ("ny kunde, hvordan vet jeg om han er seriøs?", "nb"),
    ],
)
def test_what_follows_an_if_is_no_fact_of_the_opening(text: str, lang: str) -> None:
    assert "feeling" not in READER.facts("new-client-check", text, lang, opening=True)


def test_a_fact_before_the_if_is_still_read() -> None:
    text = "il refuse de montrer sa pièce d'identité, je me demande si c'est une arnaque"
    facts = READER.facts("new-client-check", text, "fr", opening=True)
    assert facts.get("identity") == "id-refused"


def test_so_often_is_no_if() -> None:
    assert not READER.conditionals.find(("il", "paie", "si", "souvent", "en", "retard"), ["fr"])


@pytest.mark.parametrize(
    "text",
    [
        "kunden skylder meg 5000 og svarer ikke på mail",
        "kunden har ikke betalt og svarer ikke på e-post",
    ],
)
def test_how_a_client_does_not_answer_is_no_fact_of_the_terms(text: str) -> None:
    assert "terms" not in READER.facts("unpaid-invoice", text, "nb", opening=True)


def test_terms_said_on_their_own_are_still_a_fact() -> None:
    facts = READER.facts("unpaid-invoice", "vi avtalte det på mail, han skylder 5000", "nb")
    assert facts.get("terms") == "in-writing"


@pytest.mark.parametrize(
    ("text", "lang", "option"),
    [
        ("yes it happens, but very rarely", "en", "rarely"),
        ("ouais, mais rarement", "fr", "rarely"),
        ("ja, men bare av og til", "nb", "sometimes"),
        ("det skjer, men svært sjelden", "nb", "rarely"),
    ],
)
def test_a_how_often_after_but_is_what_counts(text: str, lang: str, option: str) -> None:
    reading = READER.read("losing-clients", "conflicts", text, lang)
    assert reading.accepted and reading.option == option, reading


def test_a_negated_half_before_but_still_reads_both_halves() -> None:
    reading = READER.read("losing-clients", "conflicts", "not never, but not often either", "en")
    assert reading.option == "sometimes", reading


@pytest.mark.parametrize(
    ("text", "lang"), [("zero confidence in him", "en"), ("null tillit til han", "nb")]
)
def test_zero_negates_what_it_counts(text: str, lang: str) -> None:
    reading = READER.read("unpaid-invoice", "trust", text, lang)
    assert reading.accepted and reading.option == "no-trust", reading


@pytest.mark.parametrize(
    ("text", "lang"), [("money, mostly", "en"), ("une histoire de fric", "fr"), ("penger", "nb")]
)
def test_money_alone_is_a_budget_reason(text: str, lang: str) -> None:
    reading = READER.read("client-left", "reason", text, lang)
    assert reading.accepted and reading.option == "budget", reading


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("honnêtement pas terrible", "fr"),
        ("pas top du tout", "fr"),
        ("ikke så god magefølelse", "nb"),
        ("ikke noe særlig", "nb"),
        ("not a good feeling at all", "en"),
    ],
)
def test_a_negated_good_feeling_is_a_bad_one(text: str, lang: str) -> None:
    reading = READER.read("new-client-check", "feeling", text, lang)
    assert reading.accepted and reading.option == "bad", reading


@pytest.mark.parametrize(
    ("text", "lang"), [("bof, non pas vraiment", "fr"), ("tja... nei", "nb"), ("meh, no", "en")]
)
def test_a_no_after_a_hedge_is_the_answer(text: str, lang: str) -> None:
    reading = READER.read("say-no", "alternative", text, lang)
    assert reading.accepted and reading.option == "no-alt", reading
