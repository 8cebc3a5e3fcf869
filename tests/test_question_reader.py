"""Answers read in context: every example answer of every option of every question maps to its
option, in each language; yes and no map per question; off-topic text maps to nothing."""

from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import LANGS, memory_engine

from bot.understanding.conversation_data import (
    ConversationDataError,
    load,
    load_from,
)
from bot.understanding.phrases import words

ENGINE = memory_engine()
READER = ENGINE.policy.reader
DATA = load()
TODAY = date(2026, 12, 1)

EXAMPLES = [
    pytest.param(flow, question, option, lang, text, id=f"{flow}.{question}.{option}.{lang}.{n}")
    for flow, answers in DATA.answers.items()
    for question, qwords in answers.questions.items()
    for option, owords in qwords.options.items()
    for lang in LANGS
    for n, text in enumerate(owords.examples.get(lang))
]


def test_every_choice_question_of_every_flow_has_words_in_three_languages() -> None:
    for flow_id, flow in ENGINE.flows.items():
        topic = ENGINE.kb.topics[flow.spec.topic]
        for question in topic.questions:
            if question.kind != "choice":
                continue
            qwords = DATA.answers[flow_id].questions[question.id]
            assert set(qwords.options) == {o.id for o in question.options}, question.id
            for option in qwords.options.values():
                for lang in LANGS:
                    assert option.words.get(lang) and option.examples.get(lang), (flow_id, lang)
            for mapped in (qwords.yes, qwords.no, qwords.hedge, qwords.unknown):
                assert mapped is None or mapped in qwords.options


@pytest.mark.parametrize(("flow", "question", "option", "lang", "text"), EXAMPLES)
def test_example_answer_maps_to_its_option(
    flow: str, question: str, option: str, lang: str, text: str
) -> None:
    reading = READER.read(flow, question, text, lang)
    assert reading.accepted and reading.option == option, reading


OFF_TOPIC = {
    "en": ["what's the capital of Peru", "I like pizza with pineapple", "banana"],
    "fr": ["quelle est la capitale du Pérou", "j'aime la pizza à l'ananas", "banane"],
    "nb": ["hva er hovedstaden i Peru", "jeg liker pizza med ananas", "banan"],
}


@pytest.mark.parametrize("lang", LANGS)
def test_off_topic_text_maps_to_no_option(lang: str) -> None:
    for flow, answers in DATA.answers.items():
        for question in answers.questions:
            for text in OFF_TOPIC[lang]:
                reading = READER.read(flow, question, text, lang)
                assert not reading.accepted, (flow, question, text, reading)


YES_NO = {
    "en": (["yes", "yup", "yeah sure", "absolutely"], ["no", "nah mate", "nope", "not really"]),
    "fr": (["oui", "carrément", "ouais", "bien sûr"], ["non", "non non", "pas vraiment", "nan"]),
    "nb": (["ja", "jepp", "ja da", "absolutt"], ["nei", "neida", "nei nei", "ikke egentlig"]),
}


@pytest.mark.parametrize("lang", LANGS)
def test_bare_yes_and_no_map_to_the_option_each_question_gives_them(lang: str) -> None:
    yes_words, no_words = YES_NO[lang]
    for flow, answers in DATA.answers.items():
        for question, qwords in answers.questions.items():
            no = qwords.no_alone or qwords.no  # a bare no alone, where the question says so
            for said, option in [(w, qwords.yes) for w in yes_words] + [
                (w, no) for w in no_words
            ]:
                reading = READER.read(flow, question, said, lang)
                if option is None:
                    assert reading.option is None or reading.why != "yes", (question, said)
                else:
                    assert reading.option == option, (flow, question, said, reading)


def test_first_time_late_no_means_repeated_even_with_a_reason() -> None:
    for text, lang in [("no he did this last year too", "en"), ("non, il l'a déjà fait", "fr"),
                       ("nei, han har gjort det før", "nb"), ("no", "en")]:  # fmt: skip
        assert READER.read("unpaid-invoice", "history", text, lang).option == "repeated", text


@pytest.mark.parametrize(
    ("text", "lang", "option"),
    [
        ("we had a signed contract, net 30", "en", "in-writing"),
        ("c'etait ecrit dans le devis signé, paiement a 30 jours", "fr", "in-writing"),
        ("skriftlig", "nb", "in-writing"),
        ("written", "en", "in-writing"),
        ("par ecrit", "fr", "in-writing"),
        ("not in writing, we just talked on the phone", "en", "verbal"),
        ("nei, bare muntlig", "nb", "verbal"),
        ("Yes, in writting", "en", "in-writing"),  # a typo of the label
        ("seulement à l'o", "fr", "verbal"),  # a prefix of the label
    ],
)
def test_terms_in_own_words(text: str, lang: str, option: str) -> None:
    reading = READER.read("unpaid-invoice", "terms", text, lang)
    assert reading.accepted and reading.option == option, reading


