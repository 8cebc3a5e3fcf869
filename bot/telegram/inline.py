"""Telegram inline mode: ``inline_query`` → articles from :mod:`bot.inline_drafts`,
``chosen_inline_result`` → counted. Enable it with BotFather (``/setinline``; ``/setinlinefeedback``
for the counting) — see the README."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from telegram import (
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.error import TelegramError

from bot.inline_drafts import InlineDraft, InlineDrafts
from bot.models import ConversationKey

log = logging.getLogger("bot.telegram")

CACHE_TIME_S = 300
START_PARAMETER = "start"  # the button under the results opens the private chat


def article(draft: InlineDraft) -> InlineQueryResultArticle:
    """A draft as an article: its title, the situation as description, its text as the message."""
    return InlineQueryResultArticle(
        id=draft.id,
        title=draft.title,
        description=draft.description,
        input_message_content=InputTextMessageContent(draft.text[:4096]),
    )


class InlineMode:
    def __init__(self, drafts: InlineDrafts, text: Callable[[str, str], str]) -> None:
        self.drafts = drafts
        self.text = text

    async def handle(self, update: Update) -> None:
        if update.inline_query is not None:
            await self.answer(update.inline_query)
        elif update.chosen_inline_result is not None:
            self.drafts.count(update.chosen_inline_result.result_id)
            log.info("telegram inline draft chosen: %s", update.chosen_inline_result.result_id[:64])

    async def answer(self, query: InlineQuery) -> None:
        user = str(query.from_user.id)
        person = ConversationKey(platform="telegram", chat=user, user=user)
        lang = await self.drafts.language(person, query.from_user.language_code)
        found = self.drafts.search(query.query or "", lang, datetime.now(UTC).date())
        key = "inline_open_bot" if found or not query.query else "inline_none"
        button = InlineQueryResultsButton(self.text(key, lang), start_parameter=START_PARAMETER)
        try:
            await query.answer([article(d) for d in found], cache_time=CACHE_TIME_S,
                               is_personal=True, button=button)
        except TelegramError as exc:
            log.warning("telegram answerInlineQuery failed: %s", type(exc).__name__)
        log.info("telegram inline query answered lang=%s results=%d", lang, len(found))


