"""Reply → Block Kit: escaping of hostile text, Slack's size limits, buttons and select menus."""

from __future__ import annotations

import json

import pytest

import knowledge
from bot.models import Button, Draft, Reply
from bot.slack.render import (
    BLOCK_LIMIT,
    LABEL_LIMIT,
    MAX_BUTTONS,
    SECTION_LIMIT,
    answered,
    chunks,
    escape,
    render,
)

KB = knowledge.load()
HOSTILE = [
    "<!channel> pay me",
    "<!here|here> now",
    "<!everyone>",
    "hi <@U123> and <@W999|boss>",
    "<script>alert(1)</script>",
    "Tom & Jerry &amp; co &lt;b&gt;",
    "<https://evil.example|click me>",
    "null\x00 bell\x07 esc\x1b[31m del\x7f line\u2028sep",
]


def all_texts(message: dict) -> list[str]:
    """Every mrkdwn/plain text string in a rendered message."""
    found: list[str] = [message["text"]]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["blocks"])
    return found


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_never_becomes_a_mention_link_or_control(hostile):
    reply = Reply(text=hostile, checklist=[hostile], lang="en",
                  draft=Draft(title=hostile, text=f"Dear {hostile}", lang="en"))
    message = render(reply, KB, owner="U0ALICE")
    mrkdwn = [t for b in message["blocks"] for t in all_texts({"text": "", "blocks": [b]})]
    for text in mrkdwn + [message["text"]]:
        assert "<" not in text and ">" not in text
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text)
        assert "\x7f" not in text and "\u2028" not in text
    serialized = json.dumps(message)
    assert "<!channel>" not in serialized and "<@U123>" not in serialized


def test_escape_escapes_ampersand_first():
    assert escape("a & <b> &amp;") == "a &amp; &lt;b&gt; &amp;amp;"


def test_forty_kilobytes_are_split_within_limits():
    text = ("word " * 8000) + "& <!channel>"
    message = render(Reply(text=text, lang="fr"), KB)
    assert len(message["blocks"]) <= BLOCK_LIMIT
    for block in message["blocks"]:
        assert len(block["text"]["text"]) <= SECTION_LIMIT
    joined = "".join(b["text"]["text"] for b in message["blocks"]).replace(" ", "")
    assert joined.endswith("&amp;&lt;!channel&gt;")
    assert len(message["text"]) <= 300


def test_a_message_longer_than_fifty_blocks_is_shortened_with_a_notice():
    text = "\n".join(["x" * 2900] * 80)
    message = render(Reply(text=text, lang="nb",
                           buttons=[Button(payload="menu", label="Meny")]), KB)
    assert len(message["blocks"]) == BLOCK_LIMIT
    assert message["blocks"][-1]["type"] == "actions"
    assert message["blocks"][-2]["text"]["text"] == escape(KB.text("slack_shortened", "nb"))


def test_chunks_never_cut_an_entity():
    text = escape("a" * 2998 + "&&&&")
    for piece in chunks(text):
        assert len(piece) <= SECTION_LIMIT
        assert not piece.endswith(("&", "&a", "&am", "&amp"))
    assert "".join(chunks(text)) == text


def test_buttons_carry_payloads_and_the_owner():
    buttons = [Button(payload=f"a:q:o{i}", label=f"Option {i}") for i in range(MAX_BUTTONS)]
    message = render(Reply(text="Q?", buttons=buttons), KB, owner="U0ALICE")
    actions = message["blocks"][-1]
    assert actions["type"] == "actions" and actions["block_id"] == "cc-owner:U0ALICE"
    assert [e["value"] for e in actions["elements"]] == [b.payload for b in buttons]
    assert len({e["action_id"] for e in actions["elements"]}) == MAX_BUTTONS


def test_too_many_buttons_fall_back_to_a_select_menu():
    buttons = [Button(payload=f"topic:t{i}", label=f"Topic {i}" * 20) for i in range(18)]
    message = render(Reply(text="Pick", buttons=buttons, lang="fr"), KB, owner="U1")
    (select,) = message["blocks"][-1]["elements"]
    assert select["type"] == "static_select"
    assert select["placeholder"]["text"] == KB.text("slack_choose", "fr")
    assert len(select["options"]) == 18
    assert all(len(o["text"]["text"]) <= LABEL_LIMIT for o in select["options"])


def test_checklist_has_check_marks_and_draft_is_a_code_block():
    reply = Reply(text="Here", lang="en", checklist=["One", "Two"],
                  draft=Draft(title="Reminder", text="Hello ```x``` {name}", lang="en"))
    blocks = render(reply, KB)["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "✅ One\n✅ Two" in texts
    assert "*Reminder*" in texts
    code = next(t for t in texts if t.startswith("```"))
    assert code.endswith("```") and code.count("```") == 2


@pytest.mark.parametrize("lang", ["fr", "nb", "en"])
def test_share_button_label_comes_from_knowledge(lang):
    reply = Reply(text="List", lang=lang, checklist=["a"])
    blocks = render(reply, KB, share_payload="checklist:rates")["blocks"]
    share = blocks[-1]["elements"][0]
    assert share["text"]["text"] == KB.text("slack_share", lang)
    assert share["value"] == "checklist:rates" and share["action_id"] == "cc-share"


def test_shared_copy_has_no_buttons():
    reply = Reply(text="List", checklist=["a"], buttons=[Button(payload="menu", label="Menu")])
    assert all(b["type"] != "actions" for b in render(reply, KB, buttons=False)["blocks"])


def test_answered_replaces_actions_with_the_escaped_choice():
    blocks = render(Reply(text="Q", buttons=[Button(payload="menu", label="M")]), KB)["blocks"]
    after = answered(blocks, "<!here> yes", "en", KB)
    assert all(b["type"] != "actions" for b in after)
    note = after[-1]["elements"][0]["text"]
    assert "&lt;!here&gt;" in note and "<" not in note
