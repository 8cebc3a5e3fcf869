"""Privacy: ``forget`` leaves nothing of the person in any table of the SQLite file, and the logs
of whole conversations in every flow hold no message text, no draft text and no token."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import real_kb

from bot.config import Settings
from bot.engine import Engine, build_engine
from bot.models import ConversationKey, Reply, Turn
from bot.store.sqlite import SQLiteStore

KB = real_kb()
GONE, STAYS = "U0FORGETME", "U0STAYSHERE"


async def send(engine: Engine, user: str, chat: str, **fields: Any) -> list[Reply]:
    kind = "message" if "text" in fields else "button"
    key = ConversationKey(platform="test", chat=chat, user=user)
    return await engine.handle(Turn(key=key, kind=kind, locale="en", event_id=None, **fields))


async def leave_traces(engine: Engine, user: str) -> None:
    """A session in two chats, a half-done flow, two reminders, a dedupe mark, a rate count."""
    for payload in ("flow:unpaid-invoice", "a:terms:verbal", "a:history:first-time"):
        await send(engine, user, "C1", payload=payload)
    for text in ("12", "kr 5000", "INV-4471"):
        await send(engine, user, "C1", text=text)
    await send(engine, user, "C1", payload="remind:7")
    await send(engine, user, "C2", payload="flow:say-no")
    await send(engine, user, "C2", payload="topic:rates")
    await send(engine, user, "C2", payload="remind:14")
    await send(engine, user, "C3", payload="flow:drop-client")  # left mid-flow
    assert await engine.store.claim_event(f"ev-{user}", f"test|{user}")


def rows_mentioning(path: Path, needle: str) -> dict[str, int]:
    """How many rows of each table (every table of the file) hold ``needle`` in any column."""
    found: dict[str, int] = {}
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"sessions", "events", "rates", "reminders"} <= set(tables)
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608 - own names
            found[table] = sum(1 for row in rows if any(needle in str(cell) for cell in row))
    return found


async def test_forget_on_sqlite_leaves_no_row_of_the_person_in_any_table(tmp_path: Path) -> None:
    path = tmp_path / "coach.sqlite3"
    store = SQLiteStore(path)
    engine = Engine(store, KB, rate_limit=1000)
    await leave_traces(engine, GONE)
    await leave_traces(engine, STAYS)
    before = rows_mentioning(path, GONE)
    assert before["sessions"] == 3 and before["reminders"] == 2
    assert before["events"] == 1 and before["rates"] == 1

    confirm = await send(engine, GONE, "C2", text="forget me")
    assert "forget:yes" in [b.payload for r in confirm for b in r.buttons]
    await send(engine, GONE, "C2", payload="forget:yes")

    assert set(rows_mentioning(path, GONE).values()) == {0}
    assert rows_mentioning(path, STAYS) == before  # the other person keeps everything
    # nor in the bytes of the files while the service runs (freed pages, write-ahead log)
    files = [p for p in tmp_path.iterdir() if p.name.startswith(path.name)]
    assert b"".join(p.read_bytes() for p in files).count(GONE.encode()) == 0
    assert b"".join(p.read_bytes() for p in files).count(STAYS.encode()) > 0
    await store.close()


# Logs ------------------------------------------------------------------------------------------
SECRET_MESSAGES = [
    "Globex Oyj still owes me for the Zanzibar redesign and stopped answering",
    "Mon client Dupont-Marcellin refuse de payer la facture Quetzal depuis juillet",
    "Kunden Fjellheimsen vil ha mer arbeid gratis etter at prosjektet Brattlia ble levert",
]
TOKENS = {
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-privacytoken",
    "SLACK_SIGNING_SECRET": "signing-privacy-secret-42",
    "TELEGRAM_BOT_TOKEN": "123456:privacy-telegram-token-AAAA",
    "TELEGRAM_WEBHOOK_SECRET": "webhook-privacy-secret-77",
}


async def walk_every_flow(engine: Engine) -> list[Reply]:
    """Each flow to its end by pressing the first answer offered (typing free-text answers),
    then the draft in every language; plus messages routed to topics."""
    seen: list[Reply] = []
    for lang in ("en", "fr", "nb"):
        seen += await send(engine, "U1", "C1", payload=f"lang:{lang}")
        for flow_id in engine.flows:
            replies = await send(engine, "U1", "C1", payload=f"flow:{flow_id}")
            for _ in range(12):  # bounded: the longest flow has seven questions
                seen += replies
                answers = [b.payload for r in replies for b in r.buttons if b.payload[:2] == "a:"]
                if answers:
                    replies = await send(engine, "U1", "C1", payload=answers[0])
                elif any(r.draft for r in replies):
                    break
                else:  # a free-text question: days, amount, invoice number
                    replies = await send(engine, "U1", "C1", text="42 € Zanzibar-INV-9931")
            seen += replies
            assert any(r.draft for r in replies), flow_id
            for code in ("fr", "nb", "en"):
                seen += await send(engine, "U1", "C1", payload=f"draft:{code}")
            seen += await send(engine, "U1", "C1", payload="remind:7")
        for text in SECRET_MESSAGES:
            seen += await send(engine, "U2", "C2", text=text)
            seen += await send(engine, "U2", "C2", payload="cancel")
    seen += await send(engine, "U1", "C1", payload="forget:yes")
    return seen


async def test_logs_of_every_flow_hold_no_text_draft_or_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIENTCOACH_LOG_TEXT", raising=False)
    caplog.set_level(logging.DEBUG)  # the root logger: every logger of every library
    settings = Settings(_env_file=None, CLIENTCOACH_STORE=f"sqlite:///{tmp_path / 'c.sqlite3'}",
                        CLIENTCOACH_RATE_LIMIT=1000, **TOKENS)  # type: ignore[arg-type]  # fmt: skip
    engine = build_engine(settings)
    seen = await walk_every_flow(engine)
    await engine.store.close()

    logged = "\n".join(f"{r.name} {r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "turn" in logged  # the engine did log every turn
    drafts = {r.draft.text for r in seen if r.draft}
    assert len(drafts) >= 18
    windows = {d[i : i + 24] for d in drafts for i in range(0, max(len(d) - 24, 1), 6)}
    leaked = [w for w in windows if w.strip() and w in logged]
    assert leaked == [], leaked[:3]  # no 30 characters of a draft in a row
    for text in SECRET_MESSAGES:
        assert text not in logged
    for name in ("Globex", "Dupont-Marcellin", "Quetzal", "Fjellheimsen", "Brattlia"):
        assert name not in logged
    assert "Zanzibar" not in logged and "INV-9931" not in logged
    for reply in seen:
        assert len(reply.text) < 40 or reply.text not in logged
    for token in TOKENS.values():
        assert token not in logged
