"""``clientcoach graph``: draw each flow from its definition (the same data the engine runs).

Mermaid needs nothing installed; SVG and PNG use Graphviz (the ``dot`` program and the Python
``graphviz`` package) through ``transitions``' diagram support.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import click

FORMATS = ["mermaid", "svg", "png"]


def build_machine(spec: Any, engine: str) -> Any:
    """A diagram machine over a flow's states and transitions (the machine is its own model)."""
    from transitions.extensions.diagrams import GraphMachine

    return GraphMachine(
        states=spec.states,
        transitions=spec.transitions,
        initial=spec.initial,
        auto_transitions=False,
        graph_engine=engine,
        title=spec.id,
        show_conditions=True,
        show_state_attributes=True,
    )


def mermaid(spec: Any) -> str:
    """The Mermaid state diagram of one flow."""
    return build_machine(spec, "mermaid").get_graph().draw(None).rstrip() + "\n"


def graphviz_missing() -> str | None:
    """Why SVG/PNG cannot be drawn here, or None when Graphviz is available."""
    if importlib.util.find_spec("graphviz") is None:
        return "the Python package 'graphviz' is not installed (pip install graphviz)"
    if shutil.which("dot") is None:
        return "the Graphviz program 'dot' is not installed (e.g. apt install graphviz)"
    return None


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="mermaid", show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for one file per flow (default: Mermaid to standard output).",
)
@click.option("--flow", "only", default=None, help="Draw only this flow id.")
def graph(fmt: str, out: Path | None, only: str | None) -> None:
    """Draw one diagram per flow (Mermaid; SVG or PNG when Graphviz is installed)."""
    from dialogs.registry import FLOWS

    specs = [s for fid, s in FLOWS.items() if only in (None, fid)]
    if not specs:
        raise click.UsageError(f"unknown flow {only!r}; flows: {', '.join(FLOWS)}")
    if fmt != "mermaid":
        why = graphviz_missing()
        if why is not None:
            raise click.ClickException(
                f"cannot draw {fmt.upper()} without Graphviz: {why}. Use --format mermaid."
            )
        if out is None:
            raise click.UsageError(f"--format {fmt} writes files: give --out DIR")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        if fmt == "mermaid":
            text = mermaid(spec)
            if out is None:
                click.echo(f"%% {spec.id}\n{text}")
                continue
            path = out / f"{spec.id}.mmd"
            path.write_text(text, encoding="utf-8")
        else:
            path = out / f"{spec.id}.{fmt}"
            build_machine(spec, "graphviz").get_graph().draw(str(path), format=fmt, prog="dot")
        click.echo(str(path))
