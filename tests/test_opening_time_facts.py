"""Words of when are no fact of a question about something else ("he wants to start tomorrow"),
yet a phrase made of them is one where the question asks about the client's hours: "tard le
soir" says the client calls late."""

from __future__ import annotations

import pytest
from engine_helpers import memory_engine

READER = memory_engine().policy.reader


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "mon client m'appelle tard le soir"),
        ("nb", "han ringer meg sent på kvelden og i helgene"),
        ("en", "he calls me late at night"),
    ],
)
def test_calls_at_night_tell_the_client_ignores_your_hours(lang: str, text: str) -> None:
    assert READER.facts("drop-client", text, lang, opening=True).get("time") == "ignored"
