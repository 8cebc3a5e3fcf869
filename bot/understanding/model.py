"""A small naive Bayes model over stems and word pairs, trained when first used.

Training data are the example phrases, vocabulary and long stories of ``knowledge/routing/``:
examples count once, ``terms`` three times and ``strong`` terms four times; a story counts
once for its main topic and 0.6 for its second. Off-topic stories are left to the embedding: their
many freelance words would make the off-topic class swallow real questions. Training takes a
few tens of milliseconds.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from operator import add

from bot.understanding.data import LANGS, RoutingData, load
from bot.understanding.features import (
    Vocabulary,
    features_of,
    message_stems,
    phrase_stems,
    stem,
    train_features,
)
from bot.understanding.normalise import tokens

OFFTOPIC = "offtopic"
ALPHA = 0.2
WEIGHTS = {"examples": 1.0, "terms": 3.0, "strong": 4.0}
STORY_WEIGHTS = (1.0, 0.6)  # a long story counts once for its main topic, less for its second
BONUS = {"terms": 1.5, "strong": 6.0}  # added log-odds when the exact phrase occurs
MAX_PHRASE = 5


@dataclass(frozen=True)
class Model:
    """Per-feature log-likelihoods for every class, plus per-language vocabularies."""

    classes: tuple[str, ...]
    loglik: dict[str, array]
    domain: frozenset[str]
    vocab: dict[str, Vocabulary]
    phrases: dict[tuple[str, ...], dict[int, float]]
    anchors: frozenset[str]
    phrase_starts: frozenset[str]  # first stems of the phrases (a quick filter)

    def scores(self, text: str, lang: str) -> tuple[list[float], int]:
        """Log-score per class and how many phrases or anchors speak of clients and work."""
        stems, mask = message_stems(text, self.vocab[lang])
        acc = [0.0] * len(self.classes)
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
                    for idx, value in bonus.items():
                        acc[idx] += value
                    start = end
                    break
            else:
                start += 1
        for feat in set(features_of(stems, mask)):
            row = self.loglik.get(feat)
            if row is None:
                continue
            if feat in self.anchors:
                evidence += 1
            acc = list(map(add, acc, row))
        return acc, evidence


def _training(data: RoutingData) -> list[tuple[str, str, str, float]]:
    """(class, lang, text, weight) rows."""
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
    for lang, stories in data.stories.items():
        for story in stories:
            for rank, label in enumerate(story.topics):  # off-topic stories: embedding only
                rows.append((label, lang, story.text, STORY_WEIGHTS[min(rank, 1)]))
    return rows


def train(data: RoutingData) -> Model:
    """Count features per class and turn them into smoothed log-likelihoods."""
    stop = {lang: frozenset(data.words.stopwords.get(lang)) for lang in LANGS}
    classes = (*data.topics, OFFTOPIC)
    index = {c: i for i, c in enumerate(classes)}
    counts: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(classes))
    stems: dict[str, set[str]] = {lang: set() for lang in LANGS}
    domain: set[str] = set()
    for cls, lang, text, weight in _training(data):
        for feat in set(train_features(text, lang, stop[lang])):
            counts[feat][index[cls]] += weight
            if " " not in feat:
                stems[lang].add(feat)
            if cls != OFFTOPIC:
                domain.add(feat)
    totals = [sum(row[i] for row in counts.values()) for i in range(len(classes))]
    size = len(counts)
    denominators = [math.log(total + ALPHA * size) for total in totals]
    log = math.log
    loglik = {  # compact rows: tens of thousands of features with long stories
        feat: array("d", (log(n + ALPHA) - d for n, d in zip(row, denominators, strict=True)))
        for feat, row in counts.items()
    }
    vocab = {lang: Vocabulary(lang, stems[lang], stop[lang]) for lang in LANGS}
    anchors = frozenset(
        stem(word, lang)
        for lang in LANGS
        for text in data.offtopic.anchors.get(lang)
        for word in tokens(text)
    )
    phrases = _phrases(data, index)
    starts = frozenset(phrase[0] for phrase in phrases)
    return Model(classes, loglik, frozenset(domain), vocab, phrases, anchors, starts)


def _phrases(data: RoutingData, index: dict[str, int]) -> dict[tuple[str, ...], dict[int, float]]:
    """Stem sequences of the vocabulary, with the bonus each gives to its topics."""
    table: dict[tuple[str, ...], dict[int, float]] = defaultdict(dict)
    for topic in data.topics.values():
        for field, bonus in BONUS.items():
            for lang in LANGS:
                stop = {stem(w, lang) for w in data.words.stopwords.get(lang)} | {"0"}
                for text in getattr(topic, field).get(lang):
                    key = phrase_stems(text, lang)
                    if key and bonus and not set(key) <= stop:
                        slot = table[key]
                        slot[index[topic.id]] = max(slot.get(index[topic.id], 0.0), bonus)
    return dict(table)


@lru_cache(maxsize=1)
def model() -> Model:
    """The model trained on the packaged routing data (once per process)."""
    return train(load())
