"""Openings that ask what a flow answers: the words naming the one client asked about stand for
each other, so "slutte med dem" is asked like "slutte med kunden"."""

from __future__ import annotations

import pytest
from engine_helpers import memory_engine

ENGINE = memory_engine()


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nb", "bør jeg slutte med dem?"),
        ("nb", "skal jeg slutte med denne oppdragsgiveren"),
        ("fr", "je me demande si je dois continuer avec eux"),
        ("fr", "je me tâte à arrêter avec cette agence"),
        ("en", "should I stop working with the agency?"),
        ("en", "should I keep working with my customer"),
    ],
)
def test_the_client_named_any_way_asks_the_drop_question(lang: str, text: str) -> None:
    assert ENGINE.policy.asked_flow(text, lang) == "drop-client"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "how do I keep clients coming back"),  # clients in general: another question
        ("fr", "elle ne paie pas ma facture"),  # a subject pronoun asks nothing
        ("nb", "kunden svarer ikke på e-post"),
    ],
)
def test_a_client_word_alone_asks_nothing(lang: str, text: str) -> None:
    assert ENGINE.policy.asked_flow(text, lang) != "drop-client"
