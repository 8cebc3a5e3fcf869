"""Properties of the engine under hostile input (hypothesis).

Any sequence of one to eight turns — texts of 0 to 50,000 characters (RTL, zero-width, emoji,
control characters, lone surrogates, braces, markup), button and command payloads (valid ones of
every flow, ones never offered, ones of another flow, malformed, over-long, ones offered to
someone else), attachments and joins — never raises, always gets at least one reply with a text
in a supported language, and leaves the stored session idle or in a state of its flow's machine.
Two people interleaved never change each other's conversation.

``CLIENTCOACH_LONG=1`` runs the long profile (10,000 examples and more); the default profile is
small enough for CI.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engine_helpers import real_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import payloads
from bot.engine import Engine
from bot.flows import DONE
from bot.models import MAX_PAYLOAD_BYTES, ConversationKey, Reply, Turn
from bot.store.base import Session, SessionStore
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore
from bot.understanding import embedding
from knowledge.models import LANGS

LONG = os.environ.get("CLIENTCOACH_LONG") == "1"
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
# CI replays the same examples every run (a red build is always reproducible); the long profile
# draws new ones each time to explore.
settings.register_profile(
    "clientcoach-ci",
    max_examples=300,
    deadline=None,
    suppress_health_check=_QUIET,
    derandomize=True,
)
settings.register_profile(
    "clientcoach-long", max_examples=10_000, deadline=None, suppress_health_check=_QUIET
)
PROFILE = settings.get_profile("clientcoach-long" if LONG else "clientcoach-ci")
# SQLite and two-person runs cost more per example: a share of the profile's examples.
SMALLER = settings(PROFILE, max_examples=PROFILE.max_examples // (10 if LONG else 3))

KB = real_kb()
ENGINE = Engine(MemoryStore(), KB)  # holds no per-conversation state; its store is swapped
MAX_TEXT = 50_000

# Texts ---------------------------------------------------------------------------------------
ODD = [
    "\u202e", "\u202d", "\u200f", "\u200e", "\u2066", "\u2069", "\u200b", "\u200c", "\u200d",
    "\ufeff", "\u00ad", "\u034f", "😀", "👍🏽", "👨‍👩‍👧", "🇳🇴", "\x00", "\x07", "\x1b", "\r", "\n",
    "\t", "\x7f", "\x85", "\u2028", "\u2029", "\ud800", "\udfff", "مرحبا بالعالم", "שלום", "ø", "Å",
    "é", "ß", "İ", "{", "}", "{client_name}", "{0}", "{amount!r}", "%s", "<!channel>", "<!here>",
    "<@U0ALICE>", "<#C0GEN|general>", "<b>", "</pre>", "&amp;", "&lt;", "```", "*", "_", "~",
    "\\", "'", '"', "\u0301", "\U000e0041", "\uffff", "\U0010ffff",
]  # fmt: skip
WORDS = [
    "menu", "meny", "annuler", "avbryt", "/cancel", "cancel", "help", "aide", "hjelp", "start",
    "/start", "skip", "forget", "forget me", "english", "norsk", "français", "yes", "oui", "ja",
    "nei", "1", "2", "3", "7", "45", "0", "-3", "99999999", "3 weeks", "two months", "un mois",
    "kr 5000", "1 200,50 €", "$1,200.50", "5000 NOK", "INV-2024-17", "#42", "n/a",
    "my client has not paid my invoice", "mon client ne paie pas ma facture",
    "kunden min har ikke betalt fakturaen", "the client keeps asking for more work for free",
    "should I stop working with this client", "nouveau client, je dois vérifier",
]  # fmt: skip
LABELS = sorted(
    {
        option.label.get(lang)
        for topic in KB.topics.values()
        for question in topic.questions
        for option in question.options
        for lang in LANGS
    }
)
ATOMS = st.one_of(
    st.sampled_from(ODD),
    st.sampled_from(WORDS + LABELS),
    st.text(max_size=20),
    st.characters(codec=None, exclude_categories=()),
)
SHORT = st.lists(ATOMS, max_size=12).map(" ".join) | st.lists(ATOMS, max_size=8).map("".join)


def _repeat(piece: str, size: int) -> str:
    return (piece * (size // len(piece) + 1))[:size]


LONG_TEXT = st.builds(_repeat, SHORT.filter(bool), st.integers(1, MAX_TEXT))
TEXTS = st.one_of(SHORT, SHORT, LONG_TEXT, st.sampled_from(["", " ", "\n\t", "\u200b"]))


# Payloads ------------------------------------------------------------------------------------
def _valid_payloads(engine: Engine) -> list[str]:
    """Every payload the engine can offer, for every flow and topic."""
    out = ["start", "menu", "help", "cancel", "lang", "checklist", "forget", "forget:yes", "skip"]
    out += [f"lang:{code}" for code in (*LANGS, "no")] + [f"draft:{code}" for code in LANGS]
    out += ["remind:7", "remind:14", "remind:1", "remind:365", "remind:cancel"]
    for topic_id in KB.topics:
        out += [f"topic:{topic_id}", f"checklist:{topic_id}", f"checklist-{topic_id}"]
    for flow_id, flow in engine.flows.items():
        out += [f"flow:{flow_id}", f"flow-{flow_id}"]
        for question in KB.topics[flow.spec.topic].questions:
            out += [payloads.answer(question.id, option.id) for option in question.options]
    return out


VALID = _valid_payloads(ENGINE)
BAD = [
    "a:x:y", "a:", "a::", "a:terms", "a:terms:maybe", "a:terms:in-writing:extra", ":::", ":",
    "topic:nope", "flow:nope", "flow:", "checklist:nope", "lang:de", "lang:", "draft:xx",
    "remind:0", "remind:366", "remind:9999", "remind:-1", "remind:abc", "remind:", "forget:no",
    "a:" + "x" * 100, "topic:" + "é" * 40, "é" * 40, "\x00", " ", "  menu  ", "/start", "/menu x",
    "a:TERMS:NONE", "a:terms:none\n", "topic:rates;drop", "a-terms-none", "draft", "remind",
]  # fmt: skip
PAYLOADS = st.one_of(
    st.sampled_from(VALID),
    st.sampled_from(BAD),
    st.text(max_size=2 * MAX_PAYLOAD_BYTES),
    st.builds(
        lambda name, a, b: f"{name}:{a}:{b}",
        st.sampled_from(["a", "topic", "flow", "lang", "draft", "remind", "checklist", "x"]),
        st.text(max_size=10),
        st.text(max_size=10),
    ),
)

STEP = st.one_of(
    st.tuples(st.just("message"), TEXTS),
    st.tuples(st.just("message"), TEXTS),
    st.tuples(st.sampled_from(["button", "command"]), PAYLOADS),
    st.tuples(st.just("offered"), st.integers(0, 200)),  # one of the buttons just shown
    st.tuples(st.just("offered"), st.integers(0, 200)),
    st.tuples(st.sampled_from(["non_text", "joined"]), st.none()),
)
STEPS = st.lists(STEP, min_size=1, max_size=8)
LOCALES = st.sampled_from([None, "en", "fr", "nb-NO", "no", "nn", "en-US", "de", "", "zz-ZZ"])
CHAT_KINDS = st.sampled_from(["direct", "group"])


# Driving and checking ------------------------------------------------------------------------
class Person:
    """One person of a run: where they talk, and the buttons they were last shown."""

    def __init__(self, user: str, chat: str, chat_kind: str, locale: str | None) -> None:
        self.key = ConversationKey(platform="test", chat=chat, user=user)
        self.chat_kind = chat_kind
        self.locale = locale
        self.offered: list[str] = []

    def turn(self, step: tuple[str, Any], other: Person | None = None) -> Turn:
        kind, value = step
        if kind in ("offered", "foreign"):
            shown = (other if kind == "foreign" and other else self).offered or ["menu"]
            kind, value = "button", shown[value % len(shown)]
        fields: dict[str, Any] = {}
        if kind == "message":
            fields["text"] = value
        elif kind in ("button", "command"):
            fields["payload"] = value
        return Turn(key=self.key, chat_kind=self.chat_kind, kind=kind, locale=self.locale,  # type: ignore[arg-type]
                    **fields)  # fmt: skip


def forgets(engine: Engine, turn: Turn) -> bool:
    """True when the turn asks to delete everything (the session is then gone)."""
    payload = turn.payload if turn.kind in ("button", "command") else None
    if payload is None and turn.text:
        hit = engine.vocab.command(turn.text)
        payload = hit[0] if hit else None
    return payloads.parse(payload) == payloads.Action("forget", "yes")


def check_replies(replies: list[Reply]) -> None:
    assert replies, "every turn gets at least one reply"
    for reply in replies:
        assert reply.lang in LANGS, reply.lang
        assert reply.text.strip(), reply
        for button in reply.buttons:
            assert 0 < len(button.payload.encode("utf-8")) <= MAX_PAYLOAD_BYTES
            assert button.label.strip()


def check_session(engine: Engine, session: Session | None, forgot: bool) -> None:
    """Idle, or a state (not the final one) of the machine of ``session.flow``."""
    if session is None:
        assert forgot, "only forget leaves no session behind"
        return
    assert session.lang in (None, *LANGS)
    if session.flow is None:
        assert session.state == "idle", session
    else:
        assert session.flow in engine.flows, session
        machine = engine.flows[session.flow].machine
        assert session.state in machine.states and session.state != DONE, session
    assert Session.from_json(session.to_json()) == session


async def play(engine: Engine, person: Person, step: tuple[str, Any],
               other: Person | None = None) -> list[Reply]:  # fmt: skip
    turn = person.turn(step, other)
    replies = await engine.handle(turn)
    check_replies(replies)
    person.offered = [b.payload for r in replies for b in r.buttons]
    session = await engine.store.load(person.key.as_str())
    check_session(engine, session, forgets(engine, turn))
    return replies


def fresh(store: SessionStore) -> Engine:
    ENGINE.store = store
    return ENGINE


# The properties --------------------------------------------------------------------------------
@PROFILE
@given(steps=STEPS, locale=LOCALES, chat_kind=CHAT_KINDS)
async def test_any_sequence_is_answered_and_leaves_a_defined_state(
    steps: list[tuple[str, Any]], locale: str | None, chat_kind: str
) -> None:
    engine = fresh(MemoryStore())
    me = Person("u1", "c1", chat_kind, locale)
    for step in steps:
        await play(engine, me, step)


@SMALLER
@given(steps=STEPS, locale=LOCALES)
async def test_any_sequence_with_the_sqlite_store(
    steps: list[tuple[str, Any]], locale: str | None
) -> None:
    # What this checks is the store: the first property already routes with the embedding.
    with embedding.disabled(), tempfile.TemporaryDirectory(prefix="cc-prop-") as tmp:
        store = SQLiteStore(Path(tmp) / "p.sqlite3")
        engine = fresh(store)
        try:
            me = Person("u1", "c1", "direct", locale)
            for step in steps:
                await play(engine, me, step)
        finally:
            await store.close()


def _seen(replies: list[Reply], session: Session | None) -> tuple[Any, ...]:
    kept = None if session is None else {**asdict(session), "updated": 0}
    return tuple(r.model_dump() for r in replies), kept


@SMALLER
@given(
    mine=STEPS,
    theirs=st.lists(
        st.one_of(
            STEP,
            st.tuples(st.just("foreign"), st.integers(0, 200)),
            st.tuples(st.just("button"), st.sampled_from(["forget:yes", "remind:cancel"])),
        ),
        max_size=8,
    ),
    order=st.lists(st.booleans(), max_size=16),
    same_chat=st.booleans(),
    chat_kind=CHAT_KINDS,
)
async def test_two_people_interleaved_never_affect_each_other(
    mine: list[tuple[str, Any]],
    theirs: list[tuple[str, Any]],
    order: list[bool],
    same_chat: bool,
    chat_kind: str,
) -> None:
    """What one person sees and keeps is the same whether or not someone else talks meanwhile
    (in the same chat or another, pressing the first person's buttons, forgetting themselves).
    Routed by the word model alone: isolation does not depend on how a message is understood."""
    with embedding.disabled():
        alone_engine = fresh(MemoryStore())
        me = Person("u1", "c1", chat_kind, "fr")
        alone = []
        for step in mine:
            replies = await play(alone_engine, me, step)
            alone.append(_seen(replies, await alone_engine.store.load(me.key.as_str())))

        engine = fresh(MemoryStore())
        me = Person("u1", "c1", chat_kind, "fr")
        them = Person("u2", "c1" if same_chat else "c2", chat_kind, "nb-NO")
        together, todo_mine, todo_theirs = [], list(mine), list(theirs)
        for mine_next in [*order, *[True] * len(mine), *[False] * len(theirs)]:
            if mine_next and todo_mine:
                replies = await play(engine, me, todo_mine.pop(0), them)
                together.append(_seen(replies, await engine.store.load(me.key.as_str())))
            elif not mine_next and todo_theirs:
                await play(engine, them, todo_theirs.pop(0), me)
        assert together == alone


# Regressions the properties found ------------------------------------------------------------
async def test_lone_surrogates_in_a_message_are_answered_and_stored(tmp_path: Path) -> None:
    """JSON may carry "\\ud800": language detection and SQLite both refused it (the engine
    raised); now it reads as U+FFFD, also when echoed into a draft and stored as an answer."""
    store = SQLiteStore(tmp_path / "s.sqlite3")
    engine = Engine(store, KB)
    me = Person("u1", "c1", "direct", "en")
    try:
        await play(engine, me, ("message", "\ud800 hello \udfff"))
        for payload in ("flow:unpaid-invoice", "a:terms:verbal", "a:history:first-time"):
            await play(engine, me, ("button", payload))
        await play(engine, me, ("message", "12"))
        await play(engine, me, ("button", "skip"))
        replies = await play(engine, me, ("message", "ref \ud83d\udca5\udfff"))
        drafts = [r.draft.text for r in replies if r.draft]
        assert drafts and "\ufffd" in drafts[0]
        assert all(not ("\ud800" <= ch <= "\udfff") for ch in drafts[0])
    finally:
        await store.close()
