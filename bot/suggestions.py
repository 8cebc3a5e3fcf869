"""What a new assistant thread opens with: the conversation's own language, up to four suggested
prompts (one per situation that has one in ``knowledge/interface/surfaces.yaml``), and the
question a flow is waiting on, else the greeting with the menu of every situation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.models import ConversationKey, Reply, normalize_lang
from bot.store.base import StoreUnavailable

MAX_PROMPTS = 4  # what Slack's assistant.threads.setSuggestedPrompts accepts


@dataclass(frozen=True)
class Opening:
    lang: str
    title: str
    prompts: list[dict[str, str]] = field(default_factory=list)  # {"title", "message"}
    replies: list[Reply] = field(default_factory=list)


def prompts(engine: Any, lang: str) -> list[dict[str, str]]:
    """The suggested prompts in ``lang``: the flow's label, and a message that routes to it."""
    kb, found = engine.kb, []
    for flow_id, flow in engine.flows.items():
        key = "prompt_" + flow_id.replace("-", "_")
        if key in kb.interface:
            found.append({"title": kb.text(flow.spec.label, lang), "message": kb.text(key, lang)})
    return found[:MAX_PROMPTS]


async def opening(engine: Any, key: ConversationKey, locale: str | None) -> Opening:
    """The opening of a thread of the conversation ``key`` (nothing in it changes)."""
    lang = normalize_lang(locale) or "en"
    pending: Reply | None = None
    try:
        session = await engine.store.load(key.as_str())
        if session is not None and session.lang:
            lang = session.lang
        pending = await engine.pending_question(key.as_str())
    except StoreUnavailable:
        pass
    first = pending or engine.book.start(lang)
    return Opening(lang, engine.kb.text("assistant_prompts_title", lang), prompts(engine, lang),
                   [first])
