"""The App Home tab: buttons that start each situation, the person's reminders (each with a
cancel button), their language; every text from the knowledge base in their language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.overview import Overview, cancel_payload
from bot.slack.render import chunks, escape, plain, section
from knowledge import KnowledgeBase

HEADER_LIMIT = 150
HOME_ACTION = "cc-home"  # a button of the home tab; its value is an engine payload
UNREMIND_ACTION = "cc-unremind"
MAX_ACTIONS = 25  # elements of one actions block


def _date(due: float) -> str:
    """Slack writes the date in the reader's own locale and time zone; the fallback is ISO."""
    when = datetime.fromtimestamp(due, UTC)
    return f"<!date^{int(due)}^{{date_short_pretty}}|{when.date().isoformat()}>"


def _reminders(kb: KnowledgeBase, view: Overview) -> list[dict[str, Any]]:
    lang = view.lang
    if not view.available:
        return [section(escape(kb.text("slack_home_unavailable", lang)))]
    if not view.reminders:
        return [section(escape(kb.text("slack_home_no_reminders", lang)))]
    blocks = []
    for n, reminder in enumerate(view.reminders[:20]):
        line = escape(kb.text("slack_home_reminder", lang, title=reminder.title, date="\ue000"))
        blocks.append({
            **section(line.replace("\ue000", _date(reminder.due))),
            "accessory": {"type": "button", "action_id": f"{UNREMIND_ACTION}:{n}",
                          "text": plain(kb.text("slack_home_cancel", lang)),
                          "value": cancel_payload(reminder)},
        })
    return blocks


def home_view(kb: KnowledgeBase, view: Overview) -> dict[str, Any]:
    """A ``home`` view for ``views.publish``."""
    lang = view.lang
    topics = "\n".join(
        f"• {escape(kb.topics[topic_id].title.get(lang))}"
        for topic_id in kb.catalog.topics
        if topic_id in kb.topics
    )
    language = kb.text(f"lang_name_{lang}", lang)
    start = [
        {"type": "button", "action_id": f"{HOME_ACTION}:{n}", "text": plain(button.label),
         "value": button.payload}
        for n, button in enumerate(view.buttons[:MAX_ACTIONS])
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(kb.text("slack_home_title", lang), HEADER_LIMIT)},
        section(escape(kb.text("slack_home_intro", lang))),
        section(f"*{escape(kb.text('slack_home_start', lang))}*"),
        {"type": "actions", "block_id": "cc-home-start", "elements": start},
        section(escape(kb.text("slack_home_how", lang))),
        {"type": "divider"},
        section(f"*{escape(kb.text('slack_home_reminders', lang))}*"),
        *_reminders(kb, view),
        {"type": "divider"},
        section(f"*{escape(kb.text('slack_home_topics', lang))}*"),
        *(section(piece) for piece in chunks(topics)),
        {"type": "divider"},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": escape(
                kb.text("slack_home_language", lang, language=language))}],
        },
    ]
    return {"type": "home", "blocks": blocks}
