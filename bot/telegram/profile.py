"""What Telegram shows about the bot before anyone writes: the command menus (one for private
chats, a shorter one for groups) and the descriptions, in every language Telegram may ask for
(``nn`` and ``no`` read bokmål), English for all others. Every text is from
``knowledge/interface/telegram.yaml``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

PRIVATE_COMMANDS = ("start", "menu", "checklist", "lang", "help", "cancel", "forget")
GROUP_COMMANDS = ("checklist", "menu", "help", "lang", "cancel")
MENU_LANGUAGES: dict[str | None, str] = {
    None: "en", "en": "en", "fr": "fr", "nb": "nb", "no": "nb", "nn": "nb",
}  # fmt: skip
SCOPES = (
    (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
    (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
)


async def publish(bot: Any, text: Callable[[str, str], str]) -> None:
    """``setMyCommands`` per chat kind and language, ``setMyDescription`` and
    ``setMyShortDescription`` per language."""
    calls = []
    for code, lang in MENU_LANGUAGES.items():
        for scope, names in SCOPES:
            commands = [BotCommand(name, text(f"tg_cmd_{name}", lang)) for name in names]
            calls.append(bot.set_my_commands(commands, scope=scope, language_code=code))
        calls.append(bot.set_my_description(text("tg_description", lang), language_code=code))
        calls.append(bot.set_my_short_description(text("tg_short_description", lang),
                                                  language_code=code))
    await asyncio.gather(*calls)
