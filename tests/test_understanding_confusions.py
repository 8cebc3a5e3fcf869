"""Topics that overlap: sentences written for these tests, not taken from the routing data."""

from __future__ import annotations

import pytest

from bot.understanding import route
from bot.understanding.normalise import ROUND_THE_CLOCK, tokens


def test_round_the_clock_is_one_word_and_numbers_are_not() -> None:
    clock = ROUND_THE_CLOCK
    assert tokens("joignable 24h/24 et 7j/7") == ["joignable", clock, "et", clock]
    assert tokens("available 24/7") == ["available", ROUND_THE_CLOCK]
    assert tokens("10,000 words, then 16 000") == ["0", "words", "then", "0"]


def test_two_numbers_do_not_mean_working_hours() -> None:
    routing = route("They booked 3 000 words, the text they sent has 7 500, same price.", "en")
    assert routing.top == "scope-creep"


@pytest.mark.parametrize(
    ("text", "lang", "topic"),
    [
        # an answer to a remark is not silence
        ("how am I supposed to answer 'did your intern make this?'", "en", "disrespect"),
        ("han svarte at en femteklassing kunne skrevet bedre, hva gjør jeg", "nb", "disrespect"),
        ("elle me parle de haut à chaque retour, comme si j'étais débutante", "fr", "disrespect"),
        # losing many clients, not one client leaving
        ("two of my four retainers stopped this spring, what keeps people around?", "en",
         "retain-clients"),
        ("j'ai perdu deux gros clients en un trimestre, je veux qu'ils restent plus longtemps",
         "fr", "retain-clients"),
        # one client replaced me
        ("they picked a more senior freelancer instead of me, contract ends friday", "en",
         "client-left"),
        # late work, not late payment or night calls
        ("mes rendus arrivent toujours un jour ou deux après la date promise", "fr", "deadlines"),
        ("I hand work in late almost every time, how do people plan their week?", "en",
         "deadlines"),
        # the job grew, not a request to refuse
        ("le site devait avoir trois pages, on en est à neuf pour le même prix", "fr",
         "scope-creep"),
        ("avtalen var to plakater, nå vil de ha seks for samme pris", "nb", "scope-creep"),
        # false urgency is a boundary problem
        ("hun sier alt haster, så ligger det urørt i ukevis", "nb", "boundaries"),
        # unknown client too good to be true
        ("a company abroad offers double my usual rate, no website, is it a scam?", "en",
         "vet-client"),
        ("une société inconnue à l'étranger, super bien payée, rien sur internet, c'est louche ?",
         "fr", "vet-client"),
        # advice that was waved away
        ("jeg advarte dem mot den løsningen, de gjorde det likevel og nå går det dårlig", "nb",
         "ignored-advice"),
        # clashing ways of working
        ("il change d'avis toutes les heures et moi j'ai besoin d'un cadre, ça coince", "fr",
         "conflicts"),
        ("vi har helt forskjellig arbeidsmåte og det skjærer seg i hvert møte", "nb",
         "conflicts"),
    ],
)
def test_overlapping_topics_are_told_apart(text: str, lang: str, topic: str) -> None:
    routing = route(text, lang)
    assert routing.top == topic, routing.ranked[:3]


@pytest.mark.parametrize(
    ("text", "lang", "topic"),
    [
        # a far-away client is a time-zone matter, not a client to keep or vet
        ("my biggest client is eight hours ahead in Seoul, how do we pass work back and forth",
         "en", "time-zones"),
        ("kunden min holder til i Tokyo, og svarene deres kommer mens jeg sover", "nb",
         "time-zones"),
        # a count of lost clients is about keeping clients, not one client leaving
        ("cinq clients perdus sur huit en un an, je ne comprends pas ce qui cloche", "fr",
         "retain-clients"),
        ("mistet 3 av 6 kunder siden i fjor, hva gjør jeg feil", "nb", "retain-clients"),
        ("the agency I freelance for is draining me, do I walk away or hang on", "en",
         "fire-client"),
        # a remark on the person, with no client word at all
        ("elle critique le texte, soit, mais elle a écrit que j'étais pas très maligne", "fr",
         "disrespect"),
        ("leveransen kom fire dager over fristen, og jeg skammer meg, hvordan unngå det", "nb",
         "deadlines"),
        ("mon forfait devait couvrir un site vitrine, il gonfle chaque semaine", "fr",
         "scope-creep"),
        ("facture échue depuis trois mois, il promet de payer à chaque relance", "fr",
         "late-payment"),
        ("de vil ha rabatt fordi de lover mange oppdrag fremover, bør jeg gi det", "nb", "rates"),
        ("they opened my email on monday, read receipt and all, and then nothing", "en",
         "ghosting"),
        ("le responsable marketing et moi, on s'accroche sur chaque choix", "fr", "conflicts"),
        ("il ne tient jamais compte de ce que je recommande, je continue à insister ?", "fr",
         "ignored-advice"),
        ("an unknown client wants an NDA signed before telling me who they are", "en",
         "vet-client"),
        ("the client's new director cancelled our contract and hired in-house", "en",
         "client-left"),
        # "tu me conseilles" is not "mes conseils"
        ("tu me conseilles quel film regarder ce soir ?", "fr", None),
    ],
)
def test_more_overlaps_are_told_apart(text: str, lang: str, topic: str | None) -> None:
    routing = route(text, lang)
    assert routing.top == topic, routing.ranked[:3]


def test_word_prefixes_join_a_word_family() -> None:
    from bot.understanding.features import features_of

    feats = features_of(["facturat", "client"], [False, False])
    assert "factu~" in feats
    assert "clien~" in feats
    assert features_of(["pay"], [False]) == ["pay"]
