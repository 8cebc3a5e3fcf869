"""Late payment by country: the final notice names the legal claim in every language, the
unpaid-invoice verdict offers it when a delay is long, and the country is asked once."""

from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import Chat, memory_engine, real_kb

from bot import payloads
from bot.formal_notice import FormalNotice
from bot.replies import ReplyBook
from dialogs.registry import FLOWS

KB = real_kb()
TODAY = date(2026, 12, 1)
SLOTS = {"amount": "2500 EUR", "invoice": "F-88", "days": 75}

# The claim each country's notice must make, per language (the words a reader must find).
CLAIMS = {
    "fr": {"fr": ["mise en demeure", "pénalités de retard", "40", "injonction de payer"],
           "en": ["formal notice", "penalties", "€40", "payment order"],
           "nb": ["forsinkelsesrente", "40\u00a0€", "betalingspålegg"]},
    "no": {"nb": ["INKASSOVARSEL", "14 dager", "inkasso", "forsinkelsesrente"],
           "en": ["INKASSOVARSEL", "14 days", "debt collection", "interest"],
           "fr": ["INKASSOVARSEL", "14 jours", "recouvrement", "intérêts de retard"]},
    "uk": {"en": ["Late Payment of Commercial Debts (Interest) Act 1998", "statutory interest",
                  "8% above the Bank of England base rate", "fixed compensation", "small claims"],
           "fr": ["Late Payment of Commercial Debts", "intérêts légaux", "8 points"],
           "nb": ["Late Payment of Commercial Debts", "lovbestemt rente", "8 prosentpoeng"]},
    "us": {"en": ["Freelance Isn't Free Act", "double damages", "small claims"],
           "fr": ["Freelance Isn't Free Act", "dommages doublés"],
           "nb": ["Freelance Isn't Free Act", "dobbel erstatning"]},
    "be": {"fr": ["loi du 2 août 2002", "intérêts de retard", "40", "dettes non contestées"],
           "en": ["Act of 2 August 2002", "interest", "€40", "uncontested-debt"],
           "nb": ["2. august 2002", "forsinkelsesrente", "40\u00a0€"]},
    "ch": {"fr": ["article 104 du Code des obligations", "5 %", "réquisition de poursuite",
                  "commandement de payer"],
           "en": ["article 104", "5%", "debt enforcement"],
           "nb": ["artikkel 104", "5 prosent", "tvangsinndrivelse"]},
    "qc": {"fr": ["mise en demeure", "taux légal", "petites créances"],
           "en": ["formal notice", "legal rate", "Small Claims Division"],
           "nb": ["lovens rente", "småkrav"]},
    "other": {"fr": ["mise en demeure", "intérêts de retard"],
              "en": ["formal demand", "late-payment interest"],
              "nb": ["påkrav", "forsinkelsesrente"]},
}  # fmt: skip


@pytest.fixture(scope="module")
def notice() -> FormalNotice:
    engine = memory_engine()
    return engine.notice


def test_every_catalog_country_has_a_claim_list_here() -> None:
    assert set(KB.law) == set(CLAIMS) == set(KB.catalog.countries)


@pytest.mark.parametrize("country", sorted(CLAIMS))
@pytest.mark.parametrize("lang", ["fr", "nb", "en"])
def test_final_notice_names_the_legal_claim(notice: FormalNotice, country: str, lang: str) -> None:
    currency = (KB.law[country].currencies or ["EUR"])[0]
    reply = notice.answer(country, {**SLOTS, "amount": f"2500 {currency}"}, lang, lang, TODAY)
    assert reply.draft is not None
    text = reply.draft.text
    for words in CLAIMS[country][lang]:
        assert words.casefold() in text.casefold(), f"{country}/{lang}: {words!r} missing"
    names = (KB.text("hint_your_name", lang), KB.text("hint_client_name", lang))
    assert "[" not in text.replace(names[0], "").replace(names[1], ""), text
    assert "F-88" in text and "75" in text
    # the legal page says it is general information and where each point comes from
    assert KB.text("notice_disclaimer", lang) in reply.text
    for source in KB.law[country].sources:
        assert source.url in reply.text
    assert "2026-12-01" in reply.text


def test_norwegian_notice_gives_fourteen_days_from_today(notice: FormalNotice) -> None:
    text = notice.answer("no", SLOTS, "nb", "nb", TODAY).draft.text  # type: ignore[union-attr]
    assert "15. desember 2026" in text  # 1 December + 14 days
    assert text.startswith("Emne: Inkassovarsel")


