"""``clientcoach kb check``: validate the knowledge base."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click


@click.group()
def kb() -> None:
    """Inspect the knowledge base."""


@kb.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last line.")
@click.option(
    "--seeds",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the source articles (default: the fingerprints shipped with the package).",
)
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def check(as_json: bool, seeds: Path | None, directory: Path | None) -> None:
    """Validate every topic in fr, nb and en; exit non-zero on any problem."""
    from knowledge.check import render, run_checks
    from knowledge.loader import KNOWLEDGE_DIR

    report = run_checks(directory or KNOWLEDGE_DIR, seeds)
    click.echo(render(report))
    if as_json:
        click.echo(json.dumps(asdict(report), ensure_ascii=False))
    raise SystemExit(0 if report.ok else 1)


@kb.command("fingerprint")
@click.argument("seeds", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write (default: knowledge/sources/fingerprints.json).")
def fingerprint(seeds: Path, out: Path | None) -> None:
    """Rewrite the fingerprints of the source articles (after an article changed)."""
    from knowledge import shingles
    from knowledge.loader import KNOWLEDGE_DIR

    prints = shingles.build(seeds)
    if not prints:
        raise click.ClickException(f"no *.txt article in {seeds}")
    target = out or KNOWLEDGE_DIR / "sources" / "fingerprints.json"
    shingles.save(prints, target)
    shingles.save(shingles.build_short(seeds), target.with_name(target.stem + "-6.json"))
    runs = sum(len(v) for v in prints.values())
    click.echo(f"{len(prints)} articles, {runs} eight-word runs → {target}")
