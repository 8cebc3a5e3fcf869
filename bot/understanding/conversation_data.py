"""The conversation data of ``knowledge/conversation/``, validated: how people answer each flow's
questions (``answers/<flow>.yaml``), the words of yes/no/hedge/don't-know/negation/correction
(``words.yaml``), numbers and durations (``numbers.yaml``) and small talk (``small_talk.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.models import LANGS

DATA_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "conversation"


class _TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML without YAML 1.1's booleans: "yes", "no", "on", "off" stay words (only true/false
    are booleans), since these files are full of them."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()  # C or not: same
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phrases(_Strict):
    """Phrases in each of the three languages."""

    fr: list[str] = Field(default_factory=list)
    nb: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    @field_validator("fr", "nb", "en", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError("expected a list of phrases")
        return [str(v) for v in value]  # YAML reads "no" or "1" as other types: keep the text

    def get(self, lang: str) -> list[str]:
        return list(getattr(self, lang))

    def items(self) -> list[tuple[str, str]]:
        """(language, phrase) for every phrase."""
        return [(lang, p) for lang in LANGS for p in getattr(self, lang)]


class OptionWords(_Strict):
    words: Phrases = Field(default_factory=Phrases)
    examples: Phrases = Field(default_factory=Phrases)


class ItemWords(_Strict):
    """A question that asks for several things at once ("phone, company name and address?"):
    the words of each thing (alternatives separated by "|"), and the options an answer naming
    all of them, or only some, means."""

    all: str
    some: str | None = None
    words: Phrases = Field(default_factory=Phrases)


class QuestionWords(_Strict):
    """How one choice question is answered: per option words, and what yes/no/… mean here."""

    yes: str | None = None
    no: str | None = None
    no_alone: str | None = None  # a "no" that is the whole answer, when it means less than ``no``
    hedge: str | None = None
    unknown: str | None = None
    repeat: str | None = None  # the option an "again" / "already … last year" answer means
    frequency: dict[str, str] = Field(default_factory=dict)  # often/sometimes/rarely → option
    opposite: dict[str, str] = Field(default_factory=dict)  # option → what its negation means
    beats: dict[str, str] = Field(default_factory=dict)  # option → the option it says more than
    items: ItemWords | None = None  # the things the question asks for, when it asks for several
    facts: bool = True  # False: only an answer to this question says it, never another message
    options: dict[str, OptionWords] = Field(default_factory=dict)

    @field_validator("yes", "no", "no_alone", "hedge", "unknown", "repeat", mode="before")
    @classmethod
    def _option_id(cls, value: Any) -> str | None:
        return None if value is None else str(value)


class FlowAnswers(_Strict):
    questions: dict[str, QuestionWords] = Field(default_factory=dict)


class GeneralWords(_Strict):
    yes: Phrases
    no: Phrases
    hedge: Phrases
    unknown: Phrases
    negators: Phrases
    correction: Phrases
    late: Phrases
    skip: Phrases = Field(default_factory=Phrases)
    cancel: Phrases = Field(default_factory=Phrases)
    opinion: Phrases = Field(default_factory=Phrases)
    articles: Phrases = Field(default_factory=Phrases)
    subjects: Phrases = Field(default_factory=Phrases)
    again: Phrases = Field(default_factory=Phrases)
    already: Phrases = Field(default_factory=Phrases)
    past_time: Phrases = Field(default_factory=Phrases)
    not_negations: Phrases = Field(default_factory=Phrases)
    particles: Phrases = Field(default_factory=Phrases)
    frequency: dict[str, Phrases] = Field(default_factory=dict)
    determiners: Phrases = Field(default_factory=Phrases)
    fillers: Phrases = Field(default_factory=Phrases)
    client_words: Phrases = Field(default_factory=Phrases)
    amounts: Phrases = Field(default_factory=Phrases)
    auxiliaries: Phrases = Field(default_factory=Phrases)
    spellings: dict[str, dict[str, str]] = Field(default_factory=dict)  # lang → chat form → words
    dialect: dict[str, dict[str, str]] = Field(default_factory=dict)  # lang → regional form → words
    litotes: dict[str, dict[str, str]] = Field(default_factory=dict)  # lang → "far from" → "not"
    intensifiers: Phrases = Field(default_factory=Phrases)
    object_pronouns: Phrases = Field(default_factory=Phrases)
    conditionals: Phrases = Field(default_factory=Phrases)
    contrast: Phrases = Field(default_factory=Phrases)
    when: Phrases = Field(default_factory=Phrases)
    modals: Phrases = Field(default_factory=Phrases)
    interrogatives: Phrases = Field(default_factory=Phrases)
    polar_questions: Phrases = Field(default_factory=Phrases)
    exceptions: Phrases = Field(default_factory=Phrases)
    nearly: Phrases = Field(default_factory=Phrases)
    contact_verbs: Phrases = Field(default_factory=Phrases)
    suddenness: Phrases = Field(default_factory=Phrases)


class NumberWords(_Strict):
    numbers: dict[str, dict[int, list[str]]]
    thousand: Phrases = Field(default_factory=Phrases)
    hundred: Phrases = Field(default_factory=Phrases)
    rounding: Phrases = Field(default_factory=Phrases)
    half: Phrases
    one_and_a_half: Phrases
    joiners: Phrases
    last_month: Phrases
    this_month: Phrases
    start_of: Phrases
    middle_of: Phrases
    end_of: Phrases
    last_week: Phrases
    yesterday: Phrases
    months: Phrases


class SmallTalk(_Strict):
    """Small-talk kinds (thanks, greeting, distress …) → phrases that show them."""

    kinds: dict[str, Phrases]
    anywhere: list[str] = Field(default_factory=list)  # kinds found inside longer messages too


class ConversationData(_Strict):
    answers: dict[str, FlowAnswers]
    asks: dict[str, Phrases]
    related: dict[str, list[str]]
    words: GeneralWords
    numbers: NumberWords
    small_talk: SmallTalk
    opening_facts: dict[str, dict[str, list[str]]] = Field(default_factory=dict)


class ConversationDataError(ValueError):
    """A conversation data file is unreadable or breaks its schema."""


def _read(path: Path, model: type[BaseModel]) -> Any:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader) or {}  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ConversationDataError(f"{path}: cannot read YAML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConversationDataError(f"{path}: {where}") from exc


def _read_asks(path: Path) -> dict[str, Phrases]:
    class _Asks(_Strict):
        model_config = ConfigDict(extra="allow", frozen=True)

    raw = _read(path, _Asks).model_extra or {}
    try:
        return {str(flow): Phrases.model_validate(v) for flow, v in raw.items()}
    except ValidationError as exc:
        raise ConversationDataError(f"{path}: {exc}") from exc


def _read_related(path: Path) -> dict[str, list[str]]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader) or {}  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ConversationDataError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
        raise ConversationDataError(f"{path}: expected flow id -> list of topic ids")
    return {str(k): [str(t) for t in v] for k, v in raw.items()}


def _read_opening_facts(path: Path) -> dict[str, dict[str, list[str]]]:
    """topic id → flow id → question ids (``opening_facts.yaml``; none when the file is absent)."""
    if not path.exists():
        return {}
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader) or {}  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ConversationDataError(f"{path}: cannot read YAML: {exc}") from exc
    ok = isinstance(raw, dict) and all(
        isinstance(flows, dict) and all(isinstance(qs, list) for qs in flows.values())
        for flows in raw.values()
    )
    if not ok:
        raise ConversationDataError(f"{path}: expected topic id -> flow id -> list of question ids")
    return {
        str(topic): {str(flow): [str(q) for q in qs] for flow, qs in flows.items()}
        for topic, flows in raw.items()
    }


def load_from(directory: Path) -> ConversationData:
    answers = {
        path.stem: _read(path, FlowAnswers)
        for path in sorted((directory / "answers").glob("*.yaml"))
    }
    return ConversationData(
        answers=answers,
        asks=_read_asks(directory / "asks.yaml"),
        related=_read_related(directory / "related_topics.yaml"),
        words=_read(directory / "words.yaml", GeneralWords),
        numbers=_read(directory / "numbers.yaml", NumberWords),
        small_talk=_read(directory / "small_talk.yaml", SmallTalk),
        opening_facts=_read_opening_facts(directory / "opening_facts.yaml"),
    )


@lru_cache(maxsize=1)
def load() -> ConversationData:
    """The conversation data shipped with the package (read once)."""
    return load_from(DATA_DIR)
