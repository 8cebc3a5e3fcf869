"""Slack payload → :class:`~bot.models.Turn`: one translation table, no decisions.

Three kinds of payload reach the app: Events API callbacks (``event_callback``), slash commands
and interactivity (``block_actions``). Each function below turns one into an :class:`Inbound` —
the neutral ``Turn`` plus where Slack wants the answer — or ``None`` when the payload is not for
the bot (bot messages, its own messages, edits, deletions, channel chatter outside its threads).

Conversation keys are ``ConversationKey("slack", "<team>:<channel>", <thread ts or "">, <user>)``:
a mention in a channel starts a thread at the mention, and everyone who writes in that thread
gets a conversation of their own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from bot.models import MAX_PAYLOAD_BYTES, ConversationKey, Turn, TurnKind
from bot.slack.render import DM_ACTION, OWNER_PREFIX, SHARE_ACTION

Body = dict[str, Any]

# Message subtypes that are a person writing; every other subtype (edits, deletions, joins,
# bot messages, thread parent updates …) is ignored.
PERSON_SUBTYPES = {None, "thread_broadcast", "file_share"}

_ENTITY = re.compile(r"<([^<>]*)>")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Inbound:
    """A translated payload: the turn and where Slack expects the answer."""

    turn: Turn
    channel: str
    thread_ts: str | None = None
    team: str = ""
    needs_active_thread: bool = False  # a thread reply: only if the bot talks in that thread
    starts_thread: bool = False  # a mention: the bot now talks in this thread
    response_url: str | None = None  # slash commands and ephemeral messages answer here
    ephemeral: bool = False
    message_ts: str | None = None  # the message whose button was clicked
    label: str | None = None  # the label of the chosen answer
    share: bool = False  # the "Share in channel" button
    carry: bool = False  # the "Continue in a DM" button
    app_id: str = ""  # the Slack app (links to its DM)

    @property
    def dm_url(self) -> str | None:
        """A link that opens the person's DM with the app."""
        if not self.app_id or not self.team:
            return None
        return f"https://slack.com/app_redirect?app={self.app_id}&team={self.team}"


def chat_id(team: str, channel: str) -> str:
    return f"{team}:{channel}"


