"""``clientcoach chat``: talk to the bot in the terminal, no token needed.

At a terminal: line editing and history, replies wrapped to the terminal, long answers in
parts; leave with an exit word ("exit", "quitter", "avslutt"…), Ctrl-D or Ctrl-C. Piped input
or ``--json``: every line of stdin is one message and the replies are written as plain text or
one JSON object per reply, until EOF, so a conversation can be scripted:
``printf 'hello\\n1\\n' | clientcoach chat --json --store memory://``.
Only the engine, the knowledge base and the store are imported: never platform code.
"""

from __future__ import annotations

import asyncio
import os
import select
import sys
from pathlib import Path

import click

LANG_CHOICES = ["fr", "nb", "en", "no"]


def default_store() -> str:
    """``CLIENTCOACH_STORE``, else SQLite in the user's data folder."""
    url = os.environ.get("CLIENTCOACH_STORE")
    if url:
        return url
    from bot.config import default_store_url

    return default_store_url()


def interactive() -> bool:
    """A person at a terminal (both ends are terminals), rather than a script."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def input_waiting() -> bool:
    """True when a line can be read from stdin at once (typed ahead, or a script's input)."""
    try:
        return bool(select.select([sys.stdin], [], [], 0)[0])
    except (OSError, ValueError):  # not a file descriptor select can watch
        return False


def history_file(store: object) -> Path | None:
    """Typed lines are kept beside a SQLite store (``chat.sqlite3`` → ``chat.history``)."""
    path = getattr(store, "path", None)
    if path is None or str(path) == ":memory:":
        return None
    return Path(path).with_suffix(".history")


async def converse(lang: str | None, as_json: bool, store_url: str, new: bool) -> None:
    from bot.engine import Engine
    from bot.store import open_store
    from bot.terminal.conversation import Conversation
    from bot.terminal.opening import open_conversation

    store = open_store(store_url)
    try:
        await store.ping()
        conversation = Conversation.of(Engine(store), lang)
        opening = await open_conversation(conversation, lang, new)
        from bot.understanding.embedding import load_in_background

        # while the person reads the greeting; after the first answer when it is already typed
        load_in_background(after_s=1.0 if input_waiting() else 0.0)
        if as_json or not interactive():
            from bot.terminal.lines import run_lines

            await run_lines(conversation, opening, as_json, sys.stdin, sys.stdout)
            return
        from bot.terminal.interactive import Chat, store_place
        from bot.terminal.reader import LineReader
        from bot.terminal.screen import Screen

        kb = conversation.engine.kb
        chat = Chat(
            conversation,
            LineReader(kb, history_file(store)),
            Screen(kb),
            store_place(store, store_url),
        )
        await chat.run(opening)
    finally:
        await store.close()


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
    help="sqlite:///path, memory:// (nothing kept) or redis://… (default: CLIENTCOACH_STORE or "
    "SQLite in the user data folder).",
)
@click.option("--new", is_flag=True, help="Start a new conversation instead of resuming.")
def chat(lang: str | None, as_json: bool, store_url: str | None, new: bool) -> None:
    """Talk to the coach in the terminal (no token needed)."""
    from bot.store.base import StoreUnavailable

    try:
        asyncio.run(converse(lang, as_json, store_url or default_store(), new))
    except KeyboardInterrupt:
        pass
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
