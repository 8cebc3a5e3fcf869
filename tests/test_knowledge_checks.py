"""The second-edition checks of ``kb check``: number-folded six-word runs, provenance, what
checklist items and drafts derive from, advice ids unique across topics, shared advice."""

from __future__ import annotations

from pathlib import Path

import yaml
from test_knowledge import ARTICLE, edit_topic, kb_copy  # noqa: F401  (kb_copy is a fixture)

from knowledge import shingles
from knowledge.check import run_checks
from knowledge.loader import load_from


def seeds_with(tmp_path: Path, text: str) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "900_0a1b2c.txt").write_text(text, encoding="utf-8")
    return seeds


def test_a_copy_with_a_changed_number_is_caught(kb_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    seeds = seeds_with(tmp_path, "Le client a payé deux factures avec trois semaines de retard.")
    copied = "Le client a payé 5 factures avec 8 semaines de retard, hélas."
    edit_topic(kb_copy, lambda d: d["advice"][0]["text"].update(fr=copied))
    report = run_checks(kb_copy, seeds)
    assert report.copied_runs == []  # the eight-word check cannot see it
    assert report.copied_short_runs and "advice[first-step].text.fr" in report.copied_short_runs[0]
    assert not report.ok


def test_numbers_fold_in_every_language() -> None:
    assert shingles.folded_words("2 deux two to tre 14") == ["#"] * 6
    assert shingles.folded_words("un client en retard") == ["un", "client", "en", "retard"]


def test_closest_pairs_are_listed_for_review_only(kb_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    seeds = seeds_with(tmp_path, "Un client qui ne paie pas doit être relancé très vite par écrit.")
    near = "Un client qui ne paie pas doit être relancé vite, et par écrit."
    edit_topic(kb_copy, lambda d: d["advice"][0]["text"].update(fr=near))
    catalog = kb_copy / "catalog.yaml"
    data = yaml.safe_load(catalog.read_text())
    data["sources"][0]["lang"] = "fr"
    catalog.write_text(yaml.safe_dump(data, allow_unicode=True))
    report = run_checks(kb_copy, seeds)
    top = report.closest_pairs[0]
    assert top["where"].startswith("sample-topic: advice[first-step].text.fr")
    assert top["score"] > 80


def test_own_items_are_counted_and_need_a_reason(kb_copy: Path) -> None:  # noqa: F811
    own = "Not in any article: our own tip."
    edit_topic(kb_copy, lambda d: d["advice"][0].update(sources=[], own=own))
    report = run_checks(kb_copy)
    counts = report.provenance["sample-topic"]
    assert report.ok and counts == {"articles": 0, "outside": 0, "own": 1}
    edit_topic(kb_copy, lambda d: d["advice"][0].update(own="short"))
    assert not run_checks(kb_copy).ok


def test_outside_source_must_be_listed(kb_copy: Path) -> None:  # noqa: F811
    source = {"id": "page", "url": "https://example.org/x", "title": "A page",
              "checked": "2026-12-01"}  # fmt: skip
    edit_topic(kb_copy, lambda d: d.update(outside_sources=[source]))
    edit_topic(kb_copy, lambda d: d["advice"][0].update(sources=[], outside=["page"]))
    report = run_checks(kb_copy)
    assert report.ok and report.provenance["sample-topic"]["outside"] == 1
    edit_topic(kb_copy, lambda d: d["advice"][0].update(outside=["missing-page"]))
    assert run_checks(kb_copy).errors


def test_checklist_item_naming_nothing_is_reported(kb_copy: Path) -> None:  # noqa: F811
    edit_topic(kb_copy, lambda d: d["checklist"][0].pop("derives"))
    expected = "sample-topic: checklist[tick-it] names nothing it derives from"
    assert run_checks(kb_copy).underived == [expected]


def test_shared_advice_is_defined_once_and_used_by_id(kb_copy: Path) -> None:  # noqa: F811
    item = {"id": "part-well", "own": "Used by several topics, kept once.",
            "text": {"fr": "Partez bien.", "nb": "Gå pent.", "en": "Leave well."}}  # fmt: skip
    (kb_copy / "shared.yaml").write_text(yaml.safe_dump({"advice": [item]}, allow_unicode=True))
    edit_topic(kb_copy, lambda d: d.update(shared=["part-well"]))
    kb = load_from(kb_copy)
    assert kb.topics["sample-topic"].advice_item("part-well").text.en == "Leave well."
    assert run_checks(kb_copy).ok
    edit_topic(kb_copy, lambda d: d["advice"].append({**item}))
    assert run_checks(kb_copy).duplicate_ids


def test_real_knowledge_base_is_clean_with_the_new_checks() -> None:
    report = run_checks()
    assert report.ok, report
    assert report.countries == 8
    assert sum(c["own"] for c in report.provenance.values()) >= 8
    assert ARTICLE.exists()
