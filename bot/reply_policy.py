"""Who sees a reply and what it offers, decided once for every platform.

The adapters only carry out what the :class:`~bot.models.Reply` fields say (``private``,
``notice``, ``share``); they never guess from the shape of a key or a payload. The table,
the same on Slack and Telegram:

==========================================  ==================================================
situation                                   decision
==========================================  ==================================================
a press on buttons shown to someone else    a private notice to the presser; nothing happens
                                            to either conversation
the store is down                           a private notice: temporarily unavailable
too many messages                           a private notice: slow down
a turn only the person sees (slash          every reply is private; a checklist among them is
command, ephemeral message, shortcut)       offered to share with the chat (``share``)
a reminder set from a private turn          delivered privately (the person's direct chat)
==========================================  ==================================================
"""

from __future__ import annotations

from typing import Protocol

from bot.models import Reply, Turn

FOREIGN_BUTTON = "foreign_button"
UNAVAILABLE = "unavailable"
RATE_LIMITED = "rate_limited"
PRIVATE_NOTE = "private"  # Reminder.note of a reminder set from a private turn


class Notices(Protocol):
    def notice(self, key: str, lang: str) -> Reply: ...


def is_foreign(turn: Turn) -> bool:
    """A press on buttons that were shown to another person."""
    return turn.kind == "button" and bool(turn.owner) and turn.owner != turn.key.user


def notice(book: Notices, key: str, lang: str) -> Reply:
    """A short notice only the person sees (``key`` names its text)."""
    return book.notice(key, lang).model_copy(update={"private": True, "notice": True})


def _shareable(reply: Reply, turn: Turn) -> str | None:
    if not reply.checklist:
        return None
    reopen = reply.resume or turn.payload or ""
    return reopen if reopen.startswith("checklist:") else None


def shape(turn: Turn, replies: list[Reply]) -> list[Reply]:
    """Replies to a private turn stay private; their checklists may be shared."""
    if not turn.private:
        return replies
    shaped = []
    for reply in replies:
        update: dict[str, object] = {"private": True}
        share = _shareable(reply, turn)
        if share:
            update["share"] = share
        shaped.append(reply.model_copy(update=update))
    return shaped


def reminder_note(turn: Turn) -> str:
    """What a reminder remembers of where it was set."""
    return PRIVATE_NOTE if turn.private else turn.chat_kind


def reminder_is_private(note: str) -> bool:
    return note == PRIVATE_NOTE