@pytest.mark.parametrize(
    ("flow", "question", "text", "lang", "option"),
    [
        ("client-left", "reason", "budget cuts", "en", "budget"),
        ("client-left", "reason", "vet ikke", "nb", "unknown"),
        ("client-left", "reason", "j'en sais rien", "fr", "unknown"),
        ("new-client-check", "contact", "only some", "en", "partial"),
        ("drop-client", "time", "more or less", "en", "sometimes"),
        ("drop-client", "time", "par moments", "fr", "sometimes"),
        ("losing-clients", "quality", "sånn passe", "nb", "sometimes"),
        ("losing-clients", "style", "på en måte", "nb", "sometimes"),
    ],
)
def test_hedges_unknowns_and_paraphrases(
    flow: str, question: str, text: str, lang: str, option: str
) -> None:
    reading = READER.read(flow, question, text, lang)
    assert reading.accepted and reading.option == option, reading


def test_a_number_presses_only_this_questions_options() -> None:
    assert READER.read("client-left", "handover", "2", "en").option == "pending"
    assert not READER.read("client-left", "handover", "3", "en").accepted


@pytest.mark.parametrize(
    ("text", "lang", "days"),
    [
        ("45", "en", 45),
        ("seven weeks", "en", 49),
        ("fem uker", "nb", 35),
        ("un mois et demi", "fr", 45),
        ("half a year", "en", 180),
        ("a month and a half", "en", 45),
        ("halvannen måned", "nb", 45),
        ("quarante-cinq jours", "fr", 45),
        ("førtifem dager", "nb", 45),
        ("twenty one days", "en", 21),
        ("about 3 weeks", "en", 21),
        ("1.5 months", "en", 45),
        ("since early last month", "en", 30),  # 1 November to 1 December
        ("depuis le 3 octobre", "fr", 59),
        ("siden 3. oktober", "nb", 59),
    ],
)
def test_days_in_words_and_durations(text: str, lang: str, days: int) -> None:
    assert ENGINE.policy.durations.read(text, lang, TODAY).value == days


@pytest.mark.parametrize("text", ["0", "-5", "0 days", "zero"])
def test_zero_or_negative_days_are_no_answer(text: str) -> None:
    reading = ENGINE.policy.durations.read(text, "en", TODAY)
    assert reading.value is None and reading.invalid


def test_clause_marks_stop_a_negation() -> None:
    assert words("non, toujours en retard")[:2] == ("non", "|")
    reading = READER.read("drop-client", "pays", "non, toujours en retard", "fr")
    assert reading.option == "late", reading


def test_a_broken_answers_file_names_itself(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from bot.understanding.conversation_data import DATA_DIR

    copy = tmp_path / "conversation"
    shutil.copytree(DATA_DIR, copy)
    (copy / "answers" / "say-no.yaml").write_text("questions:\n  situation: [not, a, mapping]\n")
    with pytest.raises(ConversationDataError, match="say-no.yaml"):
        load_from(copy)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("non il l'a déjà fait l'an dernier", "fr"),  # "non" answers, "il …" is a clause of its own
        ("bah il avait deja fait pareil au printemps", "fr"),  # already + a time in the past
        ("ouais bon il me refait le coup", "fr"),  # again, whatever the "ouais" says
        ("well he had already been late in march", "en"),
        ("yeah, same again", "en"),
        ("han var allerede sen i vår", "nb"),
        ("ja, igjen", "nb"),
    ],
)
def test_again_or_already_in_the_past_means_repeated(text: str, lang: str) -> None:
    reading = READER.read("unpaid-invoice", "history", text, lang)
    assert reading.accepted and reading.option == "repeated", reading


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("il n'a jamais recommencé depuis", "fr"),  # a negated "again"
        ("he has never done it before", "en"),  # a time in the past without "already"
        ("han har aldri gjort det før", "nb"),
    ],
)
def test_a_negated_again_or_a_bare_already_is_no_repeat(text: str, lang: str) -> None:
    reading = READER.read("unpaid-invoice", "history", text, lang)
    assert reading.accepted and reading.option == "first-time", reading


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("han hører aldri på meg", "nb"),  # the negation inside the phrase, after the verb
        ("hører ikke på meg", "nb"),
        ("il ne m'écoute jamais", "fr"),  # ne … jamais around the verb
        ("franchement il m'écoute pas", "fr"),  # a negation closing the clause
    ],
)
def test_a_negation_inside_or_after_a_phrase_turns_it_around(text: str, lang: str) -> None:
    reading = READER.read("drop-client", "input", text, lang)
    assert reading.accepted and reading.option == "overruled", reading


