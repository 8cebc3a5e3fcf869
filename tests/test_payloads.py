"""The payload grammar: every form parses, anything else is None, nothing raises."""

from __future__ import annotations

import pytest

from bot.payloads import Action, answer, fmt, parse


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("start", Action("start")),
        ("/menu", Action("menu")),
        ("help", Action("help")),
        ("cancel", Action("cancel")),
        ("lang", Action("lang")),
        ("lang:fr", Action("lang", "fr")),
        ("lang:no", Action("lang", "nb")),
        ("topic:rates", Action("topic", "rates")),
        ("flow:unpaid-invoice", Action("flow", "unpaid-invoice")),
        ("checklist", Action("checklist")),
        ("checklist:late-payment", Action("checklist", "late-payment")),
        ("a:terms:in-writing", Action("a", "terms", "in-writing")),
        ("a:time_zones:often", Action("a", "time_zones", "often")),
        ("draft:no", Action("draft", "nb")),
        ("dr:payment-plan", Action("dr", "payment-plan")),
        ("remind:7", Action("remind", "7")),
        ("remind:cancel", Action("remind", "cancel")),
        ("forget", Action("forget")),
        ("forget:yes", Action("forget", "yes")),
        ("skip", Action("skip")),
        ("checklist-late-payment", Action("checklist", "late-payment")),
        ("flow-unpaid-invoice", Action("flow", "unpaid-invoice")),
        ("topic-rates", Action("topic", "rates")),
        ("lang-nb", Action("lang", "nb")),
    ],
)
def test_grammar(payload: str, expected: Action) -> None:
    assert parse(payload) == expected


@pytest.mark.parametrize(
    "payload",
    [None, "", "nope", "lang:de", "draft:xx", "a:terms", "a::x", "a:Terms:x", "remind:abc",
     "remind:99999", "forget:no", "topic:", "topic:Bad Id", "x" * 65, "topic:" + "a" * 60,
     "flow:../etc", "a:q:o:extra:" + "z" * 70, "\x00", "ä:ö", "dr:", "dr:Bad Id"],
)  # fmt: skip
def test_unknown_payloads_are_none(payload: str | None) -> None:
    assert parse(payload) is None


def test_formatters_round_trip() -> None:
    assert parse(answer("days", "x")) == Action("a", "days", "x")
    assert parse(fmt("topic", "scope-creep")) == Action("topic", "scope-creep")
    assert fmt("menu") == "menu"
