"""The house style of ``kb check`` (knowledge/style.yaml) and shared advice referenced by id.

Each rule is shown failing on the small fixture knowledge base, broken on purpose, and the real
knowledge base is shown to keep every rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from engine_helpers import Chat, memory_engine
from test_knowledge import edit_topic, kb_copy  # noqa: F401  (kb_copy is a fixture)

from knowledge.check import run_checks
from knowledge.loader import KNOWLEDGE_DIR, KnowledgeError, load_from

CLEAN_DRAFT = {
    "fr": "Bonjour {client_name},\n\nIl reste {amount} à payer.\n\nBien cordialement,\n{your_name}",
    "nb": "Hei {client_name},\n\nDet gjenstår {amount} å betale.\n\nVennlig hilsen\n{your_name}",
    "en": "Hi {client_name},\n\n{amount} is still due.\n\nBest regards,\n{your_name}",
}


@pytest.fixture
def styled(kb_copy: Path) -> Path:  # noqa: F811
    """The fixture knowledge base with the real style rules and drafts that keep them."""
    shutil.copy(KNOWLEDGE_DIR / "style.yaml", kb_copy / "style.yaml")
    edit_topic(kb_copy, lambda d: d["drafts"][0]["text"].update(CLEAN_DRAFT))
    return kb_copy


def set_draft(directory: Path, lang: str, text: str) -> None:
    edit_topic(directory, lambda d: d["drafts"][0]["text"].update({lang: text}))


def test_the_fixture_keeps_the_style(styled: Path) -> None:
    report = run_checks(styled)
    assert report.style == [] and report.ok, report.style


@pytest.mark.parametrize(
    ("lang", "before", "after", "rule"),
    [
        ("fr", "Il reste {amount}", "Je suis prêt(e) à régler {amount}", "gender-form"),
        ("fr", "Il reste {amount}", "Joignable de 9 h à 17 h, il reste {amount}", "clock-time"),
        ("en", "{amount} is still due.", "I answer 9 am to 5 pm. {amount}", "clock-time"),
        ("nb", "Det gjenstår", "Jeg svarer mellom 9 og 17. Det gjenstår", "clock-time"),
        ("nb", "Det gjenstår", "Vi går hver til ditt. Det gjenstår", "not our nb"),
        ("nb", "Det gjenstår", "Vi ser fram til det. Det gjenstår", "not our nb"),
        ("en", "is still due.", "is due; don't hesitate to ask.", "not our en"),
        ("fr", "Bien cordialement,", "Cordialement,", "signs off with 'Cordialement,'"),
        ("en", "Best regards,", "Kind regards,", "signs off with 'Kind regards,'"),
    ],
)
def test_each_rule_catches_its_slip(
    styled: Path, lang: str, before: str, after: str, rule: str
) -> None:
    set_draft(styled, lang, CLEAN_DRAFT[lang].replace(before, after))
    report = run_checks(styled)
    assert not report.ok
    assert report.style, "the slip goes unnoticed"
    for problem in report.style:
        assert f"drafts[note].text.{lang}" in problem and rule in problem, problem


def test_clock_times_are_allowed_outside_drafts(styled: Path) -> None:
    edit_topic(styled, lambda d: d["advice"][0]["text"].update(en="Nobody works well at 2 a.m."))
    assert run_checks(styled).style == []


def test_a_checklist_item_is_an_action_not_a_state(styled: Path) -> None:
    edit_topic(styled, lambda d: d["checklist"][0]["text"].update(en="I've ticked this."))
    (problem,) = run_checks(styled).style
    assert "checklist[tick-it].text.en: checklist-as-state" in problem


def test_a_title_ending_in_a_question_mark_never_meets_a_colon(styled: Path) -> None:
    path = styled / "interface" / "core.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["flow_start_test"] = {"fr": "{title} : allons-y.", "nb": "«{title}»: kom igjen.",
                               "en": "Let's look at \"{title}\"."}  # fmt: skip
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (problem,) = run_checks(styled).style
    assert problem.startswith("interface: flow_start_test.fr: question-then-colon")


def test_words_people_type_are_not_checked(styled: Path) -> None:
    path = styled / "interface" / "core.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["unit_test_words"] = {"fr": "semaine|sem", "nb": "uke|uka", "en": "week|wk"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert run_checks(styled).style == []


def test_real_knowledge_base_keeps_the_house_style() -> None:
    assert run_checks().style == []


# Shared advice ----------------------------------------------------------------------------

SHARED = {"id": "part-well", "own": "Used by several topics, kept once.",
          "text": {"fr": "Partez bien.", "nb": "Gå pent.", "en": "Leave well."}}  # fmt: skip


def write_shared(directory: Path) -> None:
    (directory / "shared.yaml").write_text(
        yaml.safe_dump({"advice": [SHARED]}, allow_unicode=True), encoding="utf-8"
    )


def test_a_shared_reference_takes_the_item_in_its_place(kb_copy: Path) -> None:  # noqa: F811
    write_shared(kb_copy)
    edit_topic(kb_copy, lambda d: d["advice"].insert(0, {"shared": "part-well"}))
    edit_topic(kb_copy, lambda d: d["checklist"][0].update(derives=["part-well"]))
    topic = load_from(kb_copy).topics["sample-topic"]
    assert [a.id for a in topic.advice] == ["part-well", "first-step"]
    assert topic.shared == ["part-well"]
    assert run_checks(kb_copy).ok


def test_a_dangling_shared_reference_fails_with_a_clear_message(kb_copy: Path) -> None:  # noqa: F811
    write_shared(kb_copy)
    edit_topic(kb_copy, lambda d: d["advice"].append({"shared": "part-badly"}))
    report = run_checks(kb_copy)
    assert not report.ok
    (error,) = report.errors
    assert "sample-topic.yaml: advice[1]: no shared advice 'part-badly' in shared.yaml" in error
    assert "(it has: part-well)" in error
    with pytest.raises(KnowledgeError, match="no shared advice 'part-badly'"):
        load_from(kb_copy)


def test_shared_advice_ids_stay_unique_across_topics(kb_copy: Path) -> None:  # noqa: F811
    write_shared(kb_copy)
    edit_topic(kb_copy, lambda d: d["advice"].append({**SHARED}))
    assert run_checks(kb_copy).duplicate_ids


async def test_the_bot_shows_shared_advice_in_each_topic_that_names_it() -> None:
    engine = memory_engine()
    users = [t for t in engine.kb.topics.values() if t.shared]
    assert len(users) >= 5
    for topic in users:
        for lang in ("fr", "nb", "en"):
            if engine.book.flow_of_topic.get(topic.id):
                text = engine.book.topic_answer(topic.id, lang).text
            else:
                replies = await Chat(memory_engine(), locale=lang).press(f"topic:{topic.id}")
                text = "\n".join(r.text for r in replies)
            for item_id in topic.shared:
                assert topic.advice_item(item_id).text.get(lang) in text, (topic.id, lang)


def test_a_formal_notice_keeps_the_formal_sign_off(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "law" / "fr.yaml"
    formal = "Veuillez agréer, Madame, Monsieur, mes salutations distinguées."
    text = path.read_text(encoding="utf-8")
    assert formal in text
    path.write_text(text.replace(formal, "Bien cordialement,", 1), encoding="utf-8")
    (problem,) = run_checks(copy).style
    assert problem.startswith("law/fr: notice.text.fr: signs off with 'Bien cordialement,'")
    assert "the formal sign-off" in problem
