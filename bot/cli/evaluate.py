"""``clientcoach eval FILE.jsonl``: language and topic accuracy on a labelled set of messages, and
what the person is shown (``offered_accuracy``: the expected topic is the answer or among the
buttons; ``ask_rate``: the bot asks; ``both_offered``: both topics of a two-topic item are shown);
``clientcoach eval --dialogs FILE.jsonl``: task success of scripted conversations.

Each line of a message set: ``{"id", "lang", "expect": [topic ids], "text"}``; ``lang`` ``no``
means bokmål and ``expect: []`` means the message is off-topic. An off-topic line may say which
reply it wants, ``"kind": "offtopic"`` (the menu: not about work) or ``"kind": "work"`` (a work
question no topic covers: told so, with the closest topics); ``kind_accuracy`` is the share of
such lines that get that reply. Conversations: see :mod:`bot.dialog_eval`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import click

LANG_ORDER = ("fr", "nb", "en")


@dataclass
class Tally:
    """Counts for one language or for everything."""

    n: int = 0
    lang_hits: int = 0
    topic_hits: int = 0
    off_predicted: int = 0
    off_expected: int = 0
    off_both: int = 0
    offered_hits: int = 0  # the expected topic is among what the bot shows (answer or buttons)
    asked: int = 0  # the bot asks with buttons
    pairs: int = 0  # items with two expected topics
    both: int = 0  # ... both of which are shown
    kinds: int = 0  # off-topic items that say which reply they want ("offtopic" or "work")
    kind_hits: int = 0  # ... and get it

    def add(self, lang_ok: bool, topic_ok: bool, off_pred: bool, off_exp: bool) -> None:
        self.n += 1
        self.lang_hits += lang_ok
        self.topic_hits += topic_ok
        self.off_predicted += off_pred
        self.off_expected += off_exp
        self.off_both += off_pred and off_exp

    def add_shown(self, expect: list[str], shown: list[str], asked: bool) -> None:
        self.offered_hits += (not shown) if not expect else any(t in shown for t in expect)
        self.asked += asked
        if len(expect) == 2:
            self.pairs += 1
            self.both += all(t in shown for t in expect)

    def add_kind(self, kind: str, offtopic: bool, about_work: bool) -> None:
        """An off-topic item's wanted reply: the menu ("offtopic") or the closest topics
        ("work")."""
        self.kinds += 1
        self.kind_hits += offtopic and about_work == (kind == "work")

    def figures(self) -> dict[str, float | None]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "n": self.n,
            "lang_accuracy": ratio(self.lang_hits, self.n),
            "topic_accuracy": ratio(self.topic_hits, self.n),
            "offtopic_precision": ratio(self.off_both, self.off_predicted),
            "offtopic_recall": ratio(self.off_both, self.off_expected),
            "offered_accuracy": ratio(self.offered_hits, self.n),
            "ask_rate": ratio(self.asked, self.n),
            "both_offered": ratio(self.both, self.pairs),
            "kind_accuracy": ratio(self.kind_hits, self.kinds),
        }


@dataclass
class Report:
    total: Tally = field(default_factory=Tally)
    per_lang: dict[str, Tally] = field(default_factory=dict)
    misses: list[dict[str, object]] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, object]]:
    """The labelled lines of a JSONL file (blank lines skipped)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise click.ClickException(f"{path}:{number}: not JSON: {exc}") from exc
    return rows


def evaluate_rows(rows: list[dict[str, object]], embeddings: bool = True) -> Report:
    """Detect the language and route every row (the embedding used for long messages when
    installed, unless ``embeddings`` is False); count hits and keep the misses."""
    from bot.understanding import detect_language, normalise_lang, route

    report = Report()
    for row in rows:
        text = str(row.get("text", ""))
        want_lang = normalise_lang(str(row.get("lang", ""))) or "en"
        expect = [str(t) for t in row.get("expect") or []]  # type: ignore[union-attr]
        lang = detect_language(text)
        result = route(text, lang, embeddings=embeddings)
        top = None if result.offtopic else result.ranked[0][0]
        topic_ok = result.offtopic if not expect else top in expect
        lang_ok = lang == want_lang
        for tally in (report.total, report.per_lang.setdefault(want_lang, Tally())):
            tally.add(lang_ok, topic_ok, result.offtopic, not expect)
            tally.add_shown(expect, result.shown, result.ambiguous and not result.offtopic)
            if not expect and row.get("kind") in ("offtopic", "work"):
                tally.add_kind(str(row["kind"]), result.offtopic, result.about_work)
        if not (topic_ok and lang_ok):
            report.misses.append(
                {
                    "id": row.get("id"),
                    "lang": want_lang,
                    "detected": lang,
                    "expect": expect,
                    "got": result.candidates if not result.offtopic else [],
                    "ranked": [(t, round(s, 3)) for t, s in result.ranked[:3]],
                    "text": text,
                }
            )
    return report


