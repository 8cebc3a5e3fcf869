"""My client left: why, and is the handover done → what to learn and how to leave the door open
(topic ``client-left``)."""

from __future__ import annotations

from bot.flows import FlowModel, FlowSpec

OUTCOME_BY_REASON = {"unhappy": "learn-from-it", "replaced": "replaced"}


class ClientLeft(FlowModel):
    """The reason picks the outcome; a pending handover adds the handover advice."""

    __slots__ = ()

    def has_pending_handover(self) -> bool:
        return self.slots.get("handover") == "pending"

    def on_enter_done(self) -> None:
        """Unhappy → learn from it; replaced → replaced; anything else is outside your control."""
        reason = str(self.slots.get("reason"))
        self.outcomes = [OUTCOME_BY_REASON.get(reason, "outside-control")]
        if self.has_pending_handover():
            self.extra_advice = ["hand-over-documents"]


FLOW = FlowSpec(
    id="client-left",
    topic="client-left",
    label="flow_client_left",
    model=ClientLeft,
    states=["asking_reason", "asking_handover", {"name": "done", "on_enter": "on_enter_done"}],
    transitions=[
        {"trigger": "answer", "source": "asking_reason", "dest": "asking_handover"},
        {"trigger": "answer", "source": "asking_handover", "dest": "done"},
    ],
)
