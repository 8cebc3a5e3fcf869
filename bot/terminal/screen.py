"""Replies laid out for a person at a terminal (rich): wrapped to the terminal's width,
headings in bold, bullets and checklist boxes with hanging indents, the message draft between
two rules (no side borders, so it copies cleanly), buttons as a numbered list."""

from __future__ import annotations

from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.models import Button, Draft, Reply
from bot.replies import BULLET
from knowledge.models import KnowledgeBase

BOX = "☐"
MANY_BUTTONS = 8  # more than this, on a wide enough terminal, go in columns
COLUMNS_FROM = 72  # terminal width from which a long list of buttons goes in columns
NUMBER_STYLE = "bold cyan"


def _hanging(mark: str, items: list[str], style: str = "") -> Table:
    """``mark item`` rows whose wrapped lines stay indented under the item."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style=style)
    grid.add_column()
    for item in items:
        grid.add_row(mark, item)
    return grid


class Screen:
    """Writes replies and notes to a rich console."""

    def __init__(self, kb: KnowledgeBase, console: Console | None = None) -> None:
        self.kb = kb
        self.console = console or Console(highlight=False, emoji=False)
        self._bold: dict[str, frozenset[str]] = {}

    def _emphasised(self, lang: str) -> frozenset[str]:
        """Lines shown in bold: the advice heading, topic titles and the flows' questions."""
        lines = self._bold.get(lang)
        if lines is None:
            topics = self.kb.topics.values()
            lines = frozenset(
                [self.kb.text("advice_heading", lang)]
                + [t.title.get(lang) for t in topics]
                + [q.text.get(lang) for t in topics for q in t.questions]
            )
            self._bold[lang] = lines
        return lines

    # Pieces ---------------------------------------------------------------------------------
    def _text(self, text: str, lang: str) -> list[RenderableType]:
        headings = self._emphasised(lang)
        out: list[RenderableType] = []
        for n, paragraph in enumerate(text.split("\n\n")):
            if n:
                out.append(Text())
            bullets: list[str] = []
            for line in paragraph.split("\n"):
                if line.startswith(BULLET):
                    bullets.append(line[len(BULLET) :])
                    continue
                if bullets:
                    out.append(_hanging(BULLET.strip(), bullets))
                    bullets = []
                out.append(Text(line, style="bold" if line in headings else ""))
            if bullets:
                out.append(_hanging(BULLET.strip(), bullets))
        return out

    def _checklist(self, items: list[str], lang: str) -> list[RenderableType]:
        return [Text(self.kb.text("checklist_heading", lang), style="bold"), _hanging(BOX, items)]

    def _draft(self, draft: Draft) -> list[RenderableType]:
        parts: list[RenderableType] = [
            Rule(Text(draft.title, style="bold"), align="left"),
            Text(draft.text),
            Rule(),
        ]
        if "[" in draft.text:
            parts.append(Text(self.kb.text("draft_fill_hint", draft.lang), style="dim"))
        return parts

    def _buttons(self, numbered: list[tuple[int | str, str]]) -> RenderableType:
        """``(number, label)`` rows (a mark instead of a number is shown as it is); a long list
        goes in columns on a wide terminal."""
        marks = [f"{n}." if isinstance(n, int) else n for n, _ in numbered]
        if len(numbered) > MANY_BUTTONS and self.console.width >= COLUMNS_FROM:
            width = len(marks[-1]) + 1
            cells = [
                Text.assemble((mark.rjust(width), NUMBER_STYLE), " ", label)
                for mark, (_, label) in zip(marks, numbered, strict=True)
            ]
            return Columns(cells, padding=(0, 3))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True, style=NUMBER_STYLE)
        grid.add_column()
        for mark, (_, label) in zip(marks, numbered, strict=True):
            grid.add_row(mark, label)
        return grid

    def renderable(self, reply: Reply, first: int = 1, numbered: bool = True) -> RenderableType:
        """One reply; its buttons numbered from ``first`` (or marked with a dot: ``numbered``
        False, where a typed number is the answer)."""
        parts: list[RenderableType] = []
        if reply.text:
            parts += self._text(reply.text, reply.lang)
        if reply.checklist:
            parts += [Text()] * bool(parts) + self._checklist(reply.checklist, reply.lang)
        if reply.draft is not None:
            parts += [Text()] * bool(parts) + self._draft(reply.draft)
        if reply.buttons:
            rows = [(n if numbered else "·", b.label) for n, b in enumerate(reply.buttons, first)]
            parts += [Text()] * bool(parts) + [self._buttons(rows)]
        return Group(*parts)

    # Output ---------------------------------------------------------------------------------
    def replies(self, replies: list[Reply], numbered: bool = True) -> None:
        """The replies of one turn, their buttons in one numbering."""
        first = 1
        for reply in replies:
            self.console.print(self.renderable(reply, first, numbered))
            self.console.print()
            first += len(reply.buttons)

    def buttons(self, buttons: list[Button], hide: frozenset[str] = frozenset()) -> None:
        """The choices still open, with the numbers they had, leaving out the payloads in
        ``hide``."""
        numbered = [(n, b.label) for n, b in enumerate(buttons, 1) if b.payload not in hide]
        if numbered:
            self.console.print(self._buttons(numbered))
            self.console.print()

    def note(self, text: str) -> None:
        """A line about the chat itself (where it is kept, resuming, goodbye)."""
        self.console.print(Text(text, style="dim"))
