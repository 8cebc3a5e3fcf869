"""Chat spellings and slang (``jsp``, ``tjrs``, ``300 balles``, ``idk``) are read as the words
they stand for: by the word model (both in training and in messages) and by the embedding."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.understanding import embedding
from bot.understanding.data import Spellings, load
from bot.understanding.features import keyboard_spelling, message_stems, respelled, spelled_out
from bot.understanding.model import OFFTOPIC, model
from bot.understanding.router import route_with


def test_spelled_out_keeps_the_rest_of_the_text() -> None:
    table = load().words.spellings.get("fr")
    assert (
        spelled_out("Jsp pk il répond TJRS pas, ça fait 300 balles !", table)
        == "je sais pas pourquoi il répond toujours pas, ça fait 300 euros !"
    )
    assert spelled_out("rien à changer ici", table) == "rien à changer ici"


@pytest.mark.parametrize(
    ("chat", "spelled", "lang"),
    [
        ("jsp pk il repond tjrs pas", "je sais pas pourquoi il repond toujours pas", "fr"),
        ("jai relance bcp mais ya rien", "j'ai relancé beaucoup mais il y a rien", "fr"),
        ("il me doit 300 balles", "il me doit 300 euros", "fr"),
        ("idk why u never pay me", "i don't know why you never pay me", "en"),
        ("koss får jeg kunden til å betale", "hvordan får jeg kunden til å betale", "nb"),
        (
            "ka gjør æ itj nå, dvs etter fristen",
            "hva gjør jeg ikke nå, det vil si etter fristen",
            "nb",
        ),
        (
            "ngl the client is kinda sus imo",
            "to be honest the client is kind of suspicious in my opinion",
            "en",
        ),
        ("two wks late and no pymt", "two weeks late and no payment", "en"),
        # "aa" for å and "oe" for ø, typed without a Norwegian keyboard
        ("venter paa betaling i to maaneder", "venter på betaling i to måneder", "nb"),
        ("kunden vil ha moete hver dag", "kunden vil ha møte hver dag", "nb"),
    ],
)
def test_a_chat_spelling_reads_like_the_words_it_stands_for(
    chat: str, spelled: str, lang: str
) -> None:
    vocab = model().vocab[lang]
    assert message_stems(chat, vocab) == message_stems(spelled, vocab)


def test_respelling_splits_one_token_into_several() -> None:
    assert respelled(["jsp", "pk"], {"jsp": ("je", "sais", "pas"), "pk": ("pourquoi",)}) == [
        "je",
        "sais",
        "pas",
        "pourquoi",
    ]
    assert respelled(["rien"], {}) == ["rien"]


def test_a_spelling_is_one_folded_word() -> None:
    with pytest.raises(ValidationError):
        Spellings.model_validate({"fr": {"j sp": "je sais pas"}})
    with pytest.raises(ValidationError):
        Spellings.model_validate({"fr": {"ékip": "équipe"}})


def test_every_spelling_stands_for_words_the_routing_data_knows() -> None:
    """A spelling written out into words no topic ever uses would change nothing."""
    m = model()
    for lang in ("fr", "nb", "en"):
        vocab = m.vocab[lang]
        for word, words in vocab.spellings.items():
            known = [t for t in words if t in vocab.stop or vocab.resolve(t)[0] in vocab.known]
            assert known, (lang, word, words)


def test_the_embedding_reads_the_spelled_out_message(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "jsp quoi faire, c relou"  # no topic word: the word model is unsure
    seen: list[str] = []

    def fake(t: str) -> dict[str, float]:
        seen.append(t)
        return {topic: 0.01 for topic in model().classes} | {OFFTOPIC: 0.01}

    monkeypatch.setattr(embedding, "topic_probabilities", fake)
    monkeypatch.setattr(embedding, "load_in_background", lambda **_: None)
    route_with(model(), text, "fr")
    assert seen == ["je sais pas quoi faire, c pénible"]


def test_keyboard_letters_are_read_back_only_for_words_the_vocabulary_lacks() -> None:
    nb, en = model().vocab["nb"], model().vocab["en"]
    assert keyboard_spelling("maaneder", nb) == "maneder"
    assert keyboard_spelling("moete", nb) == "mote"
    # words the vocabulary knows keep their letters ("ekstraarbeid", "samboer")
    assert keyboard_spelling("ekstraarbeid", nb) == "ekstraarbeid"
    assert keyboard_spelling("samboer", nb) == "samboer"
    # nor do other languages, nor a word that is unknown either way
    assert keyboard_spelling("maaneder", en) == "maaneder"
    assert keyboard_spelling("zzaazz", nb) == "zzaazz"
