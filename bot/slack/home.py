"""The App Home tab: what the bot can do, the topics it knows, the person's language."""

from __future__ import annotations

from typing import Any

from bot.slack.render import chunks, escape, plain, section
from knowledge import KnowledgeBase

HEADER_LIMIT = 150


def home_view(kb: KnowledgeBase, lang: str) -> dict[str, Any]:
    """A ``home`` view for ``views.publish``, every text from the knowledge base in ``lang``."""
    topics = "\n".join(
        f"• {escape(kb.topics[topic_id].title.get(lang))}"
        for topic_id in kb.catalog.topics
        if topic_id in kb.topics
    )
    language = kb.text(f"lang_name_{lang}", lang)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(kb.text("slack_home_title", lang), HEADER_LIMIT)},
        section(escape(kb.text("slack_home_intro", lang))),
        section(escape(kb.text("slack_home_how", lang))),
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
