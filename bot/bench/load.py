"""``clientcoach bench --load N [--faults]``: two ``clientcoach serve`` workers on one Redis,
the Slack stand-in as the platform (in a process of its own, so its work is not the load
generator's), N signed events with a share of duplicates and retries.

Every event comes from a person of its own, so each must get exactly the replies one fresh
"hello" gets. Requests answered with anything but 200 (a worker killed, Redis down) are sent
again after a pause, as Slack does. With ``faults``: one worker is killed with SIGKILL a third
of the way through (and restarted), Redis is shut down for ten seconds two thirds of the way
(append-only file on, so it comes back with its data), and the API answers some calls with 429,
503 and one delay longer than the client's timeout.

Reported: replies expected / sent, lost, duplicates, "unavailable" notices, ack and end-to-end
percentiles, requests refused (and resent), RSS of the workers, log bytes, and the CPU per
request of the HTTP workers, of the load generator and of the stand-in while the load was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bot.bench.frameworks import signed_headers
from bot.bench.http_bench import SIGNING_SECRET, free_port
from bot.bench.lean_client import LeanClient
from bot.standins.process import SlackApiStandInProcess

PROBE_CHANNEL = "DPROBE0"
START_WAIT_S = 90.0  # a worker starts in about 4 s on a quiet machine, 15 s and more when loaded


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "n": 0}
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1)

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "n": len(ordered)}


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes used so far."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """Child processes of ``pid`` (those started by any of its threads)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in task.read_text().split()]
    return found


class RedisServer:
    """A redis-server of the benchmark's own, with an append-only file, that can be stopped."""

    def __init__(self, folder: str) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("the load benchmark needs redis-server on PATH")
        self.binary, self.dir, self.port = binary, folder, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            with contextlib.suppress(OSError):
                import socket

                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # SIGTERM: Redis flushes its append-only file and exits
            self.proc.wait(timeout=10)
            self.proc = None