def split_chat(chat: str) -> tuple[str, str]:
    """``"T1:C1"`` → ``("T1", "C1")``."""
    team, _, channel = chat.partition(":")
    return (team, channel) if channel else ("", team)


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's encoded message text as the person typed it.

    The bot's own mention is removed; other mentions become ``@name``; links keep their label;
    ``&amp; &lt; &gt;`` are decoded. The renderer escapes anything the engine echoes back.
    """

    def entity(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if bot_user_id and target == f"@{bot_user_id}":
            return ""
        if target.startswith(("@", "#", "!")):
            return "@" + (label or target[1:]).lstrip("@#")
        return label or target

    return html.unescape(_ENTITY.sub(entity, text or "")).strip()


_OBJECTS = ("event", "user", "team", "channel", "container", "message", "view")
_LISTS = ("actions", "authorizations")


def well_formed(body: Any) -> bool:
    """True when the fields Bolt reads before any listener have the shapes Slack sends
    (an ``event`` that is a string or ``actions`` that is a number made Bolt answer 500)."""
    if not isinstance(body, dict):
        return False
    if any(body.get(name) is not None and not isinstance(body[name], dict) for name in _OBJECTS):
        return False
    if any(not isinstance(part.get("type", ""), str) for part in (body, body.get("event") or {})):
        return False
    return all(
        body.get(name) is None
        or (isinstance(body[name], list) and all(isinstance(i, dict) for i in body[name]))
        for name in _LISTS
    )


def _kind_for(text: str, has_files: bool) -> TurnKind:
    return "message" if text or not has_files else "non_text"


def _chat_kind(channel: str, channel_type: str | None = None) -> str:
    if channel_type:
        return "direct" if channel_type == "im" else "group"
    return "direct" if channel.startswith("D") else "group"


def _team(body: Body, event: Body | None = None) -> str:
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    if not team and event:
        team = event.get("team")
    if not team:
        team = (body.get("user") or {}).get("team_id") if isinstance(body.get("user"), dict) else ""
    return str(team or "")


def _at(seconds: Any) -> datetime:
    try:
        return datetime.fromtimestamp(float(seconds), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _is_bot(event: Body, bot_user_id: str | None) -> bool:
    user = event.get("user")
    return bool(event.get("bot_id") or event.get("bot_profile") or (user and user == bot_user_id))


def _message(body: Body, event: Body, bot_user_id: str | None) -> Inbound | None:
    if event.get("subtype") not in PERSON_SUBTYPES or _is_bot(event, bot_user_id):
        return None
    user, channel = event.get("user"), event.get("channel")
    if not isinstance(user, str) or not isinstance(channel, str):
        return None
    if event.get("text") is not None and not isinstance(event.get("text"), str):
        return None  # not something Slack sends: ignored rather than read as an empty message
    raw = event.get("text") or ""
    team = _team(body, event)
    chat_kind = _chat_kind(channel, event.get("channel_type"))
    thread = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
    if chat_kind == "group":
        if bot_user_id and f"<@{bot_user_id}" in raw:
            return None  # the app_mention event of the same message answers it
        if not thread:
            return None  # channel chatter: only mentions and the bot's threads are for it
    text = plain_text(raw, bot_user_id)
    turn = Turn(
        key=ConversationKey(platform="slack", chat=chat_id(team, channel), thread=thread or "",
                            user=user),
        chat_kind=chat_kind,  # type: ignore[arg-type]
        kind=_kind_for(text, bool(event.get("files"))),
        text=text or None,
        at=_at(event.get("ts")),
        event_id=body.get("event_id"),
    )
    # A reply under one of the bot's own posts is for it; other thread replies only when the bot
    # already talks in that thread (checked against the store by the app).
    under_bot = bool(bot_user_id) and event.get("parent_user_id") == bot_user_id
    return Inbound(turn, channel, thread, team,
                   needs_active_thread=chat_kind == "group" and not under_bot,
                   app_id=str(body.get("api_app_id") or ""))


def _mention(body: Body, event: Body, bot_user_id: str | None) -> Inbound | None:
    if _is_bot(event, bot_user_id):
        return None
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not isinstance(user, str) or not isinstance(channel, str) or not isinstance(ts, str):
        return None
    team = _team(body, event)
    thread = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else ts
    text = plain_text(event.get("text") if isinstance(event.get("text"), str) else "", bot_user_id)
    turn = Turn(
        key=ConversationKey(platform="slack", chat=chat_id(team, channel), thread=thread,
                            user=user),
        chat_kind=_chat_kind(channel),  # type: ignore[arg-type]
        kind="message" if text else "command",
        text=text or None,
        payload=None if text else "start",
        at=_at(ts),
        event_id=body.get("event_id"),
    )
    return Inbound(turn, channel, thread, team, starts_thread=True,
                   app_id=str(body.get("api_app_id") or ""))


def _joined(body: Body, event: Body, bot_user_id: str | None) -> Inbound | None:
    channel = event.get("channel")
    if not bot_user_id or event.get("user") != bot_user_id or not isinstance(channel, str):
        return None
    team = _team(body, event)
    inviter = event.get("inviter") if isinstance(event.get("inviter"), str) else bot_user_id
    turn = Turn(
        key=ConversationKey(platform="slack", chat=chat_id(team, channel), user=inviter),
        chat_kind="group",
        kind="joined",
        at=_at(event.get("event_ts")),
        event_id=body.get("event_id"),
    )
    return Inbound(turn, channel, None, team)


EVENT_TABLE: dict[str, Callable[[Body, Body, str | None], Inbound | None]] = {
    "message": _message,
    "app_mention": _mention,
    "member_joined_channel": _joined,
}


def event_to_inbound(body: Body, bot_user_id: str | None = None) -> Inbound | None:
    """An Events API callback, or ``None`` when it is not addressed to the bot."""
    event = body.get("event")
    if not isinstance(event, dict):
        return None
    handler = EVENT_TABLE.get(str(event.get("type")))
    return handler(body, event, bot_user_id) if handler else None


def _fits(payload: str) -> bool:
    return len(payload.encode("utf-8")) <= MAX_PAYLOAD_BYTES


def command_payload(command: str, text: str) -> tuple[TurnKind, str | None, str | None]:
    """``(kind, payload, text)`` of a slash command; the words after /coach are a message."""
    words = text.split()
    if command == "checklist":
        slug = "-".join(words).lower()
        if not slug:
            return "command", "checklist", None
        if _SLUG.match(slug) and _fits(f"checklist:{slug}"):
            return "command", f"checklist:{slug}", None
        return "command", "checklist", text
    if not words:
        return "command", "start", None
    return "message", None, text  # command words ("forget", "lang nb") are the engine's


def command_to_inbound(body: Body) -> Inbound | None:
    """A slash command (``/checklist``, ``/coach``); answered ephemerally via ``response_url``."""
    command = str(body.get("command") or "").lstrip("/").lower()
    user, channel = body.get("user_id"), body.get("channel_id")
    if command not in ("checklist", "coach") or not user or not channel:
        return None
    text = plain_text(str(body.get("text") or ""))
    kind, payload, message = command_payload(command, text)
    team = _team(body)
    turn = Turn(
        key=ConversationKey(platform="slack", chat=chat_id(team, channel), user=user),
        chat_kind=_chat_kind(channel),  # type: ignore[arg-type]
        kind=kind,
        payload=payload,
        text=message,
        private=True,
    )
    return Inbound(turn, channel, None, team, response_url=body.get("response_url"),
                   ephemeral=True, app_id=str(body.get("api_app_id") or ""))


def _chosen(action: Body) -> tuple[str | None, str | None]:
    """``(payload, label)`` of a clicked button or a picked select option."""
    option = action.get("selected_option")
    if isinstance(option, dict):
        return option.get("value"), (option.get("text") or {}).get("text")
    return action.get("value"), (action.get("text") or {}).get("text")


def action_to_inbound(body: Body) -> Inbound | None:
    """A ``block_actions`` click on one of the bot's messages."""
    actions = body.get("actions")
    container = body.get("container") or {}
    user = (body.get("user") or {}).get("id")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return None
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if container.get("type") != "message" or not channel or not user:
        return None  # App Home and modals carry no conversation
    action = actions[0]
    payload, label = _chosen(action)
    if not isinstance(payload, str) or not payload or not _fits(payload):
        return None
    message = body.get("message") or {}
    thread = container.get("thread_ts") or message.get("thread_ts")
    block_id = str(action.get("block_id") or "")
    owner = block_id[len(OWNER_PREFIX):] if block_id.startswith(OWNER_PREFIX) else None
    team = _team(body)
    share = action.get("action_id") == SHARE_ACTION
    carry = action.get("action_id") == DM_ACTION
    turn = Turn(
        key=ConversationKey(platform="slack", chat=chat_id(team, channel), thread=thread or "",
                            user=user),
        chat_kind=_chat_kind(channel),  # type: ignore[arg-type]
        kind="command" if share else "button",
        payload=payload,
        at=_at(action.get("action_ts")),
        owner=owner,
        private=bool(container.get("is_ephemeral")),
    )
    return Inbound(
        turn, channel, thread, team,
        response_url=body.get("response_url"),
        ephemeral=bool(container.get("is_ephemeral")),
        message_ts=container.get("message_ts") or message.get("ts"),
        label=label,
        share=share,
        carry=carry,
        app_id=str(body.get("api_app_id") or ""),
    )


