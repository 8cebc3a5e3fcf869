"""Short messages the word model is unsure of are read by the embedding too; sure ones are not.
And the embedding head is fitted on standardised vectors but ships weights for raw ones."""

from __future__ import annotations

import numpy as np
import pytest

from bot.understanding import embedding, router
from bot.understanding.embedding_head import fit
from bot.understanding.model import OFFTOPIC, model
from bot.understanding.router import (
    SHORT_EMBEDDING_BELOW,
    calibrated,
    route_with,
    sharpened,
)

SURE = "my client still hasn't paid my invoice, it's 60 days overdue"


def _words(text: str, lang: str = "en") -> list[tuple[str, float]]:
    m = model()
    raw, _, _ = m.read(text, lang)
    return calibrated(raw, m.classes, router.TEMPERATURE)


def test_weight_zero_leaves_the_words_alone() -> None:
    words = [("a", 0.6), ("b", 0.3), ("c", 0.1)]
    embedded = {"a": 0.1, "b": 0.8, "c": 0.05, OFFTOPIC: 0.05}
    assert [t for t, _ in sharpened(words, embedded, 0.0)] == ["a", "b", "c"]
    assert sharpened(words, None, 1.0) == words


def test_a_confident_embedding_overturns_a_narrow_lead_only() -> None:
    embedded = {"a": 0.1, "b": 0.8, "c": 0.05, OFFTOPIC: 0.05}
    narrow = sharpened([("a", 0.45), ("b", 0.4), ("c", 0.15)], embedded, 0.7)
    wide = sharpened([("a", 0.97), ("b", 0.02), ("c", 0.01)], embedded, 0.7)
    assert narrow[0][0] == "b" and wide[0][0] == "a"
    assert sum(p for _, p in narrow) == pytest.approx(1.0)


def test_a_sure_short_message_never_calls_the_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _words(SURE)[0][1] >= SHORT_EMBEDDING_BELOW  # the premise: the words are sure
    calls: list[str] = []
    monkeypatch.setattr(embedding, "topic_probabilities", lambda t: calls.append(t) or None)
    routing = route_with(model(), SURE, "en")
    assert routing.top == "late-payment" and calls == []


def test_an_unsure_short_message_asks_the_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "it's about the client"
    words = _words(text)
    assert words[0][1] < SHORT_EMBEDDING_BELOW  # the premise: the words hesitate
    wanted = words[1][0]  # the embedding is sure of the words' runner-up
    probs = {topic: 0.001 for topic, _ in words} | {OFFTOPIC: 0.001, wanted: 0.9}
    calls: list[str] = []

    def fake(t: str) -> dict[str, float]:
        calls.append(t)
        return probs

    monkeypatch.setattr(embedding, "topic_probabilities", fake)
    with_embedding = route_with(model(), text, "en")
    without = route_with(model(), text, "en", embeddings=False)
    assert calls == [text]
    assert with_embedding.ranked[0][0] == wanted != without.ranked[0][0]


def test_the_head_takes_raw_vectors_and_is_not_flattened() -> None:
    rng = np.random.default_rng(7)
    centre = rng.normal(size=16)
    # two classes that differ only in small variations around a large common vector, as e5's do
    a = centre + 0.001 * rng.normal(size=(40, 16)) + 0.002 * np.eye(16)[0]
    b = centre + 0.001 * rng.normal(size=(40, 16)) - 0.002 * np.eye(16)[0]
    x = np.vstack([a, b])
    labels = ["a"] * 40 + ["b"] * 40
    w, bias = fit(x, labels, [1.0] * 80, ["a", "b"])
    logits = x @ w.T + bias
    predicted = ["a" if row[0] > row[1] else "b" for row in logits]
    assert sum(p == t for p, t in zip(predicted, labels, strict=True)) >= 76
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    assert probs.max(axis=1).mean() >= 0.8  # the L2 penalty must not flatten it to a coin toss


def test_the_encoder_can_be_loaded_at_start_without_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    started = threading.Event()
    release = threading.Event()
    loads: list[int] = []

    def slow_encoder() -> object:
        loads.append(1)
        started.set()
        release.wait(5)
        return object()

    class Cached:  # stands for the lru_cache'd loader: "loaded" once it returned
        def __init__(self) -> None:
            self.value: object | None = None

        def __call__(self) -> object:
            if self.value is None:
                self.value = slow_encoder()
            return self.value

        def cache_info(self) -> object:
            return type("Info", (), {"currsize": int(self.value is not None)})()

    monkeypatch.setattr(embedding, "_encoder", Cached())
    monkeypatch.setattr(embedding, "_loading", False)
    monkeypatch.setattr(embedding, "available", lambda: True)
    embedding.load_in_background()  # returns at once, the load runs in its thread
    assert started.wait(5) and not embedding.loaded()
    embedding.load_in_background()  # a second call starts no second load
    release.set()
    for _ in range(100):
        if embedding.loaded():
            break
        threading.Event().wait(0.05)
    assert embedding.loaded() and len(loads) == 1


def test_a_delayed_load_leaves_the_answer_under_way_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Started with a delay (a process's first route, or a chat whose first message is already
    typed), the load does not begin before it; a message that needs the model meanwhile loads
    it itself, and the thread then finds it loaded."""
    import threading

    loads: list[str] = []

    class Cached:
        def __init__(self) -> None:
            self.value: object | None = None

        def __call__(self) -> object:
            if self.value is None:
                loads.append(threading.current_thread().name)
                self.value = object()
            return self.value

        def cache_info(self) -> object:
            return type("Info", (), {"currsize": int(self.value is not None)})()

    encoder = Cached()
    monkeypatch.setattr(embedding, "_encoder", encoder)
    monkeypatch.setattr(embedding, "_loading", False)
    monkeypatch.setattr(embedding, "available", lambda: True)
    embedding.load_in_background(after_s=0.5)
    threading.Event().wait(0.1)
    assert loads == [] and not embedding.loaded()
    encoder()  # what embed() does for a message that needs the model now
    assert loads == [threading.current_thread().name]
    for thread in threading.enumerate():
        if thread.name == "clientcoach-embedding-load":
            thread.join(5)
    assert len(loads) == 1 and embedding.loaded()
