"""Reading free-text answers: days, amounts in several notations, invoice references."""

from __future__ import annotations

import pytest
from engine_helpers import real_kb

from bot.answers import format_amount, parse_amount, parse_days, parse_reference
from bot.vocab import Vocabulary


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.from_knowledge(real_kb())


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("45", 45), ("45 days", 45), ("45 jours", 45), ("45 dager", 45), ("45d", 45),
        ("3 weeks", 21), ("3 semaines", 21), ("3 uker", 21), ("2 months", 60),
        ("deux mois", 60), ("to måneder", 60), ("two months", 60), ("un mois", 30),
        ("a month", 30), ("ei uke", 7), ("about 10 days late", 10), ("0", 0),
        ("1 an", 365), ("month", 30),
    ],
)  # fmt: skip
def test_days(vocab: Vocabulary, text: str, days: int) -> None:
    assert parse_days(text, vocab.numbers, vocab.units) == days


@pytest.mark.parametrize("text", ["", "soon", "no idea at all", "999999", "99 years"])
def test_days_unreadable(vocab: Vocabulary, text: str) -> None:
    assert parse_days(text, vocab.numbers, vocab.units) is None


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("1 200,50 €", "1200.5 EUR"), ("kr 5000", "5000 NOK"), ("5000 kr", "5000 NOK"),
        ("1,200.50", "1200.5"), ("$1,200", "1200 USD"), ("1.200", "1200"),
        ("12 000,-", "12000 NOK"), ("EUR 99.9", "99.9 EUR"), ("invoice 17, 3000 €", "3000 EUR"),
        ("1\u00a0234\u202f567,89 NOK", "1234567.89 NOK"), ("£80", "80 GBP"),
    ],
)  # fmt: skip
def test_amounts(text: str, stored: str) -> None:
    assert parse_amount(text) == stored


@pytest.mark.parametrize("text", ["", "a lot", "€", "kr"])
def test_amount_unreadable(text: str) -> None:
    assert parse_amount(text) is None


def test_amount_written_per_language() -> None:
    assert format_amount("1200.5 EUR", "fr") == "1\u00a0200,50\u00a0€"
    assert format_amount("1200.5 EUR", "en") == "€1,200.50"
    assert format_amount("5000 NOK", "nb") == "kr\u00a05\u00a0000"
    assert format_amount("5000 NOK", "en") == "NOK 5,000"
    assert format_amount("70", "en") == "70"


def test_reference() -> None:
    assert parse_reference("it's number INV-2024-017, sent in May") == "INV-2024-017"
    assert parse_reference("  #4411 ") == "4411"
    assert parse_reference("x" * 500) == "x" * 32
    assert parse_reference("   ") is None
