"""The registry of the six advice flows (kept out of ``__init__`` so it imports the same way
from an editable install made before this package had an ``__init__``).

``FLOWS`` maps a flow id to its :class:`bot.flows.FlowSpec`; :func:`check` lists every place where
a flow and its topic in the knowledge base disagree (question, option, outcome or advice ids).
"""

from __future__ import annotations

from bot.flows import DONE, FlowModel, FlowSpec, question_of
from dialogs import (
    client_left,
    drop_client,
    losing_clients,
    new_client_check,
    say_no,
    unpaid_invoice,
)
from knowledge.models import KnowledgeBase, Topic

FLOWS: dict[str, FlowSpec] = {
    m.FLOW.id: m.FLOW
    for m in (drop_client, client_left, say_no, unpaid_invoice, new_client_check, losing_clients)
}


def check(kb: KnowledgeBase) -> list[str]:
    """Problems between the flow definitions and the knowledge base (empty when all agree)."""
    problems: list[str] = []
    for flow_id, spec in FLOWS.items():
        if kb.catalog.flows.get(flow_id) != spec.topic:
            problems.append(f"{flow_id}: catalog maps it to {kb.catalog.flows.get(flow_id)!r}")
        topic = kb.topics.get(spec.topic)
        if topic is None:
            problems.append(f"{flow_id}: topic {spec.topic!r} is missing")
            continue
        known_q = {q.id for q in topic.questions}
        for state in spec.state_names:
            qid = question_of(state)
            if state != DONE and qid not in known_q:
                problems.append(f"{flow_id}: question {qid!r} missing in {spec.topic}.yaml")
        for slot in spec.prefill:
            if slot not in spec.questions or slot not in spec.parsers:
                problems.append(f"{flow_id}: prefilled slot {slot!r} is no free-text question")
            if f"noted_{slot}" not in kb.interface:
                problems.append(f"{flow_id}: interface text 'noted_{slot}' is missing")
        outcome_ids = {o.id for o in topic.outcomes}
        for outcome in _possible_outcomes(spec, topic):
            if outcome not in outcome_ids:
                problems.append(f"{flow_id}: outcome {outcome!r} missing in {spec.topic}.yaml")
    return problems


def _possible_outcomes(spec: FlowSpec, topic: Topic) -> set[str]:
    """Outcome ids reachable by trying every combination of choice answers (small flows)."""
    import itertools

    choices = []
    for qid in spec.questions:
        question = next((q for q in topic.questions if q.id == qid), None)
        if question is None or question.kind != "choice":
            choices.append([None, 1, 45])
        else:
            choices.append([o.id for o in question.options])
    found: set[str] = set()
    for combo in itertools.islice(itertools.product(*choices), 5000):
        model: FlowModel = spec.model(DONE, dict(zip(spec.questions, combo, strict=True)))
        model.on_enter_done()
        found.update(model.outcomes)
    return found


__all__ = ["FLOWS", "check"]
