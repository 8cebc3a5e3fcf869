"""Language detection and topic routing on sentences written for these tests."""

from __future__ import annotations

import pytest

from bot.understanding import Routing, detect_language, route
from bot.understanding.normalise import fold, tokens


def test_fold_makes_accents_optional() -> None:
    assert fold("Réglée") == fold("reglee") == "reglee"
    assert fold("MÅNEDER") == "maneder"
    assert fold("søknad") == "soknad"


def test_tokens_drop_emoji_and_punctuation() -> None:
    assert tokens("client won't pay!!! 😡😡") == ["client", "wont", "pay"]
    assert tokens("l'argent ??? 300€") == ["l", "argent", "0"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("my customer still owes me for the March invoice", "en"),
        ("le client ne m'a toujours pas versé l'acompte", "fr"),
        ("le client ne ma toujours pas verse l acompte", "fr"),
        ("kunden har fortsatt ikke betalt for oppdraget i mars", "nb"),
        ("kunden har fortsatt ikke betalt for oppdraget i mars, hva gjor jeg na", "nb"),
        ("kunden vil ikkje betale rekninga", "nb"),  # Nynorsk answers in bokmål
    ],
)
def test_detects_the_three_languages(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["ok", "1", "hei", "42", "merci", "yes!", "👍", ""])
def test_short_messages_never_flip_an_established_language(text: str) -> None:
    for current in ("fr", "nb", "en"):
        assert detect_language(text, current=current) == current


def test_short_messages_fall_back_to_hint_then_english() -> None:
    assert detect_language("ok", hint="no") == "nb"
    assert detect_language("ok", hint="fr-FR") == "fr"
    assert detect_language("12") == "en"


def test_a_clear_sentence_overrides_the_hint() -> None:
    text = "jeg lurer på hvordan jeg skal si fra til kunden om nye priser"
    assert detect_language(text, hint="en", current="en") == "nb"


CLEAR = {
    "late-payment": {
        "en": "three reminders later the bill is still unpaid",
        "fr": "trois relances et la facture est toujours impayée",
        "nb": "tre purringer senere er regningen fortsatt ikke betalt",
    },
    "ghosting": {
        "en": "since I sent the mockups the client just stopped replying",
        "fr": "depuis l'envoi des maquettes le client ne répond plus du tout",
        "nb": "etter at jeg sendte skissene har kunden sluttet å svare",
    },
    "fire-client": {
        "en": "I am seriously considering dropping this client for good",
        "fr": "je pense sérieusement à arrêter de travailler avec ce client",
        "nb": "jeg vurderer seriøst å si opp denne kunden for godt",
    },
    "boundaries": {
        "en": "the client phones me every saturday evening about work",
        "fr": "le client m'appelle tous les samedis soir pour le boulot",
        "nb": "kunden ringer meg hver lørdag kveld om jobben",
    },
    "disrespect": {
        "en": "the client told my whole team my work is amateurish garbage",
        "fr": "le client a dit devant tout le monde que mon travail était nul et amateur",
        "nb": "kunden sa foran alle at arbeidet mitt var amatørmessig søppel",
    },
    "ignored-advice": {
        "en": "they rejected my recommendation and then changed my design anyway",
        "fr": "ils ont rejeté ma recommandation et ont modifié ma maquette quand même",
        "nb": "de avviste anbefalingen min og endret designet mitt likevel",
    },
    "client-left": {
        "en": "my client told me they are ending our contract next month",
        "fr": "mon client m'a annoncé qu'il met fin à notre contrat le mois prochain",
        "nb": "kunden fortalte at de avslutter kontrakten vår neste måned",
    },
    "competitor-cheaper": {
        "en": "a competitor offered the client the same website for less",
        "fr": "un concurrent a proposé le même site moins cher au client",
        "nb": "en konkurrent tilbød kunden den samme nettsiden billigere",
    },
    "say-no": {
        "en": "how can I politely turn down a request that is not my specialty",
        "fr": "comment refuser poliment une demande qui n'est pas ma spécialité",
        "nb": "hvordan takke høflig nei til noe som ikke er min spesialitet",
    },
    "unhappy-client": {
        "en": "the client is really disappointed with the brochure I made",
        "fr": "la cliente est vraiment déçue par la brochure que j'ai faite",
        "nb": "kunden er veldig skuffet over brosjyren jeg laget",
    },
    "vet-client": {
        "en": "a stranger wants to hire me but won't share a company address",
        "fr": "un inconnu veut m'engager mais refuse de donner l'adresse de sa société",
        "nb": "en ukjent vil leie meg inn men oppgir ikke adressen til firmaet",
    },
    "invoicing": {
        "en": "which mandatory information has to appear on my invoices",
        "fr": "quelles mentions obligatoires doivent figurer sur mes factures",
        "nb": "hvilken informasjon må stå på fakturaene mine",
    },
    "rates": {
        "en": "I want to increase my hourly rate with existing clients",
        "fr": "je veux augmenter mon taux horaire avec mes clients actuels",
        "nb": "jeg vil øke timeprisen for de kundene jeg har",
    },
    "deadlines": {
        "en": "I am behind schedule and will miss tomorrow's deadline",
        "fr": "j'ai pris du retard et je vais rater la deadline de demain",
        "nb": "jeg ligger etter og kommer til å bomme på fristen i morgen",
    },
    "time-zones": {
        "en": "my client is eight hours ahead, the time difference is hard",
        "fr": "mon client a huit heures de décalage horaire avec moi",
        "nb": "kunden er åtte timer foran meg, tidsforskjellen er vanskelig",
    },
    "conflicts": {
        "en": "my client and I disagree constantly and it turns into arguments",
        "fr": "mon client et moi on est constamment en désaccord, ça finit en disputes",
        "nb": "kunden og jeg er stadig uenige og det ender i krangel",
    },
    "retain-clients": {
        "en": "why do my clients never come back after one project",
        "fr": "pourquoi mes clients ne reviennent jamais après un projet",
        "nb": "hvorfor kommer kundene aldri tilbake etter ett prosjekt",
    },
    "scope-creep": {
        "en": "the client keeps asking for extra pages that were not in the quote",
        "fr": "le client demande sans cesse des pages en plus qui n'étaient pas dans le devis",
        "nb": "kunden ber stadig om ekstra sider som ikke var i tilbudet",
    },
}


