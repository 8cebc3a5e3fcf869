"""How the router's temperature and thresholds were chosen (``clientcoach calibrate``).

Tuning material only: the long stories of ``knowledge/routing/stories/`` scored by 5-fold
cross-validation (each story by a model trained without its fold), and a labelled set of short
messages (by default ``tests/fixtures/routing-holdout.jsonl``, already tuned on). Held-out sets
are never read here. The short-message temperature minimises the log-loss of the main topic; the
sentence temperature (which also sets the embedding's weight) maximises top-1; the thresholds are
then picked on a grid to maximise the share of messages whose topic is offered (then top-1, then
both topics of a two-topic message shown), within an ask-rate budget: 12% of short messages,
half of long ones. Two-topic replies are only considered for long messages.

Before the thresholds, the gate (:func:`bot.understanding.router.gate_score`) of each kind of
reading: the lowest bar (and, with the embedding, the embedding's weight) that turns away at most
:data:`FALSE_OFF_BUDGET` of the on-topic tuning messages, which catches the most off-topic ones.
Short off-topic and uncovered work questions come from ``tests/fixtures/routing-offtopic-tuning.
jsonl`` (written for tuning), short on-topic ones are the tuned short set and every topic's
example phrases, cross-validated; long ones are the stories, cross-validated.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.understanding.data import LANGS, RoutingData, load
from bot.understanding.features import spelled_out
from bot.understanding.model import OFFTOPIC, Model, train
from bot.understanding.normalise import tokens
from bot.understanding.router import (
    EMBEDDING_WEIGHT,
    LONG_WORDS,
    SHORT_EMBEDDING_BELOW,
    SHORT_EMBEDDING_WEIGHT,
    Thresholds,
    about_work,
    calibrated,
    decide,
    fused,
    gate_score,
    outside,
    sentences,
    sharpened,
)

FOLDS = 5
EMBEDDING_WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6)
TEMPERATURES = [1.0, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 15]


@dataclass(frozen=True)
class Scored:
    """A labelled message with its raw scores."""

    lang: str
    expect: tuple[str, ...]
    raw: tuple[float, ...]
    classes: tuple[str, ...]
    evidence: int
    words: int
    long: bool
    parts: tuple[tuple[float, ...], ...] = ()  # raw scores per sentence of a long message
    embedded: tuple[tuple[str, float], ...] = ()  # the embedding's probabilities, when measured
    gate: tuple[float, float] = (0.0, 0.0)  # the word model's gate (off-topic, work) log-odds
    kind: str | None = None  # an off-topic item's wanted reply: "offtopic" or "work"
    text: str = ""
    # a short message: below which best probability the embedding is asked, and its weight
    short_embedding: tuple[float, float] = (SHORT_EMBEDDING_BELOW, SHORT_EMBEDDING_WEIGHT)

    def gate_score(self, weight: float | None = None) -> float:
        """:func:`bot.understanding.router.gate_score`, with the embedding weighing ``weight``
        (a long message's only: a short one's gate is the word model's)."""
        return gate_score(self.gate, (dict(self.embedded) if self.parts else None) or None, weight)

    def ranked(
        self,
        temperature: float,
        sentence_temperature: float,
        weight: float = EMBEDDING_WEIGHT,
        short: tuple[float, float] | None = None,
    ) -> list[tuple[str, float]]:
        """As :func:`bot.understanding.router.ranked_topics`, with these temperatures (and, for
        a short message, ``short``: below which best probability the embedding is asked, and its
        weight; the item's own by default)."""
        if not self.parts:
            below, power = short or self.short_embedding
            ranked = calibrated(list(self.raw), self.classes, temperature)
            if self.embedded and ranked[0][1] < below:
                return sharpened(ranked, dict(self.embedded), power)
            return ranked
        total: dict[str, float] = {}
        for raw in self.parts:
            for topic, p in calibrated(list(raw), self.classes, sentence_temperature):
                total[topic] = total.get(topic, 0.0) + p
        n = len(self.parts)
        by_words = sorted(((t, p / n) for t, p in total.items()), key=lambda kv: -kv[1])
        return fused(by_words, dict(self.embedded) or None, weight)


def _score(
    m: Model, text: str, lang: str, expect: list[str], long: bool, kind: str | None = None
) -> Scored:
    raw, evidence, gate = m.read(text, lang)
    words = len(tokens(text))
    parts: tuple[tuple[float, ...], ...] = ()
    if words >= LONG_WORDS and len(sentences(text)) >= 2:
        parts = tuple(tuple(m.scores(s, lang)[0]) for s in sentences(text))
    return Scored(lang, tuple(expect), tuple(raw), m.classes, evidence, words, long, parts,
                  gate=gate, kind=kind, text=text)  # fmt: skip


def story_scores(data: RoutingData, folds: int = FOLDS) -> list[Scored]:
    """Every story scored by a model that did not see it."""
    out: list[Scored] = []
    for fold in range(folds):
        kept = {
            lang: [s for n, s in enumerate(data.stories.get(lang, [])) if n % folds != fold]
            for lang in LANGS
        }
        m = train(data.model_copy(update={"stories": kept}))
        for lang in LANGS:
            for n, story in enumerate(data.stories.get(lang, [])):
                if n % folds == fold:
                    out.append(_score(m, story.text, lang, story.topics, True, story.label))
    return out


def example_scores(data: RoutingData, folds: int = FOLDS) -> list[Scored]:
    """Every topic's example phrases scored by a model trained without them (their fold): the
    short on-topic messages the gate must not turn away."""
    out: list[Scored] = []
    for fold in range(folds):
        topics = {
            tid: topic.model_copy(update={"examples": topic.examples.model_copy(update={
                lang: [t for n, t in enumerate(topic.examples.get(lang)) if n % folds != fold]
                for lang in LANGS
            })})  # fmt: skip
            for tid, topic in data.topics.items()
        }
        m = train(data.model_copy(update={"topics": topics}))
        for tid, topic in data.topics.items():
            for lang in LANGS:
                for n, text in enumerate(topic.examples.get(lang)):
                    if n % folds == fold:
                        out.append(_score(m, text, lang, [tid], False))
    return out


def with_embeddings(items: list[Scored], data: RoutingData, cache: Path) -> list[Scored]:
    """The stories' items with the embedding's probabilities from a head trained without the
    story's fold (embeddings read from, or added to, ``cache``)."""
    from bot.understanding.embedding_head import embed_rows, fit, training_rows

    rows = training_rows(data)
    vectors = embed_rows(rows, cache)
    classes = [*data.topics, OFFTOPIC]
    fold_of = {
        story.id: n % FOLDS for lang in LANGS for n, story in enumerate(data.stories.get(lang, []))
    }
    by_text: dict[str, tuple[tuple[str, float], ...]] = {}
    for fold in range(FOLDS):
        keep = [i for i, r in enumerate(rows) if not r[4] or fold_of[r[4]] != fold]
        w, b = fit(vectors[keep], [rows[i][0] for i in keep], [rows[i][3] for i in keep], classes)
        for i, r in enumerate(rows):
            if r[4] and fold_of[r[4]] == fold and r[2] not in by_text:
                logits = w @ vectors[i] + b
                exp = [math.exp(x - max(logits)) for x in logits]
                by_text[r[2]] = tuple(zip(classes, (e / sum(exp) for e in exp), strict=True))
    texts = {
        (lang, n): story.text
        for lang in LANGS
        for n, story in enumerate(data.stories.get(lang, []))
    }
    return [
        replace(item, embedded=by_text.get(texts.get(key, ""), ()))
        for item, key in zip(items, _story_keys(data), strict=True)
    ]


def _story_keys(data: RoutingData) -> list[tuple[str, int]]:
    """(language, index) of the stories in the order :func:`story_scores` scores them."""
    return [
        (lang, n)
        for fold in range(FOLDS)
        for lang in LANGS
        for n, _ in enumerate(data.stories.get(lang, []))
        if n % FOLDS == fold
    ]


def short_scores(path: Path, m: Model) -> list[Scored]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    lang_of = {"no": "nb"}
    return [
        _score(m, r["text"], lang_of.get(r["lang"], r["lang"]), r.get("expect") or [], False,
               r.get("kind"))  # fmt: skip
        for r in rows
    ]


def log_loss(items: list[Scored], temperatures: tuple[float, ...]) -> float:
    """Mean negative log-probability of the main topic (on-topic items)."""
    total, n = 0.0, 0
    for item in items:
        if not item.expect:
            continue
        probs = dict(item.ranked(*temperatures))
        total -= math.log(max(probs.get(item.expect[0], 0.0), 1e-12))
        n += 1
    return total / max(n, 1)


def top1(items: list[Scored], temperatures: tuple[float, ...]) -> float:
    """Share of on-topic items whose best-ranked topic is one of the expected ones."""
    hits = [i.ranked(*temperatures)[0][0] in i.expect for i in items if i.expect]
    return sum(hits) / max(len(hits), 1)


def fit_temperatures(items: list[Scored]) -> tuple[float, float, float]:
    """(whole-message temperature, per-sentence temperature, the embedding's weight in a long
    message). The first by log-loss; the other two together by top-1 (the sentence temperature
    also sets how sharp the words are against the embedding)."""
    whole = [i for i in items if not i.parts]
    by_sentence = [i for i in items if i.parts]
    t = min(TEMPERATURES, key=lambda x: log_loss(whole, (x, 1.0)))
    weights = EMBEDDING_WEIGHTS if any(i.embedded for i in by_sentence) else (EMBEDDING_WEIGHT,)
    ts, w = max(
        ((x, w) for x in TEMPERATURES for w in weights),
        key=lambda p: (round(top1(by_sentence, (t, *p)), 3), -p[0], -abs(p[1] - EMBEDDING_WEIGHT)),
    )
    return t, ts, w


def mode_of(item: Scored) -> str:
    """The threshold set the router uses for this item (both short readings share one)."""
    if not item.parts:
        return "short"
    return "long+embedding" if item.embedded else "long"


@dataclass(frozen=True)
class Gate:
    """The gate of one kind of reading: its bar and the embedding's weight in it."""

    at: float = math.inf
    weight: float | None = None


def is_outside(item: Scored, gate: Gate) -> bool:
    """The router's off-topic decision for ``item``."""
    return outside(list(item.raw), item.classes, item.evidence, gate.at,
                   item.gate_score(gate.weight))  # fmt: skip


def shown(
    item: Scored, temperatures: tuple[float, ...], th: Thresholds, gate: Gate = Gate()
) -> tuple[list[str], bool, bool]:
    """What the bot would show: (topics, asked, off-topic)."""
    if is_outside(item, gate):
        return [], False, True
    topics, ask, _ = decide(item.ranked(*temperatures), th)
    return topics, ask, False


FALSE_OFF_BUDGET = 0.01  # share of on-topic tuning messages the gate may turn away
GATE_GRID = [x / 20 for x in range(-20, 61)]
GATE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)


