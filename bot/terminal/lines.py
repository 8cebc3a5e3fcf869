"""Piped input or ``--json``: read lines to EOF, write the replies and nothing else.

Scripts rely on this output: plain text (buttons numbered, no colours, no prompt decoration
beyond ``> ``) or, with ``--json``, one JSON object per reply. :func:`write_json_turn` writes
one turn; anything a turn adds for machines goes there, after the reply lines.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.models import Button, Reply
from bot.terminal.conversation import Conversation
from bot.terminal.opening import Opening
from bot.turn_state import TurnState
from knowledge.models import KnowledgeBase


def reply_json(reply: Reply) -> dict[str, Any]:
    """One reply as the JSON object ``--json`` prints."""
    draft = reply.draft
    return {
        "text": reply.text,
        "lang": reply.lang,
        "buttons": [{"payload": b.payload, "label": b.label} for b in reply.buttons],
        "checklist": reply.checklist,
        "draft": None
        if draft is None
        else {"title": draft.title, "text": draft.text, "lang": draft.lang},
        "continue_in_dm": reply.continue_in_dm,
    }


def write_json_turn(out: TextIO, replies: list[Reply], state: TurnState | None = None) -> None:
    """The lines ``--json`` prints for one turn (and for the opening): one object per reply,
    then ``{"state": {...}}`` (see :mod:`bot.turn_state`)."""
    for reply in replies:
        out.write(json.dumps(reply_json(reply), ensure_ascii=False) + "\n")
    if state is not None:
        out.write(json.dumps({"state": state}, ensure_ascii=False) + "\n")


def render_text(reply: Reply, kb: KnowledgeBase, first: int = 1, numbered: bool = True) -> str:
    """One reply as plain text: text, checklist, draft, buttons numbered from ``first`` (the
    replies of one turn share one numbering), or marked with a dot where a typed number is the
    answer, not a button."""
    lines = [reply.text]
    if reply.checklist:
        lines += ["", kb.text("checklist_heading", reply.lang)]
        lines += [f"  [ ] {item}" for item in reply.checklist]
    if reply.draft is not None:
        lines += ["", f"--- {reply.draft.title} ---", reply.draft.text, "---"]
    if reply.buttons:
        lines.append("")
        if numbered:
            lines += [f"  {n}) {b.label}" for n, b in enumerate(reply.buttons, first)]
        else:
            lines += [f"  · {b.label}" for b in reply.buttons]
    return "\n".join(lines)


def write_text_turn(
    out: TextIO, replies: list[Reply], kb: KnowledgeBase, numbered: bool = True
) -> None:
    first = 1
    for reply in replies:
        out.write(render_text(reply, kb, first, numbered) + "\n\n")
        first += len(reply.buttons)


async def run_lines(
    conversation: Conversation, opening: Opening, as_json: bool, source: TextIO, out: TextIO
) -> None:
    """Answer every line of ``source`` until EOF."""
    kb = conversation.engine.kb
    buttons: list[Button] = []

    async def show(replies: list[Reply], state: TurnState | None) -> None:
        """One turn's output, then (with ``--json``) the state line of the turn."""
        nonlocal buttons
        buttons = [b for reply in replies for b in reply.buttons]  # only what this turn shows
        if as_json:
            write_json_turn(out, replies, state)
        else:
            write_text_turn(out, replies, kb, conversation.shows_numbers(buttons))
        out.flush()

    await show(opening.replies, await conversation.current_state())
    while True:
        if not as_json:
            out.write("> ")
            out.flush()
        line = source.readline()
        if not line:
            break
        _, replies = await conversation.say(line.rstrip("\n"), buttons)
        await show(replies, conversation.state)
