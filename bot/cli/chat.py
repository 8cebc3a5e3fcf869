"""``clientcoach chat``: talk to the bot in the terminal, no token needed.

Buttons are shown as numbered options; typing the number or the label presses it. With
``--json`` every reply is one JSON object per line and input is read line by line until EOF, so
a conversation can be scripted: ``printf 'hello\\n1\\n' | clientcoach chat --json``.
Only the engine, the knowledge base and the store are imported: never platform code.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from typing import Any, TextIO

import click

LANG_CHOICES = ["fr", "nb", "en", "no"]


def default_store() -> str:
    """``CLIENTCOACH_STORE``, else SQLite in the user's data folder."""
    url = os.environ.get("CLIENTCOACH_STORE")
    if url:
        return url
    from bot.config import default_store_url

    return default_store_url()


def reply_json(reply: Any) -> dict[str, Any]:
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


def render_text(reply: Any, kb: Any, first: int = 1) -> str:
    """One reply for a person at a terminal: text, checklist, draft, buttons numbered from
    ``first`` (the replies of one turn share one numbering)."""
    lines = [reply.text]
    if reply.checklist:
        lines += ["", kb.text("checklist_heading", reply.lang)]
        lines += [f"  [ ] {item}" for item in reply.checklist]
    if reply.draft is not None:
        lines += ["", f"--- {reply.draft.title} ---", reply.draft.text, "---"]
    if reply.buttons:
        lines.append("")
        lines += [f"  {n}) {b.label}" for n, b in enumerate(reply.buttons, first)]
    return "\n".join(lines)


def pick_button(line: str, buttons: list[Any]) -> str | None:
    """The payload a typed line presses: its number, or its label (case and accents ignored).

    Numbers count only when the buttons are real choices: at a free-text question whose only
    button is "skip", "45" is an answer, not a button.
    """
    from bot.vocab import fold

    if not buttons:
        return None
    choices = [b for b in buttons if b.payload != "skip"]
    stripped = line.strip()
    if choices and stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return buttons[int(stripped) - 1].payload
    folded = fold(stripped)
    return next((b.payload for b in buttons if fold(b.label) == folded), None) if folded else None


async def converse(
    lang: str | None, as_json: bool, store_url: str, source: TextIO, out: TextIO
) -> None:
    from bot.engine import Engine
    from bot.models import ConversationKey, Turn, normalize_lang
    from bot.store import open_store

    store = open_store(store_url)
    engine = Engine(store)
    user = os.environ.get("CLIENTCOACH_CHAT_USER") or _user()
    key = ConversationKey(platform="cli", chat="terminal", user=user)
    locale = normalize_lang(lang) or normalize_lang(os.environ.get("LANG", "").split(".")[0])
    buttons: list[Any] = []

    def show(replies: list[Any]) -> None:
        nonlocal buttons
        buttons = [b for reply in replies for b in reply.buttons]  # only what this turn shows
        first = 1
        for reply in replies:
            if as_json:
                out.write(json.dumps(reply_json(reply), ensure_ascii=False) + "\n")
            else:
                out.write(render_text(reply, engine.kb, first) + "\n\n")
            first += len(reply.buttons)
        out.flush()

    async def send(**fields: Any) -> list[Any]:
        return await engine.handle(Turn(key=key, locale=locale, **fields))

    try:
        await store.ping()
        if lang:
            await send(kind="command", payload=f"lang:{normalize_lang(lang)}")
        pending = await engine.pending_question(key.as_str())
        show([pending] if pending else await send(kind="command", payload="start"))
        while True:
            if not as_json:
                out.write("> ")
                out.flush()
            line = source.readline()
            if not line:
                break
            line = line.rstrip("\n")
            payload = pick_button(line, buttons)
            if payload is not None:
                show(await send(kind="button", payload=payload))
            else:
                show(await send(kind="message", text=line))
    finally:
        await store.close()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


@click.command()
@click.option(
    "--lang", type=click.Choice(LANG_CHOICES), default=None, help="Answer in this language."
)
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per reply; read stdin to EOF."
)
@click.option(
    "--store",
    "store_url",
    default=None,
    help="sqlite:///path, memory:// or redis://… (default: CLIENTCOACH_STORE or SQLite in "
    "the user data folder).",
)
def chat(lang: str | None, as_json: bool, store_url: str | None) -> None:
    """Talk to the coach in the terminal (no token needed)."""
    from bot.store.base import StoreUnavailable

    try:
        asyncio.run(converse(lang, as_json, store_url or default_store(), sys.stdin, sys.stdout))
    except KeyboardInterrupt:
        pass
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