def to_turn(body: Body, bot_user_id: str | None = None) -> Turn | None:
    """Any Slack payload → ``Turn`` (or ``None``), whatever its kind."""
    if body.get("type") == "event_callback":
        inbound = event_to_inbound(body, bot_user_id)
    elif body.get("type") == "block_actions":
        inbound = action_to_inbound(body)
    elif body.get("command"):
        inbound = command_to_inbound(body)
    else:
        inbound = None
    return inbound.turn if inbound else None


# Native surfaces: the message shortcut and assistant threads ---------------------------------

SHORTCUT_ID = "ask_clientcoach"  # callback_id of the "Ask clientcoach" message shortcut


@dataclass(frozen=True)
class Quote:
    """A message the person asked about through the shortcut."""

    user: str
    team: str
    text: str
    author: str | None  # the Slack user who wrote it, when it is not the person
    author_name: str | None  # a bot's or integration's display name (no user to look up)
    response_url: str | None
    app_id: str


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def shortcut_to_quote(body: Body) -> Quote | None:
    """A ``message_action`` payload of the shortcut, or ``None``."""
    if body.get("type") != "message_action" or body.get("callback_id") != SHORTCUT_ID:
        return None
    user = (body.get("user") or {}).get("id")
    message = body.get("message")
    if not isinstance(user, str) or not isinstance(message, dict):
        return None
    raw = message.get("text") if isinstance(message.get("text"), str) else ""
    author = message.get("user") if isinstance(message.get("user"), str) else None
    name = None
    if author is None:
        profile = message.get("bot_profile") if isinstance(message.get("bot_profile"), dict) else {}
        name = profile.get("name") or message.get("username")
    return Quote(
        user=user,
        team=_team(body, message),
        text=plain_text(raw),
        author=author if author != user else None,
        author_name=name if isinstance(name, str) and name else None,
        response_url=_string(body.get("response_url")),
        app_id=str(body.get("api_app_id") or ""),
    )


