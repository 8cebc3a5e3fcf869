"""Translate a Telegram :class:`~telegram.Update` into a neutral :class:`~bot.models.Turn`.

Private chats: every text, command, button press and attachment becomes a turn. Groups and
supergroups: only commands, messages that mention the bot and replies to the bot's own
messages (this works with privacy mode on). Edited messages, channel posts, service messages and
other bots are ignored; the bot being added to a group becomes a ``joined`` turn.

Commands map to payloads by one rule: ``/name`` → ``name``, ``/name arg`` → ``name:arg``, and
the words after the command travel as the turn's text (``/checklist late payment``);
``/start <deep-link>`` has its first ``-`` read back as ``:`` (``checklist-late-payment``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import CallbackQuery, Chat, ChatMember, Message, MessageEntity, Update

from bot.models import MAX_PAYLOAD_BYTES, ChatKind, ConversationKey, Turn, TurnKind

COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?$", re.S)
ARGUMENT = re.compile(r"^[a-z0-9_:-]+$")
DEEP_LINK = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
GROUPS = (Chat.GROUP, Chat.SUPERGROUP)
PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)
ABSENT = (ChatMember.LEFT, ChatMember.BANNED)


@dataclass(frozen=True)
class Me:
    """The bot's own identity, from ``getMe``."""

    id: int
    username: str


@dataclass(frozen=True)
class Incoming:
    """A turn plus what the adapter needs to answer it in the right place."""

    turn: Turn
    chat_id: int
    thread_id: int | None = None
    reply_to: int | None = None
    callback: CallbackQuery | None = None


def deep_link_payload(arg: str) -> str | None:
    """``checklist-late-payment`` → ``checklist:late-payment``; None for anything malformed."""
    if not DEEP_LINK.match(arg):
        return None
    return arg.replace("-", ":", 1) if "-" in arg else arg


def command_payload(name: str, arg: str) -> str:
    """The payload of ``/name arg``; an argument that cannot be a payload is dropped."""
    name = name.lower()
    arg = "-".join(arg.split()).lower()
    if name == "start":
        return (deep_link_payload(arg) if arg else None) or "start"
    payload = f"{name}:{arg}" if arg and ARGUMENT.match(arg) else name
    return payload if len(payload.encode("utf-8")) <= MAX_PAYLOAD_BYTES else name


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def _key(chat: Chat, thread: int | None, user_id: int) -> ConversationKey:
    return ConversationKey(
        platform="telegram", chat=str(chat.id), thread=str(thread or ""), user=str(user_id)
    )


def _strip_entities(text: str, entities: list[MessageEntity]) -> str:
    """Remove entity ranges (UTF-16 offsets, as Telegram gives them) from ``text``."""
    raw = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        raw = raw[: entity.offset * 2] + raw[(entity.offset + entity.length) * 2 :]
    return " ".join(raw.decode("utf-16-le", errors="ignore").split()).lstrip(",:;-\u2013\u2014 ")


def _mentions(message: Message, me: Me) -> list[MessageEntity]:
    """The entities of ``message`` that mention this bot."""
    found = []
    for entity, value in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        named = entity.type == MessageEntity.MENTION and value[1:].lower() == me.username.lower()
        if named or (entity.user is not None and entity.user.id == me.id):
            found.append(entity)
    return found


def _is_content(message: Message) -> bool:
    """A photo, sticker, voice note… as opposed to a service message."""
    return message.effective_attachment is not None or message.caption is not None


def _from_message(message: Message, me: Me, event_id: str) -> Incoming | None:
    user = message.from_user
    if user is None or user.is_bot or message.sender_chat is not None:
        return None
    if not isinstance(message.text, str | None):
        return None  # not something Telegram sends (``de_json`` does not check types)
    chat = message.chat
    if chat.type not in (Chat.PRIVATE, *GROUPS):
        return None
    group = chat.type in GROUPS
    chat_kind: ChatKind = "group" if group else "direct"
    thread = _thread(message)
    kind: TurnKind
    payload = text = None
    if message.text is None:
        if group or not _is_content(message):
            return None
        kind = "non_text"
    else:
        command = COMMAND.match(message.text.strip())
        mentions = _mentions(message, me)
        replied = message.reply_to_message
        to_me = (
            replied is not None
            and replied.from_user is not None
            and (replied.from_user.id == me.id)
        )
        if command:
            name, target, arg = command.groups()
            if target and target.lower() != me.username.lower():
                return None
            kind, payload = "command", command_payload(name, arg or "")
            text = arg.strip() or None if arg and name.lower() != "start" else None  # its words
        elif group and not (mentions or to_me):
            return None
        else:
            text = _strip_entities(message.text, mentions) if mentions else message.text
            kind = "message"
            if not text.strip():
                kind, payload, text = "command", "start", None
    turn = Turn(
        key=_key(chat, thread, user.id),
        chat_kind=chat_kind,
        kind=kind,
        text=text,
        payload=payload,
        locale=user.language_code,
        at=message.date,
        event_id=event_id,
    )
    return Incoming(turn, chat.id, thread, message.message_id if group else None)


def _from_callback(query: CallbackQuery, event_id: str) -> Incoming | None:
    message = query.message
    if message is None or not query.data:
        return None
    chat = message.chat
    if chat.type not in (Chat.PRIVATE, *GROUPS):
        return None
    group = chat.type in GROUPS
    thread = reply_to = None
    owner: str | None = None  # in a group, the bot's buttons answer one person's message
    if isinstance(message, Message):
        thread = _thread(message)
        owner_message = message.reply_to_message
        if group and owner_message is not None and owner_message.from_user is not None:
            author = owner_message.from_user
            if not author.is_bot:
                owner = str(author.id)
                reply_to = owner_message.message_id
    payload = query.data if len(query.data.encode("utf-8")) <= MAX_PAYLOAD_BYTES else None
    if payload is None:
        return None
    turn = Turn(
        key=_key(chat, thread, query.from_user.id),
        chat_kind="group" if group else "direct",
        kind="button",
        payload=payload,
        locale=query.from_user.language_code,
        event_id=event_id,
        owner=owner,
    )
    return Incoming(turn, chat.id, thread, reply_to, callback=query)


def _from_membership(update: Update, me: Me, event_id: str) -> Incoming | None:
    member = update.my_chat_member
    if member is None or member.chat.type not in GROUPS:
        return None
    if member.new_chat_member.user.id != me.id:
        return None
    if member.old_chat_member.status not in ABSENT or member.new_chat_member.status not in PRESENT:
        return None
    turn = Turn(
        key=_key(member.chat, None, member.from_user.id),
        chat_kind="group",
        kind="joined",
        locale=member.from_user.language_code,
        at=member.date,
        event_id=event_id,
    )
    return Incoming(turn, member.chat.id)


def read_update(update: Update, me: Me) -> Incoming | None:
    """The turn an update carries and where to answer it; None when the bot stays silent."""
    event_id = f"tg:{me.id}:{update.update_id}"
    if update.message is not None:
        return _from_message(update.message, me, event_id)
    if update.callback_query is not None:
        return _from_callback(update.callback_query, event_id)
    if update.my_chat_member is not None:
        return _from_membership(update, me, event_id)
    return None  # edited messages, channel posts, inline queries, polls…


def to_turn(update: Update, me: Me) -> Turn | None:
    """The neutral turn of an update, or None when the bot should not answer it."""
    incoming = read_update(update, me)
    return incoming.turn if incoming else None
