"""Reading what the person types: line editing and history (prompt_toolkit), exit words."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory

from bot.vocab import fold
from knowledge.models import LANGS, KnowledgeBase

PROMPT = "> "


def exit_words(kb: KnowledgeBase) -> frozenset[str]:
    """Every ``term_exit_words`` alternative, all languages, folded."""
    text = kb.interface["term_exit_words"]
    return frozenset(fold(w) for lang in LANGS for w in text.get(lang).split("|") if fold(w))


class LineReader:
    """Lines typed at the terminal, with editing, and history kept in ``history_file`` (in
    memory only when None). Ctrl-D raises ``EOFError``, Ctrl-C ``KeyboardInterrupt``."""

    def __init__(self, kb: KnowledgeBase, history_file: Path | None) -> None:
        self.history_file = history_file
        self.exits = exit_words(kb)
        self.session: PromptSession[str] = PromptSession(history=self._history())

    def _history(self) -> History:
        if self.history_file is None:
            return InMemoryHistory()
        self.history_file.parent.mkdir(parents=True, exist_ok=True)
        self.history_file.touch(mode=0o600, exist_ok=True)
        return FileHistory(str(self.history_file))

    async def read(self) -> str:
        return await self.session.prompt_async(PROMPT)

    def is_exit(self, line: str) -> bool:
        return fold(line.strip().lstrip("/")) in self.exits

    def forget(self) -> None:
        """Empty the history (the person asked to be forgotten)."""
        if self.history_file is not None and self.history_file.exists():
            self.history_file.write_text("")
        self.session = PromptSession(history=self._history())
