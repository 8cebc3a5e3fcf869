"""Training the embedding's topic head (``clientcoach embedding-head``), at build time only.

The routing examples and long stories of ``knowledge/routing/`` are embedded with e5 and a
softmax regression (L2, Adam, numpy) is fitted on them; its weights are written to
``knowledge/routing/embedding_head.json`` and shipped. Nothing here runs in the bot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.understanding.data import LANGS, RoutingData, load
from bot.understanding.model import OFFTOPIC

SECOND_TOPIC_WEIGHT = 0.6
L2 = 1e-3
STEPS = 600
RATE = 0.05


def training_rows(data: RoutingData) -> list[tuple[str, str, str, float, str]]:
    """(class, language, text, weight, group): examples and stories (group: story id or "")."""
    rows: list[tuple[str, str, str, float, str]] = []
    for topic in data.topics.values():
        for lang in LANGS:
            rows += [(topic.id, lang, text, 1.0, "") for text in topic.examples.get(lang)]
    for lang in LANGS:
        for field in ("examples", "work"):  # not about work, or no topic covers it: not ours
            rows += [(OFFTOPIC, lang, t, 1.0, "") for t in getattr(data.offtopic, field).get(lang)]
        for story in data.stories.get(lang, []):
            for rank, label in enumerate(story.topics or [OFFTOPIC]):
                weight = 1.0 if rank == 0 else SECOND_TOPIC_WEIGHT
                rows.append((label, lang, story.text, weight, story.id))
    return rows


def fit(vectors: Any, labels: list[str], weights: list[float], classes: list[str]) -> Any:
    """Softmax regression weights (classes × dims) and biases, by full-batch Adam.

    The e5 vectors of any two texts are close (their differences live in small variations of
    each dimension), so the regression is fitted on standardised dimensions; the returned
    weights take raw vectors (the scaling is folded in), so the shipped head needs no more than
    ``weights @ vector + bias``. Without it the L2 penalty flattens every prediction.
    """
    import numpy as np

    raw = np.asarray(vectors, dtype=np.float64)
    mean = raw.mean(axis=0)
    scale = raw.std(axis=0) + 1e-6
    x = (raw - mean) / scale
    index = {c: i for i, c in enumerate(classes)}
    y = np.zeros((len(labels), len(classes)))
    y[np.arange(len(labels)), [index[c] for c in labels]] = 1.0
    w_rows = np.asarray(weights)[:, None]
    w = np.zeros((len(classes), x.shape[1]))
    b = np.zeros(len(classes))
    m = [np.zeros_like(w), np.zeros_like(b)]
    v = [np.zeros_like(w), np.zeros_like(b)]
    total = w_rows.sum()
    for step in range(1, STEPS + 1):
        logits = x @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        err = (p - y) * w_rows / total
        grads = [err.T @ x + L2 * w, err.sum(axis=0)]
        for i, (param, grad) in enumerate(zip((w, b), grads, strict=True)):
            m[i] = 0.9 * m[i] + 0.1 * grad
            v[i] = 0.999 * v[i] + 0.001 * grad**2
            mhat, vhat = m[i] / (1 - 0.9**step), v[i] / (1 - 0.999**step)
            param -= RATE * mhat / (np.sqrt(vhat) + 1e-8)
    w = w / scale
    return w, b - w @ mean


def embed_rows(rows: list[tuple[str, str, str, float, str]], cache: Path | None) -> Any:
    """Embeddings of the rows' texts as the router reads them, chat spellings written out (read
    from / written to ``cache``, keyed by that text)."""
    import numpy as np

    from bot.understanding.embedding import embed
    from bot.understanding.features import spelled_out

    tables = load().words.spellings
    known: dict[str, list[float]] = {}
    if cache is not None and cache.exists():
        known = json.loads(cache.read_text(encoding="utf-8"))
    vectors = []
    for _, lang, raw, _, _ in rows:
        text = spelled_out(raw, tables.get(lang))
        if text not in known:
            known[text] = [round(float(x), 6) for x in embed(text)]
        vectors.append(known[text])
    if cache is not None:
        cache.write_text(json.dumps(known), encoding="utf-8")
    return np.asarray(vectors)


def build(out: Path, cache: Path | None = None) -> dict[str, Any]:
    """Embed, fit and write the head; returns what was written (without the weights)."""
    data = load()
    rows = training_rows(data)
    vectors = embed_rows(rows, cache)
    classes = [*data.topics, OFFTOPIC]
    w, b = fit(vectors, [r[0] for r in rows], [r[3] for r in rows], classes)
    head = {
        "classes": classes,
        "weights": [[round(float(x), 5) for x in row] for row in w],
        "bias": [round(float(x), 5) for x in b],
        "trained_on": len(rows),
    }
    out.write_text(json.dumps(head, separators=(",", ":")) + "\n", encoding="utf-8")
    return {"classes": len(classes), "rows": len(rows), "path": str(out)}
