"""Reading a free-text answer to one question of a flow, restricted to that question's options.

In order of strength: a button number or an option's label (also a prefix or a typo of it, in any
language); the option's own words (``knowledge/conversation/answers/<flow>.yaml``), negated when a
negation comes just before them; "no idea" and hedges where the question has such an option; a
bare yes or no, which each question maps to its own option ("first time late?": no → repeated).
Each reading carries a confidence; below :data:`ACCEPT` the answer is not taken.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.understanding import turn_memo
from bot.understanding.conversation_data import (
    ConversationData,
    GeneralWords,
    Phrases,
    QuestionWords,
)
from bot.understanding.features import stem
from bot.understanding.phrases import BREAK, Match, PhraseSet, content, key, words
from knowledge.models import LANGS, KnowledgeBase
from knowledge.models import Question as QuestionText

ACCEPT = 0.5
_ASKED = re.compile(r"[^?.!]*[?.!]+|[^?.!]+$")  # sentences, each with its end mark
_CLAUSES = re.compile(r"[,;]\s+")
NEGATION_WINDOW = 4  # words before a phrase where a negation turns it around
LABEL_TYPO = 85.0  # rapidfuzz ratio for a typo of a whole label
MIN_PREFIX = 3
INTERJECTIONS = frozenset({"no", "non", "nei", "nope", "nah"})
FACT_MIN_WORDS = 2
MAX_READINGS = 512
NOT_A_FACT = "~"  # label mark of a phrase of a question no other message answers
MAX_LEAD_WORDS = 3  # "un peu," / "once," / "av og til,": an opening clause that is the answer
MIN_COMPOUND_END = 5  # letters of a word also found as the end of a compound ("kontoradresse")
MIN_FACT_WORD = 6  # letters of the stem of a single word read as a fact from a first message
GOVERNED_WORDS = 3  # words between a negated verb and the thing it governs ("veut pas me donner")


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
    items: list[list[tuple[str, ...]]] = field(default_factory=list)  # per thing, its words


class QuestionReader:
    """One per process: every choice question of every flow, ready to read answers."""

    def __init__(self, kb: KnowledgeBase, data: ConversationData, flows: dict[str, str]) -> None:
        """``flows``: flow id → topic id."""
        self._questions: dict[tuple[str, str], _Question] = {}
        self._facts: dict[str, PhraseSet] = {}
        self._opening_facts: dict[str, PhraseSet] = {}  # a first message: single words too
        self._read: dict[Hashable, Reading] = {}  # outside a turn
        self._unions: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}
        general = data.words
        self.polarity = PhraseSet(
            [(kind, lang, p) for kind in ("yes", "no")
             for lang, p in getattr(general, kind).items()]  # fmt: skip
        )
        self.hedges = PhraseSet([("hedge", lang, p) for lang, p in general.hedge.items()])
        self.opinions = PhraseSet([("opinion", lang, p) for lang, p in general.opinion.items()])
        self.unknown = PhraseSet([("unknown", lang, p) for lang, p in general.unknown.items()])
        self.negators = {lang: {w for p in general.negators.get(lang) for w in words(p)}
                         for lang in LANGS}  # fmt: skip
        self.fact_skip = {  # words left out of phrases and answers alike: articles, "was", "ble"
            lang: frozenset(
                w for p in (*general.articles.get(lang), *general.auxiliaries.get(lang))
                for w in words(p)
            )
            for lang in LANGS
        }
        # In the answer to the question asked, also the words that only stress it ("han gjør bare
        # som han vil"); not in facts, where "just say no" of an opening is no answer yet.
        self.skip = {
            lang: self.fact_skip[lang]
            | frozenset(w for p in general.intensifiers.get(lang) for w in words(p))
            | frozenset(w for p in general.object_pronouns.get(lang) for w in words(p))
            for lang in LANGS
        }
        self.auxiliaries = {
            lang: frozenset(w for p in general.auxiliaries.get(lang) for w in words(p))
            for lang in LANGS
        }
        self.subjects = {lang: frozenset(w for p in general.subjects.get(lang) for w in words(p))
                         for lang in LANGS}  # fmt: skip
        self.not_negations = PhraseSet(
            [("keep", lang, p) for lang, p in general.not_negations.items()]
        )
        self.contrast = PhraseSet([("but", lang, p) for lang, p in general.contrast.items()])
        self.conditionals = PhraseSet(
            [("if", lang, p) for lang, p in general.conditionals.items()]
        )
        self.again = PhraseSet([("again", lang, p) for lang, p in general.again.items()])
        self.already = PhraseSet([("already", lang, p) for lang, p in general.already.items()])
        self.past = PhraseSet([("past", lang, p) for lang, p in general.past_time.items()])
        self.frequency = general.frequency
        self.often_words = PhraseSet(
            [(degree, lang, p) for degree, per in general.frequency.items()
             for lang, p in per.items()]  # fmt: skip
        )
        self.particles = {lang: frozenset(w for p in general.particles.get(lang) for w in words(p))
                          for lang in LANGS}  # fmt: skip
        self.generic = self._generic_stems(general)
        self.asking = PhraseSet([("ask", lang, p) for lang, p in general.interrogatives.items()])
        self.exceptions = PhraseSet([("but", lang, p) for lang, p in general.exceptions.items()])
        self.judging = PhraseSet([("ask", lang, p) for lang, p in general.polar_questions.items()])
        self.modals = {lang: frozenset(w for p in general.modals.get(lang) for w in words(p))
                       for lang in LANGS}  # fmt: skip
        self.when = {  # whole phrases of when-words ("plus tard", "ce soir"), as match keys
            lang: frozenset(
                tuple(key(w, lang) for w in words(p) if w not in self.fact_skip.get(lang, ()))
                for p in general.when.get(lang)
            )
            for lang in LANGS
        }
        # Verbs of getting in touch and words of suddenness, found in one pass of a message.
        self.marks = PhraseSet(
            [("contact", lang, p) for lang, p in general.contact_verbs.items()]
            + [("sudden", lang, p) for lang, p in general.suddenness.items()]
        )
        for flow_id, topic_id in flows.items():
            answers = data.answers.get(flow_id)
            topic = kb.topics[topic_id]
            for question in topic.questions:
                if question.kind != "choice":
                    continue
                qwords = answers.questions.get(question.id) if answers else None
                built = self._build(question, qwords, self.skip, self.frequency)
                self._questions[(flow_id, question.id)] = built
            self._facts[flow_id] = self._fact_phrases(flow_id, topic.questions, FACT_MIN_WORDS)
            self._opening_facts[flow_id] = self._fact_phrases(flow_id, topic.questions, 1)

    @staticmethod
    def _build(
        question: QuestionText,
        qwords: QuestionWords | None,
        skip: dict[str, frozenset[str]],
        frequency: dict[str, Phrases],
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
        for degree, option_id in qwords.frequency.items():  # shared "how often" words
            entries += [(option_id, lang, p) for lang, p in frequency[degree].items()]
        options = [o.id for o in question.options]
        phrases = PhraseSet(entries, skip)
        items: list[list[tuple[str, ...]]] = []
        if qwords.items is not None:
            for lang in LANGS:
                for n, alternatives in enumerate(qwords.items.words.get(lang)):
                    while len(items) <= n:
                        items.append([])
                    items[n] += [words(a) for a in alternatives.split("|") if words(a)]
        return _Question(question.id, options, labels, label_texts, qwords, phrases, items)

    def _generic_stems(self, general: GeneralWords) -> dict[str, frozenset[str]]:
        """Per language, the stems of words that say how often, how many, yes, no or who, never
        what: a phrase of a frequency question made only of them is no fact of that question."""
        groups = [general.yes, general.no, general.hedge, general.unknown, general.negators,
                  general.subjects, general.articles, general.amounts,
                  *general.frequency.values()]  # fmt: skip
        return {
            lang: frozenset(key(w, lang) for g in groups for p in g.get(lang) for w in words(p))
            for lang in LANGS
        }

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
            mark = "" if q.words.facts else NOT_A_FACT  # still found, to own its negation
            for option in q.options:
                extra = q.words.options.get(option)
                phrases = extra.words.items() if extra else []
                for lang, phrase in phrases:
                    kept = [w for w in words(phrase) if w not in self.fact_skip.get(lang, ())]
                    size = len(kept)
                    one_word = size == 1 and not set(words(phrase)) & self.auxiliaries[lang]
                    long_word = one_word and len(stem(kept[0], lang)) >= MIN_FACT_WORD
                    specific = size > 1 or long_word  # "ble defensiv" is no single word
                    generic = bool(q.words.frequency) and all(
                        key(w, lang) in self.generic[lang] for w in kept
                    )  # "une fois ou deux" says how often, not which question
                    timely = tuple(key(w, lang) for w in kept) in self.when[lang]  # "demain"
                    asked = min_words == 1 and any(w in self.modals[lang] for w in kept)
                    if size >= min_words and specific and not (generic or timely or asked):
                        seen.setdefault((lang, words(phrase)), set()).add(question.id)
                        entries.append((f"{mark}{question.id}={option}", lang, phrase))
        unique = [e for e in entries if len(seen[(e[1], words(e[2]))]) == 1]
        return PhraseSet(unique, self.fact_skip)

    def how_often(self, flow_id: str, question_id: str) -> bool:
        """The question's options are a frequency (often / sometimes / rarely)."""
        q = self._questions.get((flow_id, question_id))
        return q is not None and bool(q.words.frequency)

    def _union(self, table: str, langs: list[str]) -> frozenset[str]:
        """The words of one of the per-language tables (``negators``…) for ``langs``."""
        key = (table, tuple(langs))
        hit = self._unions.get(key)
        if hit is None:
            per_lang = getattr(self, table)
            hit = self._unions[key] = frozenset(w for code in langs for w in per_lang[code])
        return hit

    def knows(self, flow_id: str, question_id: str) -> bool:
        return (flow_id, question_id) in self._questions

    # Reading ----------------------------------------------------------------------------------
    def read(self, flow_id: str, question_id: str, text: str, lang: str) -> Reading:
        """The option ``text`` gives for the question, with a confidence (a turn reads the same
        answer several times: the last readings are remembered)."""
        memo = turn_memo.current()
        key = (self, flow_id, question_id, text, lang)
        remembered = self._read if memo is None else memo
        hit = remembered.get(key)
        if hit is None:
            if memo is None and len(self._read) >= MAX_READINGS:
                self._read.clear()
            hit = remembered[key] = self._reading(flow_id, question_id, text, lang)
        return hit

    def _unasked(self, text: str, langs: list[str]) -> str:
        """``text`` without the questions it asks back ("what counts as respecting my time?",
        "tu veux dire le tel ? oui j'ai tout" → "oui j'ai tout")."""
        if "?" not in text:
            return text
        kept = []
        for part in _ASKED.findall(text):
            ws = words(part)
            asked = part.rstrip().endswith("?") and any(
                m.start == 0 for m in self.asking.find(ws, langs)
            )
            if not asked:
                kept.append(part)
        return " ".join(kept)

    def _unjudged(self, text: str, langs: list[str]) -> str:
        """A first message without the clauses after its story that ask for a judgement ("...,
        is that a red flag?", "..., c'est louche ?")."""
        if "?" not in text:
            return text
        kept = []
        for sentence in _ASKED.findall(text):
            if not sentence.rstrip().endswith("?"):
                kept.append(sentence)
                continue
            for n, clause in enumerate(_CLAUSES.split(sentence)):  # the story comes first
                if n == 0 or not any(m.start == 0 for m in self.judging.find(words(clause), langs)):
                    kept.append(clause)
        return " , ".join(kept)

    def _reading(self, flow_id: str, question_id: str, text: str, lang: str) -> Reading:
        q = self._questions.get((flow_id, question_id))
        text = self._unasked(text, [lang, *(code for code in LANGS if code != lang)])
        ws = words(text)
        if q is None or not ws:
            return NOTHING
        langs = [lang, *(code for code in LANGS if code != lang)]
        whole = self._whole(q, content(ws))
        if whole is not None:
            return whole
        contrasted = self._contrasted(q, ws, langs)
        if contrasted is not None:
            return contrasted
        excepted = self._excepted(q, ws, langs)
        if excepted is not None:
            return excepted
        lead = self._lead(q, ws, langs)
        if lead is not None:
            return lead
        named = self._items_named(q, ws, langs)
        items = q.words.items
        if items is not None and q.items and named == len(q.items):
            return Reading(items.all, 0.9, "words")  # "phone, company name and office address"
        found = self._by_words(q, ws, langs)
        if found is not None and found.confidence >= 0.8:
            return found
        repeat = self._repeat(q, ws, langs)
        if repeat is not None:
            return repeat
        for kind, phrases, option in (
            ("unknown", self.unknown, q.words.unknown),
            ("hedge", self.hedges, q.words.hedge),
        ):
            if option is not None and phrases.find(ws, langs):
                if kind == "hedge" and self._then_yes_or_no(ws, langs):
                    continue  # "bof, pas vraiment", "tja, nei": the yes or no after it says more
                return Reading(option, 0.78 if kind == "unknown" else 0.75, kind)
        if found is not None:
            return found
        polar = self._polarity(q, ws, langs)
        if not polar.accepted and named and items is not None and items.some is not None:
            return Reading(items.some, 0.7, "items")  # "just the phone"
        return polar

    def _excepted(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> Reading | None:
        """A yes restricted by an exception ("mostly, except the odd sunday email", "j'ai tout
        sauf l'adresse") is the question's hedge: only partly so."""
        yes, hedge = q.words.yes, q.words.hedge
        if yes is None or hedge is None or yes == hedge or q.words.frequency:
            return None
        found = [m for m in self.exceptions.find(ws, langs) if m.start > 0]
        if not found:
            return None
        before = tuple(w for w in ws[: min(m.start for m in found)] if w != BREAK)
        said = self._by_words(q, before, langs) if before else None
        if said is None or not said.accepted:
            said = self._plain_polarity(q, before, langs) if before else NOTHING
        return Reading(hedge, 0.8, "except") if said.option == yes and said.accepted else None

    def _lead(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> Reading | None:
        """An answer that opens with a how-often or a hedge of its own, then says why ("un peu,
        certains veulent des réunions tout le temps", "once, they brought it in-house", "kinda,
        sometimes he calls late"): the opening clause is the answer, the rest its reason."""
        if BREAK not in ws:
            return None
        first = ws[: ws.index(BREAK)]
        rest = tuple(w for w in ws[len(first) :] if w != BREAK)
        if not first or len(first) > MAX_LEAD_WORDS:
            return None
        if any(m.start == 0 for m in self.polarity.find(rest, langs[:1])):
            return None  # "bof... pas vraiment": the yes or no after it says more
        head = self._whole(q, first)
        if head is not None and head.why in ("label", "prefix"):
            other = self._by_words(q, rest, langs) if rest else None
            if other is None or not other.accepted or other.option == head.option:
                return head  # "rien, juste son pseudo insta": a label opens it, the rest says why
        yes = {i for m in self.polarity.find(first, langs) if m.label == "yes"
               for i in range(m.start, m.end)}  # fmt: skip
        if yes and len(yes) < len(first):  # "parfois oui", "yes sometimes": the yes confirms it
            first = tuple(w for i, w in enumerate(first) if i not in yes)
        whole = [m for m in q.phrases.find(first, langs) if m.start == 0 and m.end == len(first)]
        frequency = {o for o in q.words.frequency.values()}
        found = {m.label for m in whole if m.label in frequency}
        if len(found) == 1 and not self._negated(first, whole[0], frozenset()):
            return Reading(found.pop(), 0.85, "words")
        hedge = q.words.hedge
        hedged = [m for m in self.hedges.find(first, langs) if m.start == 0 and m.end == len(first)]
        if hedge is not None and hedged:
            yes = q.words.yes  # "kinda, he's always paid in the end": a hedged yes, said why
            weighed = yes not in (None, hedge) and rest and not q.words.frequency
            said = self._by_words(q, rest, langs) if weighed else None
            if said is not None and said.option == yes and said.confidence >= 0.8:
                return Reading(yes, 0.7, "words")
            return Reading(hedge, 0.8, "hedge")
        return None

    def _contrasted(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> Reading | None:
        """At a how-often question, a later clause opened by "but" that says how often says
        what counts ("it happens, but hardly ever", "oui, mais rarement")."""
        if not q.words.frequency:
            return None
        frequency = set(q.words.frequency.values())
        negators = self._union("negators", langs)
        for c in self.contrast.find(ws, langs):
            if c.start == 0:
                continue  # "but" opens a clause after something else was said
            if any(w in negators for w in ws[: c.start]):
                continue  # "pas jamais, mais pas souvent non plus": both halves say it
            rest = ws[c.end :]
            found = self._by_words(q, rest, langs) if rest else None
            if found is not None and found.accepted and found.option in frequency:
                return Reading(found.option, found.confidence, "contrast")
        return None

    def _then_yes_or_no(self, ws: tuple[str, ...], langs: list[str]) -> bool:
        """A yes or a no opens a later clause of the answer."""
        hedged = {m.end for m in self.hedges.find(ws, langs)}  # "bof pas vraiment", unpunctuated
        return any(
            m.start > 0 and (ws[m.start - 1] == BREAK or m.start in hedged)
            for m in self.polarity.find(ws, langs)
        )

    def _items_named(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> int:
        """How many of the things a question asks for the answer names, not negated ("no
        phone"); a long word also as the end of a compound ("kontoradresse")."""
        negators = self._union("negators", langs)
        count = 0
        for alternatives in q.items:
            for i in range(len(ws)):
                if any(self._item_at(ws, i, a) for a in alternatives):
                    before = ws[max(0, i - NEGATION_WINDOW + 1) : i]
                    if BREAK in before:
                        before = before[before.index(BREAK) + 1 :]
                    if not any(w in negators for w in before):
                        count += 1
                        break
        return count

    @staticmethod
    def _item_at(ws: tuple[str, ...], i: int, alternative: tuple[str, ...]) -> bool:
        if len(alternative) == 1 and len(alternative[0]) >= MIN_COMPOUND_END:
            return ws[i].endswith(alternative[0])
        return ws[i : i + len(alternative)] == alternative

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

    def _negated(
        self, ws: tuple[str, ...], match: Match, kept: frozenset[int], lang: str | None = None
    ) -> bool:
        """A negation shortly before the phrase, or right after it at the end of a clause ("il
        m'écoute pas", "han lytter ikke"), not inside it. "no", "non", "nei" negate only right
        before it ("no contract"), and not when a clause of its own starts there ("non il l'a
        déjà fait"); further away they answer the question ("no, he did this last year too").
        ``kept``: positions of negations that negate nothing ("pas mal")."""
        negators = self.negators.get(match.lang, set())
        if lang is not None and lang != match.lang:  # "won't send me his passport" (a phrase of
            negators = negators | self.negators.get(lang, set())  # another language found)
        if any(w in negators for w in ws[match.start : match.end]):
            return False  # "jamais", "not yet": the phrase is a negation itself
        after = match.end
        clause_ends = after + 1 == len(ws) or (after + 1 < len(ws) and ws[after + 1] == BREAK)
        if after < len(ws) and ws[after] in negators and after not in kept and clause_ends:
            return True
        start = max(0, match.start - NEGATION_WINDOW)
        for i in range(match.start - 1, start - 1, -1):
            word = ws[i]
            if word == BREAK:
                return False
            if word in negators and i not in kept:
                if word not in INTERJECTIONS:
                    return True
                own_clause = ws[match.start] in self.subjects.get(match.lang, ())
                return i == match.start - 1 and not own_clause
        return False

    def _kept(self, ws: tuple[str, ...], langs: list[str]) -> frozenset[int]:
        """Positions of negation words that negate nothing ("pas mal", "not only")."""
        return frozenset(
            i for m in self.not_negations.find(ws, langs) for i in range(m.start, m.end)
        )

    def _matches(
        self, phrases: PhraseSet, ws: tuple[str, ...], langs: list[str]
    ) -> list[tuple[Match, bool]]:
        """Every phrase found, with whether it is negated: before or after it (see
        :meth:`_negated`), or inside it, where French and Norwegian put it ("han hører aldri på
        meg", "il ne respecte pas mes horaires"): the phrase is then found without the negation."""
        kept = self._kept(ws, langs)
        matches = phrases.find(ws, langs)
        sudden = [m for m in self.marks.find(ws, langs) if m.label == "sudden"] if matches else []
        if sudden:  # "du jour au lendemain", "out of the blue": how suddenly, never why
            matches = [
                m for m in matches if not any(s.start <= m.start and m.end <= s.end for s in sudden)
            ]
        negators = self._union("negators", langs)
        found = [(m, self._negated(ws, m, kept | self._owned(ws, m, matches, negators), langs[0]))
                 for m in matches]  # fmt: skip
        dropped = {i for i, w in enumerate(ws) if w in negators and i not in kept}
        if dropped:
            particles = self._union("particles", langs)
            dropped |= {i for i, w in enumerate(ws) if w in particles}
            at = [i for i in range(len(ws)) if i not in dropped]
            spans = [(m.start, m.end) for m, _ in found]
            for m in phrases.find(tuple(ws[i] for i in at), langs):
                start, end = at[m.start], at[m.end - 1] + 1
                covered = any(a <= start and end <= b for a, b in spans)  # said as it is
                if m.size >= 2 and not covered and any(start < i < end for i in dropped):
                    found.append((Match(m.label, m.lang, start, end, m.phrase), True))
        # "il m'appelle tout le temps le soir": a how-often said inside a phrase, found without it
        inside = [m for m in self.often_words.find(ws, langs) if m.start > 0 and m.end < len(ws)]
        if inside:
            cut = {i for m in inside for i in range(m.start, m.end)}
            at = [i for i in range(len(ws)) if i not in cut]
            spans = [(m.start, m.end) for m, _ in found]
            for m in phrases.find(tuple(ws[i] for i in at), langs):
                start, end = at[m.start], at[m.end - 1] + 1
                covered = any(a <= start and end <= b for a, b in spans)
                if m.size >= 2 and not covered and any(start < i < end for i in cut):
                    said = Match(m.label, m.lang, start, end, m.phrase)
                    found.append((said, self._negated(ws, said, kept, langs[0])))
        return found

    def _says_how_often_of_another(
        self, ws: tuple[str, ...], match: Match, matches: list[Match]
    ) -> bool:
        """A phrase made only of how-often, yes/no or hedge words ("all the time", "toujours")
        right next to another question's phrase: it tells how often that other thing happens
        ("pays late all the time"), not "betaler sent og gir meg nesten aldri oppdrag"."""
        generic = self.generic.get(match.lang, frozenset())
        skip = self.fact_skip.get(match.lang, frozenset())
        said = [w for w in ws[match.start : match.end] if w not in skip]
        if not said or not all(key(w, match.lang) in generic for w in said):
            return False
        question = match.label.lstrip(NOT_A_FACT).split("=", 1)[0]
        return any(
            other is not match
            and other.label.lstrip(NOT_A_FACT).split("=", 1)[0] != question
            and (
                0 <= match.start - other.end <= 1
                or 0 <= other.start - match.end <= 1
                or (other.start <= match.start and match.end <= other.end
                    and other.size > match.size)  # said inside it  # fmt: skip
            )
            and BREAK not in ws[min(match.end, other.end) : max(match.start, other.start)]
            for other in matches
        )

    @staticmethod
    def _owned(
        ws: tuple[str, ...], match: Match, matches: list[Match], negators: set[str]
    ) -> frozenset[int]:
        """Negations inside another phrase found that ends before ``match`` ("svarer ikke" |
        "på mail"): that phrase's, so they do not turn ``match`` around. A phrase that shares
        a word with ``match`` shares its negation ("har ikke sendt" / "sendt over filene")."""
        return frozenset(
            i
            for other in matches
            if other.end <= match.start and other is not match
            for i in range(other.start + 1, other.end)
            if ws[i] in negators
        )

    @staticmethod
    def _flip(q: _Question, option: str) -> str | None:
        """What a negated option means for this question, if anything."""
        if option in q.words.opposite:
            return q.words.opposite[option]
        return {q.words.yes: q.words.no, q.words.no: q.words.yes}.get(option)

    def _by_words(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> Reading | None:
        """The option whose words the answer uses most specifically (longest phrase)."""
        scores: dict[str, tuple[int, int]] = {}
        matches = self._matches(q.phrases, ws, langs)
        if q.words.frequency:
            matches = self._qualified(ws, matches)
        matches = self._governed(ws, matches, langs)
        lead = self._lead_words(ws, langs)
        if q.words.frequency:  # "once or twice when they hired in-house": how often, then what
            at = self._after_yes_or_no(ws, lead, langs)
            first = [m for m, negated in matches
                     if not negated and m.start == at and self._how_often_words(ws, m)]  # fmt: skip
            longest = max((m.size for m in first), default=0)
            said = {m.label for m in first if m.size == longest}
            if len(said) == 1:
                return Reading(said.pop(), 0.85, "words")
        for match, negated in matches:
            option: str | None = self._flip(q, match.label) if negated else match.label
            if option is None:
                continue
            said_first = 1 if match.start <= lead else 0  # what comes first is what they mean
            score = (match.size + said_first, match.size)  # then the longer phrase
            scores[option] = max(scores.get(option, (0, 0)), score)
        if not scores:
            return None
        for option, weaker in q.words.beats.items():  # "j'ai cherché, y a rien": what came of it
            if option in scores:
                scores.pop(weaker, None)
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        option, (size, _) = ranked[0]
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return Reading(option, 0.4, "words-tie")
        margin = size - (ranked[1][1][0] if len(ranked) > 1 else 0)
        return Reading(option, 0.9 if size >= 2 or margin >= 2 else 0.8, "words")

    def _after_yes_or_no(self, ws: tuple[str, ...], lead: int, langs: list[str]) -> int:
        """Where the answer says something after its opening words and a yes or no ("ja, hender
        jeg leverer for sent" → "hender")."""
        at = lead
        for m in sorted(self.polarity.find(ws, langs), key=lambda m: m.start):
            if m.start == at:
                at = m.end
        while at < len(ws) and ws[at] == BREAK:
            at += 1
        return at

    def _how_often_words(self, ws: tuple[str, ...], match: Match) -> bool:
        """The phrase is made only of words that say how often or how many, never what."""
        generic = self.generic.get(match.lang, frozenset())
        return all(key(w, match.lang) in generic for w in ws[match.start : match.end])

    def _lead_words(self, ws: tuple[str, ...], langs: list[str]) -> int:
        """How many words open the answer before what it says: who it is about and articles
        ("il veut pas...", "they refused", "han gjør som han vil")."""
        opening = self._union("subjects", langs) | self._union("fact_skip", langs)
        lead = 0
        while lead < len(ws) and ws[lead] in opening:
            lead += 1
        return lead

    def _qualified(
        self, ws: tuple[str, ...], matches: list[tuple[Match, bool]]
    ) -> list[tuple[Match, bool]]:
        """At a how-often question, "it happens" right before a how-often word of another
        option is qualified by it ("ça m'arrive assez souvent", "it happens quite often", "det
        hender sjelden"): only the word that says how often counts."""
        return [
            (m, negated)
            for m, negated in matches
            if not any(
                o.start == m.end and o.label != m.label and self._how_often_words(ws, o)
                for o, _ in matches
            )  # "hender jeg | leverer for sent": what happens, not how often
        ]

    def _governed(
        self, ws: tuple[str, ...], matches: list[tuple[Match, bool]], langs: list[str]
    ) -> list[tuple[Match, bool]]:
        """A phrase that carries its own negation governs the thing named right after it ("il
        veut pas me donner | sa carte d'identité", "nekter å vise | passet"): that thing is its
        object, no answer of its own."""
        negators = self._union("negators", langs)
        kept = self._kept(ws, langs)
        owners = [
            m for m, negated in matches
            if not negated and any(
                ws[i] in negators and i not in kept for i in range(m.start, m.end)
            )
        ]  # fmt: skip
        return [
            (m, negated)
            for m, negated in matches
            if negated or not any(
                o.label != m.label and o.end <= m.start <= o.end + GOVERNED_WORDS
                and BREAK not in ws[o.end : m.start]
                for o in owners
            )
        ]  # fmt: skip

    @staticmethod
    def _complement(match: Match, matches: list[Match]) -> bool:
        """The phrase goes on, without a pause, a negated phrase of another question ("svarer
        ikke | på mail", "répond pas | par mail"): it says how, of that phrase, no fact."""
        question = match.label.lstrip(NOT_A_FACT).split("=", 1)[0]
        return any(
            other.end == match.start
            and other.label.lstrip(NOT_A_FACT).split("=", 1)[0] != question
            and other.size >= 2
            for other in matches
        )

    @staticmethod
    def _channel(ws: tuple[str, ...], match: Match, contact: list[Match]) -> bool:
        """The phrase follows, in its clause, a verb of getting in touch ("ne répond pas | par
        mail", "doesn't reply | by email"): it names the channel of that contact, no fact."""
        return any(
            verb.end <= match.start <= verb.end + GOVERNED_WORDS
            and BREAK not in ws[verb.end : match.start]
            for verb in contact
        )

    def _supposed(self, ws: tuple[str, ...], match: Match, langs: list[str]) -> bool:
        """The phrase follows an "if" in its clause ("comment savoir si c'est sérieux")."""
        for cond in self.conditionals.find(ws, langs):
            if cond.end <= match.start and BREAK not in ws[cond.end : match.start]:
                return True
        return False

    def _repeat(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> Reading | None:
        """At a question with a "repeated" option: "again", "encore", "igjen", or "already"
        with a time in the past ("il l'avait déjà fait l'an dernier"); a negated "again" ("han
        har aldri gjort det før") is the question's other answer."""
        if q.words.repeat is None:
            return None
        kept = self._kept(ws, langs)
        found = self.again.find(ws, langs)
        negated = [
            m for m in found if self._negated(ws, m, kept) or self._next_to_negation(ws, m, kept)
        ]
        if len(negated) < len(found):
            return Reading(q.words.repeat, 0.85, "again")
        other = self._flip(q, q.words.repeat)
        if negated and other is not None:  # "il n'a jamais recommencé": the other option
            return Reading(other, 0.8, "not-again")
        already = [m for m in self.already.find(ws, langs) if not self._negated(ws, m, kept)]
        past = self.past.find(ws, langs)
        for m in already:
            if any(p.start >= m.end or p.end <= m.start for p in past):
                return Reading(q.words.repeat, 0.85, "already")
        return None

    def _next_to_negation(self, ws: tuple[str, ...], m: Match, kept: frozenset[int]) -> bool:
        """A negation right before or after ("pas encore", "encore jamais", "never again")."""
        negators = self.negators.get(m.lang, set())
        near = [i for i in (m.start - 1, m.end) if 0 <= i < len(ws) and i not in kept]
        return any(ws[i] in negators and ws[i] not in INTERJECTIONS for i in near)

    def _polarity(self, q: _Question, ws: tuple[str, ...], langs: list[str]) -> Reading:
        """A bare yes or no (or a negated sentence) mapped to this question's options; after
        an opinion that opens the answer ("je pense que non", "tror ikke han betaler"), what
        follows it, and a weak yes when nothing does ("probably", "sikkert")."""
        if q.words.yes is None and q.words.no is None:
            return NOTHING
        opened = [m.end for m in self.opinions.find(ws, langs) if m.start == 0]
        if opened:
            rest = tuple(w for w in ws[max(opened) :] if w != BREAK)
            after = self._plain_polarity(q, rest, langs) if rest else NOTHING
            if after.option is not None:
                return Reading(after.option, min(after.confidence, 0.7), after.why)
            return Reading(q.words.yes, 0.6, "opinion") if q.words.yes else NOTHING
        return self._plain_polarity(q, ws, langs, whole=True)

    def _plain_polarity(
        self, q: _Question, ws: tuple[str, ...], langs: list[str], whole: bool = False
    ) -> Reading:
        """``whole``: ``ws`` is the whole answer, so a "no" that is all of it ("nope", "non.")
        denies the question as asked: ``no_alone`` where the question has one ("agreed in
        writing?" → "no" says nothing was agreed that counts, not that it was said aloud)."""
        matches = self.polarity.find(ws, langs)
        if matches:
            first = min(matches, key=lambda m: (m.start, -m.size))
            option = q.words.yes if first.label == "yes" else q.words.no
            if first.label == "no" and whole and q.words.no_alone is not None:
                said = {i for m in matches if m.label == "no" for i in range(m.start, m.end)}
                if all(i in said for i, w in enumerate(ws) if w != BREAK):
                    option = q.words.no_alone
            if option is None:
                return NOTHING
            return Reading(option, 0.8 if first.start == 0 else 0.7, first.label)
        kept = self._kept(ws, langs)  # "pas mal de missions" is no negation
        negators = self._union("negators", langs)
        count = sum(1 for i, w in enumerate(ws) if w in negators and i not in kept)
        if count == 0:
            return NOTHING
        option = q.words.no if count % 2 else q.words.yes
        return Reading(option, 0.6 if count % 2 else 0.55, "negation") if option else NOTHING

    def facts(self, flow_id: str, text: str, lang: str, opening: bool = False) -> dict[str, str]:
        """Options of any question of the flow that ``text`` names unmistakably (a phrase of two
        or more words that belongs to one question only, not negated; in the ``opening``
        message, a long single word too)."""
        phrases = (self._opening_facts if opening else self._facts).get(flow_id)
        langs = [lang, *(code for code in LANGS if code != lang)]
        said = self._unjudged(text, langs) if opening else self._unasked(text, langs)
        ws = words(said)  # an opening's "how do I ...?" tells the story: only judgements asked go
        if phrases is None or not ws:
            return {}
        found: dict[str, set[str]] = {}
        matches = self._matches(phrases, ws, langs)
        contact = [m for m in self.marks.find(ws, langs) if m.label == "contact"] if matches else []
        asked = [m for m in self.asking.find(ws, langs) if m.start == 0 or ws[m.start - 1] == BREAK]
        asked = asked if matches and opening else []  # "how do I ...", not "a client who ..."
        for match, negated in matches:
            if match.label.startswith(NOT_A_FACT):
                continue  # a question only its own answer settles ("facts: false")
            if self._says_how_often_of_another(ws, match, [m for m, _ in matches]):
                continue  # "pays late all the time": how often he pays late, not his volume
            if self._supposed(ws, match, langs):
                continue  # "how do I know if they're legit": a question, no fact
            if self._complement(match, [m for m, _ in matches]):
                continue  # "svarer ikke | på mail": how he does not answer, not the terms
            if self._channel(ws, match, contact):
                continue  # "doesn't reply | by email": how he is reached, not the terms
            if opening and self._channel(ws, match, asked):
                continue  # "how do I | check out a new client": what is asked, not done
            question, option = match.label.split("=", 1)
            if negated:
                q = self._questions[(flow_id, question)]
                flipped = self._flip(q, option)
                if flipped is None:
                    continue
                option = flipped
            found.setdefault(question, set()).add(option)
        return {q: opts.pop() for q, opts in found.items() if len(opts) == 1}
