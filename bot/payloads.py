"""Button and command payloads: parse what comes back, format what goes out.

Grammar (every payload is at most 64 bytes of UTF-8)::

    start | menu | help | cancel | checklist | forget | skip | lang
    lang:<fr|nb|en|no>        topic:<topic-id>     flow:<flow-id>      checklist:<topic-id>
    a:<question_id>:<option>  draft:<lang>         remind:<days>       remind:cancel
    forget:yes                dr:<draft-id>  (another draft of the topic just answered)
    law                       law:<country>[:<lang>]  (formal notice: ask where, or answer)
    switch:<topic-id>  keep   (leave a flow for another topic, or stay)
    resume:<flow-id>   drop   (go back to a paused flow, or let it go)

Deep links (Telegram ``/start <x>``) write the first ``:`` as ``-``: ``checklist-late-payment``.
Parsing never raises: anything else is ``None``, which the engine treats as a stale button.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.models import MAX_PAYLOAD_BYTES

BARE = frozenset(
    {"start", "menu", "help", "cancel", "checklist", "forget", "skip", "lang", "law", "keep",
     "drop"}
)  # fmt: skip
WITH_ARG = frozenset(
    {"lang", "topic", "flow", "checklist", "a", "draft", "dr", "remind", "forget", "law",
     "switch", "resume"}
)  # fmt: skip
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")


class Action(NamedTuple):
    """A parsed payload: ``name`` plus up to two arguments."""

    name: str
    arg: str = ""
    arg2: str = ""


def _deep_link(payload: str) -> str:
    """``flow-unpaid-invoice`` → ``flow:unpaid-invoice`` (only for known prefixes)."""
    head, sep, rest = payload.partition("-")
    if sep and head in WITH_ARG and head != "a" and rest:
        return f"{head}:{rest}"
    return payload


def parse(payload: str | None) -> Action | None:
    """The action a payload asks for, or ``None`` when it is not one of ours."""
    if not payload or len(payload) > MAX_PAYLOAD_BYTES:
        return None
    payload = payload.strip()
    if payload.startswith("/"):
        payload = payload[1:]
    if payload in BARE:
        return Action(payload)
    if ":" not in payload:
        payload = _deep_link(payload)
    name, _, rest = payload.partition(":")
    if name not in WITH_ARG or not rest:
        return None
    if name == "a":
        question, _, option = rest.partition(":")
        if _ID.match(question) and _ID.match(option):
            return Action("a", question, option)
        return None
    if name == "lang":
        rest = "nb" if rest == "no" else rest
        return Action("lang", rest) if rest in ("fr", "nb", "en") else None
    if name == "draft":
        rest = "nb" if rest == "no" else rest
        return Action("draft", rest) if rest in ("fr", "nb", "en") else None
    if name == "forget":
        return Action("forget", "yes") if rest == "yes" else None
    if name == "law":
        country, _, lang = rest.partition(":")
        lang = "nb" if lang == "no" else lang
        if _ID.match(country) and lang in ("", "fr", "nb", "en"):
            return Action("law", country, lang)
        return None
    if name == "remind":
        if rest == "cancel" or (rest.isdigit() and len(rest) <= 4):
            return Action("remind", rest)
        return None
    return Action(name, rest) if _ID.match(rest) else None


def answer(question: str, option: str) -> str:
    """Payload of an answer button."""
    return f"a:{question}:{option}"


def fmt(name: str, arg: str = "") -> str:
    """Payload of any other button: ``fmt("topic", "rates")`` → ``topic:rates``."""
    return f"{name}:{arg}" if arg else name
