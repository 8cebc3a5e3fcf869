"""The five topics added after the first edition: outgrown-client, working-style-fit,
early-career-pay, scam-red-flags and legal-help. Their content is data; these tests check what
the person gets from it (help menu, answer, checklist by command words, the legal disclaimer)
and that what is not from the articles says where it comes from."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import LANGS, Chat, memory_engine, real_kb

from bot.cli.evaluate import evaluate_rows, read_rows, summary
from bot.understanding import route

KB = real_kb()
NEW = ["outgrown-client", "working-style-fit", "early-career-pay", "scam-red-flags", "legal-help"]


def test_new_topics_are_listed_without_a_flow() -> None:
    assert set(NEW) <= set(KB.catalog.topics)
    assert not set(NEW) & set(KB.catalog.flows.values())
    for topic_id in NEW:
        topic = KB.topic(topic_id)
        assert len(topic.checklist) >= KB.catalog.min_checklist
        assert topic.drafts and topic.advice


@pytest.mark.parametrize("lang", LANGS)
async def test_the_help_menu_offers_each_new_topic(lang: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    await chat.command("help")
    for topic_id in NEW:
        assert f"topic:{topic_id}" in chat.payloads


@pytest.mark.parametrize("topic_id", ["scam-red-flags", "legal-help"])
def test_items_beyond_the_articles_name_their_sources(topic_id: str) -> None:
    topic = KB.topic(topic_id)
    pages = {s.id: s for s in topic.outside_sources}
    assert pages, "outside pages are listed with the day they were checked"
    assert all(s.checked and s.url.startswith("http") for s in pages.values())
    for item in topic.advice:
        assert item.sources or item.outside or item.own, item.id
        assert set(item.outside) <= set(pages)
    assert any(item.outside for item in topic.advice)


@pytest.mark.parametrize("lang", LANGS)
async def test_legal_help_says_it_is_general_information(lang: str) -> None:
    chat = Chat(memory_engine(), locale=lang)
    (reply,) = await chat.press("topic:legal-help")
    first_sentence = KB.text("notice_disclaimer", lang).split(". ")[0]
    assert first_sentence in reply.text
    assert reply.checklist and reply.draft is not None


CHECKLIST_WORDS = [
    ("en", "scam red flags", "scam-red-flags"),
    ("fr", "arnaque au faux chèque", "scam-red-flags"),
    ("nb", "svindel", "scam-red-flags"),
    ("en", "legal help", "legal-help"),
    ("fr", "avocat", "legal-help"),
    ("nb", "advokat", "legal-help"),
    ("en", "client outgrew me", "outgrown-client"),
    ("fr", "vérifier la façon de travailler d'un futur client", "working-style-fit"),
    ("nb", "sjekke arbeidsstilen til en ny kunde i første møte", "working-style-fit"),
    ("en", "just started freelancing", "early-career-pay"),
    ("fr", "je débute en freelance", "early-career-pay"),
]


@pytest.mark.parametrize(("lang", "words", "topic_id"), CHECKLIST_WORDS)
async def test_checklist_command_words_reach_a_new_topic(
    lang: str, words: str, topic_id: str
) -> None:
    chat = Chat(memory_engine(), locale=lang)
    (reply,) = await chat.send("command", payload="checklist", text=words)
    topic = KB.topic(topic_id)
    assert reply.checklist == [i.text.get(lang) for i in topic.checklist]


@pytest.mark.parametrize(
    ("lang", "text", "topic_id"),
    [
        ("en", "they sent a cheque for more than my fee and want the rest back", "scam-red-flags"),
        ("fr", "le client menace de me poursuivre, il me faut un avocat ?", "legal-help"),
        ("nb", "kunden har vokst fra meg og vil ha et byrå", "outgrown-client"),
    ],
)
def test_a_plain_message_routes_to_a_new_topic(lang: str, text: str, topic_id: str) -> None:
    routing = route(text, lang)
    assert not routing.offtopic and routing.candidates[0] == topic_id


@pytest.mark.parametrize(
    ("name", "top1", "offered"),
    [
        ("routing-new-topics-holdout.jsonl", 0.85, 0.88),
        ("routing-new-topics-long-holdout.jsonl", 0.88, 0.9),
    ],
)
def test_new_topics_held_out_floors(name: str, top1: float, offered: float) -> None:
    """The new topics' held-out messages (written before their training data, never tuned on),
    word model alone: floors below what it scores."""
    rows = read_rows(Path(__file__).parent / "fixtures" / name)
    result = summary(evaluate_rows(rows, embeddings=False))
    assert result["topic_accuracy"] >= top1 and result["offered_accuracy"] >= offered
    assert set(result["per_lang"]) == {"fr", "nb", "en"}