def test_a_negation_that_negates_nothing_turns_nothing_around() -> None:
    assert READER.read("drop-client", "input", "il m'écoute", "fr").option == "heard"
    reading = READER.read("drop-client", "volume", "oui, pas mal de missions", "fr")
    assert reading.option == "steady", reading


@pytest.mark.parametrize(
    ("text", "lang", "option"),
    [
        ("non jamais", "fr", "rarely"),  # a phrase that is a negation is not negated by "non"
        ("no never", "en", "rarely"),
        ("une fois ou deux", "fr", "sometimes"),  # the shared "how often" words, any question
        ("nå og da", "nb", "sometimes"),
        ("nearly always", "en", "often"),
    ],
)
def test_every_frequency_question_knows_the_shared_how_often_words(
    text: str, lang: str, option: str
) -> None:
    for question in ("quality", "style", "prices", "conflicts", "time_zones", "deadlines", "reorg"):
        reading = READER.read("losing-clients", question, text, lang)
        assert reading.accepted and reading.option == option, (question, reading)


def test_how_often_words_are_no_fact_of_another_question() -> None:
    assert READER.facts("losing-clients", "une fois ou deux apres une hausse", "fr") == {}
    assert READER.facts("losing-clients", "all the time, most of them are abroad", "en") == {}


def test_not_even_said_is_no_terms_not_written_terms() -> None:
    reading = READER.read("unpaid-invoice", "terms", "on n'en a pas discuté", "fr")
    assert reading.option == "none", reading


@pytest.mark.parametrize(
    ("text", "lang"),
    [("ingenting var avtalt", "nb"), ("nei, ingenting var avtalt", "nb")],
)
def test_an_auxiliary_verb_does_not_break_a_phrase(text: str, lang: str) -> None:
    reading = READER.read("unpaid-invoice", "terms", text, lang)
    assert reading.accepted and reading.option == "none", reading


@pytest.mark.parametrize(
    ("flow", "question", "text", "lang", "option"),
    [
        ("drop-client", "volume", "bcp de boulot", "fr", "steady"),  # bcp: beaucoup
        ("drop-client", "pays", "il paie tjrs en retard", "fr", "late"),  # tjrs: toujours
        ("unpaid-invoice", "history", "ouais c'est la 1ere fois", "fr", "first-time"),
        ("new-client-check", "contact", "bare tlf", "nb", "partial"),  # tlf: telefon
    ],
)
def test_chat_spellings_read_as_the_words_they_stand_for(
    flow: str, question: str, text: str, lang: str, option: str
) -> None:
    reading = READER.read(flow, question, text, lang)
    assert reading.accepted and reading.option == option, reading


@pytest.mark.parametrize(
    ("lang", "text", "option"),
    [
        ("en", "phone, company name and office address", "full"),
        ("en", "their mobile, the firm and the office", "full"),
        ("nb", "telefon, firmanavn og kontoradresse", "full"),
        ("fr", "j'ai son tel, le nom de sa boite et l'adresse du bureau", "full"),
        ("fr", "numero, siret et locaux", "full"),
    ],
)
def test_an_answer_naming_everything_asked_for_is_all_of_it(
    lang: str, text: str, option: str
) -> None:
    reading = READER.read("new-client-check", "contact", text, lang)
    assert reading.accepted and reading.option == option


def test_a_thing_asked_for_named_negated_is_not_counted() -> None:
    text = "the office and the firm, no mobile"
    reading = READER.read("new-client-check", "contact", text, "en")
    assert reading.option != "full"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nb", "kunden skylder meg 15 000 kroner og svarer ikke på mail lenger"),
        ("nb", "han svarer ikke på mail, og skylder meg penger"),
    ],
)
def test_a_negation_that_belongs_to_an_earlier_phrase_turns_nothing_after_it(
    lang: str, text: str
) -> None:
    facts = READER.facts("unpaid-invoice", text, lang, opening=True)
    assert facts.get("terms") != "verbal"  # "not answering by mail" says nothing of the terms


def test_a_negation_shared_by_overlapping_phrases_still_negates_both() -> None:
    reading = READER.read("client-left", "handover", "nei, har ikke sendt over filene ennå", "nb")
    assert reading.accepted and reading.option == "pending"