@pytest.mark.parametrize(
    ("topic", "lang", "text"),
    [(topic, lang, text) for topic, by_lang in CLEAR.items() for lang, text in by_lang.items()],
)
def test_clear_cases_route_to_their_topic(topic: str, lang: str, text: str) -> None:
    result = route(text, lang)
    assert not result.offtopic
    assert result.ranked[0][0] == topic, result.ranked[:3]
    assert topic in result.candidates


@pytest.mark.parametrize(
    ("text", "lang", "topic"),
    [
        ("facture pas reglee depuis 2 mois", "fr", "late-payment"),
        ("kunden har ikke betalt fakturaen pa 2 maneder", "nb", "late-payment"),
        ("CLIENT WONT PAY MY INVOCE!!!", "en", "late-payment"),
        ("my clinet stoped responding to my emials", "en", "ghosting"),
        ("le cleint me demande des modifs gratuites hors devis", "fr", "scope-creep"),
        ("kunden vil ha rabatt pa timeprisen", "nb", "rates"),
    ],
)
def test_typos_accents_and_shouting_are_forgiven(text: str, lang: str, topic: str) -> None:
    assert route(text, lang).ranked[0][0] == topic


def test_route_detects_the_language_when_not_given() -> None:
    result = route("le client ne répond plus à mes messages depuis la livraison")
    assert result.lang == "fr"
    assert result.candidates[0] == "ghosting"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "a competitor undercut me so the client wants me to drop my rate",
            "en",
            {"competitor-cheaper", "rates"},
        ),
        (
            "le client ne répond plus et la facture reste impayée",
            "fr",
            {"ghosting", "late-payment"},
        ),
    ],
)
def test_two_topic_messages_rank_both_on_top(text: str, lang: str, expected: set[str]) -> None:
    result = route(text, lang)
    assert {t for t, _ in result.ranked[:2]} == expected


def test_close_topics_are_offered_as_two_candidates() -> None:
    result = route("a competitor undercut me so the client wants me to drop my rate", "en")
    if result.ambiguous:
        assert len(result.candidates) == 2
    else:
        assert len(result.candidates) == 1


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("how many minutes should I bake a chocolate cake", "en"),
        ("which train goes to the airport on a sunday night", "en"),
        ("quel film regarder ce soir avec les enfants", "fr"),
        ("comment réparer une fuite sous l'évier", "fr"),
        ("hvor mye snø kommer det i helgen", "nb"),
        ("kan du anbefale en god podkast om historie", "nb"),
    ],
)
def test_offtopic_messages_are_recognised(text: str, lang: str) -> None:
    result = route(text, lang)
    assert result.offtopic
    assert result.candidates == []
    assert result.ambiguous is False


def test_routing_shape() -> None:
    result = route("my client is late paying", "en")
    assert isinstance(result, Routing)
    assert len(result.ranked) == 23
    scores = [s for _, s in result.ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert 1 <= len(result.candidates) <= 2


def test_fuzzy_repair_never_touches_short_words() -> None:
    from bot.understanding.model import model

    vocab = model().vocab["en"]
    assert vocab.resolve("paz") == ("paz",)
    assert vocab.resolve("paymnt") == vocab.resolve("payment")
    assert vocab.resolve("invoicing") == ("invoic",)