class Worker:
    """One ``clientcoach serve`` process on a fixed port, its output in a file."""

    def __init__(self, env: dict[str, str], folder: str, name: str) -> None:
        self.env, self.port = env, free_port()
        self.log = Path(folder) / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port",
                 str(self.port)], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own group: a kill takes its consumers too
        deadline = time.monotonic() + START_WAIT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=1, trust_env=False).status_code:
                    return
            time.sleep(0.05)
        raise RuntimeError("worker did not start")

    def sample(self) -> None:
        """Peak RSS of the worker and its consumer processes together."""
        if self.proc is not None:
            pids = [self.proc.pid, *_children(self.proc.pid)]
            self.peak_rss = max(self.peak_rss, round(sum(_rss_mb(p) for p in pids), 1))

    def kill(self) -> None:
        """SIGKILL the whole process group (the HTTP worker and its consumers): a crash."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc = None


def _event(i: int, channel: str) -> dict[str, Any]:
    return {
        "token": "x", "team_id": "T0LOAD", "api_app_id": "A0LOAD", "type": "event_callback",
        "event_id": f"EvLOAD{i:08d}", "event_time": int(time.time()),
        "event": {"type": "message", "channel_type": "im", "channel": channel,
                  "user": f"UL{i:07d}", "text": "hello", "ts": f"{time.time():.6f}",
                  "event_ts": f"{time.time():.6f}"},
    }


async def _drive(workers: list[Worker], n: int, duplicates: float, retries: float,
                 concurrency: int, at_progress: Callable[[int], None]) -> dict[str, Any]:
    """Send every event (plus duplicates and retries) until each was accepted once."""
    rng = random.Random(16)
    sends: list[tuple[int, int]] = [(i, 0) for i in range(n)]  # (event, retry number)
    sends += [(i, 0) for i in rng.sample(range(n), int(n * duplicates))]
    late = [(i, 1) for i in rng.sample(range(n), int(n * retries))]
    rng.shuffle(sends)
    sends += late
    queue: asyncio.Queue[tuple[int, int, int]] = asyncio.Queue()
    for k, (i, retry) in enumerate(sends):
        queue.put_nowait((i, retry, k))
    acks: list[float] = []
    first_sent: dict[int, float] = {}
    refused = Counter()
    done = 0
    # Not aiohttp: it spent about as much CPU per request as the workers it timed, on the same
    # two cores (and httpx before it scanned its whole pool on each request).
    client = LeanClient(limit=concurrency, timeout_s=15)

    async def one(i: int, retry: int, k: int) -> None:
        nonlocal done
        body = json.dumps(_event(i, f"DL{i:07d}"))
        headers = {key: v[0] for key, v in signed_headers(body, SIGNING_SECRET).items()}
        if retry:
            headers.update({"X-Slack-Retry-Num": str(retry),
                            "X-Slack-Retry-Reason": "http_timeout"})
        worker = workers[k % len(workers)]
        first_sent.setdefault(i, time.monotonic())
        started = time.perf_counter()
        status = await client.post("127.0.0.1", worker.port, "/slack/events", body.encode(),
                                   headers)
        if status == 200:
            acks.append(time.perf_counter() - started)
            done += 1
            at_progress(done)
            return
        refused[status] += 1
        await asyncio.sleep(0.5)
        queue.put_nowait((i, retry + 1, k + 1))  # as Slack would: again, counted a retry

    async def sender() -> None:
        while True:
            try:
                i, retry, k = queue.get_nowait()
            except asyncio.QueueEmpty:
                if done >= len(sends):
                    return
                await asyncio.sleep(0.05)
                continue
            await one(i, retry, k)

    started = time.monotonic()
    try:
        await asyncio.gather(*(sender() for _ in range(concurrency)))
    finally:
        await client.close()
    elapsed = time.monotonic() - started
    return {"requests": len(sends), "acks": acks, "first_sent": first_sent,
            "refused": dict(refused), "send_s": round(elapsed, 1)}


def load_figures(n: int, *, duplicates: float = 0.1, retries: float = 0.05,
                 concurrency: int = 200, faults: bool = False, redis_down_s: float = 10.0,
                 kill: bool = True,
                 log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the load (and fault) scenario and return its figures."""
    from knowledge import load as load_kb

    unavailable = load_kb().text("unavailable", "en")
    with tempfile.TemporaryDirectory(prefix="clientcoach-load-") as tmp:
        redis = RedisServer(tmp)
        redis.start()
        slack = SlackApiStandInProcess().start()  # its own process: not the driver's CPU
        env = {
            **os.environ, "NO_PROXY": "127.0.0.1,localhost",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": "xoxb-load-token",
            "SLACK_API_URL": slack.api_url,
            "CLIENTCOACH_STORE": f"redis://127.0.0.1:{redis.port}/0?prefix=load:",
            "CLIENTCOACH_RATE_LIMIT": "1000000", "CLIENTCOACH_LOG_LEVEL": "WARNING",
            "CLIENTCOACH_WEB_REMINDERS": "0", "CLIENTCOACH_INBOX_CLAIM_IDLE": "5",
        }
        for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_URL",
                     "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN"):
            env.pop(name, None)
        workers = [Worker(env, tmp, "a"), Worker(env, tmp, "b")]
        try:
            for worker in workers:
                worker.start()
            per_event = _probe(workers[0], slack)
            log(f"load: {n:,} events, each answered by {per_event} message(s)")
            faults_done: list[str] = []
            fault_at = {n // 3: "kill", (2 * n) // 3: "redis"} if faults else {}
            if not kill:
                fault_at.pop(n // 3, None)

            def at_progress(done: int) -> None:
                if done % 200 == 0:
                    for worker in workers:
                        worker.sample()
                    if faults:
                        slack.fail("chat.postMessage", 429, retry_after=1)
                        slack.fail("chat.postMessage", 503)
                action = fault_at.pop(done, None)
                if action == "kill":
                    log("fault: SIGKILL worker a, restart in 2 s")
                    workers[0].kill()
                    threading.Timer(2, workers[0].start).start()
                    faults_done.append("sigkill")
                elif action == "redis":
                    log(f"fault: Redis down for {redis_down_s:g} s")
                    # stopped before the next request goes out (a brief stall of the driver), so
                    # the rest of the run meets the outage even when the machine is fast
                    redis.stop()
                    threading.Timer(redis_down_s, redis.start).start()
                    faults_done.append(f"redis-{redis_down_s:g}s")
                    slack.fail("chat.postMessage", 200, delay=11)  # past the client's timeout
                    faults_done.append("api-timeout")

            http_cpu = _cpu_s([w.proc.pid for w in workers if w.proc is not None])
            harness_cpu = _cpu_s([os.getpid()]), _cpu_s([slack.pid])
            driven = asyncio.run(_drive(workers, n, duplicates, retries, concurrency,
                                        at_progress))
            http_cpu = _cpu_s([w.proc.pid for w in workers if w.proc is not None]) - http_cpu
            driver_cpu = _cpu_s([os.getpid()]) - harness_cpu[0]
            stand_in_cpu = _cpu_s([slack.pid]) - harness_cpu[1]
            expected = n * per_event
            got = _settle(slack, expected, log)
            for worker in workers:
                worker.sample()
            posted = slack.of("chat.postMessage")
        finally:
            for worker in workers:
                worker.stop()
            slack.stop()
            redis.stop()
        logs = sum(w.log.stat().st_size for w in workers if w.log.exists())
        texts = [w.log.read_text(errors="replace") for w in workers if w.log.exists()]
        kept = Path(tempfile.gettempdir()) / f"clientcoach-load-logs-{os.getpid()}"
        kept.mkdir(exist_ok=True)
        for worker in workers:
            if worker.log.exists():
                shutil.copy(worker.log, kept / worker.log.name)
        in_doubt = sum(t.count("reply in doubt, not sent again") for t in texts)
        doubts_settled = sum(t.count("reply in doubt had") for t in texts)
    calls = [c for c in posted
             if c.params.get("channel") != PROBE_CHANNEL and c.status == 200]
    per_channel = Counter(c.params.get("channel") for c in calls)
    missing = [i for i in range(n) if per_channel.get(f"DL{i:07d}", 0) < per_event]
    lost = sum(max(0, per_event - per_channel.get(f"DL{i:07d}", 0)) for i in range(n))
    dups = sum(max(0, count - per_event) for count in per_channel.values())
    first_reply: dict[str, float] = {}
    for call in calls:
        first_reply.setdefault(call.params.get("channel"), call.at)
    e2e = [first_reply[f"DL{i:07d}"] - t for i, t in driven["first_sent"].items()
           if f"DL{i:07d}" in first_reply]
    return {
        "events": n, "requests": driven["requests"], "duplicates_share": duplicates,
        "retries_share": retries, "concurrency": concurrency, "faults": faults_done,
        "replies_expected": expected, "replies_sent": len(calls), "settled": got,
        "lost": lost, "duplicate_replies": dups, "replies_in_doubt": in_doubt,
        "doubts_settled": doubts_settled,
        "unavailable_notices": sum(unavailable in json.dumps(c.params) for c in calls),
        "refused": driven["refused"], "send_s": driven["send_s"],
        "ack_ms": _percentiles(driven["acks"]), "end_to_end_ms": _percentiles(e2e),
        "worker_peak_rss_mb": [w.peak_rss for w in workers], "log_bytes": logs,
        "lost_events": [f"EvLOAD{i:08d}" for i in missing[:20]], "worker_logs": str(kept),
        "http_cpu_ms_per_request": round(1000 * http_cpu / max(1, driven["requests"]), 2),
        "driver_cpu_ms_per_request": round(1000 * driver_cpu / max(1, driven["requests"]), 2),
        "stand_in_cpu_ms_per_request": round(1000 * stand_in_cpu / max(1, driven["requests"]),
                                             2),
        "load_average": os.getloadavg()[0],
    }


PROBE_WAIT_S = 60.0  # the consumers may still be starting on a busy machine
SETTLE_QUIET_S = 120.0  # > the time a step left in doubt by a crash waits before it is settled


def _probe(worker: Worker, slack: SlackApiStandInProcess) -> int:
    """How many messages one fresh "hello" gets (all of them: counted 2 s after the first)."""
    body = json.dumps(_event(99_999_999, PROBE_CHANNEL))
    headers = {key: v[0] for key, v in signed_headers(body, SIGNING_SECRET).items()}
    httpx.post(worker.url + "/slack/events", content=body, headers=headers, trust_env=False,
               timeout=10).raise_for_status()

    def got() -> int:
        return sum(c.params.get("channel") == PROBE_CHANNEL for c in slack.of("chat.postMessage"))

    deadline = time.monotonic() + PROBE_WAIT_S
    while time.monotonic() < deadline:
        if got():
            time.sleep(2)
            return got()
        time.sleep(0.1)
    raise RuntimeError("the probe event got no answer")


def _settle(slack: SlackApiStandInProcess, expected: int, log: Callable[[str], None]) -> bool:
    """Wait until every expected reply arrived, or nothing arrived for ``SETTLE_QUIET_S``."""
    last, quiet_since = -1, time.monotonic()
    while True:
        now = slack.count("chat.postMessage", PROBE_CHANNEL)
        if now >= expected:
            time.sleep(3)  # would a duplicate still come?
            return True
        if now != last:
            last, quiet_since = now, time.monotonic()
            log(f"load: {now:,} of {expected:,} replies")
        elif time.monotonic() - quiet_since > SETTLE_QUIET_S:
            return False
        time.sleep(1)


def load_table(f: dict[str, Any]) -> str:
    """The figures as lines a person reads."""
    ack, e2e = f["ack_ms"], f["end_to_end_ms"]
    return "\n".join([
        f"events {f['events']:,} ({f['requests']:,} requests: {f['duplicates_share']:.0%} "
        f"duplicates, {f['retries_share']:.0%} retries), {f['concurrency']} in flight, "
        f"faults: {', '.join(f['faults']) or 'none'}",
        f"replies expected {f['replies_expected']:,}, sent {f['replies_sent']:,}: "
        f"lost {f['lost']}, duplicates {f['duplicate_replies']}, "
        f"'unavailable' notices {f['unavailable_notices']}; steps in doubt after a crash: "
        f"settled by reading the channel {f['doubts_settled']}, given up {f['replies_in_doubt']}",
        f"refused and resent: {f['refused'] or 'none'} (0 = connection refused)",
        f"ack ms p50 {ack['p50']} p95 {ack['p95']} p99 {ack['p99']}; "
        f"end to end ms p50 {e2e['p50']} p95 {e2e['p95']} p99 {e2e['p99']}",
        f"sent in {f['send_s']} s; CPU ms per request: HTTP workers "
        f"{f['http_cpu_ms_per_request']}, load generator {f['driver_cpu_ms_per_request']}, "
        f"stand-in {f['stand_in_cpu_ms_per_request']}; worker peak RSS (with consumers) "
        f"{f['worker_peak_rss_mb']} MB; "
        f"worker logs {f['log_bytes']:,} bytes; load average {f['load_average']:.1f}",
    ])
