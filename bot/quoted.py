"""Advice on a client's message: the person quotes it (Slack's "Ask clientcoach" shortcut) and gets,
in their own language, the advice for the situation it shows and a reply draft addressed to that
client, written in the client's language.

The quoted text is read for its topic and its language only: it never sets the person's language
and it is never taken for a command word.
"""

from __future__ import annotations

from datetime import date

from bot import draft_values
from bot.models import Button, Reply
from bot.replies import SEP, ReplyBook
from bot.store.base import Session
from bot.understanding import detect_language, route

MAX_READ = 2000


def _intro(book: ReplyBook, lang: str, client: str | None) -> str:
    if client:
        return book.t("quoted_about", lang, client=client)
    return book.t("quoted_about_own", lang)


def advise(book: ReplyBook, session: Session, text: str, lang: str, client: str | None,
           today: date, units: dict[str, int]) -> list[Reply]:
    """The topic answer for ``text`` with its draft in the client's language, or the menu; the
    draft is filled with the author's name and what the message states (amount, dates …)."""
    said = text[:MAX_READ]
    client_lang = detect_language(said) if said.strip() else lang
    routing = route(said, client_lang) if said.strip() else None
    candidates = [c for c in (routing.candidates if routing else []) if c in book.kb.topics]
    intro = _intro(book, lang, client)
    if routing is None or routing.offtopic or not candidates:
        unclear = book.with_menu("quoted_unclear", lang)
        return [unclear.model_copy(update={"text": intro + SEP + unclear.text})]
    if routing.ambiguous and len(candidates) >= 2:
        choice = book.ambiguous(candidates[0], candidates[1], lang)
        return [choice.model_copy(update={"text": intro + SEP + choice.text})]
    topic_id = candidates[0]
    topic = book.kb.topics[topic_id]
    first = topic.drafts[0]
    session.flow, session.state, session.topic = None, "idle", topic_id
    stated = draft_values.read(said, today, units)
    if client:
        stated["client_name"] = client
    session.slots = {"_d": first.id, draft_values.SAID: stated}
    answer = book.topic_answer(topic_id, lang)
    values = book.fill_values(topic_id, session.slots, client_lang)
    buttons = [
        *book.draft_buttons(lang, client_lang),
        *book.other_drafts(topic_id, first.id, lang),
    ]
    flow_id = book.flow_of_topic.get(topic_id)
    if flow_id is not None:
        buttons.insert(0, Button(payload=f"flow:{flow_id}", label=book.t("btn_tailored", lang)))
    buttons.append(book.menu_button(lang))
    return [answer.model_copy(update={
        "text": intro + SEP + answer.text,
        "draft": book.draft(first, client_lang, values),
        "buttons": buttons,
    })]
