"""Lay a neutral :class:`~bot.models.Reply` out as Telegram messages (HTML parse mode).

Every piece of text is escaped, so nothing a person wrote can inject markup. Long replies are
split at paragraph boundaries (then lines, then words) so that each message stays within
Telegram's 4096 characters; the keyboard goes on the last message. Drafts are sent in ``<pre>``
so they can be copied with one tap.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.models import Reply

MAX_CHARS = 4096
ROW_CHARS = 30
LONG_LABEL = 20
CHECK_MARK = "\u2610"  # ballot box, before each checklist item
DEEP_LINK = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

Style = Literal["text", "bold", "italic", "pre"]
TextLookup = Callable[[str, str], str]


@dataclass(frozen=True)
class Block:
    """One paragraph of a message with a single style."""

    style: Style
    text: str


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message ready for ``sendMessage``."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Escape ``<``, ``>`` and ``&`` for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def to_deep_link(payload: str) -> str | None:
    """``flow:unpaid-invoice`` → ``flow-unpaid-invoice``; None when it cannot be a deep link."""
    link = payload.replace(":", "-", 1)
    return link if DEEP_LINK.match(link) else None


def blocks_of(reply: Reply) -> list[Block]:
    """The paragraphs of a reply: its text, its checklist, then its draft."""
    blocks = [Block("text", p.strip("\n")) for p in re.split(r"\n\s*\n", reply.text) if p.strip()]
    if reply.checklist:
        items = "\n".join(f"{CHECK_MARK} {item}" for item in reply.checklist if item.strip())
        if items:
            blocks.append(Block("text", items))
    if reply.draft is not None:
        if reply.draft.title.strip():
            blocks.append(Block("bold", reply.draft.title.strip()))
        if reply.draft.text.strip():
            blocks.append(Block("pre", reply.draft.text.strip("\n")))
    return blocks


def _cut(text: str, budget: int) -> tuple[str, str]:
    """Split ``text`` so the head fits ``budget``, preferring a line break, then a space."""
    end = min(len(text), budget)
    over = utf16_len(text[:end]) - budget
    if over > 0:  # astral characters count twice; dropping ``over`` of them is always enough
        end -= over
    end = max(end, 1)
    head = text[:end]
    for sep in ("\n", " "):
        at = head.rfind(sep)
        if at > end // 2:
            return text[:at], text[at + 1 :]
    return head, text[end:]


def pack(blocks: list[Block], limit: int = MAX_CHARS) -> list[list[Block]]:
    """Group blocks into messages of at most ``limit`` characters, joined by blank lines.

    A block that fits in a message of its own never straddles two; a longer one first fills
    what is left of the current message, then continues in the next ones.
    """
    messages: list[list[Block]] = []
    current: list[Block] = []
    size = 0
    for block in blocks:
        rest = block.text
        while rest.strip():
            room = limit - size - (2 if current else 0)
            length = utf16_len(rest)
            if length <= room:
                current.append(Block(block.style, rest))
                size += length + (2 if len(current) > 1 else 0)
                break
            if length > limit and room > limit // 8:
                head, rest = _cut(rest, room)
                if head.strip():
                    current.append(Block(block.style, head))
            messages.append(current)
            current, size = [], 0
    if current:
        messages.append(current)
    return [m for m in messages if m]


def to_html(blocks: list[Block]) -> str:
    """HTML for one message; every block is escaped, tags never cross blocks."""
    parts = []
    for block in blocks:
        body = escape(block.text)
        if block.style == "bold":
            body = f"<b>{body}</b>"
        elif block.style == "italic":
            body = f"<i>{body}</i>"
        elif block.style == "pre":
            body = f"<pre>{body}</pre>"
        parts.append(body)
    return "\n\n".join(parts)


def rows_of(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Short labels share a row (up to three, about 30 characters); long ones get their own."""
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    width = 0
    for button in buttons:
        size = len(button.text)
        if row and (len(row) == 3 or width + size > ROW_CHARS or size > LONG_LABEL):
            rows.append(row)
            row, width = [], 0
        row.append(button)
        width += size
        if size > LONG_LABEL:
            rows.append(row)
            row, width = [], 0
    if row:
        rows.append(row)
    return rows


def keyboard(
    reply: Reply, text: TextLookup, bot_username: str | None, deep_link: str | None
) -> InlineKeyboardMarkup | None:
    """Inline keyboard: the reply's buttons, plus a link to continue in private when offered."""
    rows = rows_of(
        [InlineKeyboardButton(b.label, callback_data=b.payload) for b in reply.buttons]
    )
    if reply.continue_in_dm and bot_username:
        url = f"https://t.me/{bot_username}"
        if deep_link:
            url += f"?start={deep_link}"
        rows.append([InlineKeyboardButton(text("tg_continue_in_private", reply.lang), url=url)])
    return InlineKeyboardMarkup(rows) if rows else None


def deep_link_for(reply: Reply) -> str | None:
    """Where "continue in private" leads: what the engine says reopens the reply, else the
    topic, flow or checklist one of its buttons offers."""
    candidates = [reply.resume] if reply.resume else []
    candidates += [b.payload for b in reply.buttons]
    for payload in candidates:
        if payload.partition(":")[0] in ("flow", "topic", "checklist"):
            link = to_deep_link(payload)
            if link:
                return link
    return None


def render(
    reply: Reply,
    text: TextLookup,
    *,
    bot_username: str | None = None,
    deep_link: str | None = None,
    limit: int = MAX_CHARS,
) -> list[Outgoing]:
    """One reply as one or more messages; the keyboard rides on the last one.

    A reply that offers to continue in private gets the knowledge's note about it and a
    ``t.me`` button (only when the bot's username is known).
    """
    blocks = blocks_of(reply)
    offer = reply.continue_in_dm and bool(bot_username)
    if offer:
        note = text("continue_in_dm", reply.lang)
        if note not in reply.text:
            blocks.append(Block("italic", note))
    chunks = pack(blocks, limit) or [[Block("text", "\u2026")]]
    link = deep_link or deep_link_for(reply)
    markup = keyboard(reply, text, bot_username if offer else None, link)
    out = [Outgoing(to_html(chunk)) for chunk in chunks[:-1]]
    out.append(Outgoing(to_html(chunks[-1]), markup))
    return out
