"""The state of a conversation after a turn, as ``clientcoach chat --json`` prints it.

``{"lang", "flow", "question", "slots", "outcomes"}``: the flow under way (or the one that just
gave its verdict), the question now awaiting an answer, the answers given (question id → option
id, number or text) and, on the turn of a verdict, its outcome ids.
"""

from __future__ import annotations

from typing import Any, TypedDict

from bot.flows import Flow, question_of
from bot.store.base import Session


class TurnState(TypedDict):
    lang: str | None
    flow: str | None
    question: str | None
    slots: dict[str, Any]
    outcomes: list[str]


def describe(
    session: Session,
    verdict: tuple[str, list[str], dict[str, Any]] | None,
    flows: dict[str, Flow],
) -> TurnState:
    """The state after a turn; ``verdict`` is (flow, outcomes, answers) when one was given."""
    if verdict is not None:
        flow_id, outcomes, answers = verdict
        slots = {k: v for k, v in answers.items() if v is not None and not k.startswith("_")}
        return TurnState(
            lang=session.lang, flow=flow_id, question=None, slots=slots, outcomes=list(outcomes)
        )
    flow_id = session.flow if session.flow in flows else None
    slots = {}
    if flow_id is not None:
        slots = {k: v for k, v in session.slots.items() if v is not None and not k.startswith("_")}
    return TurnState(
        lang=session.lang,
        flow=flow_id,
        question=question_of(session.state) or None if flow_id else None,
        slots=slots,
        outcomes=[],
    )
