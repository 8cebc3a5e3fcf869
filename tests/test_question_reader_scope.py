"""What a word reads as depends on the question and on what it goes with: a bare "no" answers
the question asked, a channel after "reply" is how someone is reached, "out of the blue" says how
suddenly, "several times" counts, "tomorrow" says when, and "3k" in a first message is money."""

from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import memory_engine

ENGINE = memory_engine()
POLICY = ENGINE.policy
READER = POLICY.reader


def assert_reads(flow: str, question: str, text: str, lang: str, option: str) -> None:
    """The answer ``text`` to ``question`` of ``flow`` is taken, as ``option``."""
    reading = READER.read(flow, question, text, lang)
    assert reading.accepted and reading.option == option, (text, reading)
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "no"), ("en", "nope."), ("fr", "non"), ("fr", "nan"), ("nb", "nei!")]
)
def test_a_bare_no_to_terms_in_writing_says_nothing_was_agreed(lang: str, text: str) -> None:
    assert_reads("unpaid-invoice", "terms", text, lang, "none")


@pytest.mark.parametrize(
    ("lang", "text", "option"),
    [
        ("en", "no, we only talked on the phone", "verbal"),
        ("fr", "non, au téléphone", "verbal"),
        ("nb", "nei, vi tok det på telefon", "verbal"),
        ("fr", "je pense que non", "verbal"),  # an opinion, not a bare no
    ],
)
def test_a_no_that_says_more_is_read_by_what_it_says(lang: str, text: str, option: str) -> None:
    assert_reads("unpaid-invoice", "terms", text, lang, option)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "my client doesn't reply by email anymore and owes me $800"),
        ("en", "he never answers by email, and the invoice is unpaid"),
        ("fr", "il ne répond pas par mail et me doit 500 €"),
        ("fr", "elle ne me répond jamais par email, facture impayée"),
        ("nb", "han svarer aldri på e-post og skylder meg 4000 kr"),
    ],
)
def test_a_channel_after_a_verb_of_contact_is_no_fact_of_the_terms(lang: str, text: str) -> None:
    assert "terms" not in READER.facts("unpaid-invoice", text, lang, opening=True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "tout est confirmé par mail, il me doit 500 €"),
        ("en", "we agreed over email and he owes me $500"),
        ("nb", "vi avtalte det på mail, han skylder meg 5000 kr"),
    ],
)
def test_terms_by_email_said_plainly_are_still_a_fact(lang: str, text: str) -> None:
    assert READER.facts("unpaid-invoice", text, lang).get("terms") == "in-writing"


def test_an_elided_word_is_no_unit_of_days_late() -> None:
    text = "on s'est mis d'accord par mail, il me doit 500 €"
    facts = POLICY.facts("unpaid-invoice", text, "fr", TODAY, skip=set(), opening=True)
    assert "days" not in facts and facts.get("amount") == "500 EUR"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "mon client a arrêté notre collaboration du jour au lendemain"),
        ("fr", "une cliente m'a lâché sans prévenir"),
        ("en", "a client cancelled our contract out of the blue"),
        ("en", "they just ended it overnight"),
        ("nb", "kunden sa opp avtalen helt plutselig"),
        ("nb", "kunden avsluttet samarbeidet ut av det blå"),
    ],
)
def test_how_suddenly_a_client_left_is_no_reason(lang: str, text: str) -> None:
    assert "reason" not in READER.facts("client-left", text, lang, opening=True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "du jour au lendemain, sans explication"),
        ("en", "out of the blue, they didn't say why"),
        ("nb", "over natta, ingen forklaring"),
    ],
)
def test_a_reason_not_known_is_still_read_next_to_how_sudden(lang: str, text: str) -> None:
    assert_reads("client-left", "reason", text, lang, "unknown")


