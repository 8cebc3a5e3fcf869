"""New client check: contact details, your own research, identity, terms, gut feeling → go,
ask for more, or walk away (topic ``vet-client``)."""

from __future__ import annotations

from bot.flows import FlowModel, FlowSpec

RED_FLAGS = frozenset({"id-refused", "nothing-found", "bad"})
GAPS = frozenset({"partial", "none", "not-checked", "not-yet", "unsure"})


class NewClientCheck(FlowModel):
    """Any red flag → walk away; any gap → ask for more; otherwise go."""

    __slots__ = ()

    def answers(self) -> list[object]:
        """The answers given (not the values kept for the drafts: "_said" is a mapping)."""
        return [v for k, v in self.slots.items() if not k.startswith("_")]

    def has_red_flag(self) -> bool:
        """ID refused, nothing found about them, or a bad feeling."""
        return any(v in RED_FLAGS for v in self.answers())

    def has_gap(self) -> bool:
        return any(v in GAPS for v in self.answers())

    def on_enter_done(self) -> None:
        """Red flag → walk away; gap → ask for more; clean → go."""
        if self.has_red_flag():
            self.outcomes = ["walk-away"]
        elif self.has_gap():
            self.outcomes = ["ask-more"]
        else:
            self.outcomes = ["go"]


FLOW = FlowSpec(
    id="new-client-check",
    topic="vet-client",
    label="flow_new_client_check",
    model=NewClientCheck,
    states=[
        "asking_contact",
        "asking_verified",
        "asking_identity",
        "asking_terms",
        "asking_feeling",
        {"name": "done", "on_enter": "on_enter_done"},
    ],
    transitions=[
        {"trigger": "answer", "source": "asking_contact", "dest": "asking_verified"},
        {"trigger": "answer", "source": "asking_verified", "dest": "asking_identity"},
        {"trigger": "answer", "source": "asking_identity", "dest": "asking_terms"},
        {"trigger": "answer", "source": "asking_terms", "dest": "asking_feeling"},
        {"trigger": "answer", "source": "asking_feeling", "dest": "done"},
    ],
)
