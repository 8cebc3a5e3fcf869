"""The readings of one message share their work within its turn, and nothing of a message is
remembered after it: a person's next message is never recognised from an earlier one."""

from __future__ import annotations

from engine_helpers import memory_engine

from bot.models import ConversationKey, Turn
from bot.understanding import turn_memo
from bot.understanding.phrases import PhraseSet, words


def test_a_memo_lives_for_its_turn_only() -> None:
    calls: list[str] = []

    @turn_memo.per_turn(maxsize=8)
    def read(text: str) -> str:
        calls.append(text)
        return text.upper()

    with turn_memo.one_turn() as memo:
        assert read("merci") == "MERCI" and read("merci") == "MERCI"
        assert calls == ["merci"]  # read once within the turn
        assert memo  # and kept in the turn's own memo
    assert turn_memo.current() is None and not memo
    with turn_memo.one_turn():
        read("merci")
    assert calls == ["merci", "merci"]  # a new turn reads it again


def test_outside_a_turn_a_bounded_cache_serves() -> None:
    calls: list[str] = []

    @turn_memo.per_turn(maxsize=2)
    def read(text: str) -> str:
        calls.append(text)
        return text

    for text in ("a", "a", "b", "c", "a"):
        read(text)
    assert calls == ["a", "b", "c", "a"]  # "a" was pushed out by "b" and "c"


def test_phrase_matches_are_remembered_within_a_turn_not_across() -> None:
    phrases = PhraseSet([("late", "en", "pays late")])
    ws = words("he always pays late")
    with turn_memo.one_turn() as memo:
        first = phrases.find(ws, ("en",))
        assert phrases.find(ws, ("en",)) is first
        assert any(k[0] is phrases for k in memo if isinstance(k, tuple))
    assert not phrases._found  # nothing was kept on the set for later turns


async def test_an_engine_turn_leaves_no_reading_of_its_message_behind() -> None:
    engine = memory_engine()
    reader = engine.policy.reader
    key = ConversationKey(platform="test", chat="C1", user="U1")
    await engine.handle(Turn(key=key, text="my client hasn't paid my invoice", locale="en"))
    await engine.handle(Turn(key=key, text="we agreed in writing, net 30", locale="en"))
    assert not reader._read
    assert not reader.polarity._found and not reader.hedges._found
    assert turn_memo.current() is None
