"""Driving the engine in tests: a conversation object that sends turns and keeps the replies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

import bot.engine as engine_module
import knowledge
from bot.engine import Engine
from bot.models import ConversationKey, Reply, Turn
from bot.store.memory import MemoryStore
from bot.understanding import Routing
from knowledge.models import KnowledgeBase

LANGS = ("fr", "nb", "en")
BRACES = re.compile(r"[{}]")


def real_kb() -> KnowledgeBase:
    """The real knowledge base (every topic file must exist: nothing is skipped)."""
    return knowledge.load()


_ENGINES: dict[str, Engine] = {}


def memory_engine(**kwargs: Any) -> Engine:
    """A fresh engine over a fresh memory store (the knowledge base is loaded once)."""
    return Engine(MemoryStore(), real_kb(), **kwargs)


@dataclass
class Chat:
    """One person talking to an engine; ``last`` is the last list of replies."""

    engine: Engine
    user: str = "u1"
    chat: str = "c1"
    platform: str = "test"
    locale: str | None = None
    chat_kind: str = "direct"
    last: list[Reply] = field(default_factory=list)

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(platform=self.platform, chat=self.chat, user=self.user)  # type: ignore[arg-type]

    async def send(self, kind: str, **fields: Any) -> list[Reply]:
        turn = Turn(key=self.key, kind=kind, locale=self.locale, chat_kind=self.chat_kind, **fields)  # type: ignore[arg-type]
        self.last = await self.engine.handle(turn)
        assert self.last, "every turn gets at least one reply"
        for reply in self.last:
            check_reply(reply)
        return self.last

    async def say(self, text: str) -> list[Reply]:
        return await self.send("message", text=text)

    async def press(self, payload: str) -> list[Reply]:
        return await self.send("button", payload=payload)

    async def command(self, payload: str) -> list[Reply]:
        return await self.send("command", payload=payload)

    @property
    def payloads(self) -> list[str]:
        return [b.payload for r in self.last for b in r.buttons]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    async def session(self) -> Any:
        return await self.engine.store.load(self.key.as_str())


def check_reply(reply: Reply) -> None:
    """Invariants of every reply: text present, no unfilled placeholder, short payloads."""
    assert reply.text.strip()
    assert reply.lang in LANGS
    assert not BRACES.search(reply.text), reply.text
    if reply.draft is not None:
        assert not BRACES.search(reply.draft.text), reply.draft.text
    for button in reply.buttons:
        assert 0 < len(button.payload.encode()) <= 64 and button.label.strip()


def routed_to(monkeypatch: pytest.MonkeyPatch, *topics: str) -> None:
    """The engine's router answers ``topics`` (ambiguous when several) for any message, as
    for a message that names its problem (a topic phrase found: evidence)."""
    routing = Routing(
        ranked=[(x, 0.9) for x in topics],
        candidates=list(topics),
        ambiguous=len(topics) > 1,
        offtopic=False,
        evidence=1,
    )
    monkeypatch.setattr(engine_module, "route", lambda text, lang=None: routing)
