"""What a person's home page shows (Slack's App Home): the situations to start, their waiting
reminders (each can be cancelled), and their language. Platform-neutral: the adapter lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.models import Button, ConversationKey, normalize_lang
from bot.store.base import StoreUnavailable

UNREMIND = "unremind"  # payload prefix of a reminder's cancel button: ``unremind:<id>``


@dataclass(frozen=True)
class PendingReminder:
    id: str
    title: str
    due: float


@dataclass(frozen=True)
class Overview:
    lang: str
    buttons: list[Button] = field(default_factory=list)  # start a situation, help, language
    reminders: list[PendingReminder] = field(default_factory=list)
    available: bool = True  # False when the store could not be read


async def overview(engine: Any, direct: ConversationKey, locale: str | None) -> Overview:
    """The home page of the person of ``direct`` (their direct conversation with the bot)."""
    lang = normalize_lang(locale) or "en"
    try:
        session = await engine.store.load(direct.as_str())
        waiting = await engine.store.reminders_of(direct.person)
    except StoreUnavailable:
        return Overview(lang, engine.book.menu_buttons(lang), available=False)
    if session is not None and session.lang:
        lang = session.lang
    reminders = [
        PendingReminder(r.id, engine.book.title(r.topic, lang) or engine.kb.text("btn_menu", lang),
                        r.due)
        for r in waiting
    ]
    return Overview(lang, engine.book.menu_buttons(lang), reminders)


def cancel_payload(reminder: PendingReminder) -> str:
    return f"{UNREMIND}:{reminder.id}"


async def cancel(engine: Any, person: str, payload: str) -> bool:
    """Cancel the reminder a ``unremind:<id>`` button names (with the others of its
    conversation, as ``remind:cancel`` does); False when it is gone already."""
    reminder_id = payload.partition(":")[2]
    for reminder in await engine.store.reminders_of(person):
        if reminder.id == reminder_id:
            await engine.store.cancel_reminders(reminder.key)
            return True
    return False
