"""A person at a terminal: the opening, then one line in and the laid-out replies out, until
an exit word, Ctrl-D or Ctrl-C."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from bot.models import Reply
from bot.store.base import SessionStore
from bot.terminal.conversation import Conversation, pick_button
from bot.terminal.opening import Opening
from bot.terminal.parts import Offer, offer_of
from bot.terminal.reader import LineReader
from bot.terminal.screen import Screen
from knowledge.models import KnowledgeBase

FORGET = "forget:yes"


def store_place(store: SessionStore, url: str) -> str | None:
    """Where the conversation is kept, for people: a file, a URL without its password, or
    None when it is kept nowhere (``memory://``)."""
    path = getattr(store, "path", None)
    if path is not None:
        return None if str(path) == ":memory:" else str(path.resolve())
    if url.startswith("memory:"):
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _first(kb: KnowledgeBase, key: str, lang: str) -> str:
    """The first alternative of a word list (``exit|quit`` → ``exit``)."""
    return kb.text(key, lang).split("|")[0]


class Chat:
    """The interactive loop; ``place`` is where the conversation is kept (None: nowhere)."""

    def __init__(
        self, conversation: Conversation, reader: LineReader, screen: Screen, place: str | None
    ) -> None:
        self.conversation = conversation
        self.kb = conversation.engine.kb
        self.reader = reader
        self.screen = screen
        self.place = place
        self.lang = "en"
        self.offer = Offer()
        self.seen: set[str] = set()  # held parts of the current offer already shown

    def show(self, replies: list[Reply]) -> None:
        if replies:
            self.lang = replies[-1].lang
        shown, offer = offer_of(replies, self.kb)
        self.screen.replies(shown, self.conversation.shows_numbers(offer.buttons))
        self.offer, self.seen = offer, set()  # numbers press only what this turn shows
        self.reader.offer([b.label for b in offer.buttons])

    def start(self, opening: Opening) -> None:
        kb = self.kb
        self.lang = opening.replies[-1].lang if opening.replies else self.lang
        leave = _first(kb, "term_exit_words", self.lang)
        if self.place is None:
            self.screen.note(kb.text("term_kept_nowhere", self.lang, exit=leave))
        else:
            self.screen.note(kb.text("term_kept_in", self.lang, place=self.place, exit=leave))
        if opening.resumed_flow is not None:
            flow = self.conversation.engine.flows[opening.resumed_flow]
            label = kb.text(flow.spec.label, self.lang)
            restart = _first(kb, "cmd_restart", self.lang)
            self.screen.note(kb.text("term_resumed", self.lang, flow=label, restart=restart))
        self.screen.console.print()
        self.show(opening.replies)

    async def turn(self, line: str) -> None:
        payload = pick_button(line, self.offer.buttons, await self.conversation.numbers_answer())
        part = self.offer.held.get(payload or "")
        if part is not None and payload is not None:
            self.seen.add(payload)
            self.screen.replies([part])
            self.screen.buttons(self.offer.buttons, frozenset(self.seen))
            return
        pressed, replies = await self.conversation.say(line, self.offer.buttons)
        if pressed == FORGET:
            self.reader.forget()
        self.show(replies)

    async def run(self, opening: Opening) -> None:
        self.start(opening)
        while True:
            try:
                line = await self.reader.read()
            except (EOFError, KeyboardInterrupt):
                break
            if self.reader.is_exit(line):
                break
            await self.turn(line)
        key = "term_bye" if self.place is None else "term_bye_kept"
        self.screen.note(self.kb.text(key, self.lang))
