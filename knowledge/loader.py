"""Read the YAML files of ``knowledge/`` into a validated :class:`KnowledgeBase`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.models import AdviceItem, Catalog, Jurisdiction, KnowledgeBase, L10n, Topic

KNOWLEDGE_DIR = Path(__file__).resolve().parent


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or breaks the schema."""


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, naming the file in any error."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: cannot read YAML: {exc}") from exc


def describe(error: ValidationError, path: Path) -> str:
    """One line per schema problem: file, path inside it, what is wrong."""
    lines = []
    for err in error.errors():
        where = ".".join(str(part) for part in err["loc"]) or "(top level)"
        lines.append(f"{path}: {where}: {err['msg']}")
    return "\n".join(lines)


def parse_shared(directory: Path) -> dict[str, AdviceItem]:
    """The advice several topics share (``shared.yaml``), by id; empty when there is none."""
    path = directory / "shared.yaml"
    if not path.exists():
        return {}
    data = read_yaml(path) or {}
    items: dict[str, AdviceItem] = {}
    for raw in data.get("advice", []) if isinstance(data, dict) else []:
        try:
            item = AdviceItem.model_validate(raw)
        except ValidationError as exc:
            raise KnowledgeError(describe(exc, path)) from exc
        if item.id in items:
            raise KnowledgeError(f"{path}: advice {item.id!r} is defined twice")
        items[item.id] = item
    return items


def with_shared(data: Any, shared: dict[str, AdviceItem], path: Path) -> Any:
    """Topic data with its references to shared advice replaced by the items themselves.

    A topic names shared advice in its advice list, in the place it should be shown
    (``- shared: leave-on-good-terms``); a reference to advice that ``shared.yaml`` does not
    define, or shared advice also defined in the topic, is a :class:`KnowledgeError`."""
    if not isinstance(data, dict):
        return data
    own = list(data.get("advice") or [])
    tail = [{"shared": i} for i in data.get("shared") or []]  # older form: a list at the end
    advice: list[Any] = []
    refs: list[str] = []
    for n, entry in enumerate(own + tail):
        if not (isinstance(entry, dict) and "shared" in entry):
            advice.append(entry)
            continue
        ref = entry["shared"]
        if len(entry) > 1:
            raise KnowledgeError(f"{path}: advice[{n}]: a shared reference has only 'shared: id'")
        if ref not in shared:
            known = ", ".join(sorted(shared)) or "none"
            raise KnowledgeError(
                f"{path}: advice[{n}]: no shared advice {ref!r} in shared.yaml (it has: {known})"
            )
        advice.append(shared[ref].model_dump(exclude_none=True))
        refs.append(ref)
    ids = [a.get("id") for a in advice if isinstance(a, dict)]
    clash = sorted({i for i in ids if ids.count(i) > 1 and i in shared})
    if clash:
        raise KnowledgeError(f"{path}: advice {clash} is both shared and defined here")
    return {**data, "advice": advice, "shared": refs}


def parse_topic(path: Path, shared: dict[str, AdviceItem] | None = None) -> Topic:
    data = with_shared(read_yaml(path), shared or {}, path)
    try:
        topic = Topic.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(describe(exc, path)) from exc
    if topic.id != path.stem:
        raise KnowledgeError(f"{path}: id: {topic.id!r} does not match the file name")
    return topic


def parse_interface(directory: Path) -> dict[str, L10n]:
    texts: dict[str, L10n] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = read_yaml(path) or {}
        if not isinstance(data, dict):
            raise KnowledgeError(f"{path}: (top level): expected a mapping of text keys")
        for key, value in data.items():
            if key in texts:
                raise KnowledgeError(f"{path}: {key}: key already defined in another file")
            try:
                texts[str(key)] = L10n.model_validate(value)
            except ValidationError as exc:
                raise KnowledgeError(
                    describe(exc, path).replace(f"{path}: ", f"{path}: {key}.")
                ) from exc
    return texts


def load_from(directory: Path) -> KnowledgeBase:
    """Load and validate a knowledge directory (raises :class:`KnowledgeError`)."""
    try:
        catalog = Catalog.model_validate(read_yaml(directory / "catalog.yaml"))
    except ValidationError as exc:
        raise KnowledgeError(describe(exc, directory / "catalog.yaml")) from exc
    shared = parse_shared(directory)
    topics = {
        path.stem: parse_topic(path, shared)
        for path in sorted((directory / "topics").glob("*.yaml"))
    }
    missing = [t for t in catalog.topics if t not in topics]
    if missing:
        raise KnowledgeError(f"{directory / 'topics'}: no file for topics {missing}")
    return KnowledgeBase(
        catalog=catalog,
        topics=topics,
        interface=parse_interface(directory / "interface"),
        law=parse_law(directory, catalog),
    )


def parse_law(directory: Path, catalog: Catalog) -> dict[str, Jurisdiction]:
    """Late payment by country (``law/<id>.yaml``), in the catalog's country order."""
    law: dict[str, Jurisdiction] = {}
    for country in catalog.countries:
        path = directory / "law" / f"{country}.yaml"
        if not path.exists():
            raise KnowledgeError(f"{path}: no file for country {country!r} of catalog.yaml")
        try:
            item = Jurisdiction.model_validate(read_yaml(path))
        except ValidationError as exc:
            raise KnowledgeError(describe(exc, path)) from exc
        if item.id != country:
            raise KnowledgeError(f"{path}: id: {item.id!r} does not match the file name")
        law[country] = item
    return law


@lru_cache(maxsize=4)
def load(directory: str | None = None) -> KnowledgeBase:
    """The knowledge base, loaded once per directory and cached; the packaged one is also kept
    on disk between processes (:mod:`knowledge.cache`), under a digest of its files."""
    if directory:
        return load_from(Path(directory))
    from knowledge.cache import cached, fingerprint

    sources = [
        *(p for p in KNOWLEDGE_DIR.rglob("*.yaml") if "routing" not in p.parts),
        *KNOWLEDGE_DIR.glob("*.py"),
    ]
    key = fingerprint(sources, ["pydantic"])
    return cached("knowledge-base", key, lambda: load_from(KNOWLEDGE_DIR))
