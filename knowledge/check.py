"""Quality checks over the whole knowledge base (``clientcoach kb check``).

Reports, without stopping at the first problem: schema errors, texts missing in a language,
drafts whose placeholders differ between languages, advice that cites no known article, and runs
of eight or more words shared with a source article.
"""

from __future__ import annotations

import json
import string
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from knowledge import shingles
from knowledge.loader import KNOWLEDGE_DIR, KnowledgeError, describe, parse_interface, read_yaml
from knowledge.models import LANGS, Catalog, L10n, Topic


@dataclass
class Report:
    topics: int = 0
    languages: list[str] = field(default_factory=lambda: list(LANGS))
    missing: list[str] = field(default_factory=list)
    placeholder_mismatches: list[str] = field(default_factory=list)
    uncited: list[str] = field(default_factory=list)
    copied_runs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    per_language: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        problems = (self.missing, self.placeholder_mismatches, self.uncited, self.copied_runs)
        return not self.errors and not any(problems)


def _is_missing_text(err: dict[str, Any]) -> bool:
    loc = err["loc"]
    return bool(loc) and loc[-1] in LANGS and err["type"] in {"missing", "string_too_short"}


def _texts(node: Any, path: str) -> list[tuple[str, L10n]]:
    """Every localized text inside a model, with its dotted path."""
    if isinstance(node, L10n):
        return [(path, node)]
    if isinstance(node, list):
        out = []
        for item in node:
            label = getattr(item, "id", None)
            out += _texts(item, f"{path}[{label}]")
        return out
    if isinstance(node, BaseModel):
        out = []
        for name in type(node).model_fields:
            out += _texts(getattr(node, name), f"{path}.{name}" if path else name)
        return out
    return []


def _format_fields(text: str) -> set[str] | None:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def check_topic(
    topic: Topic, catalog: Catalog, prints: dict[str, set[str]], report: Report
) -> None:
    name = topic.id
    known_seeds = {s.file for s in catalog.sources}
    allowed = set(catalog.placeholders)
    if len(topic.checklist) < catalog.min_checklist:
        report.errors.append(
            f"{name}: checklist has {len(topic.checklist)} items, "
            f"fewer than {catalog.min_checklist}"
        )
    for item in topic.advice:
        if not set(item.sources) & known_seeds:
            report.uncited.append(f"{name}: advice[{item.id}] cites no known article")
        unknown = sorted(set(item.sources) - known_seeds)
        if unknown:
            report.uncited.append(f"{name}: advice[{item.id}] cites unknown {unknown}")
    for draft in topic.drafts:
        sets = {lang: _format_fields(text) for lang, text in draft.text.items()}
        if any(s is None for s in sets.values()):
            report.placeholder_mismatches.append(f"{name}: drafts[{draft.id}] has stray braces")
            continue
        if len({frozenset(s) for s in sets.values()}) > 1:
            detail = ", ".join(f"{lang}={sorted(s)}" for lang, s in sets.items())
            report.placeholder_mismatches.append(f"{name}: drafts[{draft.id}]: {detail}")
        for lang, fields in sets.items():
            if fields - allowed:
                report.placeholder_mismatches.append(
                    f"{name}: drafts[{draft.id}].{lang} "
                    f"unknown placeholders {sorted(fields - allowed)}"
                )
    for path, text in _texts(topic, ""):
        for lang, value in text.items():
            for seed, run in shingles.copied_runs(value, prints):
                report.copied_runs.append(f"{name}: {path}.{lang} shares with {seed}: '{run}'")


def load_prints(directory: Path, seed_dir: Path | None) -> dict[str, set[str]]:
    if seed_dir is not None and seed_dir.is_dir():
        return {k: set(v) for k, v in shingles.build(seed_dir).items()}
    data = json.loads((directory / "sources" / "fingerprints.json").read_text(encoding="utf-8"))
    return {k: set(v) for k, v in data.items()}


def run_checks(directory: Path = KNOWLEDGE_DIR, seed_dir: Path | None = None) -> Report:
    """Check every file of a knowledge directory and collect all problems."""
    report = Report()
    try:
        catalog = Catalog.model_validate(read_yaml(directory / "catalog.yaml"))
    except (ValidationError, KnowledgeError) as exc:
        detail = (
            describe(exc, directory / "catalog.yaml")
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        report.errors.append(detail)
        return report
    prints = load_prints(directory, seed_dir)
    counts = {lang: {"advice": 0, "checklist": 0, "drafts": 0, "topics": 0} for lang in LANGS}
    for topic_id in catalog.topics:
        path = directory / "topics" / f"{topic_id}.yaml"
        if not path.exists():
            report.missing.append(f"{topic_id}: no file {path.name}")
            continue
        try:
            topic = Topic.model_validate(read_yaml(path))
        except KnowledgeError as exc:
            report.errors.append(str(exc))
            continue
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                if _is_missing_text(err):
                    report.missing.append(f"{topic_id}: {where}")
                else:
                    report.errors.append(f"{path}: {where}: {err['msg']}")
            continue
        if topic.id != topic_id:
            report.errors.append(f"{path}: id: {topic.id!r} does not match the file name")
        report.topics += 1
        check_topic(topic, catalog, prints, report)
        for lang in LANGS:
            counts[lang]["topics"] += 1
            counts[lang]["advice"] += len(topic.advice)
            counts[lang]["checklist"] += len(topic.checklist)
            counts[lang]["drafts"] += len(topic.drafts)
    extra = sorted(
        p.stem for p in (directory / "topics").glob("*.yaml") if p.stem not in catalog.topics
    )
    report.errors += [f"topics/{stem}.yaml: not listed in catalog.yaml" for stem in extra]
    try:
        interface = parse_interface(directory / "interface")
        for key, text in interface.items():
            for lang, value in text.items():
                for seed, run in shingles.copied_runs(value, prints):
                    report.copied_runs.append(
                        f"interface: {key}.{lang} shares with {seed}: '{run}'"
                    )
    except KnowledgeError as exc:
        report.errors.append(str(exc))
    report.per_language = counts
    return report


def render(report: Report) -> str:
    lines = [f"topics: {report.topics}   languages: {', '.join(report.languages)}"]
    for lang, c in report.per_language.items():
        lines.append(
            f"  {lang}: {c['topics']} topics, {c['advice']} advice items, "
            f"{c['checklist']} checklist items, {c['drafts']} drafts"
        )
    for label in ("errors", "missing", "placeholder_mismatches", "uncited", "copied_runs"):
        items = getattr(report, label)
        lines.append(f"{label}: {len(items)}")
        lines += [f"  - {item}" for item in items]
    lines.append("OK" if report.ok else "PROBLEMS FOUND")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m knowledge.check [--json] [--seeds DIR] [DIR]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    seed_dir = None
    if "--seeds" in args:
        i = args.index("--seeds")
        seed_dir = Path(args[i + 1])
        del args[i : i + 2]
    directory = Path(args[0]) if args else KNOWLEDGE_DIR
    report = run_checks(directory, seed_dir)
    print(render(report))
    if as_json:
        print(json.dumps(asdict(report), ensure_ascii=False))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
