"""The Bot API failing: 429 with retry_after and 5xx are retried a bounded number of times, a
message that timed out on its way is not sent again; a reply that could not be delivered is
logged (by type only) and nothing crashes."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from standins.telegram_harness import fresh, telegram_service

import knowledge

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
KARI = 41230002
KB = knowledge.load()


def start() -> dict[str, Any]:
    return fresh(json.loads((FIXTURES / "private_start_nb.json").read_text(encoding="utf-8")))


async def test_429_is_retried_after_retry_after(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        h.stand_in.fail("sendMessage", 429, retry_after=1)
        began = time.monotonic()
        sent = await h.exchange(start(), KARI, timeout=10)
        assert sent
        assert time.monotonic() - began >= 1.0  # waited as told
        calls = h.stand_in.of("sendMessage")
        assert len(calls) == len(sent) + 1  # one refused, then delivered


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried_with_backoff(tmp_path: Path, status: int) -> None:
    async with telegram_service(tmp_path) as h:
        h.stand_in.fail("sendMessage", status, times=2)
        sent = await h.exchange(start(), KARI, timeout=10)
        assert sent
        assert len(h.stand_in.of("sendMessage")) == len(sent) + 2


async def test_a_message_that_timed_out_is_not_sent_again(tmp_path: Path) -> None:
    async with telegram_service(tmp_path, read_timeout=0.5) as h:
        h.stand_in.delay("sendMessage", 1.0)
        await h.stand_in.wait_for(lambda s: True)
        response = await h.post(start())
        assert response.status_code == 200
        # the slow call reached Telegram and is answered late: sending it again would show the
        # person the same message twice, so it is not repeated
        await h.stand_in.wait_for(lambda s: len(s.of("sendMessage")) >= 1, timeout=10)
        await h.stand_in.settle(quiet=1.5, timeout=10)
        assert len(h.stand_in.of("sendMessage")) == 1
        assert h.stand_in.sent(KARI)


async def test_persistent_failure_gives_up_logs_and_keeps_serving(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.telegram")
    async with telegram_service(tmp_path) as h:
        h.stand_in.fail("sendMessage", 500, times=100)
        response = await h.post(start())
        assert response.status_code == 200
        await h.stand_in.wait_for(lambda s: len(s.of("sendMessage")) >= 4, timeout=10)
        await h.stand_in.settle(quiet=0.5, timeout=10)
        assert len(h.stand_in.of("sendMessage")) == 4  # first try + 3 retries, then it gives up
        assert "sendMessage failed" in caplog.text
        h.stand_in.failures.clear()
        assert await h.exchange(start(), KARI)  # the next update is answered normally


async def test_a_refused_message_is_not_retried(tmp_path: Path) -> None:
    async with telegram_service(tmp_path) as h:
        h.stand_in.fail("sendMessage", 400)
        response = await h.post(start())
        assert response.status_code == 200
        await h.stand_in.wait_for(lambda s: len(s.of("sendMessage")) >= 1)
        await h.stand_in.settle(quiet=0.3)
        assert len(h.stand_in.of("sendMessage")) == 1


async def test_store_outage_gets_a_short_notice_and_no_crash(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with telegram_service(tmp_path, CLIENTCOACH_STORE=f"redis://127.0.0.1:{port}/0") as h:
        sent = await h.exchange(start(), KARI, timeout=15)
        assert [m["text"] for m in sent] == [KB.text("unavailable", "nb")]
