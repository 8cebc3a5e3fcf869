"""The scripted conversations of ``tests/fixtures/dialogs.jsonl``: a persona answering in its own
words. Each one must keep every answer already given and its language on every turn; together
they must reach the task success the tuning gave (the untouched ``dialogs-holdout.jsonl`` is only
measured, with ``clientcoach eval --dialogs``, never asserted on)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from engine_helpers import memory_engine

from bot.dialog_eval import MAX_TURNS, play_all, read_dialogs, summary
from bot.models import ConversationKey, Turn

FIXTURES = Path(__file__).parent / "fixtures"
DIALOGS = read_dialogs(FIXTURES / "dialogs.jsonl")
ENGINE = memory_engine()


@pytest.mark.parametrize("row", DIALOGS, ids=[str(r["id"]) for r in DIALOGS])
async def test_no_turn_loses_an_answer_or_switches_language(row: dict) -> None:
    key = ConversationKey(platform="test", chat=f"inv-{row['id']}", user="persona")
    text, given, lang = str(row["opening"]), {}, row["lang"]
    for turn_number in range(MAX_TURNS):
        _, state = await ENGINE.handle_turn(Turn(key=key, text=text, locale=lang))
        assert state is not None
        assert state["lang"] == lang, f"turn {turn_number}: language switched"
        if state["outcomes"] or state["question"] is None:
            break
        assert set(given) <= set(state["slots"]), f"turn {turn_number}: an answer was lost"
        given = dict(state["slots"])
        text = row["answers"].get(state["question"], "")
        if not text:
            break


def test_task_success_on_the_tuning_set() -> None:
    result = summary(asyncio.run(play_all(DIALOGS, memory_engine())))
    for lang, figures in result["per_lang"].items():
        assert figures["n"] >= 40, lang
        assert figures["task_success"] >= 0.9, (lang, result["failures"])
        assert figures["reasks_per_dialog"] <= 0.7, lang


def test_the_held_out_set_is_well_formed() -> None:
    held_out = read_dialogs(FIXTURES / "dialogs-holdout.jsonl")
    assert len(held_out) >= 45
    assert {r["lang"] for r in held_out} == {"fr", "nb", "en"}
    assert not {r["id"] for r in held_out} & {r["id"] for r in DIALOGS}
