"""Unpaid invoice: written terms, first time or repeated, days late, amount, invoice number,
trust → reminder, call, payment plan or collection (topic ``late-payment``).

Days late, amount and invoice number are read from the message that starts the flow when it
says them plainly ("invoice F-12 of 1 200 € is two months late"); those questions are then not
asked."""

from __future__ import annotations

from bot.flows import FlowModel, FlowSpec

CALL_AFTER_DAYS = 30


class UnpaidInvoice(FlowModel):
    """Repeated late payers get the trust question; days late decide between writing and calling."""

    __slots__ = ()

    def is_repeated(self) -> bool:
        """The client has paid late before."""
        return self.slots.get("history") == "repeated"

    def has_trust(self) -> bool:
        return self.slots.get("trust") == "trust"

    def has_written_terms(self) -> bool:
        return self.slots.get("terms") == "in-writing"

    def is_long_overdue(self) -> bool:
        days = self.slots.get("days")
        return isinstance(days, int) and days >= CALL_AFTER_DAYS

    def on_enter_done(self) -> None:
        """First time: reminder, or a call after 30 days; repeated: payment plan or collection."""
        if self.is_repeated():
            self.outcomes = ["payment-plan" if self.has_trust() else "collection"]
        else:
            self.outcomes = ["call" if self.is_long_overdue() else "send-reminder"]
        if not self.has_written_terms():
            self.extra_advice = ["sign-terms"]


FLOW = FlowSpec(
    id="unpaid-invoice",
    topic="late-payment",
    label="flow_unpaid_invoice",
    model=UnpaidInvoice,
    states=[
        "asking_terms",
        "asking_history",
        "asking_days",
        "asking_amount",
        "asking_invoice",
        "asking_trust",
        {"name": "done", "on_enter": "on_enter_done"},
    ],
    transitions=[
        {"trigger": "answer", "source": "asking_terms", "dest": "asking_history"},
        {"trigger": "answer", "source": "asking_history", "dest": "asking_days"},
        {"trigger": "answer", "source": "asking_days", "dest": "asking_amount"},
        {"trigger": "answer", "source": "asking_amount", "dest": "asking_invoice"},
        {
            "trigger": "answer",
            "source": "asking_invoice",
            "dest": "asking_trust",
            "conditions": "is_repeated",
        },
        {"trigger": "answer", "source": "asking_invoice", "dest": "done"},
        {"trigger": "answer", "source": "asking_trust", "dest": "done"},
    ],
    optional=frozenset({"amount", "invoice"}),
    parsers={"days": "days", "amount": "amount", "invoice": "reference"},
    fills={"amount": "amount", "invoice_number": "invoice", "days_overdue": "days"},
    prefill=("days", "amount", "invoice"),
    remind_days=(7, 14),
)
