"""Cold start: from process start to the first reply of ``clientcoach chat``."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time


def first_reply_seconds(store_url: str) -> tuple[float, float]:
    """Start ``clientcoach chat --json`` and send one message; seconds to the greeting and to
    the answer to that message (which needs language and topic detection loaded)."""
    env = {**os.environ, "CLIENTCOACH_STORE": store_url}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat", "--json"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"my client has not paid my invoice\n")
    proc.stdin.flush()
    greeting = proc.stdout.readline()
    to_greeting = time.perf_counter() - start
    answer = proc.stdout.readline()
    while answer.startswith(b'{"state"'):  # the state line after each turn
        answer = proc.stdout.readline()
    to_answer = time.perf_counter() - start
    proc.stdin.close()
    proc.wait(timeout=30)
    if not (greeting.startswith(b"{") and answer.startswith(b"{")):
        raise RuntimeError("clientcoach chat did not answer")
    return to_greeting, to_answer


def cold_start(runs: int = 5) -> dict[str, float]:
    """Medians over ``runs`` fresh processes, each with a new SQLite file: ``median`` is the
    time to the answer to the first message; ``greeting`` the time to the greeting."""
    with tempfile.TemporaryDirectory(prefix="clientcoach-cold-") as tmp:
        times = [first_reply_seconds(f"sqlite:///{tmp}/run{i}.sqlite3") for i in range(runs)]
    answers = [answer for _, answer in times]
    return {
        "median": round(statistics.median(answers), 3),
        "max": round(max(answers), 3),
        "greeting": round(statistics.median(g for g, _ in times), 3),
        "n": runs,
    }