def summary(report: Report) -> dict[str, object]:
    """The JSON object of the ``--json`` line."""
    total = report.total.figures()
    per_lang = {
        lang: {
            key: tally.figures()[key]
            for key in ("topic_accuracy", "lang_accuracy", "offered_accuracy", "ask_rate",
                        "both_offered", "offtopic_recall", "kind_accuracy")
        }  # fmt: skip
        for lang in LANG_ORDER
        if (tally := report.per_lang.get(lang))
    }
    return {
        "n": total["n"],
        "lang_accuracy": total["lang_accuracy"],
        "topic_accuracy": total["topic_accuracy"],
        "per_lang": per_lang,
        "offtopic_precision": total["offtopic_precision"],
        "offtopic_recall": total["offtopic_recall"],
        "offered_accuracy": total["offered_accuracy"],
        "ask_rate": total["ask_rate"],
        "both_offered": total["both_offered"],
    }


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _dialog_report(file: Path, as_json: bool) -> None:
    from bot.dialog_eval import evaluate_file

    try:
        result = evaluate_file(file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'':6}{'n':>5} {'success':>8} {'re-asks':>8}")
    for name, f in [*result["per_lang"].items(), ("all", result["overall"])]:
        click.echo(
            f"{name:6}{f['n']:>5} {_fmt(f['task_success']):>8} {_fmt(f['reasks_per_dialog']):>8}"
        )
    if result["failures"]:
        click.echo(f"\nfailures ({len(result['failures'])}):")
    for failure in result["failures"]:
        click.echo(f"- [{failure['id']}] {failure['why']} after {failure['turns']} turns")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@click.option("--dialogs", is_flag=True, help="FILE holds scripted conversations.")
def evaluate(file: Path, as_json: bool, dialogs: bool) -> None:
    """Language accuracy, top-1 topic accuracy and off-topic precision/recall of FILE; with
    --dialogs, task success and re-asks of FILE's scripted conversations, per language."""
    if dialogs:
        _dialog_report(file, as_json)
        return
    report = evaluate_rows(read_rows(file))
    click.echo(
        f"{'':6}{'n':>5} {'lang':>7} {'topic':>7} {'off-P':>7} {'off-R':>7} {'offered':>8} "
        f"{'asks':>7} {'both':>7} {'kind':>7}"
    )
    tallies = [(lang, report.per_lang[lang]) for lang in LANG_ORDER if lang in report.per_lang]
    for name, tally in [*tallies, ("all", report.total)]:
        f = tally.figures()
        click.echo(
            f"{name:6}{tally.n:>5} {_fmt(f['lang_accuracy']):>7} {_fmt(f['topic_accuracy']):>7} "
            f"{_fmt(f['offtopic_precision']):>7} {_fmt(f['offtopic_recall']):>7} "
            f"{_fmt(f['offered_accuracy']):>8} {_fmt(f['ask_rate']):>7} "
            f"{_fmt(f['both_offered']):>7} {_fmt(f['kind_accuracy']):>7}"
        )
    if report.misses:
        click.echo(f"\nmisses ({len(report.misses)}):")
    for miss in report.misses:
        expect = ",".join(miss["expect"]) or "off-topic"  # type: ignore[arg-type]
        got = ",".join(miss["got"]) or "off-topic"  # type: ignore[arg-type]
        click.echo(
            f"- [{miss['id']}] {miss['lang']}→{miss['detected']} expect {expect} got {got} "
            f"{miss['ranked']}\n    {miss['text']}"
        )
    if as_json:
        click.echo(json.dumps(summary(report), ensure_ascii=False))
