"""Round trips over loopback HTTP: a signed Slack event or a Telegram update goes into
``clientcoach serve`` (a separate process), the reply is recorded by a local platform stand-in.

The same requests go to the frameworks alone behind the same server (``baseline_app``), in the
same run, so the ratio tells what the bot adds to what Bolt and python-telegram-bot cost anyway.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from bot.bench.engine_bench import MESSAGES
from bot.bench.frameworks import message_event, signed_headers, telegram_update
from bot.bench.timing import Timing, summarise
from bot.standins.slack_api import SlackApiStandIn
from bot.standins.telegram_api import TOKEN, TelegramStandIn

SIGNING_SECRET = "bench-signing-secret"
WEBHOOK_SECRET = "bench-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Run a server process until its ``/healthz`` (or any) answer comes; stop it afterwards."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
                raise RuntimeError(f"server exited early: {err}")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{base}/healthz", timeout=1, trust_env=False)
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("server did not start within 30 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _slack_body(i: int, channel: str) -> str:
    event = message_event(i)
    event["event_id"] = f"EvHTTP{i:09d}"
    event["event"].update(channel=channel, user=f"U{i % 200}", text=MESSAGES[i % len(MESSAGES)])
    event["event"]["text"] = event["event"]["text"] if len(event["event"]["text"]) > 8 else "hello"
    return json.dumps(event)


def _telegram_body(i: int, chat_id: int) -> dict[str, Any]:
    update = telegram_update(i)
    update["update_id"] = 50_000_000 + i
    message = update["message"]
    message["chat"]["id"] = message["from"]["id"] = chat_id
    text = MESSAGES[i % len(MESSAGES)]
    message["text"] = text if len(text) > 8 else "hello"
    return update


def _rounds(
    n: int, warmup: int, send: Callable[[int], None], arrived: Callable[[int], bool]
) -> Timing:
    samples = []
    for i in range(warmup + n):
        start = time.perf_counter_ns()
        send(i)
        if not arrived(i):
            raise RuntimeError(f"no reply recorded for request {i}")
        if i >= warmup:
            samples.append(time.perf_counter_ns() - start)
    return summarise(samples)


def _measure_target(
    base: str, slack: SlackApiStandIn, telegram: TelegramStandIn, n: int, warmup: int, tag: str
) -> dict[str, Timing]:
    """Slack then Telegram round trips against one running server."""
    with httpx.Client(base_url=base, trust_env=False, timeout=10) as client:

        def send_slack(i: int) -> None:
            body = _slack_body(i, f"D{tag}{i}")
            headers = {k: v[0] for k, v in signed_headers(body, SIGNING_SECRET).items()}
            client.post("/slack/events", content=body, headers=headers).raise_for_status()

        def slack_arrived(i: int) -> bool:
            channel = f"D{tag}{i}"
            return slack.block_until_call(
                lambda c: c.method == "chat.postMessage" and c.params.get("channel") == channel
            )

        def send_telegram(i: int) -> None:
            update = _telegram_body(i, 7_000_000 + i)
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            client.post("/telegram/webhook", json=update, headers=headers).raise_for_status()

        def telegram_arrived(i: int) -> bool:
            chat = str(7_000_000 + i)
            return telegram.block_until_call(
                lambda c: c.method == "sendMessage" and str(c.params.get("chat_id")) == chat
            )

        return {
            "slack": _rounds(n, warmup, send_slack, slack_arrived),
            "telegram": _rounds(n, warmup, send_telegram, telegram_arrived),
        }


def http_figures(n: int, warmup: int, log: Callable[[str], None]) -> dict[str, Any]:
    """``slack_http_ms`` and ``telegram_http_ms`` for the service and the bare frameworks."""
    out: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="clientcoach-http-") as tmp,
        TelegramStandIn() as telegram,
    ):
        slack = SlackApiStandIn().start()
        try:
            env = {
                **os.environ,
                "NO_PROXY": "127.0.0.1,localhost",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_BOT_TOKEN": "xoxb-bench-token",
                "SLACK_API_URL": slack.api_url,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": telegram.api_url,
                "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "CLIENTCOACH_STORE": f"sqlite:///{tmp}/http.sqlite3",
                "CLIENTCOACH_RATE_LIMIT": "1000000",
                "CLIENTCOACH_LOG_LEVEL": "WARNING",
                # Telegram allows ~30 messages a second per bot and one a second per chat; the
                # service paces itself to them. Sequential round trips would measure that pacing,
                # not latency: lift it here.
                "TELEGRAM_MAX_RATE": "100000",
                "TELEGRAM_CHAT_MAX_RATE": "0",
                "TELEGRAM_GROUP_MAX_PER_MINUTE": "0",
            }
            env.pop("TELEGRAM_WEBHOOK_URL", None)
            port = free_port()
            log("round trips through clientcoach serve")
            command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1",
                       "--port", str(port)]  # fmt: skip
            with server(command, env, port) as base:
                ours = _measure_target(base, slack, telegram, n, warmup, "s")
            port = free_port()
            log("round trips through the bare frameworks")
            command = [sys.executable, "-m", "uvicorn", "--factory", "--host", "127.0.0.1",
                       "--port", str(port), "--log-level", "warning",
                       "bot.bench.baseline_app:create_app"]  # fmt: skip
            with server(command, env, port) as base:
                bare = _measure_target(base, slack, telegram, n, warmup, "b")
        finally:
            slack.stop()
    for platform in ("slack", "telegram"):
        mine, theirs = ours[platform], bare[platform]
        out[f"{platform}_http_ms"] = {
            "median": round(mine.median_us / 1000, 3),
            "p99": round(mine.p99_us / 1000, 3),
            "n": mine.n,
            "framework_median": round(theirs.median_us / 1000, 3),
            "framework_p99": round(theirs.p99_us / 1000, 3),
            "ratio": round(mine.median_us / theirs.median_us, 2),
        }
    return out
