"""Continue in a direct message: the conversation of a group chat (flow, question, answers, topic,
language) is carried to the person's direct chat with the bot, which picks it up where it was."""

from __future__ import annotations

from typing import Any

from bot.models import ConversationKey, Reply, normalize_lang


async def carry(engine: Any, source: ConversationKey, target: ConversationKey,
                locale: str | None = None) -> list[Reply]:
    """Copy ``source``'s session to ``target`` and answer with where it stands."""
    store, book = engine.store, engine.book
    async with store.lock(source.as_str()):
        session = await store.load(source.as_str())
    lang = (session.lang if session is not None else None) or normalize_lang(locale) or "en"
    if session is None:
        return [book.start(lang)]
    async with store.lock(target.as_str()):
        await store.save(target.as_str(), target.person, session)
    question = await engine.pending_question(target.as_str())
    if question is not None:
        return [question]
    if session.topic in engine.kb.topics:
        return [book.topic_answer(session.topic, lang)]
    return [book.start(lang)]
