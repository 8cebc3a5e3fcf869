"""The disk cache of what is built from the knowledge files (knowledge base, word model): read
back when the files are unchanged, built afresh when they change, harmless when it cannot be
read or written, private to its user, and the cached model routes exactly as a trained one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.understanding import model as word_model
from bot.understanding.data import load as routing_data
from knowledge import cache


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("CLIENTCOACH_CACHE_DIR", str(where))
    return where


def counting_build(value: object) -> tuple[list[int], object]:
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return value

    return calls, build


def test_a_product_is_built_once_then_read_back(folder: Path) -> None:
    calls, build = counting_build({"a": [1, 2, 3]})
    assert cache.cached("thing", "k1", build) == {"a": [1, 2, 3]}
    assert cache.cached("thing", "k1", build) == {"a": [1, 2, 3]}
    assert len(calls) == 1
    (stored,) = folder.glob("thing-*.pickle")
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_changed_sources_build_afresh_and_the_old_file_goes(folder: Path, tmp_path: Path) -> None:
    source = tmp_path / "topic.yaml"
    source.write_text("a: 1\n", encoding="utf-8")
    first = cache.fingerprint([source])
    calls, build = counting_build("first")
    cache.cached("thing", first, build)
    source.write_text("a: 2\n", encoding="utf-8")
    second = cache.fingerprint([source])
    assert second != first
    calls2, build2 = counting_build("second")
    assert cache.cached("thing", second, build2) == "second"
    assert len(calls2) == 1
    assert [p.name for p in folder.glob("thing-*.pickle")] == [f"thing-{second}.pickle"]


def test_a_damaged_file_is_rebuilt(folder: Path) -> None:
    calls, build = counting_build("fine")
    cache.cached("thing", "k", build)
    (folder / "thing-k.pickle").write_bytes(b"\x80\x05not a pickle")
    assert cache.cached("thing", "k", build) == "fine"
    assert len(calls) == 2
    assert cache.cached("thing", "k", build) == "fine" and len(calls) == 2  # stored again


def test_an_unwritable_cache_only_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x", encoding="utf-8")
    monkeypatch.setenv("CLIENTCOACH_CACHE_DIR", str(blocked / "cache"))
    calls, build = counting_build(42)
    assert cache.cached("thing", "k", build) == 42
    assert cache.cached("thing", "k", build) == 42
    assert len(calls) == 2


def test_off_turns_it_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLIENTCOACH_CACHE_DIR", "off")
    monkeypatch.chdir(tmp_path)
    calls, build = counting_build(1)
    cache.cached("thing", "k", build)
    cache.cached("thing", "k", build)
    assert len(calls) == 2 and os.listdir(tmp_path) == []


def test_the_cached_word_model_routes_as_a_trained_one(folder: Path) -> None:
    word_model.model.cache_clear()
    try:
        stored = word_model.model()  # trained, then written
        word_model.model.cache_clear()
        cached = word_model.model()  # read back
        assert list(folder.glob("word-model-*.pickle"))
    finally:
        word_model.model.cache_clear()
    trained = word_model.train(routing_data())
    assert cached is not stored
    for text, lang in [
        ("mon client ne paie pas ma facture depuis deux mois", "fr"),
        ("kunden svarer ikke og fakturaen er forfalt", "nb"),
        ("he keeps adding features that were never in the quote", "en"),
        ("what's the weather in Oslo", "en"),
    ]:
        assert cached.read(text, lang) == trained.read(text, lang)
    assert cached.rows == trained.rows and bytes(cached.loglik) == bytes(trained.loglik)


def test_without_a_home_folder_there_is_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIENTCOACH_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.cache_dir() is None
    calls, build = counting_build("built")
    assert cache.cached("thing", "k", build) == "built" and len(calls) == 1
