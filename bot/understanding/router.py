"""Topic routing: ranked topics, the one or two worth offering, or off-topic."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bot.understanding.language import detect_language, normalise_lang
from bot.understanding.model import OFFTOPIC, model

AMBIGUOUS_RATIO = 0.35  # second topic at least this share of the first: ask which one
NO_ANCHOR_MARGIN = 6.0  # without any client/work word, a topic must beat off-topic by this much


@dataclass(frozen=True)
class Routing:
    """What a message is about.

    ``ranked``: (topic id, probability) best first; ``candidates``: 0, 1 or 2 topics to offer;
    ``ambiguous``: the top two are close, ask with two buttons; ``offtopic``: not our business.
    """

    ranked: list[tuple[str, float]] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    ambiguous: bool = False
    offtopic: bool = True
    lang: str = "en"

    @property
    def top(self) -> str | None:
        """The best topic, or None when off-topic."""
        return None if self.offtopic else self.candidates[0]


def route(text: str, lang: str | None = None) -> Routing:
    """Rank the 18 topics for ``text`` (language detected when not given)."""
    lang = normalise_lang(lang) or detect_language(text or "")
    m = model()
    raw, evidence = m.scores(text or "", lang)
    peak = max(raw)
    exp = [math.exp(s - peak) for s in raw]
    norm = sum(exp)
    probs = {cls: e / norm for cls, e in zip(m.classes, exp, strict=True)}
    off_p = probs.pop(OFFTOPIC)
    ranked = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)
    margin = math.log(ranked[0][1]) - math.log(off_p) if off_p > 0 else math.inf
    if margin <= 0 or (evidence == 0 and margin < NO_ANCHOR_MARGIN):
        return Routing(ranked=ranked, candidates=[], ambiguous=False, offtopic=True, lang=lang)
    (first, p1), (second, p2) = ranked[0], ranked[1]
    ambiguous = p2 >= AMBIGUOUS_RATIO * p1
    candidates = [first, second] if ambiguous else [first]
    return Routing(
        ranked=ranked, candidates=candidates, ambiguous=ambiguous, offtopic=False, lang=lang
    )
