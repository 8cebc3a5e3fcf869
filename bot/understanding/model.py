"""A small naive Bayes model over stems and word pairs, trained when first used.

Training data are the example phrases, vocabulary and long stories of ``knowledge/routing/``:
examples count once, ``terms`` three times and ``strong`` terms four times; a story counts
once for its main topic and 0.6 for its second. Off-topic stories stay out of the topic classes:
their many freelance words would make the off-topic class swallow real questions. They train the
**gate** instead, three more columns of every feature's row: any topic (all topic material
pooled), ``offtopic`` (not about work) and ``work`` (a work question no topic covers); the router
reads from them whether a message is ours at all (:func:`bot.understanding.router.outside`).
Training (sparse counts, once per process) takes under a second.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from dataclasses import dataclass, fields
from functools import lru_cache
from operator import add

from bot.understanding.data import LANGS, RoutingData, load, routing_key
from bot.understanding.features import (
    PREFIX,
    Vocabulary,
    features_of,
    message_stems,
    phrase_stems,
    spellings_of,
    stem,
    train_features,
)
from bot.understanding.normalise import tokens

OFFTOPIC = "offtopic"
GATE = ("topic", "offtopic", "work")  # the gate's classes, after the topic classes in each row
ALPHA = 0.2
WEIGHTS = {"examples": 1.0, "terms": 3.0, "strong": 4.0}
STORY_WEIGHTS = (1.0, 0.6)  # a long story counts once for its main topic, less for its second
BONUS = {"terms": 1.5, "strong": 6.0}  # added log-odds when the exact phrase occurs
MAX_PHRASE = 5


@dataclass(frozen=True)
class Model:
    """Per-feature log-likelihoods for every class, plus per-language vocabularies."""

    classes: tuple[str, ...]
    rows: dict[str, int]  # feature -> offset of its row in ``loglik``
    loglik: memoryview  # float32 rows of ``width`` log-likelihoods, one after another
    width: int
    domain: frozenset[str]
    vocab: dict[str, Vocabulary]
    phrases: dict[tuple[str, ...], dict[int, float]]
    anchors: frozenset[str]
    phrase_starts: frozenset[str]  # first stems of the phrases (a quick filter)
    menu_subjects: dict[str, frozenset[tuple[str, ...]]]  # per language: stem sequences
    menu_rule: dict[str, dict[str, frozenset[tuple[str, ...]]]]  # per language: asides, questions

    def scores(self, text: str, lang: str) -> tuple[list[float], int]:
        """Log-score per class and how many phrases or anchors speak of clients and work."""
        raw, evidence, _ = self.read(text, lang)
        return raw, evidence

    def read(self, text: str, lang: str) -> tuple[list[float], int, tuple[float, ...]]:
        """:meth:`scores`, plus the gate's evidence: per-feature mean log-odds of ``offtopic``
        and of ``work`` against any topic (0 without known features)."""
        stems, mask = message_stems(text, self.vocab[lang])
        n = len(self.classes)
        acc = [0.0] * (n + len(GATE))
        evidence = 0
        start = 0
        starts = self.phrase_starts
        while start < len(stems):  # longest phrase first, phrases never overlap
            if stems[start] not in starts:
                start += 1
                continue
            for end in range(min(start + MAX_PHRASE, len(stems)), start, -1):
                bonus = self.phrases.get(tuple(stems[start:end]))
                if bonus:
                    evidence += max(bonus.values()) >= BONUS["strong"]
                    acc[n] += max(bonus.values())  # a topic phrase speaks for the topics
                    for idx, value in bonus.items():
                        acc[idx] += value
                    start = end
                    break
            else:
                start += 1
        offsets = self.rows
        feats = [f for f in set(features_of(stems, mask)) if f in offsets]
        known = len(feats)
        if feats:  # column sums in one pass (faster than adding row after row)
            evidence += sum(f in self.anchors for f in feats)
            loglik, width = self.loglik, self.width  # slices of a memoryview copy nothing
            rows = [loglik[o : o + width] for o in map(offsets.__getitem__, feats)]
            acc = list(map(add, acc, map(sum, zip(*rows, strict=True))))
        topic, off, work = acc[n:]
        gate = ((off - topic) / known, (work - topic) / known) if known else (0.0, 0.0)
        return acc[:n], evidence, gate


def _training(data: RoutingData) -> list[tuple[str, str, str, float]]:
    """(class, lang, text, weight) rows; classes ``work`` (short work questions no topic covers)
    and ``story:offtopic`` / ``story:work`` (long ones) train the gate only."""
    rows: list[tuple[str, str, str, float]] = []
    for topic in data.topics.values():
        for field, weight in WEIGHTS.items():
            per_lang = getattr(topic, field)
            for lang in LANGS:
                rows.extend((topic.id, lang, text, weight) for text in per_lang.get(lang))
    for field in ("examples", "terms"):
        for lang in LANGS:
            texts = getattr(data.offtopic, field).get(lang)
            rows.extend((OFFTOPIC, lang, t, WEIGHTS[field]) for t in texts)
        rows.extend(("work", lang, t, WEIGHTS["examples"]) for t in data.offtopic.work.get(lang))
    for lang, stories in data.stories.items():
        for story in stories:
            if story.label:
                rows.append((f"story:{story.label}", lang, story.text, 1.0))
            for rank, label in enumerate(story.topics):
                rows.append((label, lang, story.text, STORY_WEIGHTS[min(rank, 1)]))
    return rows


def _gate_class(cls: str) -> int:
    """The gate column a training class counts in."""
    if cls in (OFFTOPIC, "story:offtopic"):
        return 1
    if cls in ("work", "story:work"):
        return 2
    return 0


def train(data: RoutingData) -> Model:
    """Count features per class and turn them into smoothed log-likelihoods."""
    stop = {lang: frozenset(data.words.stopwords.get(lang)) for lang in LANGS}
    tables = {lang: data.words.spellings.get(lang) for lang in LANGS}
    spelled = {lang: spellings_of(tables[lang]) for lang in LANGS}
    classes = (*data.topics, OFFTOPIC)
    n = len(classes)
    index = {c: i for i, c in enumerate(classes)}
    counts: dict[str, dict[int, float]] = defaultdict(dict)  # sparse: feature -> column -> count
    totals = [0.0] * (n + len(GATE))
    stems: dict[str, set[str]] = {lang: set() for lang in LANGS}
    domain: set[str] = set()
    topical: set[str] = set()  # features the topic classes saw
    for cls, lang, text, weight in _training(data):
        slot = index.get(cls)
        gate = n + _gate_class(cls)
        feats = set(train_features(text, lang, stop[lang], spelled[lang]))
        columns = (gate,) if slot is None else (slot, gate)
        for feat in feats:
            row = counts[feat]
            for column in columns:
                row[column] = row.get(column, 0.0) + weight
        for column in columns:
            totals[column] += weight * len(feats)
        stems[lang].update(f for f in feats if " " not in f)
        if slot is not None:
            topical.update(feats)
            if cls != OFFTOPIC:
                domain.update(feats)
    denominators = [math.log(t + ALPHA * len(topical)) for t in totals[:n]]
    denominators += [math.log(t + ALPHA * len(counts)) for t in totals[n:]]
    unseen = [math.log(ALPHA) - d for d in denominators]
    gate_only = [0.0] * n + unseen[n:]  # a feature only the gate saw adds nothing to a topic
    log = math.log
    width = n + len(GATE)
    rows: dict[str, int] = {}  # tens of thousands of features: one flat float32 table
    loglik = array("f")
    neutral = _speaker_features(data, counts, stop)
    for feat, row in counts.items():
        values = list(unseen if feat in topical else gate_only)
        for column, count in row.items():
            values[column] = log(count + ALPHA) - denominators[column]
        if feat in neutral:  # who is asking says nothing about whether the question is ours
            values[n + 1] = values[n + 2] = values[n]
        rows[feat] = len(loglik)
        loglik.extend(values)
    for lang in LANGS:  # a menu subject's words are known, never "repaired" into a topic word
        stems[lang].update(
            w for p in data.offtopic.menu_subjects.get(lang) for w in stem_words(p, lang)
        )
    vocab = {lang: Vocabulary(lang, stems[lang], stop[lang], tables[lang]) for lang in LANGS}
    anchors = frozenset(
        stem(word, lang)
        for lang in LANGS
        for text in data.offtopic.anchors.get(lang)
        for word in tokens(text)
    )
    phrases = _phrases(data, index, spelled)
    starts = frozenset(phrase[0] for phrase in phrases)
    menu = {
        lang: frozenset(phrase_stems(p, lang) for p in data.offtopic.menu_subjects.get(lang))
        for lang in LANGS
    }
    rule = {
        lang: {
            name: frozenset(phrase_stems(p, lang) for p in getattr(data.offtopic, name).get(lang))
            for name in ("menu_asides", "question_openings", "question_endings")
        }
        for lang in LANGS
    }
    return Model(
        classes,
        rows,
        memoryview(loglik),
        width,
        frozenset(domain),
        vocab,
        phrases,
        anchors,
        starts,
        menu,
        rule,
    )


def stem_words(text: str, lang: str) -> list[str]:
    """The stems of a phrase's words."""
    return [stem(word, lang) for word in tokens(text)]


