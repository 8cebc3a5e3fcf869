"""Typed models of the knowledge base, validated when the YAML files are loaded."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

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


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=300)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=400)]
Day = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}-[01][0-9]-[0-3][0-9]$")]


class OutsideSource(Strict):
    """A public page that is not one of the seed articles, with the day it was checked."""

    id: KebabId
    url: Url
    title: Text
    checked: Day


class AdviceItem(Strict):
    """One piece of advice. It cites the seed articles that say it (``sources``), or outside
    pages (``outside``, ids of the topic's ``outside_sources``), or is the project's own
    (``own``: why it belongs here although no article says it)."""

    id: KebabId
    own: Reason | None = None
    outside: list[KebabId] = Field(default_factory=list)
    sources: list[SeedFile] = Field(default_factory=list, validate_default=True)
    text: L10n

    @field_validator("sources")
    @classmethod
    def _has_provenance(cls, sources: list[str], info: ValidationInfo) -> list[str]:
        if not (sources or info.data.get("outside") or info.data.get("own")):
            raise ValueError("cite an article, or give outside (pages) or own (a reason)")
        return sources

    @property
    def provenance(self) -> str:
        """``articles``, ``outside`` or ``own``: where the item comes from."""
        return "articles" if self.sources else "outside" if self.outside else "own"


class ChecklistItem(Strict):
    """A step one can tick; ``derives`` names the advice it puts into practice."""

    id: KebabId
    text: L10n
    sources: list[SeedFile] = Field(default_factory=list)
    derives: list[KebabId] = Field(default_factory=list)
    own: Reason | None = None


class Draft(Strict):
    """A message to send. ``subject`` is set for drafts meant as an email; ``derives`` names
    the advice the message puts into words."""

    id: KebabId
    title: L10n
    text: L10n
    subject: L10n | None = None
    derives: list[KebabId] = Field(default_factory=list)
    own: Reason | None = None

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
    outside_sources: list[OutsideSource] = Field(default_factory=list)
    shared: list[KebabId] = Field(default_factory=list)  # ids of its advice from shared.yaml

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
        outside_ids = {s.id for s in self.outside_sources}
        for item in self.advice:
            unknown = [o for o in item.outside if o not in outside_ids]
            if unknown:
                raise ValueError(f"advice {item.id!r} names unknown outside sources {unknown}")
        for item in [*self.checklist, *self.drafts]:
            unknown = [a for a in item.derives if a not in advice_ids]
            if unknown:
                raise ValueError(f"{item.id!r} derives from unknown advice {unknown}")
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


class LegalPoint(Strict):
    """One thing the law gives, or one step of the legal route, citing outside sources."""

    id: KebabId
    cites: list[KebabId] = Field(min_length=1)
    text: L10n


class Compensation(Strict):
    """A fixed recovery sum: ``bands`` of (debt below, sum); the last band's limit is None."""

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    bands: list[tuple[float | None, float]] = Field(min_length=1)

    def for_debt(self, debt: float | None) -> float | None:
        """The sum owed for a debt of ``debt`` (None when the debt decides and is unknown)."""
        if len(self.bands) == 1:
            return self.bands[0][1]
        if debt is None:
            return None
        return next(s for limit, s in self.bands if limit is None or debt < limit)


class Jurisdiction(Strict):
    """Late payment in one country: what the law gives, the steps, and the final notice.

    Always the project's own addition (the seed articles say nothing of the law); every point
    cites public pages listed in ``sources`` with the day they were checked."""

    id: KebabId
    origin: Literal["project"]
    name: L10n
    currencies: list[str] = Field(default_factory=list)  # hints only, never an answer
    languages: list[Lang] = Field(default_factory=list)
    deadline_days: int = Field(ge=1, le=60)
    compensation: Compensation | None = None
    sources: list[OutsideSource] = Field(min_length=1)
    rights: list[LegalPoint] = Field(min_length=1)
    steps: list[LegalPoint] = Field(min_length=2)
    notice: Draft
    claims: L10n  # the words the notice must contain, comma-separated, checked by kb check

    @model_validator(mode="after")
    def _cites_resolve(self) -> Jurisdiction:
        known = {s.id for s in self.sources}
        for point in [*self.rights, *self.steps]:
            unknown = [c for c in point.cites if c not in known]
            if unknown:
                raise ValueError(f"{self.id}: {point.id!r} cites unknown sources {unknown}")
        return self


class NoticeRule(Strict):
    """When a flow's verdict offers the formal notice: an outcome, from a number of days."""

    flow: KebabId
    outcome: KebabId
    min_days: int | None = None


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
    countries: list[KebabId] = Field(default_factory=list)  # order of the country buttons
    formal_notice: list[NoticeRule] = Field(default_factory=list)


class KnowledgeBase(BaseModel):
    """Everything loaded from ``knowledge/``."""

    model_config = ConfigDict(frozen=True)

    catalog: Catalog
    topics: dict[str, Topic]
    interface: dict[str, L10n]
    law: dict[str, Jurisdiction] = Field(default_factory=dict)

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
