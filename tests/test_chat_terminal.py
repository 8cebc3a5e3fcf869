"""``clientcoach chat`` at a terminal: a real process on a pseudo-terminal, driven with pexpect."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_helpers import real_kb
from terminal_helpers import LEFT, UP, Terminal, words

from bot.terminal.reader import exit_words

KB = real_kb()


def flow_number(flow_id: str) -> str:
    return str(list(KB.catalog.flows).index(flow_id) + 1)


def first_word(key: str, lang: str) -> str:
    return KB.text(key, lang).split("|")[0]


@pytest.fixture
def terminals(tmp_path: Path) -> Iterator[list[Terminal]]:
    """Terminals a test opens; any still running at the end is killed."""
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.kill()


def open_terminal(
    terminals: list[Terminal], tmp_path: Path, *args: str, **kwargs: object
) -> Terminal:
    terminal = Terminal(tmp_path, *args, **kwargs)  # type: ignore[arg-type]
    terminals.append(terminal)
    return terminal


def test_a_new_conversation_greets_and_says_where_it_is_kept(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    chat = open_terminal(terminals, tmp_path, "--lang", "en")
    opening = words(chat.wait_prompt())
    assert words(KB.text("greeting", "en")) in opening
    place = str((tmp_path / "chat.sqlite3").resolve())
    assert words(KB.text("term_kept_in", "en", place=place, exit="exit")) in opening
    assert "1. " + KB.text("flow_drop_client", "en") in opening
    farewell = chat.leave("exit\r")
    assert words(KB.text("term_bye_kept", "en")) in words(farewell)
    assert chat.status == 0
    assert "Traceback" not in chat.transcript


def test_an_answer_then_the_verdict_in_parts_without_reminders(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    topic = KB.topics["say-no"]
    chat = open_terminal(terminals, tmp_path, "--lang", "fr", store="memory://")
    assert words(KB.text("term_kept_nowhere", "fr", exit="quitter")) in words(chat.wait_prompt())
    asked = words(chat.say(flow_number("say-no")))
    assert words(topic.question("situation").text.fr) in asked
    asked = words(chat.say("1"))  # unrealistic → the alternative question
    assert words(topic.question("alternative").text.fr) in asked
    verdict = words(chat.say("1"))  # have an alternative
    outcome = topic.outcome("refuse-with-alternative")
    assert words(outcome.text.fr) in verdict
    assert words(KB.text("advice_heading", "fr")) in verdict
    draft = topic.draft("refuse-with-alternative")
    # the checklist and the message wait to be asked for; they are the first two choices
    assert "1. " + KB.text("term_show_checklist", "fr") in verdict
    assert "2. " + words(KB.text("term_show_draft", "fr", title=draft.title.fr)) in verdict
    assert words(topic.checklist[0].text.fr) not in verdict
    assert "Bonjour [" not in verdict and draft.title.fr + " ─" not in verdict
    remind = words(KB.text("btn_remind", "fr", days=7))
    assert remind not in verdict  # the terminal delivers no reminder, so none is offered
    checklist = words(chat.say("1"))
    assert all(words(item.text.fr) in checklist for item in topic.checklist)
    assert checklist.count("☐") == len(topic.checklist)
    message = chat.say("2")
    assert draft.title.fr in message
    body = words(draft.text.fr.split("\n")[0].split("{")[0])
    assert body in words(message)
    assert "│" not in message  # no side borders: the message copies as it is
    chat.leave("quitter\r")
    assert chat.status == 0


def test_line_editing_and_history(tmp_path: Path, terminals: list[Terminal]) -> None:
    chat = open_terminal(terminals, tmp_path, "--lang", "en", store="memory://")
    chat.wait_prompt()
    # "mnu", cursor two to the left, "e": the line sent is "menu" (no ^[[D in the message)
    answer = words(chat.say("mnu" + LEFT + LEFT + "e"))
    assert words(KB.text("menu_intro", "en")) in answer
    assert "^[" not in answer
    assert words(KB.text("offtopic", "en")) not in answer
    # arrow up recalls the last line
    chat.say("help")
    again = words(chat.say(UP))
    assert words(KB.text("help", "en")) in again
    chat.leave("\x04")  # Ctrl-D
    assert chat.status == 0


def test_a_resumed_conversation_says_so_and_asks_its_question_again(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    topic = KB.topics["late-payment"]
    first = open_terminal(terminals, tmp_path, "--lang", "nb")
    first.wait_prompt()
    first.say(flow_number("unpaid-invoice"))
    asked = words(first.say("1"))  # terms agreed in writing → the history question
    assert words(topic.question("history").text.nb) in asked
    first.leave("avslutt\r")

    second = open_terminal(terminals, tmp_path)
    opening = words(second.wait_prompt())
    flow = KB.text("flow_unpaid_invoice", "nb")
    restart = first_word("cmd_restart", "nb")
    assert words(KB.text("term_resumed", "nb", flow=flow, restart=restart)) in opening
    assert words(topic.question("history").text.nb) in opening
    assert words(KB.text("greeting", "nb")) not in opening
    second.leave("\x03")  # Ctrl-C
    assert second.status == 0

    third = open_terminal(terminals, tmp_path, "--new", "--lang", "en")
    fresh = words(third.wait_prompt())
    assert words(KB.text("greeting", "en")) in fresh
    assert "Picking up" not in fresh
    third.leave("quit\r")


@pytest.mark.parametrize("lang", ["fr", "nb", "en"])
def test_each_language_leaves_with_its_exit_word_and_says_goodbye(
    tmp_path: Path, terminals: list[Terminal], lang: str
) -> None:
    chat = open_terminal(terminals, tmp_path, "--lang", lang, store="memory://")
    chat.wait_prompt()
    chat.say(flow_number("say-no"))  # in the middle of a flow, "quitter" leaves (not cancels)
    word = KB.text("term_exit_words", lang).split("|")[-1]
    farewell = chat.leave(word.upper() + "\r")
    assert words(KB.text("term_bye", lang)) in words(farewell)
    assert chat.status == 0


def test_ctrl_c_leaves_cleanly(tmp_path: Path, terminals: list[Terminal]) -> None:
    chat = open_terminal(terminals, tmp_path, "--lang", "en", store="memory://")
    chat.wait_prompt()
    chat.child.sendintr()
    chat.child.expect("Goodbye")
    chat.leave("")
    assert chat.status == 0
    assert "Traceback" not in chat.transcript and "KeyboardInterrupt" not in chat.transcript


@pytest.mark.parametrize("width", [44, 100])
def test_output_is_wrapped_at_the_terminal_width_without_breaking_words(
    tmp_path: Path, terminals: list[Terminal], width: int
) -> None:
    chat = open_terminal(terminals, tmp_path, "--lang", "fr", width=width, store="memory://")
    shown = chat.wait_prompt()
    shown += chat.say(flow_number("say-no"))
    shown += chat.say("1")
    shown += chat.say("1")
    shown += chat.say("2")
    lines = shown.split("\n")
    assert max(len(line.rstrip()) for line in lines) <= width
    greeting = KB.text("greeting", "fr")
    assert words(greeting) in words(shown)  # every word whole, whatever the wrapping
    if width < len(greeting):
        assert not any(line.strip() == greeting for line in lines)
    outcome = KB.topics["say-no"].outcome("refuse-with-alternative").text.fr
    assert words(outcome) in words(shown)
    chat.leave("\x04")


def test_every_exit_word_is_recognised_and_no_command_word_is_one() -> None:
    from bot.terminal.reader import LineReader

    reader = LineReader(KB, None)
    exits = exit_words(KB)
    assert len(exits) >= 9
    for lang in ("fr", "nb", "en"):
        for word in KB.text("term_exit_words", lang).split("|"):
            assert reader.is_exit(word) and reader.is_exit(f"  /{word.upper()}!  ")
    for key in ("cmd_start", "cmd_menu", "cmd_help", "cmd_forget", "cmd_skip"):
        for lang in ("fr", "nb", "en"):
            assert not any(reader.is_exit(w) for w in KB.text(key, lang).split("|"))
    assert not reader.is_exit("I want to quit this client")


# In-process: layout, parts and the reminder capability --------------------------------------


SAY_NO = ("lang:en", "flow:say-no", "a:situation:unrealistic", "a:alternative:have-alt")
UNPAID = ("lang:en", "flow:unpaid-invoice", "a:terms:in-writing", "a:history:first-time")


async def verdict_replies(
    presses: tuple[str, ...], reminders: bool, typed: tuple[str, ...] = ()
) -> tuple[list, object]:
    """The replies of the last turn after pressing ``presses`` then typing ``typed``."""
    from bot.engine import Engine
    from bot.models import ConversationKey, Turn
    from bot.store.memory import MemoryStore

    engine = Engine(MemoryStore(), KB)
    key = ConversationKey(platform="cli", chat="terminal", user="u")
    replies: list = []
    turns = [{"kind": "button", "payload": p} for p in presses]
    turns += [{"kind": "message", "text": t} for t in typed]
    for fields in turns:
        replies = await engine.handle(Turn(key=key, reminders=reminders, **fields))
    return replies, engine


async def test_reminders_are_offered_only_where_the_platform_delivers_them() -> None:
    from bot.models import ConversationKey, Turn

    facts = ("45", "1200 EUR", "INV-7")
    offered, _ = await verdict_replies(UNPAID, True, facts)
    assert any(b.payload.startswith("remind:") for b in offered[0].buttons)
    replies, engine = await verdict_replies(UNPAID, False, facts)
    assert replies[0].draft is not None
    assert not any(b.payload.startswith("remind:") for r in replies for b in r.buttons)
    key = ConversationKey(platform="cli", chat="terminal", user="u")
    typed = await engine.handle(Turn(key=key, kind="button", payload="remind:7", reminders=False))
    title = KB.topics["late-payment"].title.en
    assert typed[0].text != KB.text("reminder_set", "en", days=7, title=title)
    assert await engine.store.claim_due_reminders(1e12) == []


async def test_a_verdict_is_held_in_parts_and_laid_out_within_the_width() -> None:
    import io

    from rich.console import Console

    from bot.terminal.parts import SHOW_CHECKLIST, SHOW_DRAFT, offer_of
    from bot.terminal.screen import Screen

    replies, _ = await verdict_replies(SAY_NO, False)
    shown, offer = offer_of(replies, KB)
    verdict = replies[0]
    assert [b.payload for b in offer.buttons[:2]] == [SHOW_CHECKLIST, SHOW_DRAFT]
    assert offer.buttons[2:] == [b for r in replies for b in r.buttons]
    assert shown[0].checklist is None and shown[0].draft is None
    assert offer.held[SHOW_CHECKLIST].checklist == verdict.checklist
    assert offer.held[SHOW_DRAFT].draft == verdict.draft
    assert shown[1] == replies[1]  # the menu after the verdict is shown as it is

    for width in (40, 72, 120):
        out = io.StringIO()
        screen = Screen(KB, Console(file=out, width=width, color_system=None))
        screen.replies([verdict])
        text = out.getvalue()
        assert max(len(line.rstrip()) for line in text.splitlines()) <= width
        assert words(verdict.draft.text) in words(text)
        assert text.count("☐") == len(verdict.checklist or [])
        assert "│" not in text
        heading = KB.text("advice_heading", "en")
        assert any(line.strip() == heading for line in text.splitlines())
        # a bullet's wrapped lines stay indented under it
        bullet_lines = [line for line in text.splitlines() if line.startswith("• ")]
        assert len(bullet_lines) >= 2


def test_forgetting_empties_the_history_file(tmp_path: Path) -> None:
    from bot.terminal.reader import LineReader

    history = tmp_path / "chat.history"
    history.write_text("\n# 2024\n+my client is late paying\n")
    reader = LineReader(KB, history)
    assert history.stat().st_mode & 0o777 in (0o600, 0o644)
    assert "my client" in history.read_text()
    reader.forget()
    assert history.read_text() == ""
    fresh = LineReader(KB, tmp_path / "new" / "chat.history")
    assert (tmp_path / "new" / "chat.history").stat().st_mode & 0o777 == 0o600
    assert list(fresh.session.history.load_history_strings()) == []


def test_headings_and_questions_are_bold_and_plain_text_is_not() -> None:
    import io

    from rich.console import Console

    from bot.models import Reply
    from bot.terminal.screen import Screen

    out = io.StringIO()
    screen = Screen(KB, Console(file=out, width=80, force_terminal=True, color_system="standard"))
    question = KB.topics["say-no"].question("situation").text.nb
    intro = KB.text("flow_start", "nb", title=KB.topics["say-no"].title.nb).split("\n")[0]
    screen.replies([Reply(text=intro + "\n\n" + question, lang="nb")])
    bold = "\x1b[1m"
    assert bold + question in out.getvalue()
    assert bold + intro not in out.getvalue()


def test_forget_deletes_the_conversation_and_the_typed_lines(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    history = tmp_path / "chat.history"
    chat = open_terminal(terminals, tmp_path, "--lang", "en")
    chat.wait_prompt()
    chat.say(flow_number("unpaid-invoice"))
    assert history.exists() and flow_number("unpaid-invoice") in history.read_text()
    confirm = words(chat.say("forget me"))
    assert words(KB.text("forget_confirm", "en")) in confirm
    done = words(chat.say("1"))  # "Yes, delete everything"
    assert words(KB.text("forgotten", "en")) in done
    assert history.read_text() == ""
    chat.leave("exit\r")
    again = open_terminal(terminals, tmp_path, "--lang", "en")
    assert words(KB.text("greeting", "en")) in words(again.wait_prompt())
    again.leave("exit\r")


def test_tab_completes_a_choice_on_offer(tmp_path: Path, terminals: list[Terminal]) -> None:
    chat = open_terminal(terminals, tmp_path, "--lang", "en", store="memory://")
    chat.wait_prompt()
    label = KB.text("flow_say_no", "en")
    chat.child.send(label[:6].lower() + "\t")  # "saying" + Tab → the whole label
    chat.child.expect(label)  # completion runs in the background: wait for it before Enter
    asked = words(chat.say(""))
    assert words(KB.topics["say-no"].question("situation").text.en) in asked
    chat.leave("\x04")


def test_tab_completion_offers_only_matching_labels() -> None:
    from prompt_toolkit.document import Document

    from bot.terminal.reader import ChoiceCompleter

    completer = ChoiceCompleter(["Vis sjekklisten", "Vis meldingen: Et klart nei", "Meny"])
    found = [c.text for c in completer.get_completions(Document("vis m"), None)]
    assert found == ["Vis meldingen: Et klart nei"]
    assert [c.text for c in completer.get_completions(Document("MEN"), None)] == ["Meny"]
    assert list(completer.get_completions(Document(""), None)) == []
