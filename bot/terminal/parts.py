"""A long answer shown in parts: advice first, the checklist and the message on request.

A reply that carries both a checklist and a message draft (a flow's verdict, a topic's full
answer) would fill more than a screen. It is shown as its text, with "show the checklist" and
"show the message" as its first choices; the terminal shows the held part when one is picked,
without a turn of the engine. The choices' labels come from ``terminal.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.models import Button, Reply
from knowledge.models import KnowledgeBase

SHOW_CHECKLIST = "terminal:checklist"
SHOW_DRAFT = "terminal:draft"


@dataclass
class Offer:
    """What the person can pick after a turn: numbered buttons, some of which show a held part."""

    buttons: list[Button] = field(default_factory=list)
    held: dict[str, Reply] = field(default_factory=dict)


def in_parts(reply: Reply, kb: KnowledgeBase) -> tuple[Reply, dict[str, Reply]]:
    """The reply to show now and the parts held back (by the payload that shows them)."""
    if not reply.checklist or reply.draft is None:
        return reply, {}
    lang = reply.lang
    title = reply.draft.title
    choices = [
        Button(payload=SHOW_CHECKLIST, label=kb.text("term_show_checklist", lang)),
        Button(payload=SHOW_DRAFT, label=kb.text("term_show_draft", lang, title=title)),
    ]
    update = {"checklist": None, "draft": None, "buttons": choices + reply.buttons}
    lead = reply.model_copy(update=update)
    held = {
        SHOW_CHECKLIST: Reply(text="", lang=lang, checklist=reply.checklist),
        SHOW_DRAFT: Reply(text="", lang=lang, draft=reply.draft),
    }
    return lead, held


def offer_of(replies: list[Reply], kb: KnowledgeBase) -> tuple[list[Reply], Offer]:
    """A turn's replies as they are shown (long ones in parts) and what they offer.

    The buttons of all the replies of a turn share one numbering, in order."""
    shown: list[Reply] = []
    offer = Offer()
    for reply in replies:
        lead, held = in_parts(reply, kb)
        shown.append(lead)
        offer.buttons += lead.buttons
        offer.held.update(held)
    return shown, offer
