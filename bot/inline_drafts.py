"""Drafts found from a few words (Telegram inline mode: ``@bot reminder 1200`` in any chat).

The words are routed like a message to find the situations; the drafts of those situations come
first when their title or id shares a word with the query; values the words state (an amount, a
date, a number of days) are filled in; every text is in the person's language. An empty query
offers the drafts chosen most often (in this process), then the first draft of each situation.
Results are cached per query, language and day.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import draft_values
from bot.answers import parse_amount
from bot.models import ConversationKey, normalize_lang
from bot.store.base import StoreUnavailable
from bot.understanding import detect_language, route
from bot.vocab import fold

MAX_RESULTS = 10
MAX_QUERY = 256  # what Telegram sends at most
CACHE_SIZE = 512
MIN_WORD = 4  # a query word this long matches a title word it starts
_LONE_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[ .,]\d{3})*(?:[.,]\d{1,2})?(?![\w.,])")


@dataclass(frozen=True)
class InlineDraft:
    """One ready-to-send draft: ``id`` (the draft's id) comes back when it is chosen."""

    id: str
    title: str
    description: str
    text: str
    lang: str


class InlineDrafts:
    """Shared by every person of a process; ``engine`` gives knowledge, replies and store."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.kb = engine.kb
        self.chosen: Counter[str] = Counter()
        self._cache: OrderedDict[tuple[str, str, date], list[InlineDraft]] = OrderedDict()
        self._topic_of = {d.id: t.id for t in self.kb.topics.values() for d in t.drafts}
        self._words = {
            d.id: {w for lang in ("fr", "nb", "en") for w in fold(d.title.get(lang)).split()}
            | set(d.id.split("-"))
            for t in self.kb.topics.values() for d in t.drafts
        }

    async def language(self, person: ConversationKey, locale: str | None) -> str:
        """The language the person chose in their private chat, else their app's language."""
        try:
            session = await self.engine.store.load(person.as_str())
        except StoreUnavailable:
            session = None
        if session is not None and session.lang_chosen and session.lang:
            return str(session.lang)
        return normalize_lang(locale) or "en"

    def search(self, query: str, lang: str, today: date) -> list[InlineDraft]:
        """The drafts for ``query`` in ``lang`` (cached)."""
        words = " ".join(query[:MAX_QUERY].split())
        key = (fold(words), lang, today)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        found = self._build(words, lang, today)
        self._cache[key] = found
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return found

    def count(self, result_id: str) -> None:
        """A draft was sent (``chosen_inline_result``)."""
        if result_id in self._topic_of:
            self.chosen[result_id] += 1
            for key in [k for k in self._cache if not k[0]]:  # the empty query's order changed
                del self._cache[key]

    # building --------------------------------------------------------------------------------
    def _build(self, words: str, lang: str, today: date) -> list[InlineDraft]:
        if not words:
            return [self._article(d, lang, {}) for d in self._most_used()]
        routing = route(words, detect_language(words, hint=lang))
        topics = [] if routing.offtopic else [c for c in routing.candidates[:3]
                                              if c in self.kb.topics]
        asked = set(fold(words).split())
        ranked = sorted(
            (d for t in topics for d in self.kb.topics[t].drafts),
            key=lambda d: not self._names(d.id, asked),  # title matches first, stable otherwise
        )
        numbers = self.engine.vocab.numbers_in.get(lang, self.engine.vocab.numbers)
        said = draft_values.read(words, today, self.engine.vocab.units, numbers)
        lone = _LONE_NUMBER.findall(words)
        if not said and len(lone) == 1:  # "reminder 1200": a bare number in a query is an amount
            said["amount"] = parse_amount(lone[0])
        return [self._article(d, lang, said) for d in ranked[:MAX_RESULTS]]

    def _names(self, draft_id: str, asked: set[str]) -> bool:
        title = self._words[draft_id]
        return any(w in title or (len(w) >= MIN_WORD and any(t.startswith(w) for t in title))
                   for w in asked)

    def _most_used(self) -> list[Any]:
        order = [d for d, _ in self.chosen.most_common(MAX_RESULTS)]
        for topic_id in self.kb.catalog.topics:
            topic = self.kb.topics.get(topic_id)
            if topic is not None and topic.drafts[0].id not in order:
                order.append(topic.drafts[0].id)
        return [self.kb.topics[self._topic_of[d]].draft(d) for d in order[:MAX_RESULTS]]

    def _article(self, draft: Any, lang: str, said: dict[str, Any]) -> InlineDraft:
        topic = self.kb.topics[self._topic_of[draft.id]]
        wanted = draft.placeholders(lang)
        values = draft_values.render({k: v for k, v in said.items() if k in wanted or k == "_date"},
                                     lang, wanted)
        filled = self.engine.book.draft(draft, lang, values)
        return InlineDraft(id=draft.id, title=filled.title, description=topic.title.get(lang),
                           text=filled.text, lang=lang)