def gate_figures(items: list[Scored], gate: Gate) -> dict[str, Any]:
    """Off-topic recall, the share of on-topic items turned away, and the share of off-topic
    items with a wanted reply that get it (``kind_accuracy``)."""
    on = [i for i in items if i.expect]
    off = [i for i in items if not i.expect]
    kinds = [i for i in off if i.kind]
    kind_hits = sum(
        is_outside(i, gate) and about_work(i.gate, i.evidence) == (i.kind == "work") for i in kinds
    )
    return {
        "offtopic_recall": round(sum(is_outside(i, gate) for i in off) / max(len(off), 1), 4),
        "on_topic_turned_away": round(sum(is_outside(i, gate) for i in on) / max(len(on), 1), 4),
        "kind_accuracy": round(kind_hits / max(len(kinds), 1), 4),
        "n_offtopic": len(off),
    }


def best_gate(items: list[Scored], embedded: bool) -> tuple[Gate, dict[str, Any]]:
    """The bar (and embedding weight) catching the most off-topic items within the budget."""
    best: tuple[tuple[float, float], Gate, dict[str, Any]] | None = None
    for weight in GATE_WEIGHTS if embedded else (None,):
        for at in GATE_GRID:
            gate = Gate(at, weight)
            f = gate_figures(items, gate)
            if f["on_topic_turned_away"] > FALSE_OFF_BUDGET:
                continue
            key = (f["offtopic_recall"], -f["on_topic_turned_away"])
            if best is None or key > best[0]:
                best = (key, gate, f)
    if best is None:
        return Gate(), gate_figures(items, Gate())
    return best[1], best[2]


