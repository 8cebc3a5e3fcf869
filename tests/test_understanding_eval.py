"""The ``clientcoach eval`` and ``clientcoach route`` commands on a small fixture of our own."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli.evaluate import evaluate
from bot.cli.route import route

FIXTURE = Path(__file__).parent / "fixtures" / "routing-sample.jsonl"


def test_eval_json_line_has_the_agreed_keys_and_figures() -> None:
    result = CliRunner().invoke(evaluate, [str(FIXTURE), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert set(summary) == {
        "n",
        "lang_accuracy",
        "topic_accuracy",
        "per_lang",
        "offtopic_precision",
        "offtopic_recall",
        "offered_accuracy",
        "ask_rate",
        "both_offered",
    }
    assert summary["n"] == 7
    assert summary["lang_accuracy"] == 1.0
    # s7 is labelled with a wrong topic on purpose: exactly one miss.
    assert summary["topic_accuracy"] == round(6 / 7, 4)
    assert summary["offtopic_recall"] == 1.0
    # s7 is predicted off-topic but expects a topic: precision 2/3.
    assert summary["offtopic_precision"] == round(2 / 3, 4)
    assert set(summary["per_lang"]) == {"fr", "nb", "en"}
    nb = summary["per_lang"]["nb"]
    assert nb["topic_accuracy"] == 1.0 and nb["lang_accuracy"] == 1.0
    assert nb["offered_accuracy"] == 1.0 and nb["both_offered"] is None  # no two-topic item
    assert 0.0 <= summary["ask_rate"] <= 1.0
    assert summary["per_lang"]["en"]["topic_accuracy"] == round(2 / 3, 4)


def test_eval_lists_the_misses() -> None:
    result = CliRunner().invoke(evaluate, [str(FIXTURE)])
    assert result.exit_code == 0
    assert "misses (1)" in result.output
    assert "[s7]" in result.output
    assert "[s1]" not in result.output


def test_eval_rejects_broken_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "lang": "en", "expect": [], "text": "hi"}\nnot json\n')
    result = CliRunner().invoke(evaluate, [str(bad)])
    assert result.exit_code != 0
    assert "bad.jsonl:2" in result.output


def test_route_command_prints_language_topics_and_decision() -> None:
    result = CliRunner().invoke(route, ["facture pas reglee depuis 2 mois"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "language: fr"
    assert lines[1].split()[0] == "late-payment"
    assert lines[-1] == "decision: topic: late-payment"


def test_route_command_off_topic_and_hint() -> None:
    result = CliRunner().invoke(route, ["ok", "--lang-hint", "no"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "language: nb"
    assert result.output.splitlines()[-1] == "decision: off-topic"


def test_route_command_tells_a_work_question_no_topic_covers() -> None:
    result = CliRunner().invoke(route, ["which pension account should a self-employed person open"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "decision: off-topic: a work question no topic covers"
