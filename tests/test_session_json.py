"""Sessions survive their JSON form, whatever their slots hold."""

from __future__ import annotations

import pytest

from bot.store.base import Session


@pytest.mark.parametrize(
    "slots",
    [{}, {"days": 45, "amount": "1 200,50 €"}, {"invoice": "Faktura nr. 17 – «mai»"},
     {"note": "a\ud800b"}, {"nested": {"a": [1, 2]}}],
)  # fmt: skip
def test_round_trip(slots: dict) -> None:
    session = Session(lang="nb", lang_chosen=True, flow="unpaid-invoice", state="asking_days",
                      slots=slots, topic="late-payment", updated=1700000000.5)  # fmt: skip
    raw = session.to_json()
    assert Session.from_json(raw) == session
    assert Session.from_json(raw.encode("utf-8", "surrogatepass")) == session or "\ud800" in raw


def test_defaults_are_left_out_and_unknown_fields_ignored() -> None:
    assert Session().to_json() == '{"state":"idle"}'
    assert Session.from_json('{"state":"asking_days","future_field":1}').state == "asking_days"
