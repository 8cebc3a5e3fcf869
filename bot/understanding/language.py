"""Which language to answer in: lingua, our own word lists, the platform hint and the habit.

lingua is restricted to English, French, bokmål and Nynorsk (Nynorsk counts as bokmål); detectors
that know Danish or Swedish mistake short Norwegian for them. lingua alone is weak on short
accent-less messages, so its confidence is combined with how often each word appears in our own
French, Norwegian and English phrases. Short messages never flip an established language.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from operator import add

from bot.understanding.data import LANGS, load, routing_key
from bot.understanding.normalise import letters, tokens

SHORT_WORDS = 2  # messages of at most this many words ...
SHORT_LETTERS = 12  # ... or fewer letters than this keep the language in use
HABIT_BONUS = 1.5  # log-odds given to the language the person already uses
HINT_BONUS = 0.7  # log-odds given to the platform's locale
LINGUA_WEIGHT = 1.0


def normalise_lang(value: str | None) -> str | None:
    """``no``/``nn``/``nb-NO``/``fr_FR`` → our codes; anything else → None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    code = {"no": "nb", "nn": "nb"}.get(code, code)
    return code if code in LANGS else None


@lru_cache(maxsize=1)
def _detector():  # noqa: ANN202 - lingua has no type stubs
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(
            Language.ENGLISH, Language.FRENCH, Language.BOKMAL, Language.NYNORSK
        )
        .with_low_accuracy_mode()
        .build()
    )


@lru_cache(maxsize=1)
def _word_logprobs() -> dict[str, tuple[float, float, float]]:
    """log P(language | word) for each word of our phrases (fr, nb, en order); kept on disk
    between processes with the word model (:mod:`knowledge.cache`)."""
    from knowledge.cache import cached

    return cached("language-words", routing_key(), _count_word_logprobs)


def _count_word_logprobs() -> dict[str, tuple[float, float, float]]:
    data = load()
    counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
    for lang in LANGS:
        for topic in data.topics.values():
            for field in (topic.examples, topic.terms, topic.strong):
                for text in field.get(lang):
                    counts[lang].update(set(tokens(text)))
        for text in data.offtopic.examples.get(lang):
            counts[lang].update(set(tokens(text)))
        for word in (*data.words.stopwords.get(lang), *data.words.markers.get(lang)):
            counts[lang][word] += 5
    totals = {lang: sum(counts[lang].values()) for lang in LANGS}
    words = set().union(*counts.values()) - {"0"}
    table: dict[str, tuple[float, float, float]] = {}
    for word in words:
        rel = [(counts[lang][word] + 0.05) / totals[lang] for lang in LANGS]
        norm = sum(rel)
        table[word] = tuple(math.log(r / norm) for r in rel)  # type: ignore[assignment]
    return table


def _lingua_logprobs(text: str) -> list[float]:
    conf = dict.fromkeys(LANGS, 0.0)
    for value in _detector().compute_language_confidence_values(text):
        name = value.language.name
        lang = "fr" if name == "FRENCH" else "en" if name == "ENGLISH" else "nb"
        conf[lang] += value.value
    return [math.log(conf[lang] + 0.02) for lang in LANGS]


# The most lingua can move two languages apart: log((1 + 0.02) / 0.02) per unit of weight.
LINGUA_SWING = LINGUA_WEIGHT * math.log(1.02 / 0.02)


def word_scores(text: str) -> list[float]:
    """Log-scores per language (in ``LANGS`` order) from our word table alone."""
    table = _word_logprobs()
    total = [0.0] * len(LANGS)
    for word in tokens(text):
        row = table.get(word)
        if row is not None:
            total = list(map(add, total, row))
    return total


def scores(text: str) -> dict[str, float]:
    """Log-scores per language from lingua and our word table (no hint, no habit)."""
    total = map(add, word_scores(text), (LINGUA_WEIGHT * v for v in _lingua_logprobs(text)))
    return dict(zip(LANGS, total, strict=True))


def is_short(text: str) -> bool:
    """Too short to decide a language on ("ok", "1", "hei", "merci!")."""
    words = [t for t in tokens(text) if t != "0"]
    return len(words) <= SHORT_WORDS or letters(text) < SHORT_LETTERS


def detect_language(text: str, *, hint: str | None = None, current: str | None = None) -> str:
    """The language to answer in: ``fr``, ``nb`` or ``en``.

    Short or unsure messages keep ``current``, then ``hint``, then English.
    """
    hint, current = normalise_lang(hint), normalise_lang(current)
    fallback = current or hint or "en"
    if not text or not text.strip():
        return fallback
    if is_short(text):
        if current or hint:
            return fallback
        known = [w for w in tokens(text) if w in _word_logprobs()]
        if not known:
            return "en"
    score = dict(zip(LANGS, word_scores(text), strict=True))
    if current:
        score[current] += HABIT_BONUS
    if hint:
        score[hint] += HINT_BONUS
    first, second = sorted(score.values(), reverse=True)[:2]
    if first - second <= LINGUA_SWING:  # otherwise lingua cannot change the winner: skip it
        for lang, value in zip(LANGS, _lingua_logprobs(text), strict=True):
            score[lang] += LINGUA_WEIGHT * value
    return max(LANGS, key=lambda lang: score[lang])


def warm_up() -> None:
    """Load lingua's models and the word table now rather than on the first message."""
    _word_logprobs()
    _detector().compute_language_confidence_values("warm up the detector")
