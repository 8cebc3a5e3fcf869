"""Facts an opening states in common words: being called useless is an insult, and "på overtid"
says an invoice is late (so "tre uker på overtid" is 21 days)."""

from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import memory_engine

POLICY = memory_engine().policy
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "he always pays late and calls me useless"),
        ("fr", "il paie en retard et me traite de nul"),
        ("nb", "han betaler for sent og kaller meg udugelig"),
    ],
)
def test_being_called_useless_is_insulting_talk(lang: str, text: str) -> None:
    facts = POLICY.facts("drop-client", text, lang, TODAY, skip=set(), opening=True)
    assert facts.get("work") == "insulting" and facts.get("pays") == "late"


def test_weeks_past_due_in_norwegian_are_days_late() -> None:
    text = "fakturaen er tre uker på overtid"
    assert POLICY.facts("unpaid-invoice", text, "nb", TODAY, skip=set(), opening=True)["days"] == 21