def figures(
    items: list[Scored], temperatures: tuple[float, ...], th: Thresholds, gate: Gate = Gate()
) -> dict[str, Any]:
    """top1 (the first topic shown is one of the expected), offered_accuracy, ask_rate and
    both_offered (two-topic items) of ``items``."""
    return _figures(_readings(items, temperatures, gate), th)


def _readings(
    items: list[Scored], temperatures: tuple[float, ...], gate: Gate
) -> list[tuple[Scored, list[tuple[str, float]] | None]]:
    """Each item with its ranked topics (None when the gate turns it away), computed once."""
    return [(i, None if is_outside(i, gate) else i.ranked(*temperatures)) for i in items]


def _figures(
    readings: list[tuple[Scored, list[tuple[str, float]] | None]], th: Thresholds
) -> dict[str, Any]:
    top1 = offered = asked = both = pairs = named = 0
    for item, ranked in readings:
        off = ranked is None
        topics, ask, two = ([], False, False) if ranked is None else decide(ranked, th)
        asked += ask
        if not item.expect:
            top1 += off
            offered += off
            continue
        top1 += bool(topics) and topics[0] in item.expect
        offered += any(t in topics for t in item.expect)
        if len(item.expect) == 2:
            pairs += 1
            both += all(t in topics for t in item.expect)
            named += two
    n = len(readings)
    return {
        "n": n,
        "top1": round(top1 / n, 4) if n else None,
        "offered_accuracy": round(offered / n, 4) if n else None,
        "ask_rate": round(asked / n, 4) if n else None,
        "both_offered": round(both / pairs, 4) if pairs else None,
        "two_named": round(named / pairs, 4) if pairs else None,  # got the two-topic reply
    }


