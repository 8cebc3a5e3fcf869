"""Regional wording and stress words: nynorsk-tinged bokmål, Québec and Belgian French, English
slang read as the standard words; words that only stress an answer do not hide its phrase."""

from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import memory_engine

from bot.understanding.phrases import words

ENGINE = memory_engine()
POLICY = ENGINE.policy
READER = POLICY.reader
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "standard"),
    [
        ("eg veit ikkje", ("jeg", "vet", "ikke")),
        ("det er fyrste gongen", ("det", "er", "forste", "gangen")),
        ("ho har ikkje betalt enno", ("hun", "har", "ikke", "betalt", "enna")),
        ("je sais pu pantoute", ("je", "sais", "plus", "pas", "du", "tout")),
        ("they ain't gonna pay", ("they", "is", "not", "going", "to", "pay")),
    ],
)
def test_regional_forms_read_as_the_standard_words(text: str, standard: tuple[str, ...]) -> None:
    assert words(text) == standard


def test_a_word_of_another_sense_is_left_as_it_is() -> None:
    assert words("j'ai pu le relancer") == ("j", "ai", "pu", "le", "relancer")


@pytest.mark.parametrize(
    ("flow", "question", "text", "lang", "option"),
    [
        ("unpaid-invoice", "history", "ja, det er fyrste gong", "nb", "first-time"),
        ("new-client-check", "feeling", "eg veit ikkje heilt", "nb", "unsure"),
        ("drop-client", "input", "ho gjer berre som ho vil", "nb", "overruled"),
        ("drop-client", "input", "she basically does whatever she wants", "en", "overruled"),
        ("drop-client", "input", "il fait carrément ce qu'il veut", "fr", "overruled"),
        ("drop-client", "input", "han gjør akkurat som han vil", "nb", "overruled"),
    ],
)
def test_regional_and_stressed_answers(
    flow: str, question: str, text: str, lang: str, option: str
) -> None:
    reading = READER.read(flow, question, text, lang)
    assert reading.accepted and reading.option == option, reading


@pytest.mark.parametrize(
    ("text", "lang"),
    [("je sais pu", "fr"), ("har ikkje nummeret for hånda", "nb"), ("eg hugsar ikkje", "nb")],
)
def test_regional_dont_know_to_an_optional_question(text: str, lang: str) -> None:
    value, problem = POLICY.read_value("unpaid-invoice", "invoice", text, lang, TODAY)
    assert value is None and problem == "dont_know"


def test_a_stress_word_makes_no_phrase_of_two_questions_a_fact() -> None:
    """ "av og til" answers two questions of the flow ("bare av og til" only one): it says
    nothing about how much work the client sends when it tells how often he calls at weekends."""
    facts = READER.facts("drop-client", "av og til sender han ting i helgene", "nb")
    assert "volume" not in facts


@pytest.mark.parametrize(
    ("text", "days"),
    [("septante jours", 70), ("nonante jours", 90), ("une quarantaine de jours", 40)],
)
def test_belgian_and_swiss_numbers_and_approximations(text: str, days: int) -> None:
    assert POLICY.durations.read(text, "fr", TODAY).value == days
