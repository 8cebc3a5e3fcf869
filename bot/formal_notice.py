"""The formal notice after an unpaid-invoice verdict: where the business is based, what that
country's law gives, the steps, and a final-notice draft that claims it.

The country is asked as a follow-up, never as a flow question, and kept in the session slot
``_country`` so it is asked once. A currency or the language only orders the buttons (the likely
country first); they never answer the question. All legal texts are data in ``knowledge/law/``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot import draft_values, payloads
from bot.models import Button, Draft, Reply
from bot.replies import ReplyBook
from knowledge.models import LANGS, Jurisdiction, KnowledgeBase

COUNTRY = "_country"  # session slot: where the person's business is based
REMEMBERED = (COUNTRY,)  # slots kept when a flow ends or is left
SEP = "\n\n"


def remembered(slots: Any) -> dict[str, Any]:
    """The slots that outlive a flow (the country), from whatever the session held."""
    if not isinstance(slots, dict):
        return {}
    return {k: slots[k] for k in REMEMBERED if isinstance(slots.get(k), str)}


class FormalNotice:
    """Builds the offer, the country question and the per-country answer."""

    def __init__(self, kb: KnowledgeBase, book: ReplyBook) -> None:
        self.kb = kb
        self.book = book
        self.law = kb.law

    # When ----------------------------------------------------------------------------------
    def offered(self, flow_id: str, outcomes: list[str], slots: dict[str, Any]) -> bool:
        """True when a rule of ``catalog.formal_notice`` matches the verdict."""
        if not self.law:
            return False
        days = slots.get("days")
        for rule in self.kb.catalog.formal_notice:
            if rule.flow != flow_id or rule.outcome not in outcomes:
                continue
            if rule.min_days is None or (isinstance(days, int) and days >= rule.min_days):
                return True
        return False

    def offer(self, reply: Reply, lang: str) -> Reply:
        """The verdict with the offer appended and a button that opens it."""
        button = Button(payload="law", label=self.kb.text("btn_notice", lang))
        text = reply.text + SEP + self.kb.text("notice_offer", lang)
        return reply.model_copy(update={"text": text, "buttons": [button, *reply.buttons]})

    # Where ---------------------------------------------------------------------------------
    def likely(self, slots: dict[str, Any], lang: str) -> list[str]:
        """Countries in button order, the ones the currency or language hint at first."""
        currency = str(slots.get("amount") or "").rpartition(" ")[2]
        said = (slots.get(draft_values.SAID) or {}).get("amount") or ""
        currency = currency or str(said).rpartition(" ")[2]
        by_currency = [c for c, j in self.law.items() if currency and currency in j.currencies]
        by_lang = [c for c, j in self.law.items() if lang in j.languages]
        hinted = by_currency or by_lang
        return [*hinted, *(c for c in self.law if c not in hinted)]

    def ask(self, slots: dict[str, Any], lang: str) -> Reply:
        buttons = [
            Button(payload=payloads.fmt("law", code), label=self.law[code].name.get(lang))
            for code in self.likely(slots, lang)
        ]
        buttons.append(Button(payload="menu", label=self.kb.text("btn_menu", lang)))
        return Reply(text=self.kb.text("notice_where", lang), lang=lang, buttons=buttons)

    # What ----------------------------------------------------------------------------------
    def values(self, country: Jurisdiction, slots: dict[str, Any], today: date) -> dict[str, Any]:
        """Language-neutral values of the notice: the invoice answers, the deadline the law
        asks for from ``today``, and the fixed compensation for this debt when there is one."""
        values: dict[str, Any] = dict(slots.get(draft_values.SAID) or {})
        for placeholder, slot in (("amount", "amount"), ("invoice_number", "invoice"),
                                  ("days_overdue", "days")):  # fmt: skip
            if slots.get(slot) not in (None, ""):
                values[placeholder] = slots[slot]
        values["deadline"] = (today + timedelta(days=country.deadline_days)).isoformat()
        comp = country.compensation
        if comp is not None:
            number, _, code = str(values.get("amount") or "").partition(" ")
            try:
                debt = float(number) if code in ("", comp.currency) and number else None
            except ValueError:
                debt = None
            fixed = comp.for_debt(debt)
            if fixed is not None:
                values["compensation"] = f"{fixed:g} {comp.currency}"
        return values

    def draft(self, country: Jurisdiction, values: dict[str, Any], lang: str) -> Draft:
        """The country's final notice in ``lang``, filled with ``values``."""
        notice = country.notice
        filled = draft_values.render(values, lang, notice.placeholders(lang))
        return self.book.draft(notice, lang, filled)

    def answer(
        self, code: str, slots: dict[str, Any], lang: str, target: str, today: date
    ) -> Reply:
        """The law of ``code`` in ``lang`` and its final notice written in ``target``."""
        country = self.law[code]
        t = self.kb.text
        rights = "\n".join("• " + p.text.get(lang) for p in country.rights)
        steps = "\n".join(f"{n}. {p.text.get(lang)}" for n, p in enumerate(country.steps, 1))
        checked = max(s.checked for s in country.sources)
        sources = "\n".join(f"– {s.title}: {s.url}" for s in country.sources)
        text = SEP.join([
            t("notice_heading", lang, country=country.name.get(lang)),
            t("notice_rights", lang) + "\n" + rights,
            t("notice_steps", lang) + "\n" + steps,
            t("notice_disclaimer", lang),
            t("notice_sources", lang, checked=checked) + "\n" + sources,
        ])  # fmt: skip
        draft = self.draft(country, self.values(country, slots, today), target)
        buttons = [
            Button(
                payload=f"law:{code}:{other}",
                label=t("btn_draft_in", lang, language=t(f"lang_name_{other}", lang)),
            )
            for other in LANGS
            if other != target
        ]
        buttons.append(Button(payload="law", label=t("btn_notice_country", lang)))
        buttons.append(Button(payload="menu", label=t("btn_menu", lang)))
        return Reply(text=text, lang=lang, draft=draft, buttons=buttons)  # type: ignore[arg-type]

