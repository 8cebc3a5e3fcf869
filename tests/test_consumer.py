"""The inbox consumer in a process of its own (``clientcoach serve`` on Redis).

Shown with real processes on a Redis prefix of their own and the Slack stand-in: the HTTP worker
only acknowledges (with no consumer, an event is answered 200 and nothing is sent); a separate
``clientcoach consume`` then sends the reply; ``serve`` starts its consumer itself, restarts it
when it dies, and the consumer ends when ``serve`` is killed.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from process_helpers import Proc, Serve, clean_env
from redis_helpers import redis_url, require_redis, unique_prefix
from slack_helpers import BOT_TOKEN, SIGNING_SECRET, event_request, payload

from bot.standins.slack_api import SlackApiStandIn

_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackApiStandIn]:
    stand_in = SlackApiStandIn().start()
    yield stand_in
    stand_in.stop()


def env_for(slack: SlackApiStandIn, **extra: str) -> dict[str, str]:
    require_redis()
    return clean_env(CLIENTCOACH_STORE=redis_url(unique_prefix()), CLIENTCOACH_RATE_LIMIT="1000",
                     SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                     SLACK_API_URL=slack.api_url, **extra)


async def send_hello(server: Serve, channel: str) -> int:
    data = payload("message_im", user="U" + channel[1:], channel=channel, text="hello")
    data["event_id"] = f"Ev{next(_ids)}"
    body, headers = event_request(data)
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(server.url + "/slack/events", content=body, headers=headers)
    return answer.status_code


async def replies_to(slack: SlackApiStandIn, channel: str, timeout: float) -> int:
    """How many messages reached ``channel`` once one arrived (or ``timeout`` passed)."""
    deadline = time.monotonic() + timeout

    def count() -> int:
        return sum(c.params.get("channel") == channel for c in slack.of("chat.postMessage"))

    while not count() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return count()


def consumers_of(pid: int) -> list[int]:
    """Child processes of ``pid`` running ``clientcoach consume``."""
    children = []  # a child started by a thread is listed under that thread's task
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children += task.read_text().split()
        except OSError:
            continue
    found = []
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"consume" in command:
            found.append(int(child))
    return found


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_http_worker_only_acknowledges_and_a_separate_consumer_replies(slack):
    env = env_for(slack, CLIENTCOACH_CONSUMERS="0")
    server = Serve(env).start()
    consumer = Proc(["consume"], env)
    try:
        assert consumers_of(server.proc.pid) == []
        assert await send_hello(server, "D0ACK001") == 200
        assert await replies_to(slack, "D0ACK001", timeout=2.0) == 0  # no engine work in HTTP
        consumer.start()
        assert await replies_to(slack, "D0ACK001", timeout=30.0) == 1
    finally:
        consumer.stop()
        server.stop()
    assert "consumer stopped" in consumer.output()


async def test_serve_starts_restarts_and_outlives_no_consumer(slack):
    server = Serve(env_for(slack)).start()
    try:
        assert wait_for(lambda: len(consumers_of(server.proc.pid)) == 1, 10)
        (first,) = consumers_of(server.proc.pid)
        assert await send_hello(server, "D0ACK002") == 200
        assert await replies_to(slack, "D0ACK002", timeout=30.0) == 1
        os.kill(first, signal.SIGKILL)
        assert wait_for(lambda: consumers_of(server.proc.pid) not in ([], [first]), 15)
        assert await send_hello(server, "D0ACK003") == 200
        assert await replies_to(slack, "D0ACK003", timeout=30.0) == 1
        (second,) = consumers_of(server.proc.pid)
        server.proc.send_signal(signal.SIGKILL)  # the consumer notices and stops by itself
        server.proc.wait(timeout=10)
        assert wait_for(lambda: not alive(second), 15)
    finally:
        server.stop()
    assert "consumer exited, restarting" in server.output()


def test_consume_needs_a_shared_store(tmp_path):
    env = clean_env(CLIENTCOACH_STORE=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    proc = Proc(["consume"], env).start()
    assert proc.proc.wait(timeout=30) != 0
    assert "needs a shared store" in proc.output()
