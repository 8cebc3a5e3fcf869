"""Topic routing: calibrated topic probabilities, and what to do with them.

The naive Bayes scores are sharp: a long message gets 0.99 for a topic that is merely mentioned.
Dividing the log-scores by a temperature (fitted by log-loss, see
:mod:`bot.understanding.calibration`) turns them into probabilities that can be believed; a long
message is read sentence by sentence and the sentences' probabilities are averaged, so the story
around a problem does not drown it. Then:

- off-topic: the best topic does not beat the off-topic class (raw scores, as before), or the
  message has no word about clients or work and beats it only narrowly, or the gate (the word
  model's three columns "any topic / not about work / a work question no topic covers", with the
  embedding's off-topic probability for a long message when installed) finds it more likely not
  ours than :data:`GATE_AT` allows; it is a work question (``about_work``: told so, with the
  closest topics) when the gate finds "work" likelier than "not about work" (:func:`about_work`);
- answer: the best topic has at least ``answer_at`` of the probability;
- ask: otherwise, topics best first until their probabilities add up to ``ask_until`` (two at
  least, :data:`MAX_ASKED` at most) are offered as buttons;
- two topics: a long message whose second topic keeps at least ``second_at`` is about two
  problems; both are offered, and the second is proposed once the first is done; unless a third
  keeps ``third_at`` too: then it is an ask with three buttons (the message could be any of them).
  A shorter message is two problems when its clauses say so (:mod:`bot.understanding.two_problems`).

Each kind of reading (short message, long message, long message with the embedding) has its own
:class:`Thresholds`, since their probabilities are spread differently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from bot.understanding.features import spelled_out
from bot.understanding.language import detect_language, normalise_lang
from bot.understanding.menu_subjects import asks_menu_subject, names_menu_subject
from bot.understanding.model import OFFTOPIC, Model, model
from bot.understanding.normalise import tokens
from bot.understanding.two_problems import two_problems

NO_ANCHOR_MARGIN = 8.0  # without any client/work word, a topic must beat off-topic by this much
TEMPERATURE = 2.5  # a short message's log-scores are divided by this before the softmax
# The same for each sentence of a long message, read alone or with the embedding.
SENTENCE_TEMPERATURE = {"long": 7.0, "long+embedding": 3.0}
EMBEDDING_WEIGHT = 0.2  # share of the embedding in a long message's probabilities
LONG_WORDS = 25  # from this many words a message is read sentence by sentence
MAX_ASKED = 3
# The gate: a message whose "not ours" log-odds (per known feature, plus the embedding's off-topic
# log-odds times EMBEDDING_GATE_WEIGHT) reach this is off-topic; chosen by ``clientcoach
# calibrate`` so that few on-topic tuning messages are turned away (see README).
GATE_AT = {"short": 0.65, "short+embedding": 0.65, "long": 0.1, "long+embedding": -0.25}
EMBEDDING_GATE_WEIGHT = 0.25
# A short message whose best topic the word model gives less than this is read by the embedding
# too, and the two are combined in log space (the embedding's log-probabilities times
# SHORT_EMBEDDING_WEIGHT); a sure short message never pays for the embedding. Chosen by
# ``clientcoach calibrate --embeddings`` on the tuned short set.
SHORT_EMBEDDING_BELOW = 0.9
SHORT_EMBEDDING_WEIGHT = 0.7
ROUTED_LOAD_AFTER_S = 1.0  # a process starts loading the embedding this long after its first route


@dataclass(frozen=True)
class Thresholds:
    """When to answer, how many buttons to show, when a message tells two problems."""

    answer_at: float  # answer directly when the best topic has at least this probability
    ask_until: float  # otherwise offer topics until their probabilities add up to this
    second_at: float | None = None  # a second topic this likely makes it a two-topic message
    third_at: float | None = None  # ... unless a third is this likely too: ask with three


# Chosen by ``clientcoach calibrate`` (cross-validated stories, tuned short set); see README.
THRESHOLDS = {
    "short": Thresholds(answer_at=0.55, ask_until=0.3),
    "short+embedding": Thresholds(answer_at=0.55, ask_until=0.3),  # one set for both readings
    "long": Thresholds(answer_at=0.1, ask_until=0.3, second_at=0.1, third_at=0.15),
    "long+embedding": Thresholds(answer_at=0.2, ask_until=0.4, second_at=0.15),
}
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Routing:
    """What a message is about.

    ``ranked``: (topic id, calibrated probability) best first; ``candidates``: the topics to
    offer (one when answering); ``ambiguous``: ask with buttons; ``two_topics``: the message is
    about the first two candidates at once; ``offtopic``: not our business.
    """

    ranked: list[tuple[str, float]] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    ambiguous: bool = False
    offtopic: bool = True
    lang: str = "en"
    two_topics: bool = False
    about_work: bool = False  # off-topic, yet about clients or freelance work (no topic fits)
    evidence: int = 0  # topic phrases and words of clients or work the message holds

    @property
    def top(self) -> str | None:
        """The best topic, or None when off-topic."""
        return None if self.offtopic else self.candidates[0]

    @property
    def shown(self) -> list[str]:
        """The topics the person sees: the answer, or the buttons (none when off-topic)."""
        return [] if self.offtopic else list(self.candidates)


def calibrated(
    raw: list[float], classes: tuple[str, ...], temperature: float
) -> list[tuple[str, float]]:
    """Topics (off-topic left out) with softmax(raw / temperature), best first."""
    pairs = [(c, s / temperature) for c, s in zip(classes, raw, strict=True) if c != OFFTOPIC]
    peak = max(s for _, s in pairs)
    exp = [(c, math.exp(s - peak)) for c, s in pairs]
    total = sum(e for _, e in exp)
    return sorted(((c, e / total) for c, e in exp), key=lambda kv: kv[1], reverse=True)


def decide(ranked: list[tuple[str, float]], th: Thresholds) -> tuple[list[str], bool, bool]:
    """(candidates, ask, two topics) for calibrated ``ranked`` topics."""
    (first, p1), (second, p2), (third, p3) = ranked[0], ranked[1], ranked[2]
    if th.second_at is not None and p2 >= th.second_at:
        if th.third_at is not None and p3 >= th.third_at:
            return [first, second, third], True, False
        return [first, second], True, True
    if p1 >= th.answer_at:
        return [first], False, False
    shown, total = [], 0.0
    for topic, p in ranked[:MAX_ASKED]:
        shown.append(topic)
        total += p
        if total >= th.ask_until and len(shown) >= 2:
            break
    return shown, True, False


def sentences(text: str) -> list[str]:
    """A message cut into sentences (and lines)."""
    return [s for s in _SENTENCE.split(text) if s.strip()]


def story_ranked(m: Model, text: str, lang: str, temperature: float) -> list[tuple[str, float]]:
    """A long message: the average of its sentences' calibrated topic probabilities, so that
    the sentence that states the problem counts as much as the story around it."""
    total: dict[str, float] = {}
    parts = sentences(text)
    for sentence in parts:
        raw, _ = m.scores(sentence, lang)
        for topic, p in calibrated(raw, m.classes, temperature):
            total[topic] = total.get(topic, 0.0) + p
    return sorted(((t, p / len(parts)) for t, p in total.items()), key=lambda kv: -kv[1])


def fused(
    words_ranked: list[tuple[str, float]], embedded: dict[str, float] | None, weight: float
) -> list[tuple[str, float]]:
    """The word model's topic probabilities averaged with the embedding's (topics only)."""
    if not embedded:
        return words_ranked
    total = sum(p for t, p in embedded.items() if t != OFFTOPIC) or 1.0
    mixed = [(t, (1 - weight) * p + weight * embedded.get(t, 0.0) / total) for t, p in words_ranked]
    return sorted(mixed, key=lambda kv: -kv[1])


def sharpened(
    words_ranked: list[tuple[str, float]], embedded: dict[str, float] | None, weight: float
) -> list[tuple[str, float]]:
    """A short message: the word model's probabilities times the embedding's to the power
    ``weight`` (topics only), renormalised; the embedding can overturn a narrow lead."""
    if not embedded:
        return words_ranked
    total = sum(p for t, p in embedded.items() if t != OFFTOPIC) or 1.0
    logs = [
        (t, math.log(max(p, 1e-12)) + weight * math.log(max(embedded.get(t, 0.0) / total, 1e-12)))
        for t, p in words_ranked
    ]
    peak = max(v for _, v in logs)
    exp = [(t, math.exp(v - peak)) for t, v in logs]
    norm = sum(e for _, e in exp)
    return sorted(((t, e / norm) for t, e in exp), key=lambda kv: -kv[1])


def ranked_topics(
    m: Model,
    text: str,
    lang: str,
    raw: list[float],
    embeddings: bool = True,
    off_by_words: bool = False,
) -> tuple[list[tuple[str, float]], str, dict[str, float] | None]:
    """Calibrated topics, the threshold set that goes with them and the embedding's
    probabilities (None when not used): for a long message by sentence, with the embedding when
    installed; else the whole message, with the embedding when the word model is unsure and
    the words have not already turned it away (``off_by_words``: a short message's gate is the
    word model's, so an off-topic one never pays for the embedding)."""
    from bot.understanding.embedding import load_in_background, topic_probabilities

    if embeddings:  # the first message a process routes starts the load (a no-op after that)
        load_in_background(after_s=ROUTED_LOAD_AFTER_S)

    def seen() -> str:  # what the embedding reads: chat spellings written out
        return spelled_out(text, m.vocab[lang].spelling_table)

    if is_long(text):
        embedded = topic_probabilities(seen()) if embeddings else None
        mode = "long+embedding" if embedded else "long"
        by_sentence = story_ranked(m, text, lang, SENTENCE_TEMPERATURE[mode])
        return fused(by_sentence, embedded, EMBEDDING_WEIGHT), mode, embedded
    ranked = calibrated(raw, m.classes, TEMPERATURE)
    if embeddings and not off_by_words and ranked[0][1] < SHORT_EMBEDDING_BELOW:
        embedded = topic_probabilities(seen())
        if embedded:
            return sharpened(ranked, embedded, SHORT_EMBEDDING_WEIGHT), "short+embedding", embedded
    return ranked, "short", None


def is_long(text: str) -> bool:
    """Read sentence by sentence: 25 words or more, in two sentences or more."""
    return len(tokens(text)) >= LONG_WORDS and len(sentences(text)) >= 2


def gate_score(
    gate: tuple[float, float], embedded: dict[str, float] | None, weight: float | None = None
) -> float:
    """How likely the message is not ours (log-odds): the word model's "not about work" and
    "work no topic covers" columns together, plus the embedding's off-topic log-odds times
    ``weight`` (:data:`EMBEDDING_GATE_WEIGHT` unless given)."""
    off, work = gate
    peak = max(off, work)
    score = peak + math.log(math.exp(off - peak) + math.exp(work - peak))
    if embedded:
        p = min(max(embedded.get(OFFTOPIC, 0.0), 1e-6), 1 - 1e-6)
        w = EMBEDDING_GATE_WEIGHT if weight is None else weight
        score += w * math.log(p / (1 - p))
    return score


def outside(
    raw: list[float], classes: tuple[str, ...], evidence: int, gate_at: float, gate: float
) -> bool:
    """True when the message is not about any topic of ours."""
    off = classes.index(OFFTOPIC)
    best = max(s for i, s in enumerate(raw) if i != off)
    margin = best - raw[off]
    return margin <= 0 or (evidence == 0 and margin < NO_ANCHOR_MARGIN) or gate >= gate_at


def reads_as_ours(m: Model, text: str, lang: str) -> bool:
    """True when the word model alone takes ``text`` (a short message, or part of one) for a
    topic message: what stands besides a side remark about a menu subject."""
    raw, evidence, gate = m.read(text, lang)
    return not outside(raw, m.classes, evidence, GATE_AT["short"], gate_score(gate, None))


def about_work(gate: tuple[float, float], evidence: int) -> bool:
    """An off-topic message is a work question no topic covers when the gate finds "work"
    likelier than "not about work", and either a word speaks of clients or work or the gate's
    "work" column beats the topics ("ok" or "thanks" are neither)."""
    off, work = gate
    return work > off and (evidence > 0 or work > 0)


def route_with(m: Model, text: str, lang: str, embeddings: bool = True) -> Routing:
    """Route ``text`` with model ``m`` (the packaged one or, when calibrating, another); the
    embedding is used for long messages when installed, unless ``embeddings`` is False."""
    text = text or ""
    raw, evidence, gate = m.read(text, lang)
    off_by_words = not is_long(text) and outside(
        raw, m.classes, evidence, GATE_AT["short"], gate_score(gate, None)
    )
    if not off_by_words and not is_long(text) and asks_menu_subject(text, m, lang):
        return Routing(ranked=calibrated(raw, m.classes, TEMPERATURE), candidates=[],
                       offtopic=True, lang=lang)  # fmt: skip
    ranked, mode, embedded = ranked_topics(m, text, lang, raw, embeddings, off_by_words)
    in_gate = embedded if mode == "long+embedding" else None  # short: the words decide
    if outside(raw, m.classes, evidence, GATE_AT[mode], gate_score(gate, in_gate)):
        work = about_work(gate, evidence) and not names_menu_subject(text, m, lang)
        return Routing(ranked=ranked, candidates=[], ambiguous=False, offtopic=True, lang=lang,
                       about_work=work)  # fmt: skip
    candidates, ask, two = decide(ranked, THRESHOLDS[mode])
    if not two and not is_long(text) and (pair := two_problems(m, text, lang, ranked)):
        candidates, ask, two = list(pair), True, True  # a short message that tells two problems
    return Routing(ranked=ranked, candidates=candidates, ambiguous=ask, offtopic=False, lang=lang,
                   two_topics=two, evidence=evidence)  # fmt: skip


def route(text: str, lang: str | None = None, embeddings: bool = True) -> Routing:
    """Rank the topics for ``text`` (language detected when not given) and decide."""
    lang = normalise_lang(lang) or detect_language(text or "")
    return route_with(model(), text, lang, embeddings)
