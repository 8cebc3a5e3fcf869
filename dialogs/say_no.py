"""Saying no: which of the three situations, and is there an alternative → refuse with an
alternative, refuse, or let the job go (topic ``say-no``)."""

from __future__ import annotations

from bot.flows import FlowModel, FlowSpec


class SayNo(FlowModel):
    """A cheaper competitor means letting go; otherwise the alternative decides."""

    __slots__ = ()

    def is_competitor(self) -> bool:
        """The request is fine but someone else is cheaper or faster."""
        return self.slots.get("situation") == "competitor"

    def has_alternative(self) -> bool:
        return self.slots.get("alternative") == "have-alt"

    def on_enter_done(self) -> None:
        """Competitor → let go; an alternative → refuse with it; else a clear refusal."""
        if self.is_competitor():
            self.outcomes = ["let-go"]
        elif self.has_alternative():
            self.outcomes = ["refuse-with-alternative"]
        else:
            self.outcomes = ["refuse"]


FLOW = FlowSpec(
    id="say-no",
    topic="say-no",
    label="flow_say_no",
    model=SayNo,
    states=[
        "asking_situation",
        "asking_alternative",
        {"name": "done", "on_enter": "on_enter_done"},
    ],
    transitions=[
        {
            "trigger": "answer",
            "source": "asking_situation",
            "dest": "done",
            "conditions": "is_competitor",
        },
        {"trigger": "answer", "source": "asking_situation", "dest": "asking_alternative"},
        {"trigger": "answer", "source": "asking_alternative", "dest": "done"},
    ],
)
