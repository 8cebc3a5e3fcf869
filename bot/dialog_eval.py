"""Scripted conversations: a persona who answers in its own words, never pressing a button.

A line of the file: ``{"id", "lang", "opening", "answers": {question id: text},
"expect": {"flow", "slots": {question id: option id or value}, "outcomes": [...]}}``. The
persona sends the opening, then answers whatever question is asked with its text for it. Success:
the expected flow (and only it) gives its verdict, with exactly the expected outcomes and slots,
within :data:`MAX_TURNS` turns. Counted too: clarifying re-asks (the same question asked again).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_TURNS = 16
LANG_ORDER = ("fr", "nb", "en")


@dataclass
class DialogResult:
    id: str
    lang: str
    ok: bool
    turns: int
    reasks: int
    why: str = ""
    got: dict[str, Any] = field(default_factory=dict)


def read_dialogs(path: Path) -> list[dict[str, Any]]:
    """The conversations of a JSONL file (blank lines skipped); ValueError names a bad line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON: {exc}") from exc
        if not isinstance(row, dict) or not {"opening", "answers", "expect"} <= set(row):
            raise ValueError(f"{path}:{number}: needs opening, answers and expect")
        rows.append(row)
    return rows


async def play(engine: Any, row: dict[str, Any], index: int) -> DialogResult:
    """Play one conversation against ``engine`` (a fresh conversation key per row)."""
    from bot.models import ConversationKey, Turn

    lang = str(row.get("lang", "en"))
    key = ConversationKey(platform="test", chat=f"eval-{index}", user=f"persona-{index}")
    expect = row["expect"]
    answers: dict[str, str] = {str(k): str(v) for k, v in (row.get("answers") or {}).items()}
    asked: list[str] = []
    text = str(row["opening"])
    for turn_number in range(1, MAX_TURNS + 1):
        turn = Turn(key=key, text=text, locale=lang if turn_number == 1 else None)
        _, state = await engine.handle_turn(turn)
        if state is None:
            return _result(row, False, turn_number, asked, "no state (store failure)")
        if state["outcomes"]:
            got = {"flow": state["flow"], "slots": state["slots"], "outcomes": state["outcomes"]}
            ok = (
                state["flow"] == expect.get("flow")
                and list(state["outcomes"]) == list(expect.get("outcomes") or [])
                and _same_slots(state["slots"], expect.get("slots") or {})
            )
            why = "" if ok else "wrong verdict"
            return _result(row, ok, turn_number, asked, why, got)
        question = state["question"]
        if state["flow"] is None or question is None:
            return _result(row, False, turn_number, asked, f"left the flow (flow={state['flow']})")
        if state["flow"] != expect.get("flow"):
            return _result(row, False, turn_number, asked, f"wrong flow {state['flow']}")
        asked.append(question)
        if question not in answers:
            return _result(row, False, turn_number, asked, f"asked {question!r}, no answer")
        text = answers[question]
    return _result(row, False, MAX_TURNS, asked, "no verdict within the turn limit")


def _same_slots(got: dict[str, Any], want: dict[str, Any]) -> bool:
    return {k: _plain(v) for k, v in got.items()} == {k: _plain(v) for k, v in want.items()}


def _plain(value: Any) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _result(
    row: dict[str, Any], ok: bool, turns: int, asked: list[str], why: str, got: Any = None
) -> DialogResult:
    reasks = len(asked) - len(set(asked))
    return DialogResult(
        str(row.get("id", "")), str(row.get("lang", "en")), ok, turns, reasks, why, got or {}
    )


async def play_all(rows: list[dict[str, Any]], engine: Any = None) -> list[DialogResult]:
    if engine is None:
        from bot.engine import Engine
        from bot.store.memory import MemoryStore

        engine = Engine(MemoryStore())
    return [await play(engine, row, n) for n, row in enumerate(rows)]


def summary(results: list[DialogResult]) -> dict[str, Any]:
    """Task success and re-asks per conversation, overall and per language, and the failures."""

    def figures(subset: list[DialogResult]) -> dict[str, Any]:
        n = len(subset)
        return {
            "n": n,
            "task_success": round(sum(r.ok for r in subset) / n, 4) if n else None,
            "reasks_per_dialog": round(sum(r.reasks for r in subset) / n, 3) if n else None,
        }

    per_lang = {
        lang: figures([r for r in results if r.lang == lang])
        for lang in LANG_ORDER
        if any(r.lang == lang for r in results)
    }
    failures = [
        {"id": r.id, "lang": r.lang, "why": r.why, "turns": r.turns, "got": r.got}
        for r in results
        if not r.ok
    ]
    return {"overall": figures(results), "per_lang": per_lang, "failures": failures}


def evaluate_file(path: Path) -> dict[str, Any]:
    return summary(asyncio.run(play_all(read_dialogs(path))))
