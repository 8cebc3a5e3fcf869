"""Engine figures: one full turn, routing alone, throughput, stored bytes, memory and scaling."""

from __future__ import annotations

import gc
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.bench import memory_probe
from bot.bench.timing import Timing, measure, measure_async
from bot.engine import Engine
from bot.models import ConversationKey, Turn
from bot.store.base import Session, SessionStore
from bot.understanding import embedding, turn_memo
from knowledge.models import KnowledgeBase

# A mixed set of messages in the three languages: free text about clients, a few short words and
# commands, as people write them (typos and missing accents included).
MESSAGES: tuple[str, ...] = (
    "my client still hasn't paid the invoice from march",
    "ok",
    "menu",
    "they want the whole website redone by friday for half the budget",
    "mon client m'appelle le dimanche soir pour des broutilles",
    "facture toujours pas payee depuis 45 jours",
    "1",
    "kunden svarer ikke etter at jeg leverte prosjektet",
    "hvordan sier jeg nei til et oppdrag jeg ikke kan gjøre",
    "should I stop working with a client who insults my designs?",
    "un concurrent propose le meme travail moins cher",
    "jeg mister stadig kunder, hva gjør jeg feil?",
    "hello",
    "help",
    "le client a mis fin au contrat sans prevenir",
    "ny kunde vil ikke oppgi firmanavn eller adresse",
)
ANSWER_IN_CONTEXT = "we signed the quote, net 30, and he's ignored two reminders"
BUTTONS: tuple[str, ...] = ("a:terms:in-writing", "a:time:sometimes", "topic:rates", "menu")


def turn_for(i: int, users: int, platform: str = "bench") -> Turn:
    """The i-th turn of the mixed workload: every fifth one is a button press."""
    key = ConversationKey(platform=platform, chat=f"C{i % users}", user=f"U{i % users}")
    if i % 5 == 4:
        return Turn(key=key, kind="button", payload=BUTTONS[i % len(BUTTONS)])
    return Turn(key=key, text=MESSAGES[i % len(MESSAGES)], locale=("en", "fr", "nb")[i % 3])


def sqlite_store(path: Path) -> SessionStore:
    from bot.store.sqlite import SQLiteStore

    return SQLiteStore(str(path))


def memory_store() -> SessionStore:
    from bot.store.memory import MemoryStore

    return MemoryStore()


async def turn_timing(engine: Engine, n: int, warmup: int, users: int = 500) -> Timing:
    async def one(i: int) -> None:
        replies = await engine.handle(turn_for(i, users))
        if not replies:
            raise RuntimeError("a turn gave no reply")

    return await measure_async(one, n, warmup)


async def throughput(engine: Engine, n: int, users: int = 500) -> float:
    """Turns per second, one after another in one process."""
    start = time.perf_counter()
    for i in range(n):
        await engine.handle(turn_for(i, users))
    return n / (time.perf_counter() - start)


def route_timing(n: int, warmup: int, embeddings: bool = False) -> Timing:
    """Routing the short messages of :data:`MESSAGES` (the word model alone unless
    ``embeddings``: then the unsure ones are read by the embedding too)."""
    from bot.understanding import detect_language, route

    texts = [m for m in MESSAGES if len(m) > 8]

    def one(i: int) -> None:
        text = texts[i % len(texts)]
        with turn_memo.one_turn():  # as in a turn: nothing of an earlier message remembered
            route(text, detect_language(text, hint="en"), embeddings=embeddings)

    return measure(one, n, warmup)


def unsure_share() -> float:
    """Share of the short bench messages the word model is unsure of (sent to the embedding)."""
    from bot.understanding import detect_language
    from bot.understanding.model import model
    from bot.understanding.router import SHORT_EMBEDDING_BELOW, TEMPERATURE, calibrated

    m = model()
    texts = [t for t in MESSAGES if len(t) > 8]
    unsure = 0
    for text in texts:
        raw, _ = m.scores(text, detect_language(text, hint="en"))
        unsure += calibrated(raw, m.classes, TEMPERATURE)[0][1] < SHORT_EMBEDDING_BELOW
    return round(unsure / len(texts), 3)


def long_messages(min_words: int = 80) -> list[tuple[str, str]]:
    """(language, text) of the routing stories of about a hundred words."""
    from bot.understanding.data import load

    data = load()
    return [
        (lang, story.text)
        for lang, stories in data.stories.items()
        for story in stories
        if len(story.text.split()) >= min_words
    ]


def long_route_timing(n: int, warmup: int, embeddings: bool) -> Timing:
    """Routing a message of about 100 words (the language given), with or without the
    embedding."""
    from bot.understanding import route

    texts = long_messages()

    def one(i: int) -> None:
        lang, text = texts[i % len(texts)]
        with turn_memo.one_turn():
            route(text, lang, embeddings=embeddings)

    return measure(one, n, warmup)


async def answer_in_context_timing(engine: Engine, n: int, warmup: int) -> Timing:
    """A free-text answer read in context: "we signed the quote, net 30" at the terms question
    of the unpaid-invoice flow (the flow is started, untimed, for each sample)."""
    samples: list[int] = []
    for i in range(warmup + n):
        key = ConversationKey(platform="bench", chat=f"ctx{i}", user=f"ctx{i}")
        await engine.handle(Turn(key=key, kind="button", payload="flow:unpaid-invoice"))
        start = time.perf_counter_ns()
        await engine.handle(Turn(key=key, text=ANSWER_IN_CONTEXT))
        if i >= warmup:
            samples.append(time.perf_counter_ns() - start)
    from bot.bench.timing import summarise

    return summarise(samples)