ASK_BUDGET = {"short": 0.12, "long": 0.5, "long+embedding": 0.5}


def best_thresholds(
    items: list[Scored],
    temperatures: tuple[float, ...],
    budget: float,
    two_topics: bool,
    gate: Gate = Gate(),
) -> tuple[Thresholds, dict[str, Any]]:
    """The grid point with the most topics offered (then first right, then both of two shown
    and two-topic messages named as such) whose ask rate stays within ``budget``."""
    best: tuple[float, Thresholds, dict[str, Any]] | None = None
    readings = _readings(items, temperatures, gate)
    seconds = (0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, None) if two_topics else (None,)
    thirds = (0.06, 0.08, 0.1, 0.12, 0.15, None) if two_topics else (None,)
    for answer_at in (0.08, 0.1, 0.12, 0.15, 0.18, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55):
        for ask_until in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            for second_at in seconds:
                for third_at in thirds if second_at is not None else (None,):
                    th = Thresholds(answer_at, ask_until, second_at, third_at)
                    f = _figures(readings, th)
                    if f["ask_rate"] is None or f["ask_rate"] > budget:
                        continue
                    score = f["offered_accuracy"] + f["top1"] + 0.5 * (
                        (f["both_offered"] or 0) + (f["two_named"] or 0))
                    if best is None or score > best[0]:
                        best = (score, th, f)
    if best is None:
        raise ValueError("no thresholds keep the ask rate within budget")
    return best[1], best[2]


SHORT_BELOW_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
SHORT_WEIGHT_GRID = (0.3, 0.5, 0.7, 1.0, 1.5)


def with_short_embeddings(items: list[Scored], m: Model) -> list[Scored]:
    """Short items with the shipped embedding head's probabilities (the tuned short sets are not
    among its training rows, so they are measured on text it never saw), read as the router
    reads them (chat spellings written out)."""
    from bot.understanding.embedding import topic_probabilities

    out = []
    for item in items:
        text = spelled_out(item.text, m.vocab[item.lang].spelling_table)
        probs = topic_probabilities(text) if item.text else None
        out.append(replace(item, embedded=tuple(probs.items())) if probs else item)
    return out


def fit_short_embedding(items: list[Scored], temperature: float) -> tuple[float, float]:
    """(below, weight) for short messages: the most top-1 on the tuned short set, then the
    fewest messages sent to the embedding."""
    on = [i for i in items if i.expect and i.embedded]

    def key(point: tuple[float, float]) -> tuple[float, float]:
        hits = sum(i.ranked(temperature, 1.0, short=point)[0][0] in i.expect for i in on)
        return round(hits / max(len(on), 1), 4), -point[0]

    return max(((b, w) for b in SHORT_BELOW_GRID for w in SHORT_WEIGHT_GRID), key=key)


DEFAULT_OFFTOPIC = Path("tests/fixtures/routing-offtopic-tuning.jsonl")


def calibrate(
    short_path: Path, embeddings: Path | None = None, offtopic_path: Path | None = DEFAULT_OFFTOPIC
) -> dict[str, Any]:
    """Fit the temperatures, then the gate and the thresholds of each kind of reading (with the
    embedding when ``embeddings``, a cache file of embeddings, is given)."""
    data = load()
    long = story_scores(data)
    if embeddings is not None:
        long = with_embeddings(long, data, embeddings)
    m = train(data)
    short = short_scores(short_path, m)
    if offtopic_path is not None and offtopic_path.exists():
        short += short_scores(offtopic_path, m)
    temperatures = fit_temperatures(long + [s for s in short if s.expect])
    report: dict[str, Any] = {"temperature": temperatures[0],
                              "sentence_temperature": temperatures[1],
                              "embedding_weight": temperatures[2]}  # fmt: skip
    if embeddings is not None:
        short = with_short_embeddings(short, m)
        below, weight = fit_short_embedding(short, temperatures[0])
        short = [replace(i, short_embedding=(below, weight)) for i in short]
        report["short_embedding"] = {"below": below, "weight": weight}
    examples = example_scores(data)
    for mode, items in (("short", short), ("long", long)):
        items = [i for i in items if mode_of(i) != "short"] if mode == "long" else items
        kind = mode_of(items[0]) if items else mode
        gated = items + [i for i in examples if not i.parts] if mode == "short" else items
        gate, gf = best_gate(gated, embedded=kind == "long+embedding")
        th, f = best_thresholds(items, temperatures, ASK_BUDGET[kind], mode == "long", gate)
        report[kind] = {"gate": gate.__dict__, "gate_figures": gf,
                        "thresholds": th.__dict__, "figures": f}  # fmt: skip
    return report
