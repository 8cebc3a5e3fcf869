"""Carrying out the dialog policy's decisions: the replies of conversation repair.

:class:`bot.dialog_policy.DialogPolicy` says what a message typed during a flow is; this module
turns that into slots and replies (answer taken, facts noted, correction confirmed, small talk
answered, question skipped, a switch of topic asked, a clarifying re-ask), and handles the yes/no
the bot itself asked (forget, switch, resume) and the flow paused for another topic.
:class:`Repairs` is mixed into :class:`bot.engine.Engine`, whose turn state it works on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.answers import format_amount
from bot.dialog_policy import Decision
from bot.flows import DONE, question_of
from bot.models import Button, Reply

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine import _Turn

SEP = "\n\n"
MISSES_BEFORE_OFFER = 2  # after this many unread answers in a row, offer to skip or stop


class Repairs:
    """The engine's conversation repair (a mixin: uses ``self.book``, ``self.flows`` …)."""

    # Texts ------------------------------------------------------------------------------------
    def _prefixed(self, reply: Reply, *notes: str | None) -> Reply:
        parts = [n for n in notes if n]
        if not parts:
            return reply
        return reply.model_copy(update={"text": SEP.join([*parts, reply.text])})

    def _describe(self, flow_id: str, slots: dict[str, Any], lang: str) -> str:
        """ "Yes, in writing; 45 days overdue": the given answers, as the person would say them."""
        topic = self.kb.topics[self.flows[flow_id].spec.topic]  # type: ignore[attr-defined]
        items = []
        for question_id, value in slots.items():
            if value is None or question_id.startswith("_"):
                continue
            question = topic.question(question_id)
            if question.kind == "choice":
                option = question.option(str(value))
                if option is not None:
                    items.append(option.label.get(lang))
            elif f"noted_{question_id}" in self.kb.interface:  # type: ignore[attr-defined]
                shown = format_amount(value, lang) if question_id == "amount" else str(value)
                items.append(self.book.t(f"noted_{question_id}", lang, value=shown))  # type: ignore[attr-defined]
        return "; ".join(items)

    def _talk_text(self, kind: str | None, lang: str, at_menu: bool = False) -> str | None:
        """What the bot says to small talk; ``at_menu``: outside a flow, where no question
        waits ("what do you mean?" then asks what is going on)."""
        if not kind:
            return None
        if at_menu and f"talk_{kind}_menu" in self.kb.interface:  # type: ignore[attr-defined]
            return self.book.t(f"talk_{kind}_menu", lang)  # type: ignore[attr-defined]
        return self.book.t(f"talk_{kind}", lang)  # type: ignore[attr-defined]

    # In a flow --------------------------------------------------------------------------------
    def _text_in_flow(self, t: _Turn, text: str) -> list[Reply]:
        session = t.session
        flow_id = session.flow
        assert flow_id is not None
        decision: Decision = self.policy.decide(  # type: ignore[attr-defined]
            flow_id, session.state, session.slots, text, t.lang, t.turn.at.date()
        )
        current = question_of(session.state)
        book = self.book  # type: ignore[attr-defined]
        if decision.kind == "cancel":  # "on arrête là, merci": as the Stop button
            return self._cancel(t)  # type: ignore[attr-defined]
        if decision.kind == "talk":
            return [self._prefixed(book.question(flow_id, current, t.lang),
                                   self._talk_text(decision.talk, t.lang))]  # fmt: skip
        if decision.kind == "correction":
            session.misses = 0
            session.slots.update(decision.changed)
            items = self._describe(flow_id, decision.changed, t.lang)
            note = book.t("corrected", t.lang, items=items)
            if decision.value is not None:  # and the question asked was answered too
                return self._advance(t, current, decision.value, notes=[note])  # type: ignore[attr-defined]
            return self._continue(t, note)
        feeling = self._talk_text(decision.talk, t.lang)
        noted = None
        if decision.facts:
            session.slots.update(decision.facts)
            items = self._describe(flow_id, decision.facts, t.lang)
            noted = book.t("noted_facts", t.lang, items=items)
        if decision.kind == "answer":
            session.misses = 0
            return self._advance(t, current, decision.value, notes=[feeling, noted])  # type: ignore[attr-defined]
        if decision.kind == "dont_know":
            session.misses = 0
            return self._advance(t, current, None, notes=[book.t("skipped", t.lang), noted])  # type: ignore[attr-defined]
        if decision.kind == "facts":
            return self._continue(t, feeling, noted)
        if decision.kind == "interrupt" and decision.topic:
            return [self._switch_question(t, decision.topic)]
        return [self._clarify(t, decision, feeling)]

    def _continue(self, t: _Turn, *notes: str | None) -> list[Reply]:
        """After slots changed: the first question still open (or the verdict), with notes."""
        session = t.session
        flow = self.flows[session.flow]  # type: ignore[attr-defined, index]
        model = flow.resume(session.slots)
        if model.state == DONE:
            return self._conclude(t, model, notes=list(notes))  # type: ignore[attr-defined]
        session.state = model.state
        question = self.book.question(session.flow, question_of(model.state), t.lang)  # type: ignore[attr-defined]
        return [self._prefixed(question, *notes)]

    def _clarify(self, t: _Turn, decision: Decision, feeling: str | None) -> Reply:
        """A re-ask that says what was not clear; after two misses, skip and stop are offered."""
        session = t.session
        flow_id = session.flow
        assert flow_id is not None
        session.misses += 1
        current = question_of(session.state)
        kind = self.policy.kind_of(flow_id, current)  # type: ignore[attr-defined]
        base = {"choice": "clarify_choice", "days": "clarify_days", "amount": "clarify_amount"}
        stem = base.get(kind, "clarify_text")
        if decision.reason == "invalid_days":
            key = "clarify_invalid_days" if session.misses % 2 else "clarify_days_2"
        else:
            key = f"{stem}_{1 if session.misses % 2 else 2}"
        book = self.book  # type: ignore[attr-defined]
        question = book.question(flow_id, current, t.lang)
        reply = self._prefixed(question, feeling, book.t(key, t.lang))
        if session.misses >= MISSES_BEFORE_OFFER:
            extra = [b for b in question.buttons if b.payload not in ("skip", "cancel")]
            extra += [
                Button(payload="skip", label=book.t("btn_skip_question", t.lang)),
                Button(payload="cancel", label=book.t("btn_stop", t.lang)),
            ]
            reply = reply.model_copy(update={"buttons": extra})
        return reply

    # Another topic ----------------------------------------------------------------------------
    def _switch_question(self, t: _Turn, topic_id: str) -> Reply:
        session = t.session
        book = self.book  # type: ignore[attr-defined]
        session.awaiting = f"switch:{topic_id}"
        current = book.title(self.flows[session.flow].spec.topic, t.lang)  # type: ignore[attr-defined, index]
        return Reply(
            text=book.t("switch_ask", t.lang, current=current, other=book.title(topic_id, t.lang)),
            lang=t.lang,
            buttons=[
                Button(payload=f"switch:{topic_id}", label=book.t("btn_switch", t.lang)),
                Button(payload="keep", label=book.t("btn_keep", t.lang)),
            ],
        )

    def _pause(self, t: _Turn, always: bool = False) -> None:
        """Keep the flow under way (with its answers) to offer it again later; unless
        ``always``, only when something was answered."""
        session = t.session
        answered = any(not k.startswith("_") for k in session.slots)
        if session.flow is not None and (always or answered):
            session.paused = {"flow": session.flow, "state": session.state,
                              "slots": dict(session.slots)}  # fmt: skip

    def _switch(self, t: _Turn, topic_id: str) -> list[Reply]:
        t.session.awaiting = None
        if t.session.flow is None or topic_id not in self.kb.topics:  # type: ignore[attr-defined]
            return self._stale(t)  # type: ignore[attr-defined]
        self._pause(t, always=True)
        self._leave_flow(t.session)  # type: ignore[attr-defined]
        return self._open_topic(t, topic_id)  # type: ignore[attr-defined]

    def _keep(self, t: _Turn) -> list[Reply]:
        t.session.awaiting = None
        session = t.session
        if session.flow is None:
            return self._stale(t)  # type: ignore[attr-defined]
        question = self.book.question(session.flow, question_of(session.state), t.lang)  # type: ignore[attr-defined]
        return [self._prefixed(question, self.book.t("kept", t.lang))]  # type: ignore[attr-defined]

    def _resume_offer(self, t: _Turn) -> Reply | None:
        """ "Back to your unpaid invoice?" when a paused flow waits (and none is under way)."""
        session = t.session
        paused = session.paused
        if not paused or session.flow is not None or paused.get("flow") not in self.flows:  # type: ignore[attr-defined]
            return None
        book = self.book  # type: ignore[attr-defined]
        flow_id = paused["flow"]
        session.awaiting = f"resume:{flow_id}"
        title = book.title(self.flows[flow_id].spec.topic, t.lang)  # type: ignore[attr-defined]
        return Reply(
            text=book.t("resume_offer", t.lang, title=title),
            lang=t.lang,
            buttons=[
                Button(payload=f"resume:{flow_id}", label=book.t("btn_resume", t.lang)),
                Button(payload="drop", label=book.t("btn_no_thanks", t.lang)),
            ],
        )

    def _chosen(self, t: _Turn, topic_id: str) -> None:
        """Of the two topics a message told, ``topic_id`` is taken first: keep the other."""
        pair = (t.session.later or "").split(",")
        if len(pair) == 2:
            others = [p for p in pair if p != topic_id]
            t.session.later = others[0] if topic_id in pair and len(others) == 1 else None

    def _later_offer(self, t: _Turn) -> Reply | None:
        """ "You also mentioned scope creep: shall we look at it?" for a second topic."""
        session = t.session
        later = session.later
        if not later or later not in self.kb.topics or session.flow is not None:  # type: ignore[attr-defined]
            return None
        book = self.book  # type: ignore[attr-defined]
        session.later = None
        session.awaiting = f"topic:{later}"
        return Reply(
            text=book.t("later_offer", t.lang, title=book.title(later, t.lang)),
            lang=t.lang,
            buttons=[
                Button(payload=f"topic:{later}", label=book.t("btn_yes_look", t.lang)),
                Button(payload="drop", label=book.t("btn_no_thanks", t.lang)),
            ],
        )

    def _resume(self, t: _Turn, flow_id: str) -> list[Reply]:
        """Back to the paused flow, at its first open question."""
        session = t.session
        session.awaiting = None
        paused = session.paused
        if not paused or paused.get("flow") != flow_id or flow_id not in self.flows:  # type: ignore[attr-defined]
            return self._stale(t)  # type: ignore[attr-defined]
        session.paused = None
        session.flow, session.slots = flow_id, dict(paused.get("slots") or {})
        session.topic = self.flows[flow_id].spec.topic  # type: ignore[attr-defined]
        session.misses = 0
        title = self.book.title(session.topic, t.lang)  # type: ignore[attr-defined]
        return self._continue(t, self.book.t("resumed", t.lang, title=title))  # type: ignore[attr-defined]

    def _drop(self, t: _Turn) -> list[Reply]:
        session = t.session
        awaiting, session.awaiting = session.awaiting, None
        if awaiting and awaiting.startswith("resume:"):
            session.paused = None
        return [self.book.menu(t.lang)]  # type: ignore[attr-defined]

    def _awaited(self, t: _Turn, text: str) -> str | None:
        """The payload a yes or no stands for when the bot asked a yes/no question."""
        session = t.session
        awaiting = session.awaiting
        if not awaiting:
            return None
        polarity = self.policy.polarity(text, t.lang)  # type: ignore[attr-defined]
        if polarity is None:
            return None
        if awaiting == "forget":
            return "forget:yes" if polarity == "yes" else "menu"
        if awaiting.startswith("switch:"):
            return awaiting if polarity == "yes" else "keep"
        if awaiting.startswith(("resume:", "topic:")):
            return awaiting if polarity == "yes" else "drop"
        return None

    def _small_talk_while_awaiting(self, t: _Turn, text: str) -> list[Reply] | None:
        """ "thanks" while the bot waits for a yes or no: answered, and the question stays."""
        session = t.session
        kind = self.policy.small_talk.kind(text, t.lang)  # type: ignore[attr-defined]
        awaiting = session.awaiting or ""
        if kind is None:
            return None
        if awaiting == "forget":
            asked = self.book.forget_confirm(t.lang)  # type: ignore[attr-defined]
        elif awaiting.startswith("switch:") and session.flow is not None:
            asked = self._switch_question(t, awaiting.split(":", 1)[1])
        else:
            return None
        return [self._prefixed(asked, self._talk_text(kind, t.lang))]

    def _offers(self, t: _Turn) -> list[Reply]:
        """What to offer once a topic or flow is done: the paused flow, else a second topic."""
        offer = self._resume_offer(t) or self._later_offer(t)
        return [offer] if offer is not None else []
