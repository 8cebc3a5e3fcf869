"""Tax questions get the menu, like recipes or the weather: a coach for client relationships has
no advice on them, so offering "the closest topics" would only mislead. Other work questions no
topic covers still get the closest topics, and a client problem that mentions VAT is still that
client problem."""

from __future__ import annotations

import pytest

from bot.understanding.router import route


@pytest.mark.parametrize("text", [
    "how much should I put aside for taxes as a self-employed designer",
    "comment déclarer mes impôts en micro-entreprise",
    "hvordan fyller jeg ut skattemeldingen som frilanser",
    "je dois déclarer mon chiffre d'affaires à l'URSSAF quand",
])
def test_a_tax_question_gets_the_menu(text: str) -> None:
    result = route(text)
    assert result.offtopic and not result.about_work


@pytest.mark.parametrize("text", [
    "which legal status should I pick as a new freelancer",
    "what insurance do freelancers need",
])
def test_other_uncovered_work_questions_still_get_the_closest_topics(text: str) -> None:
    result = route(text)
    assert result.offtopic and result.about_work


@pytest.mark.parametrize(("text", "topic"), [
    ("my client refuses to pay the VAT part of my invoice", "late-payment"),
    ("kunden har ikke betalt fakturaen med mva på to måneder", "late-payment"),
])
def test_a_client_problem_that_mentions_tax_keeps_its_topic(text: str, topic: str) -> None:
    result = route(text)
    assert not result.offtopic and result.candidates[0] == topic
