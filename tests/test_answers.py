"""Reading free-text answers: days, amounts in several notations, invoice references."""

from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import real_kb

from bot.answers import (
    find_amount,
    find_days,
    find_reference,
    format_amount,
    parse_amount,
    parse_reference,
)
from bot.understanding.conversation_data import load as conversation_data
from bot.understanding.durations import DurationReader
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
        ("a month", 30), ("ei uke", 7), ("about 10 days late", 10),
        ("1 an", 365), ("month", 30),
    ],
)  # fmt: skip
def test_days(vocab: Vocabulary, text: str, days: int) -> None:
    reader = DurationReader(conversation_data().numbers, vocab.units)
    assert reader.read(text, "en", date(2026, 12, 1)).value == days


@pytest.mark.parametrize("text", ["", "soon", "no idea at all", "999999", "99 years", "0"])
def test_days_unreadable(vocab: Vocabulary, text: str) -> None:
    reader = DurationReader(conversation_data().numbers, vocab.units)
    assert reader.read(text, "en", date(2026, 12, 1)).value is None


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


# Values found in a whole message (the one that starts a flow) -------------------------------

FIRST = [
    ("en", "my client hasn't paid invoice #2024-017 of 1 200 € for two months",
     60, "1200 EUR", "2024-017"),
    ("nb", "fakturaen på 5000 kr er 45 dager over forfall", 45, "5000 NOK", None),
    ("fr", "facture F-12 impayée depuis 3 semaines", 21, None, "F-12"),
    ("fr", "la facture n°F-77 de 300 € est en retard d'un mois", 30, "300 EUR", "F-77"),
    ("nb", "faktura nr. 2024/17 på kr 12 000,- er en måned over", 30, "12000 NOK", "2024/17"),
    ("en", "Invoice INV-88 (450 dollars) is 10 days late", 10, "450 USD", "INV-88"),
    ("en", "my client still hasn't paid me", None, None, None),
]  # fmt: skip


def find_all(vocab: Vocabulary, lang: str, text: str) -> tuple[object, ...]:
    return (
        find_days(text, vocab.numbers_in[lang], vocab.units, vocab.frequency_words),
        find_amount(text),
        find_reference(text, vocab.invoice_words, vocab.number_marks, vocab.units),
    )


@pytest.mark.parametrize(("lang", "text", "days", "amount", "ref"), FIRST)
def test_values_found_in_a_first_message(
    vocab: Vocabulary, lang: str, text: str, days: int | None, amount: str | None, ref: str | None
) -> None:
    assert find_all(vocab, lang, text) == (days, amount, ref)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "terms were 30 days and it is now 2 months late; he paid 300 € of 1 200 €"),
        ("fr", "facture F-1 et facture F-2 impayées depuis 2 semaines et 3 semaines"),
        ("en", "invoice 2024 was 1200 EUR and invoice 2025 was 900 EUR, 30 days and 60 days"),
    ],
)
def test_two_different_values_are_not_guessed(vocab: Vocabulary, lang: str, text: str) -> None:
    assert find_all(vocab, lang, text) == (None, None, None)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "I invoice once a month and have 12 clients", (None, None, None)),
        ("en", "he pays every 2 weeks but invoice 17 is 5 days late", (5, None, "17")),
        ("en", "invoice 1200 € is late", (None, "1200 EUR", None)),  # an amount, not a number
        ("en", "invoice no 45 days late", (45, None, None)),
        ("en", "invoice #2024-017 unpaid", (None, None, "2024-017")),  # not 2024 days
        ("nb", "to kunder skylder meg 5000 kroner", (None, "5000 NOK", None)),
        ("en", "due to months of delays", (None, None, None)),  # "to" is two only in Norwegian
        ("en", "F-12 days", (None, None, None)),  # glued to a reference
        ("en", "about 5000 krill", (None, None, None)),  # "kr" inside a word
    ],
)  # fmt: skip
def test_only_plain_statements_are_read(
    vocab: Vocabulary, lang: str, text: str, expected: tuple[object, ...]
) -> None:
    assert find_all(vocab, lang, text) == expected


@pytest.mark.parametrize("text", ["¹ jours", "facture ² mois de retard", "³ days late ⁴ weeks"])
def test_digits_that_are_not_numbers_are_not_read(text: str) -> None:
    vocab = Vocabulary.from_knowledge(real_kb())
    assert find_all(vocab, "fr", text)[0] is None
