"""Reading what the person types: line editing and history (prompt_toolkit), exit words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, DynamicCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory

from bot.vocab import fold
from knowledge.models import LANGS, KnowledgeBase

PROMPT = "> "


def exit_words(kb: KnowledgeBase) -> frozenset[str]:
    """Every ``term_exit_words`` alternative, all languages, folded."""
    text = kb.interface["term_exit_words"]
    return frozenset(fold(w) for lang in LANGS for w in text.get(lang).split("|") if fold(w))


class ChoiceCompleter(Completer):
    """Tab completes the label of a button on offer from what is typed (case and accents
    ignored)."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels

    def get_completions(
        self, document: Document, complete_event: CompleteEvent | None
    ) -> Iterator[Completion]:
        typed = fold(document.text_before_cursor)
        if not typed:
            return
        for label in self.labels:
            if fold(label).startswith(typed):
                yield Completion(label, start_position=-len(document.text_before_cursor))


class LineReader:
    """Lines typed at the terminal, with editing, and history kept in ``history_file`` (in
    memory only when None). Ctrl-D raises ``EOFError``, Ctrl-C ``KeyboardInterrupt``."""

    def __init__(self, kb: KnowledgeBase, history_file: Path | None) -> None:
        self.history_file = history_file
        self.exits = exit_words(kb)
        self.choices = ChoiceCompleter([])
        self.session: PromptSession[str] = self._session()

    def _session(self) -> PromptSession[str]:
        return PromptSession(
            history=self._history(),
            completer=DynamicCompleter(lambda: self.choices),
            complete_while_typing=False,
        )

    def offer(self, labels: list[str]) -> None:
        """The labels Tab completes to from now on."""
        self.choices = ChoiceCompleter(labels)

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
        self.session = self._session()
