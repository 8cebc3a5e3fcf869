"""The engine's one INFO line per turn: ids, kind, flow, state before → after, language, number of
replies and latency; never the message text unless ``CLIENTCOACH_LOG_TEXT`` allows it."""

from __future__ import annotations

import logging

import pytest
from engine_helpers import Chat, memory_engine

import bot.logs
from bot.engine import Engine
from bot.store.base import Session, StoreUnavailable
from bot.store.memory import MemoryStore

SECRET = "my client Quetzalcoatl Ltd owes me for the Brattlia job"


def turn_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "clientcoach.engine" and r.getMessage() == "turn"
    ]


@pytest.fixture
def info(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setattr(bot.logs, "_log_text", False)
    caplog.set_level(logging.INFO, logger="clientcoach.engine")
    return caplog


async def test_one_line_per_turn_with_ids_flow_states_and_latency(info) -> None:  # noqa: ANN001
    chat = Chat(memory_engine(), locale="fr")
    await chat.send("button", payload="flow:say-no", event_id="ev-1")
    await chat.send("button", payload="a:situation:unrealistic", event_id="ev-2")
    await chat.send("message", text=SECRET, event_id="ev-3")
    first, second, third = turn_records(info)
    assert first.levelno == logging.INFO
    assert first.conversation == chat.key.as_str() and first.event_id == "ev-1"  # type: ignore[attr-defined]
    assert (first.kind, first.flow, first.state) == (  # type: ignore[attr-defined]
        "button", "say-no", "idle -> asking_situation"
    )
    assert second.state == "asking_situation -> asking_alternative"  # type: ignore[attr-defined]
    assert (first.lang, first.replies) == ("fr", 1)  # type: ignore[attr-defined]
    assert isinstance(first.latency_ms, float) and first.latency_ms >= 0  # type: ignore[attr-defined]
    assert third.kind == "message" and third.text_len == len(SECRET)  # type: ignore[attr-defined]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in info.records)
    assert "Quetzalcoatl" not in logged and "Brattlia" not in logged


async def test_the_text_is_logged_only_when_allowed(info, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(bot.logs, "_log_text", True)
    chat = Chat(memory_engine())
    await chat.say(SECRET)
    (record,) = turn_records(info)
    assert record.text == SECRET  # type: ignore[attr-defined]


async def test_a_verdict_logs_the_state_it_left(info) -> None:  # noqa: ANN001
    chat = Chat(memory_engine())
    await chat.press("flow:say-no")
    await chat.press("a:situation:competitor")
    last = turn_records(info)[-1]
    assert (last.flow, last.state, last.replies) == (  # type: ignore[attr-defined]
        "say-no", "asking_situation -> idle", 2
    )


async def test_rate_limited_and_unavailable_turns_are_logged_too(info) -> None:  # noqa: ANN001
    chat = Chat(memory_engine(rate_limit=1))
    await chat.say("menu")
    await chat.say("menu")
    assert [getattr(r, "outcome", "") for r in turn_records(info)] == ["", "rate_limited"]

    class Broken(MemoryStore):
        async def load(self, key: str) -> Session | None:
            raise StoreUnavailable("down")

    info.clear()
    await Chat(Engine(Broken(), memory_engine().kb)).say("hello")
    (record,) = turn_records(info)
    assert record.outcome == "unavailable" and record.replies == 1  # type: ignore[attr-defined]