def test_uk_fixed_compensation_follows_the_size_of_the_debt(notice: FormalNotice) -> None:
    def fixed(amount: str) -> str:
        slots = {**SLOTS, "amount": amount}
        return notice.answer("uk", slots, "en", "en", TODAY).draft.text  # type: ignore[union-attr]

    assert "compensation of £40" in fixed("900 GBP")
    assert "compensation of £70" in fixed("2500 GBP")
    assert "compensation of £100" in fixed("12000 GBP")
    assert "[fixed compensation]" in fixed("")  # unknown debt: the hint, never a guess


def test_french_indemnity_is_forty_euros_whatever_the_amount(notice: FormalNotice) -> None:
    text = notice.answer("fr", {"days": 50}, "fr", "fr", TODAY).draft.text  # type: ignore[union-attr]
    assert "frais de recouvrement de 40\u00a0€" in text
    assert "[montant]" in text


def test_currency_orders_the_countries_but_does_not_answer(notice: FormalNotice) -> None:
    asked = notice.ask({"amount": "5000 NOK"}, "en")
    countries = [b.payload for b in asked.buttons]
    assert countries[0] == "law:no" and "law:fr" in countries and countries[-1] == "menu"
    assert notice.ask({"amount": "300 GBP"}, "fr").buttons[0].payload == "law:uk"
    assert notice.ask({}, "fr").buttons[0].payload == "law:fr"
    assert len(countries) == len(KB.law) + 1


async def finish_invoice_flow(chat: Chat, history: str, days: str, trust: str = "") -> None:
    await chat.press(payloads.fmt("flow", "unpaid-invoice"))
    await chat.press("a:terms:in-writing")
    await chat.press(f"a:history:{history}")
    await chat.say(days)
    await chat.press("skip")
    await chat.press("skip")
    if trust:
        await chat.press(f"a:trust:{trust}")


@pytest.mark.parametrize(("days", "offered"), [("44", False), ("45", True), ("200", True)])
async def test_first_time_delay_of_45_days_offers_the_formal_notice(
    days: str, offered: bool
) -> None:
    chat = Chat(memory_engine())
    await finish_invoice_flow(chat, "first-time", days)
    verdict = chat.last[0]
    assert verdict.draft is not None
    assert ("law" in [b.payload for b in verdict.buttons]) is offered
    assert (KB.text("notice_offer", "en") in verdict.text) is offered
    outcome = KB.topics["late-payment"].outcome("call")
    assert outcome.text.en in verdict.text  # the outcome is still `call`


async def test_collection_offers_the_notice_and_a_payment_plan_does_not() -> None:
    chat = Chat(memory_engine())
    await finish_invoice_flow(chat, "repeated", "20", "no-trust")
    assert "law" in chat.payloads
    chat = Chat(memory_engine())
    await finish_invoice_flow(chat, "repeated", "20", "trust")
    assert "law" not in chat.payloads


async def test_country_is_asked_once_and_remembered_after_the_flow() -> None:
    chat = Chat(memory_engine(), locale="nb")
    await finish_invoice_flow(chat, "first-time", "60")
    await chat.press("law")
    assert chat.last[0].text == KB.text("notice_where", "nb")
    await chat.press("law:no")
    assert "Inkassovarsel" in chat.last[0].draft.text  # type: ignore[union-attr]
    assert (await chat.session()).slots["_country"] == "no"
    await chat.press("law:no:en")
    assert chat.last[0].lang == "nb" and chat.last[0].draft.lang == "en"  # type: ignore[union-attr]
    await chat.press("menu")
    await finish_invoice_flow(chat, "first-time", "90")
    await chat.press("law")  # known now: straight to the answer
    assert chat.last[0].draft is not None and "Inkassovarsel" in chat.last[0].draft.text
    await chat.press("law:zz")
    assert "law:zz" not in chat.payloads  # an unknown country is a stale button


def test_notice_rules_name_real_outcomes() -> None:
    for rule in KB.catalog.formal_notice:
        topic = KB.topics[FLOWS[rule.flow].topic]
        assert rule.outcome in {o.id for o in topic.outcomes}


def test_book_and_notice_share_the_hints() -> None:
    book = ReplyBook(KB, {})
    assert book.hints["en"]["compensation"] == "[fixed compensation]"
