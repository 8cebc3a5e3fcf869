"""Reply → Telegram HTML: escaping, splitting, drafts and keyboards, checked with the same HTML
parser the Bot API stand-in uses (which rejects what Telegram rejects)."""

from __future__ import annotations

import pytest

from bot.models import Button, Draft, Reply
from bot.standins.telegram_api import ApiError, check_markup, parse_html, utf16_len
from bot.telegram.render import MAX_CHARS, deep_link_for, render, to_deep_link

ADVERSARIAL = [
    "<b>bold?</b>",
    "a & b &amp; c &lt; &#60; &unknown;",
    "snake_case_name and *stars* and __dunder__",
    "</pre><script>alert(1)</script>",
    '<a href="tg://user?id=1">x</a> @everyone',
    "> quoted\n< angled",
    "emoji \U0001f600 and RTL \u05e9\u05dc\u05d5\u05dd and zero\u200bwidth",
]


def text(key: str, lang: str) -> str:
    return f"[{key}:{lang}]"


def shown(html: str) -> str:
    """What Telegram would show for an HTML message (raises ApiError like a 400)."""
    plain, _ = parse_html(html)
    return plain


@pytest.mark.parametrize("value", ADVERSARIAL)
def test_adversarial_text_is_shown_verbatim_never_as_markup(value: str) -> None:
    reply = Reply(
        text=value,
        checklist=[value],
        draft=Draft(title=value, text=value, lang="en"),
        buttons=[Button(payload="menu", label=value[:30])],
    )
    messages = render(reply, text)
    assert len(messages) == 1
    plain, entities = parse_html(messages[0].html)
    assert plain.count(value.strip()) == 4  # text, checklist, draft title, draft
    assert {e["type"] for e in entities} <= {"bold", "pre"}
    assert messages[0].keyboard is not None
    check_markup(messages[0].keyboard.to_dict())


def test_broken_html_would_be_refused_by_the_stand_in() -> None:
    for bad in ("<b>open", "a < b", "a & b", "<script>x</script>", "</b>"):
        with pytest.raises(ApiError):
            parse_html(bad)


def test_ten_thousand_characters_split_under_the_limit_and_lose_nothing() -> None:
    paragraphs = [f"{i:03d} " + "<&_*" * 60 for i in range(40)]  # ~9,800 characters
    body = "\n\n".join(paragraphs)
    assert len(body) > 9_500
    messages = render(Reply(text=body, buttons=[Button(payload="menu", label="Menu")]), text)
    assert len(messages) >= 3
    texts = [shown(m.html) for m in messages]
    assert all(utf16_len(t) <= MAX_CHARS for t in texts)
    assert "\n\n".join(texts) == body  # split exactly at paragraph boundaries
    assert [m.keyboard is not None for m in messages] == [False] * (len(messages) - 1) + [True]


def test_one_huge_paragraph_is_cut_at_words_then_hard() -> None:
    words = " ".join(["freelance&co"] * 1000)
    solid = "x" * 10_000
    for body in (words, solid):
        texts = [shown(m.html) for m in render(Reply(text=body), text)]
        assert all(utf16_len(t) <= MAX_CHARS for t in texts)
        assert "".join(texts).replace(" ", "") == body.replace(" ", "")


def test_astral_characters_count_twice() -> None:
    body = "\U0001f600" * 3000  # 3,000 characters, 6,000 UTF-16 units
    texts = [shown(m.html) for m in render(Reply(text=body), text)]
    assert len(texts) == 2
    assert all(utf16_len(t) <= MAX_CHARS for t in texts)
    assert "".join(texts) == body