@dataclass(frozen=True)
class AssistantThread:
    user: str
    channel: str
    thread_ts: str
    team: str


def assistant_thread_of(body: Body) -> AssistantThread | None:
    """Who opened which assistant thread (``assistant_thread_started``)."""
    event = body.get("event") or {}
    thread = event.get("assistant_thread")
    if not isinstance(thread, dict):
        return None
    user, channel, ts = thread.get("user_id"), thread.get("channel_id"), thread.get("thread_ts")
    if not all(isinstance(v, str) and v for v in (user, channel, ts)):
        return None
    return AssistantThread(user, channel, ts, _team(body, event))


def direct_key(team: str, channel: str, user: str) -> ConversationKey:
    """The conversation of a person's DM with the app (assistant threads share it)."""
    return ConversationKey(platform="slack", chat=chat_id(team, channel), user=user)


def assistant_to_inbound(body: Body, bot_user_id: str | None = None) -> Inbound | None:
    """A message in an assistant thread: the DM's own conversation, answered in that thread."""
    inbound = event_to_inbound(body, bot_user_id)
    if inbound is None:
        return None
    key = inbound.turn.key.model_copy(update={"thread": ""})
    return replace(inbound, turn=inbound.turn.model_copy(update={"key": key}))


@dataclass(frozen=True)
class HomeClick:
    """A button of the App Home tab: an engine payload, for the person's DM conversation."""

    user: str
    team: str
    payload: str
    app_id: str


def home_click(body: Body) -> HomeClick | None:
    container, view = body.get("container") or {}, body.get("view") or {}
    actions, user = body.get("actions"), (body.get("user") or {}).get("id")
    if container.get("type") != "view" or not isinstance(view, dict) or view.get("type") != "home":
        return None
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return None
    payload, _ = _chosen(actions[0])
    if not isinstance(user, str) or not isinstance(payload, str) or not payload:
        return None
    if not _fits(payload):
        return None
    return HomeClick(user, _team(body), payload, str(body.get("api_app_id") or ""))
