"""House style of the bot's texts, read from ``style.yaml`` and checked by ``kb check``.

What a reader can check by eye but a script can too: words and calques each language rejects
(with the word to use instead), patterns that must not appear in a kind of text (gender forms
such as "prêt(e)" or clock times in a message meant to be sent as it is, statements where a
checklist wants an action), and the one sign-off of each language and register.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge.models import LANGS, Jurisdiction, L10n, Lang, Topic

Scope = Literal["all", "drafts", "checklist", "interface", "topic", "law"]
Register = Literal["client", "formal"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Banned(_Strict):
    """A word or phrase the chosen norm rejects; ``use`` says what to write instead."""

    text: str = Field(min_length=1)
    use: str = Field(min_length=1)


class Pattern(_Strict):
    """A regular expression that must not match the texts of ``scope`` in ``langs``."""

    id: str
    langs: list[Lang]
    scope: Scope
    regex: str
    why: str = Field(min_length=8)


class Style(_Strict):
    banned: dict[Lang, list[Banned]] = Field(default_factory=dict)
    patterns: list[Pattern] = Field(default_factory=list)
    sign_offs: dict[Register, dict[Lang, str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Passage:
    """One text of the knowledge base in one language, with where it is and what kind it is."""

    where: str
    lang: str
    text: str
    scopes: frozenset[str]
    register: str | None = None  # set for a message to send (drafts, country notices)


@dataclass
class Checker:
    """Compiled :class:`Style`: call :meth:`problems` on passages."""

    style: Style
    _banned: dict[str, list[tuple[re.Pattern[str], Banned]]] = field(default_factory=dict)
    _patterns: list[tuple[re.Pattern[str], Pattern]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for lang, words in self.style.banned.items():
            self._banned[lang] = [
                (re.compile(rf"(?<!\w){re.escape(w.text)}(?!\w)", re.IGNORECASE), w) for w in words
            ]
        self._patterns = [(re.compile(p.regex, re.MULTILINE), p) for p in self.style.patterns]

    def problems(self, passage: Passage) -> list[str]:
        out = []
        for regex, word in self._banned.get(passage.lang, []):
            for hit in regex.finditer(passage.text):
                out.append(
                    f"{passage.where}.{passage.lang}: '{hit.group(0)}' is not our "
                    f"{passage.lang}, write '{word.use}'"
                )
        for regex, pattern in self._patterns:
            if passage.lang not in pattern.langs:
                continue
            if pattern.scope != "all" and pattern.scope not in passage.scopes:
                continue
            for hit in regex.finditer(passage.text):
                out.append(
                    f"{passage.where}.{passage.lang}: {pattern.id} '{hit.group(0).strip()}': "
                    f"{pattern.why}"
                )
        if passage.register:
            out += self._sign_off(passage)
        return out

    def _sign_off(self, passage: Passage) -> list[str]:
        expected = self.style.sign_offs.get(passage.register, {}).get(passage.lang)  # type: ignore[call-overload]
        lines = [line.strip() for line in passage.text.strip().splitlines()]
        if not expected or "{your_name}" not in lines:
            return []
        before = [line for line in lines[: lines.index("{your_name}")] if line]
        found = before[-1] if before else ""
        if found == expected:
            return []
        return [
            f"{passage.where}.{passage.lang}: signs off with '{found}', the {passage.register} "
            f"sign-off is '{expected}'"
        ]


def load_style(path: Path) -> Style | None:
    """The style rules in ``path``, or None when the file does not exist."""
    import yaml

    if not path.exists():
        return None
    return Style.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def passages(
    topics: Iterable[Topic], interface: dict[str, L10n], law: dict[str, Jurisdiction]
) -> Iterator[Passage]:
    """Every text the bot can say: topics, interface texts and country notices."""
    from knowledge.check import _texts

    for topic in topics:
        for path, text in _texts(topic, ""):
            scopes = {"topic"}
            if path.startswith("drafts["):
                scopes.add("drafts")
            elif path.startswith("checklist["):
                scopes.add("checklist")
            register = "client" if path.startswith("drafts[") and path.endswith("].text") else None
            for lang in LANGS:
                yield Passage(f"{topic.id}: {path}", lang, text.get(lang), frozenset(scopes),
                              register)  # fmt: skip
    for key, text in interface.items():
        if any("|" in value for _, value in text.items()):
            continue  # words people type ("a|b|c"), not words the bot says
        for lang in LANGS:
            yield Passage(f"interface: {key}", lang, text.get(lang), frozenset({"interface"}))
    for code, country in law.items():
        for path, text in _texts(country, ""):
            scopes = {"law", "drafts"} if path.startswith("notice.") else {"law"}
            register = "formal" if path == "notice.text" else None
            for lang in LANGS:
                yield Passage(f"law/{code}: {path}", lang, text.get(lang), frozenset(scopes),
                              register)  # fmt: skip
