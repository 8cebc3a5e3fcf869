"""How a terminal conversation starts: fresh with a greeting, or picked up where it was."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Reply, normalize_lang
from bot.store.base import Session
from bot.terminal.conversation import Conversation


@dataclass(frozen=True)
class Opening:
    """The first replies, and the flow a resumed conversation was in (None when it is new)."""

    replies: list[Reply]
    resumed_flow: str | None = None


async def open_conversation(
    conversation: Conversation, lang: str | None, new: bool = False
) -> Opening:
    """``--new`` first empties the stored conversation; ``--lang`` chooses the language; then
    the pending question of a conversation under way, or the greeting."""
    engine, key = conversation.engine, conversation.key
    if new:
        await engine.store.save(key.as_str(), key.person, Session())
    if lang:
        await conversation.send(kind="command", payload=f"lang:{normalize_lang(lang)}")
    pending = await engine.pending_question(key.as_str())
    if pending is not None:
        session = await engine.store.load(key.as_str())
        return Opening([pending], session.flow if session else None)
    return Opening(await conversation.send(kind="command", payload="start"))
