"""``/checklist <words>``: the words name a topic (its id, or through routing) and the answer is
that topic's checklist; words that name nothing bring the picker. Both adapters reach this path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import Chat, memory_engine, real_kb
from slack_helpers import payload as slack_payload
from telegram import Update

import bot.engine as engine_module
from bot.slack.events import command_to_inbound
from bot.telegram.updates import Me, to_turn
from bot.understanding import Routing

KB = real_kb()
ME = Me(7000000001, "clientcoach_test_bot")
FIXTURES = Path(__file__).parent / "fixtures" / "telegram"


class Router:
    """A stand-in for routing that records the words it was asked about."""

    def __init__(self, *topics: str) -> None:
        self.asked: list[str] = []
        self.routing = Routing(
            ranked=[(x, 0.9) for x in topics],
            candidates=list(topics),
            ambiguous=len(topics) > 1,
            offtopic=not topics,
        )

    def __call__(self, text: str, lang: str | None = None) -> Routing:
        self.asked.append(text)
        return self.routing


@pytest.fixture
def late(monkeypatch: pytest.MonkeyPatch) -> Router:
    router = Router("late-payment")
    monkeypatch.setattr(engine_module, "route", router)
    return router


def is_checklist(reply: Any, topic_id: str, lang: str) -> bool:
    topic = KB.topics[topic_id]
    return reply.checklist == [i.text.get(lang) for i in topic.checklist] and reply.text == (
        KB.text("checklist_title", lang, title=topic.title.get(lang))
    )


async def test_words_after_checklist_name_the_topic(late: Router) -> None:
    chat = Chat(memory_engine(), locale="fr")
    (reply,) = await chat.send("command", payload="checklist", text="retard de paiement")
    assert is_checklist(reply, "late-payment", "fr")
    assert late.asked == ["retard de paiement"]


@pytest.mark.parametrize("words", ["late-payment", "Late payment", "  vet client "])
async def test_a_topic_id_typed_out_needs_no_routing(
    monkeypatch: pytest.MonkeyPatch, words: str
) -> None:
    router = Router()
    monkeypatch.setattr(engine_module, "route", router)
    chat = Chat(memory_engine())
    (reply,) = await chat.send("command", payload="checklist", text=words)
    expected = "vet-client" if "vet" in words else "late-payment"
    assert is_checklist(reply, expected, "en") and router.asked == []


@pytest.mark.parametrize("topics", [(), ("ghosting", "late-payment")])
async def test_words_that_name_no_single_topic_bring_the_picker(
    monkeypatch: pytest.MonkeyPatch, topics: tuple[str, ...]
) -> None:
    monkeypatch.setattr(engine_module, "route", Router(*topics))
    chat = Chat(memory_engine(), locale="nb")
    (reply,) = await chat.send("command", payload="checklist", text="været i morgen")
    assert reply.text == KB.text("checklist_unknown", "nb")
    assert [b.payload for b in reply.buttons][:-1] == [f"checklist:{x}" for x in KB.catalog.topics]


async def test_a_slug_that_is_no_topic_is_read_as_words(late: Router) -> None:
    chat = Chat(memory_engine())
    (reply,) = await chat.command("checklist:retard-de-paiement")
    assert is_checklist(reply, "late-payment", reply.lang) and late.asked == ["retard de paiement"]
    (reply,) = await chat.press("checklist:retard-de-paiement")  # a button we never offered
    assert reply.text == KB.text("stale", "en")
    (reply,) = await chat.command("checklist")
    assert reply.text == KB.text("checklist_pick", "en")


async def test_checklist_words_mid_flow_leave_the_flow(late: Router) -> None:
    chat = Chat(memory_engine())
    await chat.press("flow:say-no")
    (reply,) = await chat.send("command", payload="checklist", text="paid late")
    assert is_checklist(reply, "late-payment", "en")
    assert (await chat.session()).flow is None


async def test_slack_slash_checklist_reaches_the_topic(late: Router) -> None:
    engine = memory_engine()
    for words in ("retard de paiement", "retard de paiement, facture impayée !"):
        inbound = command_to_inbound(slack_payload("slash_checklist", text=words))
        assert inbound is not None
        (reply,) = await engine.handle(inbound.turn)
        assert reply.checklist == [
            i.text.get(reply.lang) for i in KB.topics["late-payment"].checklist
        ]
    assert late.asked == ["retard de paiement", "retard de paiement, facture impayée !"]


async def test_telegram_slash_checklist_reaches_the_topic(late: Router) -> None:
    engine = memory_engine()
    for words in ("retard de paiement", "paiement très en retard, facture impayée"):
        data = json.loads((FIXTURES / "private_start_nb.json").read_text(encoding="utf-8"))
        data["message"]["text"] = f"/checklist {words}"
        data["message"].pop("entities", None)
        turn = to_turn(Update.de_json(data, None), ME)
        assert turn is not None and turn.kind == "command" and turn.text == words
        (reply,) = await engine.handle(turn)
        assert is_checklist(reply, "late-payment", reply.lang)
    assert late.asked == ["retard de paiement", "paiement très en retard, facture impayée"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "checklist late payment"),
        ("fr", "liste de contrôle client qui ne paie pas"),
        ("nb", "sjekkliste kunde som ikke betaler"),
    ],
)
async def test_a_typed_message_opening_with_checklist_gets_the_checklist(
    lang: str, text: str
) -> None:
    chat = Chat(memory_engine(), locale="en")  # the words set the language, as in a message
    (reply,) = await chat.say(text)
    assert is_checklist(reply, "late-payment", lang)
    assert (await chat.session()).flow is None


async def test_a_message_opening_with_checklist_that_names_no_topic_is_read_as_a_message() -> None:
    chat = Chat(memory_engine(), locale="en")
    replies = await chat.say("checklists are what my client wants from me, daily")
    assert all(r.text != KB.text("checklist_unknown", "en") for r in replies)
    assert all(not r.text.startswith(KB.text("checklist_title", "en", title="")) for r in replies)