def test_draft_is_in_pre_with_a_bold_title_and_long_drafts_stay_in_pre() -> None:
    draft = Draft(title="Reminder", text="Hello <client>,\n\n" + "line & more\n" * 600, lang="fr")
    messages = render(Reply(text="Here is a draft.", draft=draft), text)
    assert len(messages) >= 2
    first_plain, first_entities = parse_html(messages[0].html)
    assert first_plain.startswith("Here is a draft.\n\nReminder\n\nHello <client>,")
    assert {e["type"] for e in first_entities} == {"bold", "pre"}
    for message in messages[1:]:
        _, entities = parse_html(message.html)
        assert [e["type"] for e in entities] == ["pre"]


def test_checklist_items_are_lines_with_a_box() -> None:
    messages = render(Reply(text="Checklist", checklist=["Terms signed", "Deposit paid"]), text)
    assert shown(messages[0].html) == "Checklist\n\n\u2610 Terms signed\n\u2610 Deposit paid"


def test_buttons_carry_payloads_and_are_laid_out_in_rows() -> None:
    short = [Button(payload=f"lang:{c}", label=c.upper()) for c in ("fr", "nb", "en")]
    long = [Button(payload=f"topic:t{i}", label=f"A rather long label {i}") for i in range(3)]
    markup = render(Reply(text="?", buttons=short), text)[0].keyboard
    assert markup is not None
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["lang:fr", "lang:nb", "lang:en"]
    ]
    markup = render(Reply(text="?", buttons=long), text)[0].keyboard
    assert markup is not None and [len(r) for r in markup.inline_keyboard] == [1, 1, 1]


def test_no_buttons_no_keyboard() -> None:
    assert render(Reply(text="hi"), text)[0].keyboard is None


def test_continue_in_private_is_a_deep_link_button_with_a_knowledge_label() -> None:
    reply = Reply(
        text="This is about money.",
        lang="nb",
        continue_in_dm=True,
        buttons=[Button(payload="flow:unpaid-invoice", label="Start")],
    )
    message = render(reply, text, bot_username="clientcoach_test_bot")[0]
    assert shown(message.html).endswith("\n\n[continue_in_dm:nb]")
    markup = message.keyboard
    assert markup is not None
    link = markup.inline_keyboard[-1][0]
    assert link.text == "[tg_continue_in_private:nb]"
    assert link.url == "https://t.me/clientcoach_test_bot?start=flow-unpaid-invoice"
    check_markup(markup.to_dict())


def test_empty_text_still_makes_a_valid_message() -> None:
    messages = render(Reply(text="  \n\n ", buttons=[Button(payload="menu", label="Menu")]), text)
    assert len(messages) == 1 and shown(messages[0].html).strip()


def test_continue_in_private_for_a_flow_question_links_to_that_flow() -> None:
    question = Reply(
        text="Are your terms in writing?",
        continue_in_dm=True,
        buttons=[Button(payload="a:terms:in-writing", label="In writing")],
    )
    reply = question.model_copy(update={"resume": "flow:unpaid-invoice"})
    assert deep_link_for(reply) == "flow-unpaid-invoice"
    assert deep_link_for(question) is None
    markup = render(reply, text, bot_username="b_bot")[0].keyboard
    assert markup is not None
    assert markup.inline_keyboard[-1][0].url == "https://t.me/b_bot?start=flow-unpaid-invoice"
    markup = render(question, text, bot_username="b_bot")[0].keyboard
    assert markup is not None and markup.inline_keyboard[-1][0].url == "https://t.me/b_bot"


def test_no_username_no_private_offer() -> None:
    message = render(Reply(text="x", continue_in_dm=True), text)[0]
    assert message.keyboard is None and shown(message.html) == "x"


@pytest.mark.parametrize(
    ("payload", "link"),
    [
        ("checklist:late-payment", "checklist-late-payment"),
        ("flow:unpaid-invoice", "flow-unpaid-invoice"),
        ("start", "start"),
        ("a:terms:in-writing", None),
        ("lang:é", None),
    ],
)
def test_deep_link_form(payload: str, link: str | None) -> None:
    assert to_deep_link(payload) == link