@pytest.mark.parametrize(
    ("flow", "question", "option"),
    [
        ("unpaid-invoice", "history", "repeated"),  # "first time late?": more than once
        ("losing-clients", "prices", "often"),  # "have clients left after ...?": it happened
        ("losing-clients", "reorg", "often"),
        ("losing-clients", "deadlines", "sometimes"),  # "do you deliver late?": a habit asked
    ],
)
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "plusieurs fois"),
        ("fr", "à plusieurs reprises"),
        ("en", "several times"),
        ("en", "multiple times"),
        ("nb", "flere ganger"),
        ("nb", "mange ganger"),
    ],
)
def test_a_count_of_times_reads_by_what_the_question_asks(
    flow: str, question: str, option: str, lang: str, text: str
) -> None:
    assert_reads(flow, question, text, lang, option)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "nouveau client, il veut commencer demain"),
        ("en", "new client, he wants to start tomorrow"),
        ("nb", "ny kunde, han vil begynne i morgen"),
    ],
)
def test_when_a_job_starts_is_no_fact_of_the_checks(lang: str, text: str) -> None:
    assert READER.facts("new-client-check", text, lang, opening=True) == {}


@pytest.mark.parametrize(("lang", "text"), [("fr", "demain"), ("nb", "i morgen")])
def test_when_answers_the_question_it_is_given_to(lang: str, text: str) -> None:
    assert_reads("new-client-check", "verified", text, lang, "not-checked")


@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        ("fr", "un client me doit 3k depuis deux mois", "3000"),
        ("fr", "un client me doit 3 000 € depuis deux mois", "3000 EUR"),
        ("en", "a client owes me 2,5k and it's three weeks late", "2500"),
        ("en", "client owes me 4k€, invoice overdue", "4000 EUR"),
        ("nb", "kunden skylder meg 30k kr, forfalt for en måned siden", "30000 NOK"),
    ],
)
def test_an_amount_in_a_first_message_is_prefilled_also_in_thousands(
    lang: str, text: str, amount: str
) -> None:
    facts = POLICY.facts("unpaid-invoice", text, lang, TODAY, skip=set(), opening=True)
    assert facts.get("amount") == amount


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "yes, signed contract. oh wait, it's actually 25 days, not 20"),
        ("fr", "oui par écrit. ah pardon, en fait c'est 25 jours, pas 20"),
        ("nb", "ja, skriftlig. unnskyld, det er egentlig 25 dager, ikke 20"),
    ],
)
def test_a_number_said_negated_in_a_correction_is_no_new_amount(lang: str, text: str) -> None:
    slots = {"days": 20, "amount": "1500 USD"}
    decision = POLICY.decide("unpaid-invoice", "asking_terms", slots, text, lang, TODAY)
    assert decision.changed == {"days": 25}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "parfois oui, on m'a déjà dit que le rendu n'était pas au niveau"),
        ("en", "yes sometimes, a client said the result wasn't what they expected"),
        ("nb", "av og til ja, en kunde sa at resultatet ikke holdt mål"),
    ],
)
def test_a_how_often_with_a_yes_opening_the_answer_is_the_answer(lang: str, text: str) -> None:
    assert_reads("losing-clients", "quality", text, lang, "sometimes")


@pytest.mark.parametrize(
    ("question", "lang", "text"),
    [
        ("reorg", "en", "once or twice when they hired in-house"),
        ("reorg", "fr", "une fois ou deux quand ils ont tout internalisé"),
        ("reorg", "nb", "en gang eller to da de tok det inn i huset"),
        ("deadlines", "nb", "ja, hender jeg leverer for sent"),
        ("deadlines", "fr", "oui, ça m'arrive de livrer en retard"),
    ],
)
def test_how_often_said_first_beats_what_happened(question: str, lang: str, text: str) -> None:
    assert_reads("losing-clients", question, text, lang, "sometimes")


@pytest.mark.parametrize(
    ("lang", "text", "option"),
    [
        ("en", "yeah a few have said it wasn't what they expected", "sometimes"),
        ("fr", "oui, quelques uns m'ont dit que c'était pas ce qu'ils attendaient", "sometimes"),
        ("nb", "ja, noen få har sagt at det ikke var som forventet", "sometimes"),
        ("en", "most of them, sadly", "often"),
        ("fr", "la plupart, malheureusement", "often"),
        ("nb", "de fleste, dessverre", "often"),
    ],
)
def test_how_many_clients_says_how_often(lang: str, text: str, option: str) -> None:
    assert_reads("losing-clients", "quality", text, lang, option)