def embedding_figures(n: int, warmup: int) -> dict[str, Any]:
    """Routing of ~100-word messages with and without the embedding, short messages with it
    (only the unsure ones pay), and what it costs in memory (RSS before and after loading it)."""
    words_only = long_route_timing(n, warmup, False)
    out: dict[str, Any] = {"long_route_us_words_only": words_only.as_dict()}
    if not embedding.available():
        out["embedding"] = "not installed"
        return out
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    embedding.warm_up()
    out["embedding_load_s"] = round(time.perf_counter() - started, 3)
    out["embedding_rss_mb"] = round(rss_mb() - before, 1)
    out["long_route_us_embedding"] = long_route_timing(max(n // 20, 20), 3, True).as_dict()
    out["short_route_us_embedding"] = route_timing(max(n // 5, 40), 3, True).as_dict()
    out["short_unsure_share"] = unsure_share()
    return out


async def fill(store: SessionStore, count: int, start: int = 0) -> None:
    """Store ``count`` realistic sessions (a flow half-way, a few slots)."""
    session = Session(lang="fr", flow="unpaid-invoice", state="asking_amount",
                      slots={"terms": "in-writing", "history": "first-time", "days": 45},
                      topic="late-payment", updated=time.time())  # fmt: skip
    for i in range(start, start + count):
        await store.save(f"bench|F{i}||U{i}", f"bench|U{i}", session)


def sqlite_bytes_per_session(path: Path) -> float:
    """Database file size per stored conversation (row data, key, index and page overhead)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        count = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    return path.stat().st_size / max(count, 1)


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def scaled_knowledge(kb: KnowledgeBase, factor: int) -> KnowledgeBase:
    """The knowledge base with ``factor - 1`` generated copies of every topic added."""
    topics = dict(kb.topics)
    for copy in range(1, factor):
        for topic_id, topic in kb.topics.items():
            new_id = f"{topic_id}-copy{copy}"
            topics[new_id] = topic.model_copy(update={"id": new_id})
    catalog = kb.catalog.model_copy(update={"topics": list(topics)})
    return KnowledgeBase(catalog=catalog, topics=topics, interface=kb.interface)


async def engine_figures(
    n: int, warmup: int, big: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Everything measured on the engine alone, in one process: the word model alone until the
    embedding's own figures, measured last (once loaded it stays in memory)."""
    import knowledge

    kb = knowledge.load()
    out: dict[str, Any] = {}
    with embedding.disabled(), tempfile.TemporaryDirectory(prefix="clientcoach-bench-") as tmp:
        tmpdir = Path(tmp)
        log("turn with the in-memory store")
        mem = Engine(memory_store(), kb)
        out["turn_us_memory"] = (await turn_timing(mem, n, warmup)).as_dict()
        log("turn with SQLite")
        sql_engine = Engine(sqlite_store(tmpdir / "turn.sqlite3"), kb)
        out["turn_us"] = (await turn_timing(sql_engine, n, warmup)).as_dict()
        log("throughput with SQLite")
        out["turns_per_s"] = {"sqlite": round(await throughput(sql_engine, n))}
        out["route_us"] = route_timing(n, warmup).as_dict()
        log("an answer read in context")
        out["answer_in_context_us"] = (
            await answer_in_context_timing(sql_engine, min(n, 500), warmup)
        ).as_dict()
        await sql_engine.store.close()

        log("knowledge base at 10x")
        ten = Engine(memory_store(), scaled_knowledge(kb, 10))
        one_x = await turn_timing(Engine(memory_store(), kb), n, warmup)
        ten_x = await turn_timing(ten, n, warmup)
        out["scaling"] = {
            "kb_1x_us": round(one_x.median_us, 1),
            "kb_10x_us": round(ten_x.median_us, 1),
            "kb_ratio": round(ten_x.median_us / one_x.median_us, 2),
        }

        log(f"stored conversations: 1,000 vs {big:,}")
        small_path, big_path = tmpdir / "small.sqlite3", tmpdir / "big.sqlite3"
        small_store, big_store = sqlite_store(small_path), sqlite_store(big_path)
        await fill(small_store, 1000)
        await fill(big_store, big)
        small_t = await turn_timing(Engine(small_store, kb), n, warmup)
        big_t = await turn_timing(Engine(big_store, kb), n, warmup)
        out["scaling"].update(
            {
                "sessions_1k_us": round(small_t.median_us, 1),
                f"sessions_{big // 1000}k_us": round(big_t.median_us, 1),
                "sessions_ratio": round(big_t.median_us / small_t.median_us, 2),
            }
        )
        out["bytes_per_session"] = round(sqlite_bytes_per_session(big_path))
        await small_store.close()
        await big_store.close()

        log(f"memory with {big:,} conversations (a serving process of its own)")
        out["rss_mb"] = memory_probe.measure(big)
    log("long messages, with and without the embedding (loaded last: it stays in memory)")
    out["long_messages"] = embedding_figures(min(n, 500), warmup)
    out["pid"] = os.getpid()
    return out
