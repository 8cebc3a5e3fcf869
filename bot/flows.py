"""The shared flow runtime: one ``transitions`` machine per flow, a light model per turn.

A flow module in ``dialogs/`` declares a :class:`FlowSpec`: states (``asking_<question_id>`` and
``done``), transitions on the single trigger ``answer`` with named conditions (``is_*``/``has_*``),
and a :class:`FlowModel` subclass holding those conditions and the ``on_enter_done`` callback that
picks the outcomes. A conversation stores only the state string and the slots (answers); each turn
a fresh model is built from them and the machine's ``answer`` event is fired on it, so no machine
and no model ever outlives a turn and nothing is pickled.

Any question whose slot is already filled (read from the message that started the flow, or stated
in an earlier answer) is passed over by firing ``answer`` again, so the declared transitions (and
their conditions) still decide where the flow goes. A skipped question holds ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

ASK = "asking_"
DONE = "done"
TRIGGER = "answer"


class FlowModel:
    """The per-turn model: ``state`` and ``slots`` in, ``outcomes`` and ``extra_advice`` out."""

    __slots__ = ("state", "slots", "outcomes", "extra_advice")

    def __init__(self, state: str, slots: dict[str, Any]) -> None:
        self.state = state
        self.slots = slots
        self.outcomes: list[str] = []
        self.extra_advice: list[str] = []

    def on_enter_done(self) -> None:
        """Pick the outcomes; flows override this."""


@dataclass(frozen=True)
class FlowSpec:
    """A flow declared as data. ``parsers`` name how free-text questions are read."""

    id: str
    topic: str
    label: str  # interface key of the menu button
    model: type[FlowModel]
    states: list[Any]
    transitions: list[dict[str, Any]]
    optional: frozenset[str] = frozenset()
    parsers: dict[str, str] = field(default_factory=dict)
    fills: dict[str, str] = field(default_factory=dict)  # draft placeholder → slot
    prefill: tuple[str, ...] = ()  # slots read from the message that starts the flow
    remind_days: tuple[int, ...] = ()

    @property
    def initial(self) -> str:
        first = self.states[0]
        return first["name"] if isinstance(first, dict) else first

    @property
    def state_names(self) -> list[str]:
        return [s["name"] if isinstance(s, dict) else s for s in self.states]

    @property
    def questions(self) -> list[str]:
        return [question_of(s) for s in self.state_names if s.startswith(ASK)]


def question_of(state: str) -> str:
    """``asking_days`` → ``days``; ``done`` → ``""``."""
    return state[len(ASK) :] if state.startswith(ASK) else ""


class Flow:
    """A :class:`FlowSpec` bound to its one shared machine."""

    def __init__(self, spec: FlowSpec) -> None:
        self.spec = spec
        self.machine = Machine(
            model=None,
            states=spec.states,
            transitions=spec.transitions,
            initial=spec.initial,
            auto_transitions=False,
            ignore_invalid_triggers=True,
        )
        self._event = self.machine.events[TRIGGER]
        self.states = frozenset(spec.state_names)

    def start(self, slots: dict[str, Any]) -> FlowModel:
        """The model at the first question still open (``slots`` may hold prefilled values)."""
        model = self.spec.model(self.spec.initial, slots)
        self._pass_filled(model)
        return model

    def advance(self, state: str, slots: dict[str, Any]) -> FlowModel:
        """Fire ``answer`` from ``state`` with ``slots`` already holding the new answer, then
        pass over the questions already answered by prefilled slots."""
        model = self.spec.model(state, slots)
        self._event.trigger(model)
        self._pass_filled(model)
        return model

    def _pass_filled(self, model: FlowModel) -> None:
        for _ in range(len(self.states)):  # bounded: each pass leaves one question behind
            question = question_of(model.state)
            if not question or question not in model.slots:
                return
            self._event.trigger(model)

    def path(self, slots: dict[str, Any]) -> list[str]:
        """The questions the flow passes through with ``slots``, up to the first one open."""
        model = self.spec.model(self.spec.initial, dict(slots))
        visited: list[str] = []
        for _ in range(len(self.states)):
            question = question_of(model.state)
            if not question:
                break
            visited.append(question)
            if question not in model.slots:
                break
            self._event.trigger(model)
        return visited

    def resume(self, slots: dict[str, Any]) -> FlowModel:
        """The model at the first open question for ``slots`` (after an answer was changed)."""
        return self.start(slots)

    def valid_state(self, state: str) -> bool:
        return state in self.states and state != DONE
