"""One person's conversation with the engine from a terminal: who they are, and sending turns."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import Any

from bot.engine import Engine
from bot.models import Button, ConversationKey, Reply, Turn, normalize_lang
from bot.turn_state import TurnState
from bot.vocab import fold


def terminal_user() -> str:
    """``CLIENTCOACH_CHAT_USER``, else the login name (one conversation per person)."""
    configured = os.environ.get("CLIENTCOACH_CHAT_USER")
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


def terminal_locale(lang: str | None) -> str | None:
    """``--lang``, else the language of ``$LANG`` (``nb_NO.UTF-8`` → ``nb``)."""
    return normalize_lang(lang) or normalize_lang(os.environ.get("LANG", "").split(".")[0])


def numbers_press(buttons: list[Button], numbers_answer: bool) -> bool:
    """Whether a typed number presses one of ``buttons``: not at a question that reads a number
    as its answer whose only button is "skip" (there the buttons are shown without numbers)."""
    return any(b.payload != "skip" for b in buttons) or not numbers_answer


def pick_button(line: str, buttons: list[Button], numbers_answer: bool = True) -> str | None:
    """The payload a typed line presses: its number, or its label (case and accents ignored).

    A number presses the button shown with it, except at a question that reads a number as its
    answer (``numbers_answer``: days late, an amount) whose only button is "skip": there "45"
    is the answer. At the invoice-number question, "1" is the "1) Skip" on the screen.
    """
    if not buttons:
        return None
    stripped = line.strip()
    in_range = stripped.isdigit() and 1 <= int(stripped) <= len(buttons)
    if in_range and numbers_press(buttons, numbers_answer):
        return buttons[int(stripped) - 1].payload
    folded = fold(stripped)
    return next((b.payload for b in buttons if fold(b.label) == folded), None) if folded else None


@dataclass
class Conversation:
    """The engine and the key of the person at this terminal."""

    engine: Engine
    key: ConversationKey
    locale: str | None
    state: TurnState | None = None  # the conversation's state after the last turn

    @classmethod
    def of(cls, engine: Engine, lang: str | None) -> Conversation:
        key = ConversationKey(platform="cli", chat="terminal", user=terminal_user())
        return cls(engine, key, terminal_locale(lang))

    async def send(self, **fields: Any) -> list[Reply]:
        """One turn. The terminal cannot deliver reminders, so the engine does not offer them."""
        turn = Turn(key=self.key, locale=self.locale, reminders=False, **fields)
        replies, self.state = await self.engine.handle_turn(turn)
        return replies

    async def current_state(self) -> TurnState | None:
        """The conversation's state now (for a resumed conversation, before any turn)."""
        self.state = await self.engine.state_of(self.key.as_str())
        return self.state

    def shows_numbers(self, buttons: list[Button]) -> bool:
        """Whether ``buttons``, shown after the last turn, are numbered (see numbers_press)."""
        state = self.state
        answer = bool(state and state["flow"] and state["question"]) and self.engine.takes_number(
            state["flow"], state["question"]  # type: ignore[index]
        )
        return numbers_press(buttons, answer)

    async def numbers_answer(self) -> bool:
        """Whether the question now asked reads a number as its answer (see pick_button)."""
        state = self.state if self.state is not None else await self.current_state()
        if state is None or not state["flow"] or not state["question"]:
            return True
        return self.engine.takes_number(state["flow"], state["question"])

    async def say(self, line: str, buttons: list[Button]) -> tuple[str | None, list[Reply]]:
        """A typed line: a button press when it names one of ``buttons``, else a message.
        Returns the payload pressed (or None) and the replies."""
        payload = pick_button(line, buttons, await self.numbers_answer())
        if payload is not None:
            return payload, await self.send(kind="button", payload=payload)
        return None, await self.send(kind="message", text=line)
