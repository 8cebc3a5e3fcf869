"""Typed models of the knowledge base, validated when the YAML files are loaded."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

LANGS: tuple[str, ...] = ("fr", "nb", "en")
Lang = Literal["fr", "nb", "en"]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
KebabId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
SnakeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=16)]
OptionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=16)]
SeedFile = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}_[0-9a-f]+\.txt$")]

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def reject_bare_no(data: Any) -> Any:
    """Refuse a mapping keyed ``no`` (or ``False``: YAML's reading of a bare ``no:``)."""
    if isinstance(data, dict) and (False in data or "no" in data):
        raise ValueError("use the key 'nb' for Norwegian (YAML reads a bare no: as false)")
    return data


class Strict(BaseModel):
    """Base model: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class L10n(Strict):
    """One text in the three languages of the bot."""

    fr: Text
    nb: Text
    en: Text

    @model_validator(mode="before")
    @classmethod
    def _explain_bare_no(cls, data: Any) -> Any:
        return reject_bare_no(data)

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``no`` is read as ``nb``), English for anything else."""
        lang = "nb" if lang == "no" else lang
        return getattr(self, lang) if lang in LANGS else self.en

    def items(self) -> list[tuple[str, str]]:
        return [(lang, getattr(self, lang)) for lang in LANGS]


class AdviceItem(Strict):
    id: KebabId
    sources: list[SeedFile] = Field(min_length=1)
    text: L10n


class ChecklistItem(Strict):
    id: KebabId
    text: L10n
    sources: list[SeedFile] = Field(default_factory=list)


class Draft(Strict):
    id: KebabId
    title: L10n
    text: L10n

    def placeholders(self, lang: str) -> set[str]:
        return set(PLACEHOLDER.findall(self.text.get(lang)))


class Option(Strict):
    id: OptionId
    label: L10n


class Question(Strict):
    id: SnakeId
    kind: Literal["choice", "number", "text"] = "choice"
    text: L10n
    options: list[Option] = Field(default_factory=list)

    @model_validator(mode="after")
    def _choice_has_options(self) -> Question:
        if self.kind == "choice" and not 2 <= len(self.options) <= 6:
            raise ValueError(f"choice question {self.id!r} needs 2 to 6 options")
        ids = [o.id for o in self.options]
        if len(ids) != len(set(ids)):
            raise ValueError(f"question {self.id!r} has duplicate option ids")
        return self

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class Outcome(Strict):
    id: KebabId
    text: L10n
    advice: list[KebabId] = Field(default_factory=list)
    draft: KebabId | None = None


class Topic(Strict):
    """One situation a freelancer can be in, with everything the bot says about it."""

    id: KebabId
    sources: list[SeedFile] = Field(min_length=1)
    title: L10n
    summary: L10n
    advice: list[AdviceItem] = Field(min_length=1)
    checklist: list[ChecklistItem] = Field(min_length=1)
    drafts: list[Draft] = Field(min_length=1)
    questions: list[Question] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> Topic:
        for name in ("advice", "checklist", "drafts", "questions", "outcomes"):
            ids = [item.id for item in getattr(self, name)]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate {name} ids: {', '.join(dupes)}")
        advice_ids = {a.id for a in self.advice}
        draft_ids = {d.id for d in self.drafts}
        for outcome in self.outcomes:
            unknown = [a for a in outcome.advice if a not in advice_ids]
            if unknown:
                raise ValueError(f"outcome {outcome.id!r} names unknown advice {unknown}")
            if outcome.draft and outcome.draft not in draft_ids:
                raise ValueError(f"outcome {outcome.id!r} names unknown draft {outcome.draft!r}")
        return self

    def advice_item(self, advice_id: str) -> AdviceItem:
        return next(a for a in self.advice if a.id == advice_id)

    def draft(self, draft_id: str | None = None) -> Draft:
        if draft_id is None:
            return self.drafts[0]
        return next(d for d in self.drafts if d.id == draft_id)

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def outcome(self, outcome_id: str) -> Outcome:
        return next(o for o in self.outcomes if o.id == outcome_id)


class Source(Strict):
    file: SeedFile
    lang: Literal["fr", "nb", "en"]
    about: str


class Catalog(Strict):
    """Topic order for menus, the flows and the topic each flow belongs to, the seed articles."""

    topics: list[KebabId]
    flows: dict[KebabId, KebabId]
    sources: list[Source]
    placeholders: list[str]
    min_checklist: int = 5


class KnowledgeBase(BaseModel):
    """Everything loaded from ``knowledge/``."""

    model_config = ConfigDict(frozen=True)

    catalog: Catalog
    topics: dict[str, Topic]
    interface: dict[str, L10n]

    def topic(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def text(self, key: str, lang: str, **values: Any) -> str:
        """An interface text in ``lang``, with ``{names}`` filled from ``values``."""
        template = self.interface[key].get(lang)
        return template.format(**values) if values else template

    def flow_topic(self, flow_id: str) -> Topic:
        return self.topics[self.catalog.flows[flow_id]]

    def flow_for_topic(self, topic_id: str) -> str | None:
        return next((f for f, t in self.catalog.flows.items() if t == topic_id), None)
