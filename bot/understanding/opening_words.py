"""The words of an opening as asks.yaml is matched against them: a singular determiner stands for
any other ("laisse tomber ma cliente" reads as "laisser tomber ce client") and still says one
("keep clients" is another question than "keep this client"); the words that name the one client
asked about stand for each other ("slutte med dem" is "slutte med kunden", "continuer avec eux" is
"continuer avec lui"); fillers are left out ("check a new client" is "check a client"). In the
message's own language only: French "en" is no article."""

from __future__ import annotations

from bot.understanding.conversation_data import GeneralWords
from bot.understanding.phrases import words
from knowledge.models import LANGS

DETERMINER = "zzdet"  # no word of any language: words() yields letters and digits only
CLIENT = "zzclient"


class OpeningWords:
    def __init__(self, general: GeneralWords) -> None:
        self._determiners = {
            lang: frozenset(w for p in general.determiners.get(lang) for w in words(p))
            for lang in LANGS
        }
        self._fillers = {
            lang: frozenset(w for p in general.fillers.get(lang) for w in words(p))
            for lang in LANGS
        }
        self._clients = {  # per language: the client's words, longest first, determiners made one
            lang: sorted(
                {self._determined(words(p), lang) for p in general.client_words.get(lang)},
                key=len,
                reverse=True,
            )
            for lang in LANGS
        }

    def of(self, text: str, lang: str) -> tuple[str, ...]:
        """The words of a message (or a phrase) in ``lang``, determiners made one."""
        return self._normal(words(text), lang)

    def text(self, phrase: str, lang: str) -> str:
        """A phrase of asks.yaml as the same words, for a phrase set; nothing when the fillers
        would leave a phrase of several words a single word ("new client" says too little)."""
        ws = self._normal(words(phrase), lang)
        return " ".join(ws) if len(ws) > 1 or len(words(phrase)) == 1 else ""

    def _determined(self, ws: tuple[str, ...], lang: str) -> tuple[str, ...]:
        dets = self._determiners.get(lang, frozenset())
        fillers = self._fillers.get(lang, frozenset())
        return tuple(DETERMINER if w in dets else w for w in ws if w not in fillers)

    def _normal(self, ws: tuple[str, ...], lang: str) -> tuple[str, ...]:
        out = self._determined(ws, lang)
        clients = self._clients.get(lang, [])
        if not clients:
            return out
        named: list[str] = []
        i = 0
        while i < len(out):
            found = next((c for c in clients if out[i : i + len(c)] == c), None)
            if found is None:
                named.append(out[i])
                i += 1
            else:
                named.append(CLIENT)
                i += len(found)
        return tuple(named)
