"""Words the engine recognises, read once from ``knowledge/interface/commands.yaml``.

A message that is, as a whole, a command word ("menu", "avbryt", "en français") becomes the
matching payload, whatever the current language; a command that names a topic by words may also
open a message ("checklist late payment", "sjekkliste ubetalt faktura"). Number words and units
read "two months".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.understanding.normalise import strip_accents
from knowledge.models import LANGS, KnowledgeBase

# Interface key → payload it stands for.
COMMANDS: dict[str, str] = {
    "cmd_start": "start",
    "cmd_restart": "start",
    "cmd_menu": "menu",
    "cmd_help": "help",
    "cmd_cancel": "cancel",
    "cmd_lang": "lang",
    "cmd_lang_fr": "lang:fr",
    "cmd_lang_nb": "lang:nb",
    "cmd_lang_en": "lang:en",
    "cmd_forget": "forget",
    "cmd_skip": "skip",
    "cmd_checklist": "checklist",
}
# Payloads of commands whose words may be followed by words naming a topic, as after a slash
# command ("/checklist late payment").
WITH_WORDS = frozenset({"checklist"})
UNITS: dict[str, int] = {"unit_day": 1, "unit_week": 7, "unit_month": 30, "unit_year": 365}
MAX_COMMAND_CHARS = 48
_PUNCT = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, no accents (ø and æ stay), no punctuation, single spaces."""
    text = strip_accents(text.casefold())
    text = _PUNCT.sub(" ", text.replace("’", "'"))
    return _SPACES.sub(" ", text).strip()


def _alternatives(value: str) -> list[str]:
    return [w for w in (fold(part) for part in value.split("|")) if w]


def _words(kb: KnowledgeBase, key: str) -> frozenset[str]:
    """Every alternative of an interface key, in every language, folded."""
    text = kb.interface.get(key)
    if text is None:
        return frozenset()
    return frozenset(w for lang in LANGS for w in _alternatives(text.get(lang)))


@dataclass
class Vocabulary:
    """Command words (folded) → (payload, languages that use the word); numbers and units."""

    commands: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    numbers_in: dict[str, dict[str, int]] = field(default_factory=dict)  # per language
    invoice_words: frozenset[str] = frozenset()
    number_marks: frozenset[str] = frozenset()
    frequency_words: frozenset[str] = frozenset()

    def command_with_words(self, text: str) -> tuple[str, str] | None:
        """(payload, the words after it) for a message that opens with a command taking words
        ("checklist late payment" → ("checklist", "late payment")), else None."""
        if len(text) > MAX_COMMAND_CHARS * 4:
            return None
        parts = text.lstrip().lstrip("/").split()
        for size in range(min(3, len(parts) - 1), 0, -1):  # the longest command words first
            hit = self.commands.get(fold(" ".join(parts[:size])))
            if hit is not None and hit[0] in WITH_WORDS:
                rest = " ".join(parts[size:]).strip()
                return (hit[0], rest) if rest else None
        return None

    @classmethod
    def from_knowledge(cls, kb: KnowledgeBase) -> Vocabulary:
        vocab = cls()
        langs_of: dict[str, set[str]] = {}
        payload_of: dict[str, str] = {}
        for key, payload in COMMANDS.items():
            text = kb.interface.get(key)
            if text is None:
                continue
            for lang in LANGS:
                for word in _alternatives(text.get(lang)):
                    payload_of.setdefault(word, payload)
                    langs_of.setdefault(word, set()).add(lang)
        vocab.commands = {w: (p, frozenset(langs_of[w])) for w, p in payload_of.items()}
        if "num_words" in kb.interface:
            for lang in LANGS:
                own = vocab.numbers_in.setdefault(lang, {})
                for value, group in enumerate(kb.interface["num_words"].get(lang).split("|"), 1):
                    for word in group.split("/"):
                        vocab.numbers.setdefault(fold(word), value)
                        own.setdefault(fold(word), value)
        for key, factor in UNITS.items():
            if key in kb.interface:
                for lang in LANGS:
                    for word in kb.interface[key].get(lang).split("|"):
                        vocab.units.setdefault(fold(word), factor)
        vocab.invoice_words = _words(kb, "word_invoice")
        vocab.number_marks = _words(kb, "word_number_mark")
        vocab.frequency_words = _words(kb, "word_frequency")
        return vocab

    def command(self, text: str) -> tuple[str, str | None] | None:
        """(payload, language of the word when only one language uses it) or None."""
        if len(text) > MAX_COMMAND_CHARS:
            return None
        word = fold(text.lstrip().lstrip("/"))
        hit = self.commands.get(word)
        if hit is None:
            return None
        payload, langs = hit
        return payload, next(iter(langs)) if len(langs) == 1 else None
