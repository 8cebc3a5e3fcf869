"""Should I drop this client? Respect for time, work and input, payment, volume → keep,
set boundaries, or part ways well (topic ``fire-client``)."""

from __future__ import annotations

from bot.flows import FlowModel, FlowSpec

POINTS = {"ignored": 2, "sometimes": 1, "overruled": 1, "late": 1, "rare": 1}


class DropClient(FlowModel):
    """Answers → a verdict: any insult or misuse ends it, otherwise points decide."""

    __slots__ = ()

    def is_dealbreaker(self) -> bool:
        """Insulting talk about your work, or your work misused (altered yet still under your name,
        or passed off as theirs)."""
        return self.slots.get("work") == "insulting" or self.slots.get("input") == "misused"

    def points(self) -> int:
        return sum(POINTS.get(str(v), 0) for k, v in self.slots.items() if not k.startswith("_"))

    def on_enter_done(self) -> None:
        """≥ 3 points or a deal-breaker → part ways; ≥ 1 → set boundaries; 0 → keep."""
        if self.is_dealbreaker() or self.points() >= 3:
            self.outcomes = ["part-ways"]
        elif self.points() >= 1:
            self.outcomes = ["set-boundaries"]
        else:
            self.outcomes = ["keep"]


FLOW = FlowSpec(
    id="drop-client",
    topic="fire-client",
    label="flow_drop_client",
    model=DropClient,
    states=[
        "asking_time",
        "asking_work",
        "asking_input",
        "asking_pays",
        "asking_volume",
        {"name": "done", "on_enter": "on_enter_done"},
    ],
    transitions=[
        {"trigger": "answer", "source": "asking_time", "dest": "asking_work"},
        {"trigger": "answer", "source": "asking_work", "dest": "asking_input"},
        {"trigger": "answer", "source": "asking_input", "dest": "asking_pays"},
        {"trigger": "answer", "source": "asking_pays", "dest": "asking_volume"},
        {"trigger": "answer", "source": "asking_volume", "dest": "done"},
    ],
)