@pytest.mark.parametrize(
    ("flow", "question", "lang", "text", "option"),
    [
        ("losing-clients", "style", "fr", "un peu, certains veulent des reunions tout le temps",
         "sometimes"),
        ("losing-clients", "reorg", "en", "once, they brought it in-house", "sometimes"),
        ("losing-clients", "reorg", "nb", "en gang, de tok det inn i huset", "sometimes"),
        ("drop-client", "time", "en", "kinda, sometimes he calls late at night", "sometimes"),
        ("say-no", "alternative", "fr", "bof... pas vraiment, le projet se découpe pas", "no-alt"),
    ],
)
def test_an_opening_clause_that_says_how_often_is_the_answer_and_the_rest_its_reason(
    flow: str, question: str, lang: str, text: str, option: str
) -> None:
    reading = READER.read(flow, question, text, lang)
    assert reading.accepted and reading.option == option


@pytest.mark.parametrize(
    ("flow", "question", "lang", "text", "option"),
    [
        ("drop-client", "input", "fr", "elle ignore ce que je propose", "overruled"),
        ("drop-client", "input", "nb", "han ignorerer forslagene mine", "overruled"),
        ("drop-client", "work", "en", "he never says anything is good", "no-praise"),
        ("new-client-check", "verified", "en", "I googled them, found nothing at all",
         "nothing-found"),
        ("losing-clients", "time_zones", "en", "n/a", "rarely"),
    ],
)
def test_answers_in_other_words_for_advice_praise_searches_and_reach(
    flow: str, question: str, lang: str, text: str, option: str
) -> None:
    reading = READER.read(flow, question, text, lang)
    assert reading.accepted and reading.option == option


@pytest.mark.parametrize(
    ("lang", "text", "option"),
    [
        ("en", "I think so", "in-writing"),
        ("en", "probably", "in-writing"),
        ("en", "probably not", "verbal"),
        ("fr", "probablement", "in-writing"),
        ("fr", "je pense que non", "verbal"),
        ("fr", "je pense qu'on avait rien signé", "none"),
        ("nb", "tror det", "in-writing"),
        ("nb", "sikkert", "in-writing"),
        ("nb", "tror ikke vi skrev noe", "verbal"),
    ],
)
def test_an_opinion_is_a_weak_yes_and_what_follows_it_decides(
    lang: str, text: str, option: str
) -> None:
    reading = READER.read("unpaid-invoice", "terms", text, lang)
    assert reading.accepted and reading.option == option


@pytest.mark.parametrize(
    ("question", "text", "option"),
    [
        ("terms", "on c mis daccord a loral", "verbal"),
        ("terms", "jcrois pas qu on a signe", "verbal"),
        ("history", "cetait deja arrive l an dernier", "repeated"),
    ],
)
def test_french_typed_without_apostrophes_is_read(question: str, text: str, option: str) -> None:
    reading = READER.read("unpaid-invoice", question, text, "fr")
    assert reading.accepted and reading.option == option


def _embedding_available() -> bool:
    from bot.understanding import embedding

    return embedding.available()


@pytest.mark.skipif(not _embedding_available(), reason="the sentence embedding is not installed")
@pytest.mark.parametrize(
    ("flow", "question", "lang", "text", "option"),
    [
        ("client-left", "handover", "fr", "j'ai encore leurs maquettes sur mon disque", "pending"),
        ("new-client-check", "verified", "en",
         "I cross-checked their registration number with the public register, all good", "checked"),
        ("unpaid-invoice", "terms", "fr", "éléphants violets", None),
        ("unpaid-invoice", "terms", "nb", "bla bla", None),
    ],
)
def test_an_answer_without_an_options_words_is_read_by_its_meaning_or_not_at_all(
    flow: str, question: str, lang: str, text: str, option: str | None
) -> None:
    assert not READER.read(flow, question, text, lang).accepted  # no option's words
    value, _ = ENGINE.policy.read_value(flow, question, text, lang, date(2026, 12, 1))
    assert value == option


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Should I drop a client who pays late all the time?"),
        ("fr", "dois-je lâcher un client qui paie en retard tout le temps ?"),
    ],
)
def test_how_often_next_to_another_answer_tells_how_often_that_happens(
    lang: str, text: str
) -> None:
    facts = READER.facts("drop-client", text, lang, opening=True)
    assert facts.get("pays") == "late" and "volume" not in facts


def test_how_often_said_of_its_own_thing_is_still_a_fact() -> None:
    text = "Kunden betaler sent og gir meg nesten aldri oppdrag lenger"
    facts = READER.facts("drop-client", text, "nb", opening=True)
    assert facts.get("pays") == "late" and facts.get("volume") == "rare"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "parce qu'ils ont coupé tous les budgets externes cette année"),
        ("nb", "de kuttet budsjettet for konsulenter"),
    ],
)
def test_a_reason_that_names_the_budget_is_the_budget(lang: str, text: str) -> None:
    reading = READER.read("client-left", "reason", text, lang)
    assert reading.accepted and reading.option == "budget"