@pytest.mark.parametrize(
    ("question", "lang", "text", "option"),
    [
        ("work", "nb", "han rakker ned på alt jeg lager", "insulting"),
        ("work", "fr", "il descend mon travail devant tout le monde", "insulting"),
        ("work", "en", "he runs down my work in meetings", "insulting"),
        ("input", "en", "whatever I suggest gets ignored", "overruled"),
        ("input", "fr", "tout ce que je propose est ignoré", "overruled"),
        ("input", "nb", "alt jeg foreslår blir ignorert", "overruled"),
    ],
)
def test_disparaging_verbs_and_ignored_in_the_passive(
    question: str, lang: str, text: str, option: str
) -> None:
    assert_reads("drop-client", question, text, lang, option)


def test_a_french_object_pronoun_before_the_verb_is_read_through() -> None:
    text = "je pourrais lui faire juste le site vitrine, sans l'appli"
    assert_reads("say-no", "alternative", text, "fr", "have-alt")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "c'est loin d'être la première fois"),
        ("en", "far from the first time"),
        ("nb", "langt ifra første gang"),
    ],
)
def test_far_from_denies_what_follows(lang: str, text: str) -> None:
    assert_reads("unpaid-invoice", "history", text, lang, "repeated")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "un particulier me contacte sur insta, je dois vérifier quoi avant d'accepter ?"),
        ("en", "new client on instagram, what should I check before I accept?"),
        ("nb", "ny kunde på insta, hva må jeg sjekke før jeg sier ja?"),
    ],
)
def test_what_the_opening_asks_to_do_is_no_answer(lang: str, text: str) -> None:
    assert "verified" not in READER.facts("new-client-check", text, lang, opening=True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("fr", "je dois vérifier"), ("en", "still need to check"), ("nb", "må sjekke")],
)
def test_what_is_to_be_done_still_answers_its_question(lang: str, text: str) -> None:
    assert_reads("new-client-check", "verified", text, lang, "not-checked")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "rien, juste son pseudo insta"),
        ("en", "none of it, just a telegram handle"),
        ("nb", "ingenting, bare et brukernavn på insta"),
    ],
)
def test_a_label_that_opens_the_answer_is_the_answer(lang: str, text: str) -> None:
    assert_reads("new-client-check", "contact", text, lang, "none")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "j'ai cherché, y a rien sur lui nulle part"),
        ("en", "I looked him up, found nothing about him"),
        ("nb", "jeg har sjekket, fant ingenting om ham"),
    ],
)
def test_what_came_of_a_search_beats_having_searched(lang: str, text: str) -> None:
    assert_reads("new-client-check", "verified", text, lang, "nothing-found")


@pytest.mark.parametrize(
    ("lang", "text", "option"),
    [
        ("en", "kinda, he's always paid in the end", "trust"),
        ("fr", "bof, il a toujours fini par payer", "trust"),
        ("nb", "tja, han har alltid betalt til slutt", "trust"),
        ("fr", "bof, il m'a déjà promis ça", "no-trust"),
        ("en", "kinda", "no-trust"),
    ],
)
def test_a_hedge_with_a_reason_for_yes_is_a_weak_yes(lang: str, text: str, option: str) -> None:
    assert_reads("unpaid-invoice", "trust", text, lang, option)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "what counts as respecting my time?"),
        ("fr", "ça veut dire quoi, respecter mon temps ?"),
        ("nb", "hva mener du med å respektere tiden min?"),
    ],
)
def test_a_question_asked_back_is_no_answer(lang: str, text: str) -> None:
    assert not READER.read("drop-client", "time", text, lang).accepted


@pytest.mark.parametrize(
    ("lang", "text", "option"),
    [
        ("fr", "tu veux dire le tel et l'adresse ? oui j'ai tout", "full"),
        ("nb", "hva mener du, telefon og sånn? ja, har alt", "full"),
        ("en", "you mean a phone number? no, just a telegram handle", "none"),
        ("fr", "c'est une entreprise ?", "company"),  # an answer said unsure, no question back
    ],
)
def test_the_answer_after_a_question_back_is_read(lang: str, text: str, option: str) -> None:
    question = "identity" if option == "company" else "contact"
    assert_reads("new-client-check", question, text, lang, option)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("fr", "il critique tout méchamment"), ("en", "never any praise, and he talks to me nastily")],
)
def test_an_insult_says_more_than_no_praise(lang: str, text: str) -> None:
    assert_reads("drop-client", "work", text, lang, "insulting")


