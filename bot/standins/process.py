"""The Slack stand-in in a process of its own, for benchmarks that must not share its CPU time.

In the load generator's process the stand-in's threads took the interpreter lock from the loop
that sends the requests and times their acknowledgements, so the stand-in's work showed up as
slower acks. :class:`SlackApiStandInProcess` runs :class:`~bot.standins.slack_api.SlackApiStandIn`
in a child (``python -m bot.standins.process``) and offers the calls the load benchmark uses:
``api_url``, ``fail``, ``of``, ``count`` and ``stop``. Commands and answers travel pickled over
the child's standard input and output; the child stops when its input closes.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from typing import Any, BinaryIO

from bot.standins.slack_api import Call, SlackApiStandIn

START_TIMEOUT_S = 30.0


def _answer(stand_in: SlackApiStandIn, command: str, args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> Any:
    if command == "fail":
        return stand_in.fail(*args, **kwargs)
    if command == "of":
        return stand_in.of(*args)
    if command == "count":
        method, exclude = args
        with stand_in._lock:
            return sum(c.method == method and c.status == 200
                       and c.params.get("channel") != exclude for c in stand_in.calls)
    raise ValueError(f"unknown command {command!r}")


def _serve(commands: BinaryIO, answers: BinaryIO) -> None:
    """The child: start the stand-in, tell its URL, answer commands until the input closes."""
    stand_in = SlackApiStandIn().start()
    pickle.dump(stand_in.api_url, answers)
    answers.flush()
    try:
        while True:
            try:
                command, args, kwargs = pickle.load(commands)
            except EOFError:
                return
            try:
                result: Any = ("ok", _answer(stand_in, command, args, kwargs))
            except Exception as exc:  # noqa: BLE001 - sent back to the caller, raised there
                result = ("error", repr(exc))
            pickle.dump(result, answers)
            answers.flush()
    finally:
        stand_in.stop()


class SlackApiStandInProcess:
    """Start with :meth:`start`, stop with :meth:`stop`; calls are answered by the child."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()  # one command at a time (the fault timers use threads)
        self.api_url = ""

    def start(self) -> SlackApiStandInProcess:
        self._proc = subprocess.Popen([sys.executable, "-m", "bot.standins.process"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._proc.stdout is not None
        timer = threading.Timer(START_TIMEOUT_S, self._proc.kill)
        timer.start()
        try:
            self.api_url = pickle.load(self._proc.stdout)
        except EOFError:
            raise RuntimeError("the Slack stand-in process did not start") from None
        finally:
            timer.cancel()
        return self

    def _call(self, command: str, *args: Any, **kwargs: Any) -> Any:
        assert self._proc is not None and self._proc.stdin is not None
        assert self._proc.stdout is not None
        with self._lock:
            pickle.dump((command, args, kwargs), self._proc.stdin)
            self._proc.stdin.flush()
            status, value = pickle.load(self._proc.stdout)
        if status == "error":
            raise RuntimeError(f"stand-in: {value}")
        return value

    def fail(self, method: str, status: int, *, times: int = 1, retry_after: int | None = None,
             delay: float = 0.0) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` (after ``delay`` seconds)."""
        self._call("fail", method, status, times=times, retry_after=retry_after, delay=delay)

    def of(self, method: str) -> list[Call]:
        """Every recorded call of ``method``."""
        return self._call("of", method)

    def count(self, method: str, exclude_channel: str) -> int:
        """Calls of ``method`` answered 200, to any channel but ``exclude_channel``."""
        return self._call("count", method, exclude_channel)

    def stop(self) -> None:
        if self._proc is None:
            return
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=5)
        self._proc = None

    @property
    def pid(self) -> int:
        """The child's process id (0 once stopped)."""
        return self._proc.pid if self._proc is not None else 0


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
