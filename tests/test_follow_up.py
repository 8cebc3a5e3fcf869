"""After advice, a short message that names nothing of its own does not open whichever topic its
few words lean to: the person is asked whether it is still about the topic just answered."""

from __future__ import annotations

import pytest
from engine_helpers import Chat, memory_engine, real_kb

KB = real_kb()

# (first message: a topic without a flow, a short follow-up naming no topic, client or work,
# a follow-up that does name another problem)
SAY = {
    "en": ("the client keeps adding extra pages to the website without paying more",
           "no he did this last year too", "and what about late payments?"),
    "fr": ("le client rajoute sans arrêt des pages au site sans payer plus",
           "rien de signé", "et s'il ne paie pas ma facture ?"),
    "nb": ("kunden legger stadig til nye sider på nettsiden uten å betale mer",
           "ingenting signert", "hva med en kunde som ikke betaler fakturaen?"),
}  # fmt: skip


def topic_buttons(chat: Chat) -> list[str]:
    buttons = chat.last[0].buttons
    return [b.payload.split(":", 1)[1] for b in buttons if b.payload.startswith("topic:")]


@pytest.mark.parametrize("lang", sorted(SAY))
async def test_a_follow_up_without_words_of_its_own_asks_before_switching(lang: str) -> None:
    opening, follow_up, _ = SAY[lang]
    chat = Chat(memory_engine(), locale=lang)
    await chat.say(opening)
    answered = (await chat.engine.store.load(chat.key.as_str())).topic
    assert answered is not None and chat.last[0].buttons
    (reply,) = await chat.say(follow_up)
    assert reply.text == KB.text("follow_up", lang)
    shown = topic_buttons(chat)
    assert shown[0] == answered and len(shown) == 2 and shown[1] != answered
    assert (await chat.engine.store.load(chat.key.as_str())).topic == answered  # nothing opened


@pytest.mark.parametrize("lang", sorted(SAY))
async def test_a_follow_up_that_names_a_problem_is_answered_as_usual(lang: str) -> None:
    opening, _, other = SAY[lang]
    chat = Chat(memory_engine(), locale=lang)
    await chat.say(opening)
    replies = await chat.say(other)
    assert all(r.text != KB.text("follow_up", lang) for r in replies)


async def test_a_first_message_is_never_asked_about_a_topic_before_it() -> None:
    chat = Chat(memory_engine(), locale="en")
    replies = await chat.say("no he did this last year too")
    assert all(r.text != KB.text("follow_up", "en") for r in replies)