@pytest.mark.parametrize(
    ("lang", "text", "days"),
    [
        ("fr", "ça fait un bon mois", 30),
        ("fr", "deux bonnes semaines", 14),
        ("en", "a good month now", 30),
        ("nb", "en drøy måned", 30),
        ("nb", "en ukes tid", 7),
        ("nb", "et par ukers tid", 14),
    ],
)
def test_a_duration_rounded_or_in_the_genitive_is_read(lang: str, text: str, days: int) -> None:
    assert POLICY.read_value("unpaid-invoice", "days", text, lang, TODAY) == (days, "")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "new client won't give his address, is that a red flag?"),
        ("fr", "un nouveau client ne veut pas donner son adresse, c'est louche ?"),
        ("nb", "ny kunde vil ikke oppgi adressen, er det mistenkelig?"),
    ],
)
def test_a_judgement_asked_in_the_opening_is_no_feeling(lang: str, text: str) -> None:
    assert "feeling" not in READER.facts("new-client-check", text, lang, opening=True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "new client, I have a bad feeling about him, what do I check?"),
        ("nb", "ny kunde, jeg har dårlig magefølelse, hva gjør jeg?"),
    ],
)
def test_a_feeling_stated_in_an_opening_question_is_still_read(lang: str, text: str) -> None:
    assert READER.facts("new-client-check", text, lang, opening=True).get("feeling") == "bad"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "client ended the contract last week, I already sent all the files"),
        ("fr", "ma cliente a arrêté, je lui ai déjà envoyé les fichiers"),
        ("nb", "kunden sa opp, jeg har sendt filene"),
    ],
)
def test_files_sent_is_the_handover_done(lang: str, text: str) -> None:
    assert READER.facts("client-left", text, lang, opening=True).get("handover") == "done"


def test_a_question_that_is_the_whole_story_still_tells_it() -> None:
    text = "est-ce que ça vaut le coup de garder un client qui paie toujours en retard ?"
    assert READER.facts("drop-client", text, "fr", opening=True).get("pays") == "late"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "how do I deal with a new client who refused to show ID?"),
        ("fr", "un nouveau client a refusé de montrer sa carte d'identité"),
        ("nb", "ny kunde nektet å vise legitimasjon"),
    ],
)
def test_a_refusal_negates_what_it_governs_in_an_opening(lang: str, text: str) -> None:
    facts = READER.facts("new-client-check", text, lang, opening=True)
    assert facts.get("identity") == "id-refused"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "how do I check out a new client?"),
        ("fr", "comment vérifier un nouveau client ?"),
        ("nb", "hvordan sjekker jeg en ny kunde?"),
    ],
)
def test_the_action_an_opening_asks_about_is_not_done(lang: str, text: str) -> None:
    assert "verified" not in READER.facts("new-client-check", text, lang, opening=True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "j'ai tout sauf l'adresse"),
        ("nb", "har alt unntatt adresse"),
        ("en", "I've got everything except the address"),
    ],
)
def test_all_but_one_thing_is_part_of_it(lang: str, text: str) -> None:
    assert_reads("new-client-check", "contact", text, lang, "partial")


@pytest.mark.parametrize(
    ("lang", "text"), [("fr", "bof pas vraiment"), ("en", "meh no"), ("nb", "tja nei egentlig")]
)
def test_a_no_right_after_a_hedge_says_more_than_the_hedge(lang: str, text: str) -> None:
    assert_reads("say-no", "alternative", text, lang, "no-alt")


@pytest.mark.parametrize(
    ("flow", "question", "lang", "text", "option"),
    [
        ("client-left", "reason", "fr", "ils changent complètement de stratégie", "strategy"),
        ("client-left", "reason", "nb", "de bytter strategi", "strategy"),
        ("client-left", "reason", "en", "they're changing strategy", "strategy"),
        ("unpaid-invoice", "terms", "fr", "juste un échange de SMS", "in-writing"),
        ("unpaid-invoice", "terms", "en", "we agreed by text", "in-writing"),
        ("unpaid-invoice", "terms", "nb", "vi avtalte det på tekstmelding", "in-writing"),
        ("say-no", "situation", "nb", "de vil ha noe jeg ikke kan, backend", "outside-skills"),
        ("say-no", "situation", "en", "it's something I can't do", "outside-skills"),
        ("say-no", "situation", "fr", "c'est un truc que je sais pas faire", "outside-skills"),
    ],
)
def test_words_of_strategy_texts_and_skills(
    flow: str, question: str, lang: str, text: str, option: str
) -> None:
    assert_reads(flow, question, text, lang, option)


