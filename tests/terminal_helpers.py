"""Driving ``clientcoach chat`` through a pseudo-terminal (pexpect), as a person would."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1]
# prompt_toolkit switches bracketed paste on each time it starts reading a line: the prompt.
PROMPT = re.escape("\x1b[?2004h")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]|\x08")
TIMEOUT = 20  # seconds for any one expected output; every test ends on its own
LEFT, UP = "\x1b[D", "\x1b[A"


def plain(raw: str) -> str:
    """Terminal output without escape sequences and carriage returns."""
    return ANSI.sub("", raw).replace("\r", "")


def words(text: str) -> str:
    """Text with every run of white space made one space (to compare wrapped output)."""
    return " ".join(text.split())


class Terminal:
    """One ``clientcoach chat`` process on a pseudo-terminal of ``width`` columns."""

    def __init__(
        self, tmp_path: Path, *args: str, width: int = 80, store: str | None = None
    ) -> None:
        store = store or f"sqlite:///{tmp_path / 'chat.sqlite3'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTCOACH_")}
        env.update(
            PYTHONPATH=str(ROOT),
            CLIENTCOACH_CHAT_USER="pty-person",
            PROMPT_TOOLKIT_NO_CPR="1",  # the pseudo-terminal does not answer cursor queries
            TERM="xterm-256color",
            LANG="C.UTF-8",  # no language from the locale: each test chooses with --lang
            COLUMNS=str(width),
            LINES="40",
        )
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "bot.cli", "chat", "--store", store, *args],
            env=env,
            cwd=str(tmp_path),
            dimensions=(40, width),
            encoding="utf-8",
            timeout=TIMEOUT,
        )
        self.transcript = ""

    def _take(self) -> str:
        text = plain(self.child.before or "")
        self.transcript += text
        return text

    def wait_prompt(self) -> str:
        """Everything written until the chat asks for the next line."""
        self.child.expect(PROMPT)
        return self._take()

    def say(self, line: str) -> str:
        """Type ``line`` (escape sequences included as keys) and Enter; the answer."""
        self.child.send(line + "\r")
        return self.wait_prompt()

    def leave(self, keys: str) -> str:
        """Send ``keys`` that should end the chat; what it wrote until it ended."""
        self.child.send(keys)
        self.child.expect(pexpect.EOF)
        text = self._take()
        self.child.close()
        return text

    @property
    def status(self) -> int | None:
        return self.child.exitstatus

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
