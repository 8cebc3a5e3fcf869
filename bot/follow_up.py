"""A short message after advice that names nothing of its own ("no he did this last year too",
"ja hele tiden", "rien de signé"): it most likely goes on about the topic just answered, so the
few words it has must not open whichever topic they lean to. The person picks instead: the topic
just answered, or the one the words point to."""

from __future__ import annotations

from collections.abc import Collection

from bot.store.base import Session
from bot.understanding import Routing
from bot.understanding.router import is_long


def unanchored_switch(
    session: Session,
    routing: Routing,
    candidates: list[str],
    text: str,
    topics: Collection[str],
) -> bool:
    """True when ``text`` would switch from the topic just answered to another one on words
    that speak of no topic, client or work (no phrase of any topic, no anchor word)."""
    answered = session.topic
    if answered not in topics or session.flow is not None or not candidates:
        return False
    if routing.offtopic or routing.ambiguous or routing.two_topics:
        return False  # the person is asked anyway
    if routing.evidence > 0 or is_long(text):
        return False
    return candidates[0] != answered
