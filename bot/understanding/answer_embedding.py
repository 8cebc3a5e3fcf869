"""The nearest option by meaning, for an answer whose words name none of a question's options.

When the phrase reader finds nothing in an answer ("elle me fait des retours constructifs"), the
answer's sentence embedding (``bot.understanding.embedding``, when installed) is compared with
the option labels and the example answers of ``knowledge/conversation/answers/<flow>.yaml``;
the closest option is taken only when it is close enough and clearly closer than every other
option. Without the embedding, nothing is guessed and the question is asked again.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.understanding import embedding
from bot.understanding.conversation_data import ConversationData
from bot.understanding.phrases import content, words
from knowledge.models import LANGS, KnowledgeBase

log = logging.getLogger("clientcoach.answers")

MIN_SIMILARITY = 0.89  # cosine of the closest example (unrelated text reaches 0.87)
MIN_MARGIN = 0.04  # over the closest example of any other option
MIN_WORDS = 2  # "ok" or "hmm" is no answer to guess from


class NearestOption:
    """One per process: example vectors per question, made on the first answer that needs them."""

    def __init__(self, kb: KnowledgeBase, data: ConversationData, flows: dict[str, str]) -> None:
        self._texts: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for flow_id, topic_id in flows.items():
            answers = data.answers.get(flow_id)
            for question in kb.topics[topic_id].questions:
                if question.kind != "choice":
                    continue
                qwords = answers.questions.get(question.id) if answers else None
                texts: list[tuple[str, str]] = []
                for option in question.options:
                    texts += [(option.id, option.label.get(lang)) for lang in LANGS]
                    extra = qwords.options.get(option.id) if qwords else None
                    if extra is not None:
                        texts += [(option.id, text) for _, text in extra.examples.items()]
                self._texts[(flow_id, question.id)] = texts
        self._vectors: dict[tuple[str, str], tuple[list[str], Any]] = {}

    def option(self, flow_id: str, question_id: str, text: str) -> str | None:
        """The option ``text`` means by its closest examples, or None when unsure or when the
        embedding is not installed."""
        if len(content(words(text))) < MIN_WORDS or not embedding.available():
            return None
        try:
            options, vectors = self._examples(flow_id, question_id)
            if not options:
                return None
            similarities = vectors @ embedding.embed(text)
        except Exception as exc:  # a broken install must not break the dialog: ask again
            log.warning("answer embedding unavailable", extra={"error": type(exc).__name__})
            return None
        best: dict[str, float] = {}
        for option, similarity in zip(options, similarities, strict=True):
            best[option] = max(best.get(option, -1.0), float(similarity))
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        if not ranked or ranked[0][1] < MIN_SIMILARITY:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MIN_MARGIN:
            return None
        return ranked[0][0]

    def _examples(self, flow_id: str, question_id: str) -> tuple[list[str], Any]:
        key = (flow_id, question_id)
        if key not in self._vectors:
            import numpy as np

            texts = self._texts.get(key, [])
            vectors = np.stack([embedding.embed(t) for _, t in texts]) if texts else None
            self._vectors[key] = ([o for o, _ in texts], vectors)
        return self._vectors[key]