def _speaker_features(
    data: RoutingData, counts: dict[str, dict[int, float]], stop: dict[str, frozenset[str]]
) -> frozenset[str]:
    """Features made only of the words freelancers describe themselves with (``sole trader``,
    ``auto-entrepreneur``, ``enkeltpersonforetak``: ``speaker_words`` in ``offtopic.yaml``),
    stopwords aside. They weigh nothing in the gate: a two-word status yields five features (its
    words, their pair, a prefix, a pair with "a") that seen in the work questions alone outvoted
    the one topic word of "how do I set up proper invoices as a sole trader"."""
    words = {
        stem(word, lang)
        for lang in LANGS
        for text in data.offtopic.speaker_words.get(lang)
        for word in tokens(text)
    }
    stops = {stem(word, lang) for lang in LANGS for word in stop[lang]}
    prefixes = {w[:PREFIX] for w in words if len(w) > PREFIX}
    neutral = set()
    for feat in counts:
        parts = feat.split(" ")
        if feat.endswith("~"):
            neutral.update([feat] if feat[:-1] in prefixes else [])
        elif any(p in words for p in parts) and all(p in words or p in stops for p in parts):
            neutral.add(feat)
    return frozenset(neutral)


def _phrases(
    data: RoutingData, index: dict[str, int], spelled: dict[str, dict[str, tuple[str, ...]]]
) -> dict[tuple[str, ...], dict[int, float]]:
    """Stem sequences of the vocabulary, with the bonus each gives to its topics."""
    table: dict[tuple[str, ...], dict[int, float]] = defaultdict(dict)
    for topic in data.topics.values():
        for field, bonus in BONUS.items():
            for lang in LANGS:
                stop = {stem(w, lang) for w in data.words.stopwords.get(lang)} | {"0"}
                for text in getattr(topic, field).get(lang):
                    key = phrase_stems(text, lang, spelled[lang])
                    if key and bonus and not set(key) <= stop:
                        slot = table[key]
                        slot[index[topic.id]] = max(slot.get(index[topic.id], 0.0), bonus)
    return dict(table)


@lru_cache(maxsize=1)
def model() -> Model:
    """The model trained on the packaged routing data (once per process; kept on disk between
    processes by :mod:`knowledge.cache`, under a digest of the routing data and this code)."""
    from knowledge.cache import cached

    return cached("word-model", routing_key(), lambda: train(load()), _state, _from_state)


def _state(m: Model) -> dict[str, object]:
    """The model's fields as plain picklable values (the table's memoryview as its array)."""
    state = {f.name: getattr(m, f.name) for f in fields(m)}
    return {k: (v.obj if isinstance(v, memoryview) else v) for k, v in state.items()}


def _from_state(state: dict[str, object]) -> Model:
    return Model(**{**state, "loglik": memoryview(state["loglik"])})  # type: ignore[arg-type]
