"""The routing data of ``knowledge/routing/``: validated with pydantic, loaded once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from knowledge.loader import KNOWLEDGE_DIR
from knowledge.models import reject_bare_no

ROUTING_DIR = KNOWLEDGE_DIR / "routing"
M = TypeVar("M", bound=BaseModel)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is there
LANGS: tuple[str, ...] = ("fr", "nb", "en")

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerLang(_Strict):
    """A list of phrases in each language (``nb`` is bokmål)."""

    fr: list[Phrase] = Field(default_factory=list)
    nb: list[Phrase] = Field(default_factory=list)
    en: list[Phrase] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bare_no(cls, data: object) -> object:
        return reject_bare_no(data)

    def get(self, lang: str) -> list[str]:
        return list(getattr(self, lang))


class TopicRouting(_Strict):
    """Vocabulary and example phrases of one topic.

    ``strong`` terms are decisive for the topic, ``terms`` are typical words, and ``examples`` are
    whole messages the way people write them.
    """

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    strong: PerLang = Field(default_factory=PerLang)
    terms: PerLang = Field(default_factory=PerLang)
    examples: PerLang

    @model_validator(mode="after")
    def _enough_examples(self) -> TopicRouting:
        for lang in LANGS:
            if len(self.examples.get(lang)) < 20:
                raise ValueError(f"{self.id}: at least 20 examples needed in {lang}")
        return self


class OffTopic(_Strict):
    """Messages that are not about clients or freelance work.

    ``anchors`` are words that show a message is about clients or freelance work at all: a message
    without an anchor and without any topic phrase is off-topic. ``work``: questions about
    freelance work that no topic covers (insurance, accounting, finding clients).
    ``menu_subjects``: subjects outside what a coach for client relationships advises on, even
    asked by a freelancer (taxes, VAT): such a question gets the menu, not the closest topics.
    ``menu_asides``: phrases in which a subject word only qualifies an amount ("inkl. mva");
    ``question_openings`` / ``question_endings``: how a clause that asks something opens or ends
    (see :mod:`bot.understanding.menu_subjects`). ``speaker_words``: how freelancers describe
    themselves (sole trader, auto-entrepreneur); they weigh nothing in the gate.
    """

    examples: PerLang
    work: PerLang = Field(default_factory=PerLang)
    terms: PerLang = Field(default_factory=PerLang)
    anchors: PerLang = Field(default_factory=PerLang)
    menu_subjects: PerLang = Field(default_factory=PerLang)
    menu_asides: PerLang = Field(default_factory=PerLang)
    speaker_words: PerLang = Field(default_factory=PerLang)
    question_openings: PerLang = Field(default_factory=PerLang)
    question_endings: PerLang = Field(default_factory=PerLang)


Word = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+$")]


class Spellings(_Strict):
    """Per language, chat spellings and slang words (folded, one token: ``jsp``, ``tjrs``,
    ``balles``) and what they stand for (``je sais pas``, ``toujours``, ``euros``)."""

    fr: dict[Word, Phrase] = Field(default_factory=dict)
    nb: dict[Word, Phrase] = Field(default_factory=dict)
    en: dict[Word, Phrase] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _bare_no(cls, data: object) -> object:
        return reject_bare_no(data)

    def get(self, lang: str) -> dict[str, str]:
        return dict(getattr(self, lang))


class LanguageWords(_Strict):
    """Frequent function words per language: language evidence, ignored as routing words;
    ``spellings``: chat spellings read as the words they stand for, before routing."""

    stopwords: PerLang
    markers: PerLang = Field(default_factory=PerLang)
    spellings: Spellings = Field(default_factory=Spellings)


class Story(_Strict):
    """A long message the way people vent in a forum, with the topics it is about (main one
    first; none for a message the bot has no topic for). ``kind`` of a message without topics:
    ``work``, a question about freelance work no topic covers, or ``offtopic``, not about work."""

    id: str
    topics: list[str] = Field(default_factory=list, max_length=2)
    kind: Literal["offtopic", "work"] | None = None
    text: Annotated[str, StringConstraints(min_length=40)]

    @model_validator(mode="after")
    def _kind_without_topics(self) -> Story:
        if self.kind is not None and self.topics:
            raise ValueError(f"{self.id}: a kind is only for a story without topics")
        return self

    @property
    def label(self) -> str | None:
        """``offtopic`` or ``work`` for a story without topics, else None."""
        return None if self.topics else (self.kind or "offtopic")


class RoutingData(_Strict):
    topics: dict[str, TopicRouting]
    offtopic: OffTopic
    words: LanguageWords
    stories: dict[str, list[Story]] = Field(default_factory=dict)  # per language


class RoutingDataError(ValueError):
    """A routing YAML file is missing or breaks the schema."""


def _read(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise RoutingDataError(f"{path}: cannot read YAML: {exc}") from exc


def load_from(directory: Path) -> RoutingData:
    """Read and validate a routing directory."""
    topics: dict[str, TopicRouting] = {}
    for path in sorted((directory / "topics").glob("*.yaml")):
        topic = _validate(TopicRouting, path)
        if topic.id != path.stem:
            raise RoutingDataError(f"{path}: id {topic.id!r} does not match the file name")
        topics[topic.id] = topic
    offtopic = _validate(OffTopic, directory / "offtopic.yaml")
    words = _validate(LanguageWords, directory / "language.yaml")
    stories = {
        lang: [
            story
            for path in sorted((directory / "stories").glob(f"{lang}*.yaml"))
            for story in _stories(path, topics)
        ]
        for lang in LANGS
    }
    return RoutingData(topics=topics, offtopic=offtopic, words=words, stories=stories)


def _stories(path: Path, topics: dict[str, TopicRouting]) -> list[Story]:
    """The long examples of one file of a language (``fr.yaml``, ``fr-offtopic.yaml``)."""
    raw = _read(path) or []
    if not isinstance(raw, list):
        raise RoutingDataError(f"{path}: expected a list of stories")
    stories = []
    for n, item in enumerate(raw):
        try:
            story = Story.model_validate(item)
        except ValidationError as exc:
            raise RoutingDataError(f"{path}: story {n}: {exc}") from exc
        unknown = [t for t in story.topics if t not in topics]
        if unknown:
            raise RoutingDataError(f"{path}: story {story.id}: unknown topics {unknown}")
        stories.append(story)
    return stories


def _validate(model: type[M], path: Path) -> M:
    try:
        return model.model_validate(_read(path))
    except ValidationError as exc:
        raise RoutingDataError(f"{path}: {exc}") from exc


@lru_cache(maxsize=1)
def load() -> RoutingData:
    """The packaged routing data, read once."""
    return load_from(ROUTING_DIR)


@lru_cache(maxsize=1)
def routing_key() -> str:
    """The disk-cache key of what is built from the packaged routing data (:mod:`knowledge.cache`):
    a digest of the data, of the code that reads it and of the stemmer's and fuzzy matcher's
    versions."""
    from knowledge.cache import fingerprint

    sources = [*ROUTING_DIR.rglob("*.yaml"), *Path(__file__).parent.glob("*.py")]
    return fingerprint(sources, ["snowballstemmer", "rapidfuzz"])
