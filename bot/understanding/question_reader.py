"""Reading a free-text answer to one question of a flow, restricted to that question's options.

In order of strength: a button number or an option's label (also a prefix or a typo of it, in any
language); the option's own words (``knowledge/conversation/answers/<flow>.yaml``), negated when a
negation comes just before them; "no idea" and hedges where the question has such an option; a
bare yes or no, which each question maps to its own option ("first time late?": no → repeated).
Each reading carries a confidence; below :data:`ACCEPT` the answer is not taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.understanding.conversation_data import ConversationData, QuestionWords
from bot.understanding.features import stem
from bot.understanding.phrases import BREAK, Match, PhraseSet, content, words
from knowledge.models import LANGS, KnowledgeBase
from knowledge.models import Question as QuestionText

ACCEPT = 0.5
NEGATION_WINDOW = 4  # words before a phrase where a negation turns it around
LABEL_TYPO = 85.0  # rapidfuzz ratio for a typo of a whole label
MIN_PREFIX = 3
INTERJECTIONS = frozenset({"no", "non", "nei", "nope", "nah"})
FACT_MIN_WORDS = 2
MAX_READINGS = 512
MIN_FACT_WORD = 6  # letters of the stem of a single word read as a fact from a first message


@dataclass(frozen=True)
class Reading:
    """An option read from an answer, how sure, and what gave it away."""

    option: str | None
    confidence: float = 0.0
    why: str = ""

    @property
    def accepted(self) -> bool:
        return self.option is not None and self.confidence >= ACCEPT


NOTHING = Reading(None)


@dataclass
class _Question:
    id: str
    options: list[str]
    labels: dict[tuple[str, ...], str]  # folded label words (and option ids) → option
    label_texts: dict[str, str]  # the labels alone, as text, for prefixes and typos
    words: QuestionWords
    phrases: PhraseSet


class QuestionReader:
    """One per process: every choice question of every flow, ready to read answers."""

    def __init__(self, kb: KnowledgeBase, data: ConversationData, flows: dict[str, str]) -> None:
        """``flows``: flow id → topic id."""
        self._questions: dict[tuple[str, str], _Question] = {}
        self._facts: dict[str, PhraseSet] = {}
        self._opening_facts: dict[str, PhraseSet] = {}  # a first message: single words too
        self._read: dict[tuple[str, str, str, str], Reading] = {}
        general = data.words
        self.polarity = PhraseSet(
            [(kind, lang, p) for kind in ("yes", "no")
             for lang, p in getattr(general, kind).items()]  # fmt: skip
        )
        self.hedges = PhraseSet([("hedge", lang, p) for lang, p in general.hedge.items()])
        self.unknown = PhraseSet([("unknown", lang, p) for lang, p in general.unknown.items()])
        self.negators = {lang: {w for p in general.negators.get(lang) for w in words(p)}
                         for lang in LANGS}  # fmt: skip
        self.skip = {lang: frozenset(w for p in general.articles.get(lang) for w in words(p))
                     for lang in LANGS}  # fmt: skip
        for flow_id, topic_id in flows.items():
            answers = data.answers.get(flow_id)
            topic = kb.topics[topic_id]
            for question in topic.questions:
                if question.kind != "choice":
                    continue
                qwords = answers.questions.get(question.id) if answers else None
                built = self._build(question, qwords, self.skip)
                self._questions[(flow_id, question.id)] = built
            self._facts[flow_id] = self._fact_phrases(flow_id, topic.questions, FACT_MIN_WORDS)
            self._opening_facts[flow_id] = self._fact_phrases(flow_id, topic.questions, 1)

    @staticmethod
    def _build(
        question: QuestionText, qwords: QuestionWords | None, skip: dict[str, frozenset[str]]
    ) -> _Question:
        qwords = qwords or QuestionWords()
        labels: dict[tuple[str, ...], str] = {}
        label_texts: dict[str, str] = {}
        entries: list[tuple[str, str, str]] = []
        for option in question.options:
            labels.setdefault(words(option.id.replace("-", " ")), option.id)
            for lang in LANGS:
                label = option.label.get(lang)
                labels.setdefault(words(label), option.id)
                label_texts.setdefault(" ".join(words(label)), option.id)
                entries.append((option.id, lang, label))
            extra = qwords.options.get(option.id)
            if extra is not None:
                entries += [(option.id, lang, p) for lang, p in extra.words.items()]
        options = [o.id for o in question.options]
        phrases = PhraseSet(entries, skip)
        return _Question(question.id, options, labels, label_texts, qwords, phrases)

    def _fact_phrases(
        self, flow_id: str, questions: list[QuestionText], min_words: int
    ) -> PhraseSet:
        """Phrases that name an option of exactly one question of the flow (so that an answer
        to one question can also settle another): at least ``min_words`` words, and a single
        word only when it is long enough to be specific."""
        seen: dict[tuple[str, tuple[str, ...]], set[str]] = {}
        entries: list[tuple[str, str, str]] = []
        for question in questions:
            q = self._questions.get((flow_id, question.id))
            if q is None:
                continue
            for option in q.options:
                extra = q.words.options.get(option)
                phrases = extra.words.items() if extra else []
                for lang, phrase in phrases:
                    kept = [w for w in words(phrase) if w not in self.skip.get(lang, ())]
                    size = len(kept)
                    specific = size > 1 or (size == 1 and len(stem(kept[0], lang)) >= MIN_FACT_WORD)
                    if size >= min_words and specific:
                        seen.setdefault((lang, words(phrase)), set()).add(question.id)
                        entries.append((f"{question.id}={option}", lang, phrase))
        unique = [e for e in entries if len(seen[(e[1], words(e[2]))]) == 1]
        return PhraseSet(unique, self.skip)

    def knows(self, flow_id: str, question_id: str) -> bool:
        return (flow_id, question_id) in self._questions

    # Reading ----------------------------------------------------------------------------------
    def read(self, flow_id: str, question_id: str, text: str, lang: str) -> Reading:
        """The option ``text`` gives for the question, with a confidence (a turn reads the same
        answer several times: the last readings are remembered)."""
        key = (flow_id, question_id, text, lang)
        hit = self._read.get(key)
        if hit is None:
            if len(self._read) >= MAX_READINGS:
                self._read.clear()
            hit = self._read[key] = self._reading(flow_id, question_id, text, lang)
        return hit

    def _reading(self, flow_id: str, question_id: str, text: str, lang: str) -> Reading:
        q = self._questions.get((flow_id, question_id))
        ws = words(text)
        if q is None or not ws:
            return NOTHING
        langs = [lang, *(code for code in LANGS if code != lang)]
        whole = self._whole(q, content(ws))
        if whole is not None:
            return whole
        found = self._by_words(q, ws, langs)
        if found is not None and found.confidence >= 0.8:
            return found
        for kind, phrases, option in (
            ("unknown", self.unknown, q.words.unknown),
            ("hedge", self.hedges, q.words.hedge),
        ):
            if option is not None and phrases.find(ws, langs):
                return Reading(option, 0.78 if kind == "unknown" else 0.75, kind)
        if found is not None:
            return found
        return self._polarity(q, ws, langs)

    def _whole(self, q: _Question, ws: tuple[str, ...]) -> Reading | None:
        """A button number, a label, a prefix of one label, or a typo of a label."""
        if len(ws) == 1 and ws[0].isdigit():
            n = int(ws[0])
            return Reading(q.options[n - 1], 1.0, "number") if 1 <= n <= len(q.options) else None
        if ws in q.labels:
            return Reading(q.labels[ws], 1.0, "label")
        text = " ".join(ws)
        if len(text) >= MIN_PREFIX and not self._generic(ws):
            starts = {o for label, o in q.label_texts.items() if label.startswith(text)}
            if len(starts) == 1:
                return Reading(starts.pop(), 0.9, "prefix")
        best, score = None, 0.0
        for label, option in q.label_texts.items():
            ratio = fuzz.ratio(text, label)
            if ratio > score:
                best, score = option, ratio
        if best is not None and score >= LABEL_TYPO and len(text) >= 4:
            return Reading(best, 0.85, "typo")
        return None

    def _generic(self, ws: tuple[str, ...]) -> bool:
        """The whole answer is a yes, a no, a hedge or a "don't know" (never a label prefix:
        "non" is not the start of "none")."""
        for phrases in (self.polarity, self.hedges, self.unknown):
            if any(m.start == 0 and m.end == len(ws) for m in phrases.find(ws)):
                return True
        return False

    def _negated(self, ws: tuple[str, ...], match: Match) -> bool:
        """A negation shortly before the phrase, not inside it. "no", "non", "nei" negate only
        right before it ("no contract"); further away they answer the question ("no, he did
        this last year too")."""
        negators = self.negators.get(match.lang, set())
        if any(w in negators for w in match.phrase):
            return False
        start = max(0, match.start - NEGATION_WINDOW)
        for i in range(match.start - 1, start - 1, -1):
            word = ws[i]
            if word == BREAK:
                return False
            if word in negators and (word not in INTERJECTIONS or i == match.start - 1):
                return True
        return False

    def _by_words(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> Reading | None:
        """The option whose words the answer uses most specifically (longest phrase)."""
        scores: dict[str, tuple[int, int]] = {}
        for match in q.phrases.find(ws, langs):
            option: str | None = match.label
            if self._negated(ws, match):
                option = {q.words.yes: q.words.no, q.words.no: q.words.yes}.get(match.label)
            if option is None:
                continue
            said_first = 1 if match.start == 0 else 0  # what comes first is what they mean
            score = (match.size + said_first, match.size)  # then the longer phrase
            scores[option] = max(scores.get(option, (0, 0)), score)
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        option, (size, _) = ranked[0]
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return Reading(option, 0.4, "words-tie")
        margin = size - (ranked[1][1][0] if len(ranked) > 1 else 0)
        return Reading(option, 0.9 if size >= 2 or margin >= 2 else 0.8, "words")

    def _polarity(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> Reading:
        """A bare yes or no (or a negated sentence) mapped to this question's options."""
        if q.words.yes is None and q.words.no is None:
            return NOTHING
        matches = self.polarity.find(ws, langs)
        if matches:
            first = min(matches, key=lambda m: (m.start, -m.size))
            option = q.words.yes if first.label == "yes" else q.words.no
            if option is None:
                return NOTHING
            return Reading(option, 0.8 if first.start == 0 else 0.7, first.label)
        count = sum(1 for w in content(ws) if any(w in self.negators[code] for code in langs))
        if count == 0:
            return NOTHING
        option = q.words.no if count % 2 else q.words.yes
        return Reading(option, 0.6 if count % 2 else 0.55, "negation") if option else NOTHING

    def facts(self, flow_id: str, text: str, lang: str, opening: bool = False) -> dict[str, str]:
        """Options of any question of the flow that ``text`` names unmistakably (a phrase of two
        or more words that belongs to one question only, not negated; in the ``opening``
        message, a long single word too)."""
        phrases = (self._opening_facts if opening else self._facts).get(flow_id)
        ws = words(text)
        if phrases is None or not ws:
            return {}
        langs = [lang, *(code for code in LANGS if code != lang)]
        found: dict[str, set[str]] = {}
        for match in phrases.find(ws, langs):
            question, option = match.label.split("=", 1)
            if self._negated(ws, match):
                q = self._questions[(flow_id, question)]
                flipped = {q.words.yes: q.words.no, q.words.no: q.words.yes}.get(option)
                if flipped is None:
                    continue
                option = flipped
            found.setdefault(question, set()).add(option)
        return {q: opts.pop() for q, opts in found.items() if len(opts) == 1}
