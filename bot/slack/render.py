"""Lay a :class:`~bot.models.Reply` out as Slack Block Kit, safely.

Every text that reaches Slack goes through :func:`escape`: ``&``, ``<`` and ``>`` are escaped, so
nothing a person wrote (``<!channel>``, ``<@U123>``, ``<https://…|link>``) can become a mention
or a link when the bot repeats it; control characters are dropped. Slack's limits are respected:
at most 3,000 characters per section, 50 blocks per message, 75 characters per button label.
More buttons than :data:`MAX_BUTTONS` become one select menu. Every label comes from the
knowledge base through ``texts`` (``KnowledgeBase.text``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Protocol

from bot.models import Button, Reply

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
LABEL_LIMIT = 75
OPTION_LIMIT = 100
FALLBACK_LIMIT = 300
MAX_BUTTONS = 5

ACTION_PREFIX = "cc"
SELECT_ACTION = "cc:select"
SHARE_ACTION = "cc-share"
DM_ACTION = "cc-dm"
DM_VALUE = "dm"
OWNER_PREFIX = "cc-owner:"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


class Texts(Protocol):
    """Where interface labels come from (``knowledge.KnowledgeBase`` fits)."""

    def text(self, key: str, lang: str, **values: Any) -> str: ...


def clean(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and lone surrogates."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)) if text else ""


def escape(text: str) -> str:
    """Text safe for Slack ``mrkdwn``: control characters dropped, ``& < >`` escaped."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = LABEL_LIMIT) -> dict[str, Any]:
    """A ``plain_text`` object (Slack shows it literally), cut to ``limit`` characters."""
    value = clean(text) or "…"
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return {"type": "plain_text", "text": value, "emoji": True}


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split escaped text into pieces of at most ``limit`` characters.

    Cuts at a line break, else at a space, and never inside an entity such as ``&amp;``.
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", limit // 2, limit)
        if cut <= 0:
            cut = rest.rfind(" ", limit // 2, limit)
        if cut <= 0:
            cut = limit
            amp = rest.rfind("&", cut - 5, cut)
            if amp != -1 and ";" not in rest[amp:cut]:
                cut = amp
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}


def _code(text: str) -> str:
    # A run of three backticks would close the code block early.
    return text.replace("```", "`\u200b``")


def _buttons(buttons: list[Button], lang: str, texts: Texts, owner: str) -> dict[str, Any]:
    block_id = f"{OWNER_PREFIX}{owner}"
    if len(buttons) <= MAX_BUTTONS:
        elements = [
            {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}:{index}",
                "text": plain(button.label),
                "value": button.payload,
            }
            for index, button in enumerate(buttons)
        ]
        return {"type": "actions", "block_id": block_id, "elements": elements}
    options = [
        {"text": plain(button.label), "value": button.payload}
        for button in buttons[:OPTION_LIMIT]
    ]
    select = {
        "type": "static_select",
        "action_id": SELECT_ACTION,
        "placeholder": plain(texts.text("slack_choose", lang)),
        "options": options,
    }
    return {"type": "actions", "block_id": block_id, "elements": [select]}


def _lone_button(block_id: str, action_id: str, label: str, **target: str) -> dict[str, Any]:
    """An actions block holding one button; ``target`` is its ``value`` or its ``url``."""
    button = {"type": "button", "action_id": action_id, "text": plain(label), **target}
    return {"type": "actions", "block_id": block_id, "elements": [button]}


def _share(payload: str, lang: str, texts: Texts) -> dict[str, Any]:
    return _lone_button("cc-share", SHARE_ACTION, texts.text("slack_share", lang), value=payload)


def _dm_link(url: str, lang: str, texts: Texts) -> dict[str, Any]:
    """Opens the DM (``url``); the click also reaches the app, which carries the conversation."""
    label = texts.text("slack_continue_in_dm", lang)
    return _lone_button("cc-dm", DM_ACTION, label, url=url, value=DM_VALUE)


def render(
    reply: Reply,
    texts: Texts,
    *,
    owner: str = "",
    share_payload: str | None = None,
    buttons: bool = True,
    dm_url: str | None = None,
) -> dict[str, Any]:
    """``{"text": fallback, "blocks": [...]}`` for ``chat.postMessage`` and friends.

    ``owner`` (a Slack user id) is written into the buttons' ``block_id`` so a click by someone
    else never replaces that person's buttons. ``share_payload`` adds a "Share in channel" button
    (ephemeral checklists). ``buttons=False`` leaves the buttons out (a shared copy).
    ``dm_url`` links to the bot's DM when the engine suggests continuing in private.
    """
    lang = reply.lang
    blocks: list[dict[str, Any]] = [section(piece) for piece in chunks(escape(reply.text))]
    if reply.checklist:
        lines = "\n".join(f"✅ {escape(item)}" for item in reply.checklist)
        blocks += [section(piece) for piece in chunks(lines)]
    if reply.draft is not None:
        title = chunks(escape(reply.draft.title), SECTION_LIMIT - 2)[0]
        blocks.append(section(f"*{title}*"))
        body = _code(escape(reply.draft.text))
        blocks += [section(f"```{piece}```") for piece in chunks(body, SECTION_LIMIT - 6)]
    tail: list[dict[str, Any]] = []
    if buttons and reply.buttons:
        tail.append(_buttons(reply.buttons, lang, texts, owner))
    if share_payload:
        tail.append(_share(share_payload, lang, texts))
    if buttons and reply.continue_in_dm and dm_url:
        tail.append(_dm_link(dm_url, lang, texts))
    room = BLOCK_LIMIT - len(tail)
    if len(blocks) > room:
        blocks = blocks[: room - 1] + [section(escape(texts.text("slack_shortened", lang)))]
    return {"text": fallback(reply.text), "blocks": blocks + tail}


def fallback(text: str) -> str:
    """The notification text: short, escaped, never cut inside an entity."""
    return chunks(escape(text), FALLBACK_LIMIT)[0] or " "


def answered(blocks: list[dict[str, Any]], label: str, lang: str, texts: Texts) -> list[dict]:
    """The blocks of a message after a click: its actions replaced by the chosen answer."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    note = escape(texts.text("slack_answered", lang, answer=label))
    return kept + [{"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}]
