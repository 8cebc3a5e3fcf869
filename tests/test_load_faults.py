"""A small run of the fault suite (``clientcoach bench --load --faults``): two real workers on a
Redis of their own, Redis shut down, the API answering 429, 503 and once too late. Nothing
acknowledged is lost, nothing is answered twice. (The SIGKILL part runs in the benchmark only:
the steps a killed worker left in doubt are settled after 55 s; see the README.)"""

from __future__ import annotations

import shutil

import pytest

from bot.bench.load import load_figures

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed: the fault suite needs "
                                       "a Redis of its own to stop")


def test_small_fault_run_loses_nothing_and_sends_nothing_twice():
    figures = load_figures(200, concurrency=40, faults=True, redis_down_s=2, kill=False,
                           log=lambda _: None)
    assert figures["faults"] == ["redis-2s", "api-timeout"]
    assert figures["settled"]
    assert figures["replies_sent"] == figures["replies_expected"] > 0
    assert figures["lost"] == 0 and figures["duplicate_replies"] == 0
    assert figures["unavailable_notices"] == 0
    assert figures["requests"] > figures["events"]  # duplicates and retries were sent
    assert sum(figures["refused"].values()) > 0  # the faults were felt, and resent
