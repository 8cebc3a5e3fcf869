"""Draft placeholders filled with what the person said, in the draft language's formats."""

from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import Chat, memory_engine

from bot import draft_values as dv

TODAY = date(2026, 12, 1)
UNITS = {"days": 1, "day": 1, "weeks": 7, "week": 7, "semaines": 7, "uker": 7, "uke": 7,
         "months": 30, "mois": 30, "maneder": 30}  # fmt: skip
NUMBERS = {"trois": 3, "three": 3, "tre": 3, "deux": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm raising my rate to 80 €/h from 1 March", {"new_rate": "80 EUR/hour",
                                                         "effective_date": "2027-03-01"}),
        ("je passe à 600 € par jour à partir du 1er février 2027",
         {"new_rate": "600 EUR/day", "effective_date": "2027-02-01"}),
        ("ny timepris blir kr 900 i timen fra og med 1. januar",
         {"new_rate": "900 NOK/hour", "effective_date": "2027-01-01"}),
        ("they want it by 15/01 at the latest", {"deadline": "2027-01-15"}),
        ("la facture était due le 3 novembre", {"due_date": "2026-11-03"}),
        ("I delivered three weeks ago and heard nothing", {"delivered_ago": 21}),
        ("j'ai livré il y a deux semaines", {"delivered_ago": 14}),
        ("jeg leverte for 3 uker siden", {"delivered_ago": 21}),
        ("he asked for 12 extra hours of work", {"hours": 12.0}),
    ],
)
def test_read_finds_what_was_said(text: str, expected: dict[str, object]) -> None:
    assert dv.read(text, TODAY, UNITS, NUMBERS) == expected


def test_nothing_stated_reads_nothing() -> None:
    assert dv.read("my client keeps asking for more", TODAY, UNITS, NUMBERS) == {}
    assert dv.read("meeting at 10:30, call me", TODAY, UNITS, NUMBERS) == {}


@pytest.mark.parametrize(
    ("name", "value", "fr", "nb", "en"),
    [
        ("effective_date", "2027-03-01", "1er mars 2027", "1. mars 2027", "1 March 2027"),
        ("deadline", "2027-01-15", "15 janvier 2027", "15. januar 2027", "15 January 2027"),
        ("new_rate", "80 EUR/hour", "80\u00a0€ de l'heure", "80\u00a0€ per time", "€80 an hour"),
        ("new_rate", "650 NOK/day", "650\u00a0kr par jour", "kr\u00a0650 per dag", "NOK 650 a day"),
        ("delivered_ago", 21, "il y a 3 semaines", "for 3 uker siden", "3 weeks ago"),
        ("delivered_ago", 7, "il y a une semaine", "for én uke siden", "a week ago"),
        ("delivered_ago", 60, "il y a 2 mois", "for 2 måneder siden", "2 months ago"),
        ("delivered_ago", 10, "il y a 10 jours", "for 10 dager siden", "10 days ago"),
        ("hours", 7.5, "7,5 heures", "7,5 timer", "7.5 hours"),
        ("amount", "1200.5 EUR", "1\u00a0200,50\u00a0€", "1\u00a0200,50\u00a0€", "€1,200.50"),
    ],
)
def test_render_writes_each_language_its_way(
    name: str, value: object, fr: str, nb: str, en: str
) -> None:
    assert [dv.render({name: value}, lang)[name] for lang in ("fr", "nb", "en")] == [fr, nb, en]


def test_a_date_without_cue_fills_the_only_date_slot() -> None:
    values = dv.read("can you do 20/12?", TODAY, UNITS, NUMBERS)
    assert dv.render(values, "en", {"deadline", "client_name"}) == {"deadline": "20 December 2026"}
    assert dv.render(values, "en", {"deadline", "effective_date"}) == {}


async def test_topic_draft_is_filled_from_the_opening_message() -> None:
    chat = Chat(memory_engine())
    await chat.press("topic:rates")
    hint = chat.last[0].draft.text  # type: ignore[union-attr]
    assert "[new rate]" in hint or "[start date]" in hint
    chat = Chat(memory_engine())
    await chat.say("I want to raise my rate to 90 €/h from 1 February, how do I tell my client?")
    draft = chat.last[0].draft
    assert draft is not None and chat.last[0].text.startswith("Rais") or draft is not None
    assert "[new rate]" not in draft.text and "[start date]" not in draft.text
    assert "€90 an hour" in draft.text and "1 February 2027" in draft.text
    await chat.press("draft:fr")
    assert "90\u00a0€ de l'heure" in chat.last[0].draft.text  # type: ignore[union-attr]
    assert "1er février 2027" in chat.last[0].draft.text  # type: ignore[union-attr]
