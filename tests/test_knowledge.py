"""The knowledge base: schema, completeness, placeholders, citations and own words.

Each check runs on the real knowledge base and on a small fixture that a test breaks on purpose.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import knowledge
from knowledge.check import run_checks
from knowledge.loader import KNOWLEDGE_DIR, KnowledgeError, load_from

FIXTURE = Path(__file__).parent / "fixtures" / "knowledge"
ARTICLE = Path(__file__).parent / "fixtures" / "article.txt"
TOPIC_IDS = {
    "fire-client", "boundaries", "disrespect", "ignored-advice", "client-left",
    "competitor-cheaper", "say-no", "unhappy-client", "late-payment", "vet-client",
    "invoicing", "ghosting", "rates", "deadlines", "time-zones", "conflicts",
    "retain-clients", "scope-creep",
    "outgrown-client", "working-style-fit", "early-career-pay", "scam-red-flags", "legal-help",
}  # fmt: skip


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture knowledge directory."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE, target)
    return target


def edit_topic(directory: Path, change) -> None:
    path = directory / "topics" / "sample-topic.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


# The real knowledge base -------------------------------------------------------------------


def test_real_knowledge_base_has_every_topic_in_three_languages() -> None:
    kb = knowledge.load()
    assert set(kb.topics) == TOPIC_IDS
    assert set(kb.catalog.topics) == TOPIC_IDS
    for topic in kb.topics.values():
        for lang in ("fr", "nb", "en"):
            assert topic.title.get(lang) and topic.summary.get(lang)
        assert topic.drafts and topic.advice


def test_real_knowledge_base_passes_every_check() -> None:
    report = run_checks()
    assert report.errors == []
    assert report.missing == []
    assert report.placeholder_mismatches == []
    assert report.uncited == []
    assert report.copied_runs == []
    assert report.topics == 23


def test_flow_topics_define_their_questions_and_outcomes() -> None:
    kb = knowledge.load()
    assert len(kb.catalog.flows) == 6
    for topic_id in kb.catalog.flows.values():
        topic = kb.topic(topic_id)
        assert topic.questions, topic_id
        assert topic.outcomes, topic_id


def test_load_is_cached() -> None:
    assert knowledge.load() is knowledge.load()


def test_kb_check_command_prints_json_summary() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", "check", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.returncode == 0, result.stdout
    assert summary["topics"] == 23
    assert summary["languages"] == ["fr", "nb", "en"]
    for key in ("missing", "placeholder_mismatches", "uncited", "copied_runs"):
        assert summary[key] == []


# The checks themselves, on a fixture broken on purpose -------------------------------------


def test_fixture_is_valid(kb_copy: Path) -> None:
    report = run_checks(kb_copy)
    assert report.ok, report
    assert load_from(kb_copy).topic("sample-topic").draft().placeholders("nb") == {
        "client_name", "amount", "your_name",
    }  # fmt: skip


def test_missing_language_is_reported(kb_copy: Path) -> None:
    edit_topic(kb_copy, lambda d: d["advice"][0]["text"].pop("nb"))
    report = run_checks(kb_copy)
    assert report.missing == ["sample-topic: advice.0.text.nb"]
    assert not report.ok


def test_empty_text_counts_as_missing(kb_copy: Path) -> None:
    edit_topic(kb_copy, lambda d: d["summary"].update(fr="   "))
    assert run_checks(kb_copy).missing == ["sample-topic: summary.fr"]


def test_loader_names_file_path_and_problem(kb_copy: Path) -> None:
    edit_topic(kb_copy, lambda d: d["checklist"][0]["text"].pop("en"))
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    message = str(info.value)
    assert "sample-topic.yaml" in message
    assert "checklist.0.text.en" in message
    assert "Field required" in message


def test_bare_no_key_is_explained(kb_copy: Path) -> None:
    path = kb_copy / "topics" / "sample-topic.yaml"
    text = path.read_text(encoding="utf-8").replace('nb: "Testemne"', 'no: "Testemne"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="use the key 'nb'"):
        load_from(kb_copy)


def test_placeholder_mismatch_is_reported(kb_copy: Path) -> None:
    def drop_amount_in_english(data: dict) -> None:
        data["drafts"][0]["text"]["en"] = "Hi {client_name}, something is still due. {your_name}"

    edit_topic(kb_copy, drop_amount_in_english)
    report = run_checks(kb_copy)
    assert len(report.placeholder_mismatches) == 1
    assert "drafts[note]" in report.placeholder_mismatches[0]


def test_unknown_placeholder_is_reported(kb_copy: Path) -> None:
    def add_unknown(data: dict) -> None:
        for lang in ("fr", "nb", "en"):
            data["drafts"][0]["text"][lang] += " {bank_account}"

    edit_topic(kb_copy, add_unknown)
    report = run_checks(kb_copy)
    assert any("bank_account" in item for item in report.placeholder_mismatches)


def test_advice_citing_unknown_article_is_reported(kb_copy: Path) -> None:
    edit_topic(kb_copy, lambda d: d["advice"][0].update(sources=["901_ffff.txt"]))
    report = run_checks(kb_copy)
    assert report.uncited and "advice[first-step]" in report.uncited[0]


def test_advice_without_citation_is_a_schema_error(kb_copy: Path) -> None:
    edit_topic(kb_copy, lambda d: d["advice"][0].update(sources=[]))
    with pytest.raises(KnowledgeError, match=r"advice\.0\.sources"):
        load_from(kb_copy)


def test_copied_run_is_reported_with_fingerprints(kb_copy: Path) -> None:
    copied = "As the lighthouse keeper counted every passing ship with a small brass abacus, relax."
    edit_topic(kb_copy, lambda d: d["advice"][0]["text"].update(en=copied))
    report = run_checks(kb_copy)
    assert len(report.copied_runs) >= 1
    assert "advice[first-step].text.en" in report.copied_runs[0]


def test_copied_run_ignores_accents_and_case_against_a_seed_folder(
    kb_copy: Path, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "900_0a1b2c.txt").write_text("Le client a réglé la facture très tard cette année-là.")
    edit_topic(
        kb_copy,
        lambda d: d["summary"].update(fr="Donc LE CLIENT A REGLE LA FACTURE TRES TARD CETTE fois."),
    )
    report = run_checks(kb_copy, seeds)
    assert report.copied_runs and "summary.fr" in report.copied_runs[0]


def test_seven_shared_words_are_allowed(kb_copy: Path) -> None:
    edit_topic(
        kb_copy,
        lambda d: d["advice"][0]["text"].update(
            en="The lighthouse keeper counted every passing ship."
        ),
    )
    assert run_checks(kb_copy).copied_runs == []


def test_outcome_must_reference_existing_advice(kb_copy: Path) -> None:
    def add_outcome(data: dict) -> None:
        data["outcomes"] = [
            {"id": "go", "text": {"fr": "a", "nb": "b", "en": "c"}, "advice": ["nope"]}
        ]

    edit_topic(kb_copy, add_outcome)
    with pytest.raises(KnowledgeError, match="unknown advice"):
        load_from(kb_copy)


def test_missing_topic_file_is_reported(kb_copy: Path) -> None:
    (kb_copy / "topics" / "sample-topic.yaml").unlink()
    report = run_checks(kb_copy)
    assert report.missing == ["sample-topic: no file sample-topic.yaml"]


def test_short_checklist_is_reported(kb_copy: Path) -> None:
    catalog = kb_copy / "catalog.yaml"
    catalog.write_text(catalog.read_text().replace("min_checklist: 1", "min_checklist: 5"))
    report = run_checks(kb_copy)
    assert any("fewer than 5" in e for e in report.errors)


def test_interface_text_needs_all_languages(kb_copy: Path) -> None:
    (kb_copy / "interface" / "extra.yaml").write_text("bye: {fr: Salut, en: Bye}\n")
    with pytest.raises(KnowledgeError, match=r"extra\.yaml: bye\.nb"):
        load_from(kb_copy)


def test_fixture_article_is_not_shipped() -> None:
    assert not (KNOWLEDGE_DIR / "sources" / ARTICLE.name).exists()


def test_fingerprint_command_matches_the_check(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "900_0a1b2c.txt").write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "prints.json"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", "fingerprint", str(seeds), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shipped = json.loads((FIXTURE / "sources" / "fingerprints.json").read_text(encoding="utf-8"))
    assert json.loads(out.read_text(encoding="utf-8")) == shipped