def test_how_a_new_client_seems_is_no_check_of_them() -> None:
    text = "New client, seems fine, anything I should check first?"
    assert "verified" not in READER.facts("new-client-check", text, "en", opening=True)


@pytest.mark.parametrize(
    ("flow", "question", "lang", "text", "option"),
    [
        (
            "drop-client",
            "time",
            "en",
            "he's pretty good about it, except the odd sunday email",
            "sometimes",
        ),
        ("drop-client", "time", "fr", "globalement oui, sauf quelques appels le soir", "sometimes"),
        ("drop-client", "time", "nb", "ja, bortsett fra noen kvelder", "sometimes"),
        ("drop-client", "pays", "en", "on time, except once or twice", "late"),
        ("drop-client", "pays", "fr", "à l'heure sauf la dernière facture", "late"),
        ("new-client-check", "contact", "en", "everything except the address", "partial"),
        ("drop-client", "time", "en", "no, except weekends", "ignored"),  # a no stays a no
    ],
)
def test_a_yes_restricted_by_an_exception_is_only_partly_so(
    flow: str, question: str, lang: str, text: str, option: str
) -> None:
    assert_reads(flow, question, text, lang, option)


@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        ("fr", "un client me doit deux mille euros depuis trois semaines", "2000 EUR"),
        ("en", "client owes me two thousand dollars, a month late", "2000 USD"),
        ("nb", "kunden skylder meg ti tusen kroner, forfalt for to uker siden", "10000 NOK"),
        ("en", "he owes me five hundred quid for a job three weeks ago", "500 GBP"),
    ],
)
def test_an_amount_in_words_in_a_first_message_is_prefilled(
    lang: str, text: str, amount: str
) -> None:
    facts = POLICY.facts("unpaid-invoice", text, lang, TODAY, skip=set(), opening=True)
    assert facts.get("amount") == amount


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "facture de 900 balles impayée depuis un mois et demi"),
        ("en", "invoice unpaid for a month and a half"),
        ("nb", "fakturaen har vært ubetalt i halvannen måned"),
    ],
)
def test_a_delay_and_a_half_in_a_first_message_is_read_whole(lang: str, text: str) -> None:
    facts = POLICY.facts("unpaid-invoice", text, lang, TODAY, skip=set(), opening=True)
    assert facts.get("days") == 45


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "il m'appelle tout le temps le soir"),
        ("en", "he calls me all the time at night"),
        ("nb", "han ringer hele tiden om kvelden"),
    ],
)
def test_a_how_often_said_inside_a_phrase_qualifies_it(lang: str, text: str) -> None:
    assert READER.facts("drop-client", text, lang) == {"time": "ignored"}  # not "steady" work
    assert_reads("drop-client", "time", text, lang, "ignored")


@pytest.mark.parametrize(
    ("flow", "question", "lang", "text", "option"),
    [
        ("new-client-check", "terms", "fr", "presque, il doit encore signer", "not-yet"),
        ("new-client-check", "terms", "en", "almost, waiting on his signature", "not-yet"),
        ("new-client-check", "terms", "nb", "nesten ferdig, mangler signaturen", "not-yet"),
        ("client-left", "handover", "en", "most of it", "pending"),
        ("client-left", "handover", "nb", "det meste", "pending"),
        ("client-left", "handover", "fr", "presque tout", "pending"),
    ],
)
def test_nearly_all_of_it_is_not_yet_all(
    flow: str, question: str, lang: str, text: str, option: str
) -> None:
    assert_reads(flow, question, text, lang, option)


def test_next_is_no_nearly() -> None:
    text = "jeg vil også spørre hvordan jeg kan øke prisene mine for kundene neste år"
    assert not READER.read("unpaid-invoice", "history", text, "nb").accepted
