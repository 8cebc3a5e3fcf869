"""Small talk: thanks, greetings, "ok", "wait what?", "can you repeat?", "why do you ask?",
anger, distress.

A message is small talk when its phrases cover most of it (``kind``); distress and anger are also
noticed inside a longer message (``feelings``), so that the reply can acknowledge them first.
"""

from __future__ import annotations

from bot.understanding.conversation_data import SmallTalk
from bot.understanding.phrases import PhraseSet, content, covers, words
from knowledge.models import LANGS

MOSTLY = 0.6  # share of the words the small-talk phrases must cover
MAX_WORDS = 8  # longer messages are not small talk as a whole
# When several kinds are found, the first of this order is answered.
ORDER = ("distress", "anger", "repeat", "why", "confused", "bot", "thanks", "greeting",
         "acknowledge")


class SmallTalkReader:
    def __init__(self, data: SmallTalk) -> None:
        self.phrases = PhraseSet(
            [(kind, lang, p) for kind, per_lang in data.kinds.items()
             for lang, p in per_lang.items()]  # fmt: skip
        )
        self.anywhere = frozenset(data.anywhere)

    def kind(self, text: str, lang: str) -> str | None:
        """The kind of small talk the whole message is, or None."""
        ws = words(text)
        size = len(content(ws))
        if not size or size > MAX_WORDS:
            return None
        matches = self.phrases.find(ws, [lang, *(c for c in LANGS if c != lang)])
        if not matches or not covers(matches, size, MOSTLY):
            return None
        kinds = {m.label for m in matches}
        return next(k for k in ORDER if k in kinds) if kinds & set(ORDER) else None

    def feelings(self, text: str, lang: str) -> str | None:
        """Distress or anger shown anywhere in a message (first of :data:`ORDER`), or None."""
        ws = words(text)
        if not ws:
            return None
        kinds = {
            m.label
            for m in self.phrases.find(ws, [lang, *(c for c in LANGS if c != lang)])
            if m.label in self.anywhere
        }
        return next((k for k in ORDER if k in kinds), None)
