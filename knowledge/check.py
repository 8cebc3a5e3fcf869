"""Quality checks over the whole knowledge base (``clientcoach kb check``).

Reports, without stopping at the first problem: schema errors, texts missing in a language,
drafts whose placeholders differ between languages, advice that cites no known article (or is
not marked own or outside), checklist items and drafts that name nothing they derive from, runs
of eight words shared with a source article and of six words once numbers are folded
("2" = "deux" = "two"), advice ids used by two topics, country notices that do not make
their legal claim, and breaches of the house style of ``style.yaml`` (knowledge/style.py).
Also counts, per topic, the advice from the articles, outside pages and the project's own,
and lists for human review the closest article/knowledge sentence pairs (only with
``--seeds``: the articles themselves are not shipped).
"""

from __future__ import annotations

import json
import re
import string
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot import draft_values
from knowledge import shingles, style
from knowledge.loader import (
    KNOWLEDGE_DIR,
    KnowledgeError,
    describe,
    parse_interface,
    parse_law,
    parse_shared,
    read_yaml,
    with_shared,
)
from knowledge.models import LANGS, Catalog, Jurisdiction, L10n, Topic


@dataclass
class Report:
    topics: int = 0
    languages: list[str] = field(default_factory=lambda: list(LANGS))
    missing: list[str] = field(default_factory=list)
    placeholder_mismatches: list[str] = field(default_factory=list)
    uncited: list[str] = field(default_factory=list)
    copied_runs: list[str] = field(default_factory=list)
    copied_short_runs: list[str] = field(default_factory=list)
    underived: list[str] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    law_claims: list[str] = field(default_factory=list)
    style: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    per_language: dict[str, dict[str, int]] = field(default_factory=dict)
    provenance: dict[str, dict[str, int]] = field(default_factory=dict)
    countries: int = 0
    closest_pairs: list[dict[str, Any]] = field(default_factory=list)  # for review, not a failure

    @property
    def ok(self) -> bool:
        problems = (
            self.missing, self.placeholder_mismatches, self.uncited, self.copied_runs,
            self.copied_short_runs, self.underived, self.duplicate_ids, self.law_claims,
            self.style,
        )  # fmt: skip
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
    topic: Topic,
    catalog: Catalog,
    prints: dict[str, set[str]],
    report: Report,
    short_prints: dict[str, set[str]] | None = None,
) -> None:
    name = topic.id
    known_seeds = {s.file for s in catalog.sources}
    allowed = set(catalog.placeholders)
    if len(topic.checklist) < catalog.min_checklist:
        report.errors.append(
            f"{name}: checklist has {len(topic.checklist)} items, "
            f"fewer than {catalog.min_checklist}"
        )
    counts = {"articles": 0, "outside": 0, "own": 0}
    for item in topic.advice:
        counts[item.provenance] += 1
    report.provenance[name] = counts
    for kind, items in (("checklist", topic.checklist), ("drafts", topic.drafts)):
        for entry in items:
            if not (getattr(entry, "sources", None) or entry.derives or entry.own):
                report.underived.append(f"{name}: {kind}[{entry.id}] names nothing it derives from")
    for item in topic.advice:
        if not item.sources:
            continue
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
            for seed, run in shingles.copied_short_runs(value, short_prints or {}):
                report.copied_short_runs.append(
                    f"{name}: {path}.{lang} shares with {seed}: '{run}'"
                )


def check_law(kb_law: dict[str, Jurisdiction], report: Report) -> None:
    """Each country's notice, filled as for a 2 500 debt, contains every word of its claims."""
    for code, country in kb_law.items():
        report.countries += 1
        comp = country.compensation
        fixed = comp.for_debt(2500) if comp else None
        for lang, template in country.notice.text.items():
            values = {"compensation": draft_values.render(
                {"compensation": f"{fixed:g} {comp.currency}"}, lang)["compensation"]
                if comp and fixed is not None else ""}  # fmt: skip
            subject = country.notice.subject.get(lang) if country.notice.subject else ""
            body = template.replace("{compensation}", values["compensation"])
            text = _plain(subject + " " + body)
            for claim in country.claims.get(lang).split(","):
                if _plain(claim.strip()) not in text:
                    report.law_claims.append(f"law/{code}: notice.{lang} lacks {claim.strip()!r}")


def check_style(
    directory: Path,
    topics: list[Topic],
    interface: dict[str, L10n],
    law: dict[str, Jurisdiction],
    report: Report,
) -> None:
    """The house style of ``style.yaml`` (banned words, patterns, sign-offs) over every text."""
    try:
        rules = style.load_style(directory / "style.yaml")
    except (ValidationError, KnowledgeError, ValueError) as exc:
        report.errors.append(f"{directory / 'style.yaml'}: {exc}")
        return
    if rules is None:
        return
    checker = style.Checker(rules)
    for passage in style.passages(topics, interface, law):
        report.style += checker.problems(passage)


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").casefold().split())


