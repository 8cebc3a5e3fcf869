"""A short message that tells two problems ("he changes the brief every week and now refuses to
pay"): read clause by clause.

The whole message's word model gives all of it to the louder topic. Cut at its clause marks
(commas, semicolons, dashes) and connectives (``and now``, ``et en plus``, ``og i tillegg``:
``knowledge/routing/two_problems.yaml``), each clause is read alone by the word model; a cut
into two runs of whole clauses that do not overlap says "two problems" only when

- each run's best topic has at least :data:`CLAUSE_AT` of its calibrated probability, the two
  topics differ and are not one problem told two ways (``one_problem`` in the same file);
- each run holds a phrase of its own topic (``strong`` or ``terms`` of the topic file), so a
  topic never wins a clause on background words alone;
- the whole message still supports both: they are its two likeliest topics.

A wrong "I see two things" on a one-problem message is worse than answering one, so the rule is
tuned for precision (``tests/fixtures/routing-two-topics-tuning.jsonl``). Only messages of
:data:`MIN_WORDS` words or more with a clause mark pay for the clause reads (one word-model
read per clause); long messages are read sentence by sentence by the router instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.understanding.data import LANGS
from bot.understanding.features import message_stems
from bot.understanding.model import BONUS, MAX_PHRASE, Model
from bot.understanding.normalise import fold, tokens

DATA = Path(__file__).resolve().parents[2] / "knowledge" / "routing" / "two_problems.yaml"
MIN_WORDS = 10  # shorter messages are never cut
CLAUSE_AT = 0.9  # each run's best topic has at least this calibrated probability
CLEAR_AT = 0.99  # ... and one of the two at least this, or a strong phrase of its topic
CLAUSE_TEMPERATURE = 2.5  # a part's log-scores are divided by this (the short messages' own)
MIN_PHRASE_BONUS = 1.5  # a phrase of a topic's ``terms`` (1.5) or ``strong`` list (6.0)
NEVER = r"(?!)"
_MARKS = r"\s*[,;:–—]\s*|\s+-\s+|\s*[.!?…]+\s+"


@dataclass(frozen=True)
class Clauses:
    """One language's cutting rule and the topic pairs that are one problem."""

    cut: re.Pattern[str]
    openers: re.Pattern[str]
    background: re.Pattern[str]
    one_problem: frozenset[frozenset[str]]


def _words(phrases: list[str]) -> str:
    folded = sorted({fold(p).strip() for p in phrases if p.strip()}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, p.split())) for p in folded)


@lru_cache(maxsize=1)
def _rules() -> dict[str, Clauses]:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}
    pairs = frozenset(frozenset(p) for p in raw.get("one_problem") or [] if len(p) == 2)
    rules = {}
    for lang in LANGS:
        connectives = _words(raw.get("connectives", {}).get(lang) or [])
        openers = _words(raw.get("openers", {}).get(lang) or [])
        background = _words(raw.get("background", {}).get(lang) or [])
        cut = _MARKS + (rf"|\s+(?:{connectives})\s+" if connectives else "")
        cut += rf"|\s+(?=(?:{background})\s)" if background else ""
        rules[lang] = Clauses(
            re.compile(cut),
            re.compile(rf"^(?:(?:{openers})(?:\s+|$))+" if openers else NEVER),
            re.compile(rf"^(?:{background})(?:\s|$)" if background else NEVER),
            pairs,
        )
    return rules


def clauses(text: str, lang: str) -> list[str]:
    """``text`` (folded) cut at clause marks and connectives, openers ("and", "en plus") taken
    off each clause's start; empty clauses and those that tell the background dropped."""
    rule = _rules()[lang]
    out = []
    for part in rule.cut.split(fold(text)):
        part = part.strip()
        if rule.background.match(part):
            continue
        part = rule.openers.sub("", part)
        if part and not rule.background.match(part):
            out.append(part)
    return out


def worth_reading(text: str, lang: str) -> bool:
    """Cheap test: enough words and at least two clauses."""
    if len(tokens(text)) < MIN_WORDS or lang not in _rules():
        return False
    return _rules()[lang].cut.search(fold(text)) is not None


def _phrase_topics(m: Model, text: str, lang: str) -> dict[int, float]:
    """The topics (class index) a phrase of ``text`` speaks for, with the largest bonus; read
    like :meth:`Model.read` (longest phrase first, no overlaps)."""
    stems, _ = message_stems(text, m.vocab[lang])
    found: dict[int, float] = {}
    start = 0
    while start < len(stems):
        if stems[start] not in m.phrase_starts:
            start += 1
            continue
        for end in range(min(start + MAX_PHRASE, len(stems)), start, -1):
            bonus = m.phrases.get(tuple(stems[start:end]))
            if bonus:
                for idx, value in bonus.items():
                    found[idx] = max(found.get(idx, 0.0), value)
                start = end
                break
        else:
            start += 1
    return found


def _calibrated(m: Model, raw: list[float]) -> tuple[str, float]:
    from bot.understanding.router import calibrated

    return calibrated(raw, m.classes, CLAUSE_TEMPERATURE)[0]


def two_problems(
    m: Model, text: str, lang: str, ranked: list[tuple[str, float]]
) -> tuple[str, str] | None:
    """The two topics of a message that tells two problems, the whole message's likelier first;
    None when it tells one (or is not worth cutting). ``ranked``: the whole message's calibrated
    topics."""
    if not worth_reading(text, lang) or len(ranked) < 2:
        return None
    rule = _rules()[lang]
    top_two = {t for t, _ in ranked[:2]}
    if frozenset(top_two) in rule.one_problem:
        return None
    index = {c: i for i, c in enumerate(m.classes)}
    found = _phrase_topics(m, text, lang)  # without a phrase of each, no clause can stand for it
    if any(found.get(index[t], 0.0) < MIN_PHRASE_BONUS for t in top_two):
        return None
    parts = clauses(text, lang)
    if len(parts) < 2:
        return None
    reads = [m.read(p, lang)[0] for p in parts]
    phrases = [_phrase_topics(m, p, lang) for p in parts]
    whole = dict(ranked)
    spans = []  # runs of whole clauses that stand for a topic: (first, end, topic, p, clear)
    for first in range(len(parts)):
        for end in range(first + 1, len(parts) + 1):
            if end - first == len(parts):
                continue  # the whole message is the other reading
            raw = [sum(col) for col in zip(*(reads[i] for i in range(first, end)), strict=True)]
            topic, p = _calibrated(m, raw)
            own = max(phrases[i].get(index[topic], 0.0) for i in range(first, end))
            if p >= CLAUSE_AT and own >= MIN_PHRASE_BONUS and topic in top_two:
                spans.append((first, end, topic, p, p >= CLEAR_AT or own >= BONUS["strong"]))
    best: tuple[float, str, str] | None = None
    for _, end_a, a, pa, clear_a in spans:
        for first_b, _, b, pb, clear_b in spans:
            if first_b < end_a or a == b or frozenset((a, b)) in rule.one_problem:
                continue  # the second run starts after the first one ends
            if not (clear_a or clear_b):
                continue
            if best is None or min(pa, pb) > best[0]:
                best = (min(pa, pb), a, b)
    if best is None:
        return None
    _, a, b = best
    return (a, b) if whole.get(a, 0.0) >= whole.get(b, 0.0) else (b, a)
