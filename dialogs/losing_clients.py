"""Why do I keep losing clients? The seven reasons as a self-check → what to work on first, and
always: keep the pipeline full (topic ``retain-clients``)."""

from __future__ import annotations

from bot.flows import FlowModel, FlowSpec

REASONS = ("quality", "style", "prices", "conflicts", "time_zones", "deadlines", "reorg")
OUTCOME_BY_REASON = {
    "quality": "work-on-quality",
    "style": "work-on-style",
    "prices": "work-on-prices",
    "conflicts": "work-on-conflicts",
    "time_zones": "work-on-time-zones",
    "deadlines": "work-on-deadlines",
    "reorg": "not-your-fault",
}


class LosingClients(FlowModel):
    """Reasons met often come first, then sometimes; the pipeline advice closes every answer."""

    __slots__ = ()

    def on_enter_done(self) -> None:
        """One outcome per reason answered often, then sometimes, then ``pipeline``."""
        picked = [OUTCOME_BY_REASON[r] for r in REASONS if self.slots.get(r) == "often"]
        picked += [OUTCOME_BY_REASON[r] for r in REASONS if self.slots.get(r) == "sometimes"]
        self.outcomes = [*picked, "pipeline"]


_states = [f"asking_{r}" for r in REASONS]

FLOW = FlowSpec(
    id="losing-clients",
    topic="retain-clients",
    label="flow_losing_clients",
    model=LosingClients,
    states=[*_states, {"name": "done", "on_enter": "on_enter_done"}],
    transitions=[
        {"trigger": "answer", "source": src, "dest": dst}
        for src, dst in zip(_states, [*_states[1:], "done"], strict=True)
    ],
)