def closest_pairs(
    topics: list[Topic], seed_dir: Path, catalog: Catalog, limit: int = 12
) -> list[dict[str, Any]]:
    """The knowledge sentences closest to an article sentence, for a human to review.

    Each item is compared in the article's own language (French items with the French articles,
    bokmål with the Norwegian one); the English text of an item is a translation of those, so a
    close copy shows up in its French or Norwegian sibling."""
    from rapidfuzz import fuzz, process

    by_lang: dict[str, list[tuple[str, str]]] = {}
    for source in catalog.sources:
        path = seed_dir / source.file
        if path.exists():
            for sentence in _SENTENCE.split(path.read_text(encoding="utf-8")):
                if len(sentence.split()) >= 6:
                    by_lang.setdefault(source.lang, []).append((source.file, sentence.strip()))
    pairs: list[dict[str, Any]] = []
    for topic in topics:
        for path, text in _texts(topic, ""):
            for lang in ("fr", "nb"):
                choices = by_lang.get(lang)
                if not choices:
                    continue
                for sentence in _SENTENCE.split(text.get(lang)):
                    if len(sentence.split()) < 6:
                        continue
                    hit = process.extractOne(
                        " ".join(shingles.folded_words(sentence)),
                        [" ".join(shingles.folded_words(c[1])) for c in choices],
                        scorer=fuzz.token_sort_ratio,
                    )
                    if hit:
                        seed, article = choices[hit[2]]
                        where = f"{topic.id}: {path}.{lang}"
                        pairs.append({"score": round(hit[1], 1), "where": where,
                                      "knowledge": sentence.strip(), "seed": seed,
                                      "article": article})  # fmt: skip
    pairs.sort(key=lambda p: -p["score"])
    return pairs[:limit]


_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")


def load_short_prints(directory: Path, seed_dir: Path | None) -> dict[str, set[str]]:
    if seed_dir is not None and seed_dir.is_dir():
        return {k: set(v) for k, v in shingles.build_short(seed_dir).items()}
    path = directory / "sources" / "fingerprints-6.json"
    if not path.exists():
        return {}
    return {k: set(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}


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
    short_prints = load_short_prints(directory, seed_dir)
    try:
        shared = parse_shared(directory)
    except KnowledgeError as exc:
        report.errors.append(str(exc))
        shared = {}
    owner: dict[str, str] = {}
    loaded: list[Topic] = []
    counts = {lang: {"advice": 0, "checklist": 0, "drafts": 0, "topics": 0} for lang in LANGS}
    for topic_id in catalog.topics:
        path = directory / "topics" / f"{topic_id}.yaml"
        if not path.exists():
            report.missing.append(f"{topic_id}: no file {path.name}")
            continue
        try:
            raw = read_yaml(path)
            for item in (raw.get("advice") or []) if isinstance(raw, dict) else []:
                advice_id = item.get("id") if isinstance(item, dict) else None
                if advice_id is None:
                    continue  # a reference to shared advice (checked by with_shared)
                if advice_id in owner or advice_id in shared:
                    other = owner.get(advice_id, "shared.yaml")
                    report.duplicate_ids.append(
                        f"{topic_id}: advice id {advice_id!r} is also used in {other}"
                    )
                owner.setdefault(str(advice_id), topic_id)
            topic = Topic.model_validate(with_shared(raw, shared, path))
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
        loaded.append(topic)
        check_topic(topic, catalog, prints, report, short_prints)
        for lang in LANGS:
            counts[lang]["topics"] += 1
            counts[lang]["advice"] += len(topic.advice)
            counts[lang]["checklist"] += len(topic.checklist)
            counts[lang]["drafts"] += len(topic.drafts)
    extra = sorted(
        p.stem for p in (directory / "topics").glob("*.yaml") if p.stem not in catalog.topics
    )
    report.errors += [f"topics/{stem}.yaml: not listed in catalog.yaml" for stem in extra]
    interface: dict[str, L10n] = {}
    law: dict[str, Jurisdiction] = {}
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
    try:
        law = parse_law(directory, catalog)
        check_law(law, report)
    except KnowledgeError as exc:
        report.errors.append(str(exc))
    check_style(directory, loaded, interface, law, report)
    if seed_dir is not None and seed_dir.is_dir():
        report.closest_pairs = closest_pairs(loaded, seed_dir, catalog)
    report.per_language = counts
    return report


def render(report: Report) -> str:
    lines = [f"topics: {report.topics}   languages: {', '.join(report.languages)}"]
    for lang, c in report.per_language.items():
        lines.append(
            f"  {lang}: {c['topics']} topics, {c['advice']} advice items, "
            f"{c['checklist']} checklist items, {c['drafts']} drafts"
        )
    lines.append(f"countries with late-payment law: {report.countries}")
    kinds = ("articles", "outside", "own")
    totals = {k: sum(c[k] for c in report.provenance.values()) for k in kinds}
    lines.append(
        f"advice from the articles: {totals['articles']}, outside sources: {totals['outside']}, "
        f"the project's own: {totals['own']}"
    )
    for topic_id, c in report.provenance.items():
        if c["own"] or c["outside"]:
            lines.append(f"  {topic_id}: own {c['own']}, outside {c['outside']}")
    labels = ("errors", "missing", "placeholder_mismatches", "uncited", "copied_runs",
              "copied_short_runs", "underived", "duplicate_ids", "law_claims", "style")  # fmt: skip
    for label in labels:
        items = getattr(report, label)
        lines.append(f"{label}: {len(items)}")
        lines += [f"  - {item}" for item in items]
    if report.closest_pairs:
        lines.append("closest article/knowledge sentences (review, not a failure):")
        lines += [f"  {p['score']:5.1f} {p['where']}: {p['knowledge']!r} ~ {p['seed']}: "
                  f"{p['article']!r}" for p in report.closest_pairs]  # fmt: skip
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
