"""Conversation repair: what a message typed during a flow is, before the flow hears of it.

In order: small talk ("thanks", "wait what?", "I'm gutted") → answered kindly, question kept; a
correction of an answer already given ("actually it's 45 days") → that slot changes; an answer to
the question asked (read in context, with a confidence) and any other facts of the flow the
message states; "no idea" → the question is skipped; a longer message clearly about another
topic → the person is asked before the flow is left; anything else → a clarifying re-ask.
The flow modules in ``dialogs/`` know nothing of this: they only see slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from bot.answers import (
    CURRENCIES,
    find_amount,
    find_days,
    find_reference,
    parse_amount,
    parse_reference,
)
from bot.flows import Flow, question_of
from bot.understanding import route
from bot.understanding.answer_embedding import NearestOption
from bot.understanding.conversation_data import ConversationData
from bot.understanding.durations import DurationReader
from bot.understanding.opening_words import OpeningWords
from bot.understanding.phrases import PhraseSet, content, words
from bot.understanding.question_reader import QuestionReader, Reading
from bot.understanding.small_talk import SmallTalkReader
from bot.vocab import Vocabulary
from knowledge.models import LANGS, KnowledgeBase

MIN_WORDS_TO_INTERRUPT = 6  # shorter messages never leave a flow
INTERRUPT_SHARE = 0.6  # the other topic's share of the probability to ask about switching
MAX_READ = 2000
STRONG = ("number", "label", "prefix", "typo", "words")  # readings beyond a bare yes or no
MAX_SKIP_WORDS = 8  # a longer message that says "skip" is about something else
MAX_REFERENCE_WORDS = 3  # a reference without a digit is a short name, not a sentence

_PLAIN_NUMBER = re.compile(r"^\s*[~≈]?\s*\d[\d\s\u00a0\u202f.,']*\s*[^\W\d_]{0,8}\s*$")
_DIGIT = re.compile(r"\d")

Kind = Literal[
    "answer", "facts", "correction", "talk", "dont_know", "cancel", "interrupt", "unclear"
]


@dataclass
class Decision:
    """What to do with one message typed during a flow."""

    kind: Kind
    value: Any = None  # the answer to the current question
    facts: dict[str, Any] = field(default_factory=dict)  # other questions answered on the way
    changed: dict[str, Any] = field(default_factory=dict)  # corrected answers
    talk: str | None = None  # small-talk kind, or a feeling noticed in an answer
    topic: str | None = None  # the topic an interruption is about
    reason: str = ""  # why an answer was not taken ("number", "invalid_days", "choice" …)


class DialogPolicy:
    """Shared by every conversation; holds the readers built from the knowledge base."""

    def __init__(
        self,
        kb: KnowledgeBase,
        flows: dict[str, Flow],
        data: ConversationData,
        vocab: Vocabulary,
    ) -> None:
        self.kb = kb
        self.flows = flows
        self.vocab = vocab
        self.reader = QuestionReader(kb, data, {fid: f.spec.topic for fid, f in flows.items()})
        self.nearest = NearestOption(kb, data, {fid: f.spec.topic for fid, f in flows.items()})
        self.durations = DurationReader(data.numbers, vocab.units)
        self.small_talk = SmallTalkReader(data.small_talk)
        self.corrections = PhraseSet(
            [("fix", lang, p) for lang, p in data.words.correction.items()]
        )
        self.late = PhraseSet([("late", lang, p) for lang, p in data.words.late.items()])
        self.skips = PhraseSet([("skip", lang, p) for lang, p in data.words.skip.items()])
        self.cancels = PhraseSet([("cancel", lang, p) for lang, p in data.words.cancel.items()])
        self.related = data.related
        self._negated_number_patterns: dict[str, re.Pattern[str]] = {}
        self.opening_facts = data.opening_facts
        self.opening_words = OpeningWords(data.words)
        self.asks = PhraseSet(
            [(flow, lang, self.opening_words.text(p, lang))
             for flow, per in data.asks.items() for lang, p in per.items()]  # fmt: skip
        )

    # Reading values ---------------------------------------------------------------------------
    def kind_of(self, flow_id: str, question_id: str) -> str:
        """ "choice", or how a free-text question is read ("days", "amount", "reference")."""
        spec = self.flows[flow_id].spec
        question = self.kb.topics[spec.topic].question(question_id)
        if question.kind == "choice":
            return "choice"
        return spec.parsers.get(question_id, "text")

    def read_value(
        self, flow_id: str, question_id: str, text: str, lang: str, today: date
    ) -> tuple[Any, str]:
        """(value, reason): the answer to one question, or None and why it was not taken."""
        kind = self.kind_of(flow_id, question_id)
        if kind == "choice":
            reading: Reading = self.reader.read(flow_id, question_id, text, lang)
            if reading.accepted:
                return reading.option, ""
            if reading.why == "dont_know":
                return None, "dont_know"
            if not self._dont_know(text, lang) and self.small_talk.kind(text, lang) is None:
                guessed = self.nearest.option(flow_id, question_id, text)
                if guessed is not None:  # no option's words, but one's meaning
                    return guessed, ""
            return None, "choice"
        if kind == "days":
            days = self.durations.read(text, lang, today)
            if days.value is not None:
                return days.value, ""
            return None, "invalid_days" if days.invalid else "days"
        if kind == "amount":
            plain = parse_amount(text) if _PLAIN_NUMBER.match(text) else None
            amount = (
                self._thousands(text)
                or find_amount(text)
                or plain
                or self._amount_in_words(text, lang)
                or self._plain_amount(text, self._currency_named(text))
            )
            if amount is not None:
                return amount, ""
        elif _DIGIT.search(text):
            return parse_reference(text), ""
        none_given = self._dont_know(text, lang) or self.polarity(text, lang) == "no"
        if none_given:
            return None, "dont_know"
        if kind != "amount" and len(text.split()) <= MAX_REFERENCE_WORDS:
            return parse_reference(text), ""  # a name without digits ("Devis Dupont")
        return None, kind

    def _thousands(self, text: str) -> str | None:
        """ "3k", "2,5k€", "2 grand", "15 tusen kr": digits times a word for thousand."""
        multipliers = {w for per in self.durations.thousands.values() for w in per}
        for match in _TIMES.finditer(text):
            if match.group(2).casefold() not in multipliers:
                continue
            value = float(match.group(1).replace(",", "."))
            whole = round(value * 1000)
            return f"{whole} {self._currency_named(text)}".strip()
        return None

    def _named_in_words(self, text: str, lang: str) -> str | None:
        """An amount in number words right before its currency ("me doit deux mille euros
        depuis trois semaines" → "2000 EUR"; the weeks are no part of it)."""
        ws = content(words(text))
        for i, word in enumerate(ws):
            code = CURRENCIES.get(word)
            if code is None or i == 0:
                continue
            j = i
            while j > 0 and self.durations.amount(ws[j - 1], lang) is not None:
                j -= 1
            value = self.durations.amount(" ".join(ws[j:i]), lang) if j < i else None
            if value:
                return f"{value} {code}"
        return None

    def _currency_named(self, text: str) -> str:
        """The currency code a text names by word or sign ("euros", "kr", "$"), or ""."""
        for word in words(text):
            if word in CURRENCIES:
                return CURRENCIES[word]
        signs = [c for c in text if not c.isalnum() and not c.isspace() and c in CURRENCIES]
        return CURRENCIES[signs[0]] if signs else ""

    def _amount_in_words(self, text: str, lang: str) -> str | None:
        """ "deux mille euros" → "2000 EUR" (the currency named, if any)."""
        if _DIGIT.search(text):
            return None
        value = self.durations.amount(text, lang)
        if value is None:
            return None
        code = next((CURRENCIES[w] for w in words(text) if w in CURRENCIES), "")
        return f"{value} {code}".strip()

    def _stated(
        self, flow_id: str, question_id: str, text: str, lang: str, today: date, opening: bool
    ) -> Any:
        """A value for a question the message was not asked, only when stated plainly."""
        kind = self.kind_of(flow_id, question_id)
        if kind == "days":
            if not opening:  # an answer: its duration counts when it speaks of lateness
                days = self.durations.read(text, lang, today).value
                if days is not None and self._mentions_late(text, lang):
                    return days
            return self._late_days(text, lang, today)
        if kind == "amount":  # "1 200 €", thousands said short ("3k", "30k kr"), or in words
            return find_amount(text) or self._thousands(text) or self._named_in_words(text, lang)
        if kind == "text" or kind == "reference":
            vocab = self.vocab
            return find_reference(text, vocab.invoice_words, vocab.number_marks, vocab.units)
        return None

    def _mentions_late(self, text: str, lang: str) -> bool:
        return bool(self.late.find(words(text), _order(lang)))

    def _late_days(self, text: str, lang: str, today: date) -> int | None:
        """Days a message gives next to a lateness word ("47 days late", "depuis 2 mois"), read
        clause by clause, so that "we've worked together two years" is not taken."""
        vocab = self.vocab
        for clause in _clauses(text):
            if not self.late.find(words(clause), _order(lang)):
                continue
            numbers = vocab.numbers_in.get(lang, vocab.numbers)
            days = find_days(clause, numbers, vocab.units, vocab.frequency_words)
            halves = self.durations.half.get(lang, set()) | self.durations.one_half.get(lang, set())
            if days is None or halves & set(words(clause)):  # "un mois et demi": 45, not 30
                reading = self.durations.read(clause, lang, today)
                plain = words(_ELIDED.sub(" ", clause))  # "d'accord" has no "d" (days)
                has_unit = any(w in self.durations.units for w in plain)
                days = reading.value if has_unit and reading.value is not None else days
            if days is not None:
                return days
        return None

    def facts(
        self,
        flow_id: str,
        text: str,
        lang: str,
        today: date,
        skip: set[str],
        opening: bool = False,
    ) -> dict[str, Any]:
        """Answers to the flow's questions (except ``skip``) that ``text`` states plainly."""
        found: dict[str, Any] = {}
        for question_id, option in self.reader.facts(flow_id, text, lang, opening).items():
            if question_id not in skip:
                found[question_id] = option
        for question_id in self.flows[flow_id].spec.questions:
            if question_id in skip or question_id in found:
                continue
            if self.kind_of(flow_id, question_id) == "choice":
                continue
            value = self._stated(flow_id, question_id, text, lang, today, opening)
            if value is not None:
                found[question_id] = value
        return found

    # The decision -----------------------------------------------------------------------------
    def decide(
        self, flow_id: str, state: str, slots: dict[str, Any], text: str, lang: str, today: date
    ) -> Decision:
        """What ``text``, typed while the flow waits at ``state``, is."""
        text = text[:MAX_READ]
        current = question_of(state)
        talk = self.small_talk.kind(text, lang)
        value, reason = self.read_value(flow_id, current, text, lang, today)
        strong = value is not None and self._strong(flow_id, current, text, lang)
        if not strong and self._asks_to_stop(text, lang):
            return Decision("cancel")
        if talk is not None and not strong:
            return Decision("talk", talk=talk)
        if not strong and self._asks_to_skip(text, lang):
            return Decision("dont_know")
        answered = {q for q, v in slots.items() if not q.startswith("_") and q != current}
        # "non, c'était à l'oral" at a question a yes or no cannot answer: no, then a change
        free_text = self.kind_of(flow_id, current) != "choice"
        by_yes_no = free_text and self._opens_with_yes_no(text, lang)
        changed = self._corrections(
            flow_id, current, slots, answered, text, lang, today, marked_or=by_yes_no
        )
        if changed:  # the answer to the question asked may come with it ("first time; and
            # it's 3000, not 2400"): taken when the message names an option plainly
            answer = value if strong and not free_text else None
            return Decision("correction", changed=changed, value=answer)
        others = self.facts(flow_id, text, lang, today, skip=answered | {current})
        if self.reader.how_often(flow_id, current):  # "ça arrive, surtout sur les gros projets"
            others = {q: v for q, v in others.items() if not self.reader.how_often(flow_id, q)}
        feeling = self.small_talk.feelings(text, lang)
        if value is not None:
            return Decision("answer", value=value, facts=others, talk=feeling)
        if reason == "dont_know" or self._dont_know(text, lang):
            return Decision("dont_know", facts=others)
        if others:
            return Decision("facts", facts=others, talk=feeling, reason=reason)
        topic = self._interruption(flow_id, text, lang)
        if topic is not None:
            return Decision("interrupt", topic=topic)
        return Decision("unclear", talk=feeling, reason=reason)

    def _opens_with_yes_no(self, text: str, lang: str) -> bool:
        ws = words(text)
        return any(m.start == 0 for m in self.reader.polarity.find(ws, _order(lang)))

    def names_option(self, flow_id: str, state: str, text: str, lang: str) -> bool:
        """True when ``text`` reads as an option of the question asked by its label, its words
        or as a "don't know" the question offers (so a command word does not take it)."""
        question_id = question_of(state)
        if self.kind_of(flow_id, question_id) != "choice":
            return False
        reading = self.reader.read(flow_id, question_id, text, lang)
        return reading.accepted and reading.why in (*STRONG, "unknown", "hedge")

    def _strong(self, flow_id: str, question_id: str, text: str, lang: str) -> bool:
        """An answer given by a number, a label or the option's own words (not a bare "ok")."""
        if self.kind_of(flow_id, question_id) != "choice":
            return any(w.isdigit() for w in words(text))
        reading = self.reader.read(flow_id, question_id, text, lang)
        return reading.why in STRONG

    def _asks_to_skip(self, text: str, lang: str) -> bool:
        """A short message that asks to pass over the question ("passe cette question"); a
        single word only when it opens the message ("passe, je l'ai pas", not "il passe son
        temps à tout critiquer")."""
        ws = words(text)
        if not 0 < len(ws) <= MAX_SKIP_WORDS:
            return False
        return any(m.size > 1 or m.start == 0 for m in self.skips.find(ws, _order(lang)))

    def _asks_to_stop(self, text: str, lang: str) -> bool:
        """A short message that opens by asking to stop ("on arrête là, merci", "ok let's stop
        here"): not "il a laissé tomber le projet", where the words come later."""
        ws = words(text)
        if not 0 < len(ws) <= MAX_SKIP_WORDS:
            return False
        return any(m.start <= 1 for m in self.cancels.find(ws, _order(lang)))

    def _dont_know(self, text: str, lang: str) -> bool:
        ws = content(words(text))
        return bool(ws) and len(ws) <= 8 and bool(self.reader.unknown.find(ws, _order(lang)))

    def _corrections(
        self,
        flow_id: str,
        current: str,
        slots: dict[str, Any],
        answered: set[str],
        text: str,
        lang: str,
        today: date,
        marked_or: bool,
    ) -> dict[str, Any]:
        """Answers already given that ``text`` changes: after a marker ("actually", "en fait",
        "nei vent"), or (``marked_or``) after a bare yes or no that opens the message, a new
        value for one of them. Without either, a fact about an earlier question is not taken as
        a change: an answer that is merely unclear must not rewrite what was said."""
        if not answered:
            return {}
        ws = words(text)
        # a marker is a word of its own: "1VENT" typed as an invoice number marks nothing
        marked = len(text.split()) > 1 and bool(self.corrections.find(ws, _order(lang)))
        numbers = self._changed_numbers(flow_id, current, slots, answered, text, lang, today,
                                        marked)  # fmt: skip
        if not (marked or marked_or):
            return numbers
        changed: dict[str, Any] = {}
        for question_id, option in self.reader.facts(flow_id, text, lang).items():
            if question_id in answered and slots.get(question_id) != option:
                changed[question_id] = option
        if marked and not changed:
            changed.update(self._changed_choice(flow_id, answered, slots, text, lang))
        return changed | {q: v for q, v in numbers.items() if q not in changed}

    def _changed_numbers(
        self,
        flow_id: str,
        current: str,
        slots: dict[str, Any],
        answered: set[str],
        text: str,
        lang: str,
        today: date,
        marked: bool,
    ) -> dict[str, Any]:
        """New days or amounts for answers already given (often read from the opening, so never
        asked): after a correction marker, or when the message names the old value negated
        ("c'est 3000 pas 2400", "60 days, not 45", "9000, ikke 8000"). The old value, once named,
        is left out of the reading; days need a unit, an amount its currency or the old one."""
        if not (marked or _DIGIT.search(text)):
            return {}
        current_kind = self.kind_of(flow_id, current)
        changed: dict[str, Any] = {}
        for question_id in sorted(answered):
            kind = self.kind_of(flow_id, question_id)
            if kind not in ("days", "amount") or kind == current_kind:
                continue
            old = slots.get(question_id)
            old_number = _number_of(old)
            rest, named = self._without_negated(text, old_number, lang)
            if not (marked or named):
                continue
            if kind == "days":
                if not self._counts_time(rest, lang):
                    continue
                value: Any = self.durations.read(rest, lang, today).value
            else:  # "25 days, not 20": a number said negated is no new value of anything
                rest = self._negated_numbers(lang).sub(" ", rest)
                value = find_amount(rest) or self._plain_amount(rest, old)
            if value is not None and value != old:
                changed[question_id] = value
        return changed

    def _counts_time(self, text: str, lang: str) -> bool:
        """A number right before a unit of time ("60 days", "deux mois"; not "j'avais")."""
        ws = words(_ELIDED.sub(" ", text))
        tables = [self.durations.numbers[code] for code in _order(lang)]
        singles = {w[0] for table in tables for w in table if len(w) == 1}
        return any(
            w in self.durations.units and (ws[i - 1].isdigit() or ws[i - 1] in singles)
            for i, w in enumerate(ws)
            if i > 0
        )

    def _without_negated(self, text: str, number: int | None, lang: str) -> tuple[str, bool]:
        """``text`` without "pas 2400" / "not 45" / "ikke 8000" (``number`` negated), and
        whether it was there."""
        if number is None:
            return text, False
        negators = "|".join(sorted(self._negators(lang), key=len, reverse=True))
        said = _number_pattern(number)
        pattern = re.compile(rf"(?<!\w)(?:{negators})\s+(?:{said})(?![\d])", re.IGNORECASE)
        rest, count = pattern.subn(" ", text)
        return rest, count > 0

    def _negated_numbers(self, lang: str) -> re.Pattern[str]:
        """ "pas 1 800", "not 20", "ikke 8000": any number right after a negation."""
        pattern = self._negated_number_patterns.get(lang)
        if pattern is None:
            negators = "|".join(sorted(self._negators(lang), key=len, reverse=True))
            pattern = re.compile(rf"(?<!\w)(?:{negators})\s+\d[\d\s.,]*(?!\w)", re.IGNORECASE)
            self._negated_number_patterns[lang] = pattern
        return pattern

    def _negators(self, lang: str) -> set[str]:
        """Negation words of every language (a correction is often typed in a mix)."""
        return {re.escape(w) for code in _order(lang) for w in self.reader.negators.get(code, ())}

    def _plain_amount(self, text: str, old: Any) -> str | None:
        """The one bare number of ``text`` that is no duration, in the old amount's currency."""
        found = []
        units = self.durations.units
        text = _ELIDED.sub(" ", text)
        for match in _BARE_NUMBER.finditer(text):
            after = words(text[match.end() : match.end() + 24])[:1]
            if after and after[0] in units:
                continue
            found.append(match.group())
        if len(found) != 1:
            return None
        value = parse_amount(found[0])
        code = str(old).split()[1] if isinstance(old, str) and len(str(old).split()) == 2 else ""
        if value is None:
            return None
        return f"{value.split()[0]} {code}".strip()

    def _changed_choice(
        self, flow_id: str, answered: set[str], slots: dict[str, Any], text: str, lang: str
    ) -> dict[str, Any]:
        """With a correction marker: the one answered choice question whose options the message
        names (by label or words, not by a bare yes or no), if it names another option."""
        found = []
        for question_id in answered:
            if self.kind_of(flow_id, question_id) != "choice":
                continue
            reading = self.reader.read(flow_id, question_id, text, lang)
            if reading.accepted and reading.why in STRONG and reading.option != slots[question_id]:
                found.append((reading.confidence, question_id, reading.option))
        found.sort(reverse=True)
        if not found or (len(found) > 1 and found[0][0] == found[1][0]):
            return {}
        return {found[0][1]: found[0][2]}

    def _interruption(self, flow_id: str, text: str, lang: str) -> str | None:
        """The other topic a longer message is confidently about, or None."""
        if len(content(words(text))) < MIN_WORDS_TO_INTERRUPT:
            return None
        routing = route(text, lang)
        if routing.offtopic or routing.ambiguous or not routing.candidates:
            return None
        top = routing.candidates[0]
        own = self.flows[flow_id].spec.topic
        if top == own or top not in self.kb.topics or top in self.related.get(flow_id, ()):
            return None
        share = dict(routing.ranked).get(top, 0.0)
        return top if share >= INTERRUPT_SHARE else None

    def polarity(self, text: str, lang: str) -> str | None:
        """ "yes" or "no" for a short reply to a yes/no the bot asked, else None."""
        ws = words(text)
        if not ws or len(ws) > 6:
            return None
        matches = self.reader.polarity.find(ws, _order(lang))
        if not matches:
            return None
        return min(matches, key=lambda m: (m.start, -m.size)).label

    # Openings ---------------------------------------------------------------------------------
    def flow_for_topic(self, topic_id: str, text: str, lang: str, today: date) -> str | None:
        """The flow an opening routed to ``topic_id`` (a topic without a flow) starts instead
        (``opening_facts.yaml``): when the topic is itself an answer of that flow
        ("situation=competitor"), or the opening states one of the answers listed: a choice it
        names, or an amount or a number of days next to a word of lateness ("il me doit 2400
        balles")."""
        return next(iter(self.topic_answers(topic_id, text, lang, today)), None)

    def topic_answers(
        self, topic_id: str, text: str, lang: str, today: date
    ) -> dict[str, dict[str, Any]]:
        """flow id → the answers the topic itself gives, for each flow ``flow_for_topic`` may
        start (in the file's order)."""
        text = text[:MAX_READ]
        found_flows: dict[str, dict[str, Any]] = {}
        for flow_id, entries in self.opening_facts.get(topic_id, {}).items():
            if flow_id not in self.flows:
                continue
            given = dict(e.split("=", 1) for e in entries if "=" in e)
            if given:
                found_flows[flow_id] = given
                continue
            found = self.facts(flow_id, text, lang, today, skip=set(), opening=True)
            for question_id in entries:
                if question_id not in found:
                    continue
                free_text = self.kind_of(flow_id, question_id) != "choice"
                if not free_text or self._mentions_late(text, lang):
                    found_flows[flow_id] = {}
                    break
        return found_flows

    def asked_flow(self, text: str, lang: str) -> str | None:
        """The flow whose question an opening message asks ("should I keep working with him?")."""
        ws = self.opening_words.of(text[:MAX_READ], lang)
        found = self.asks.find(ws, _order(lang))
        matches = [m for m in found if m.label in self.flows]  # the longest first
        flows = {m.label for m in matches}
        if len(flows) == 1:
            return flows.pop()
        if not matches:
            return None
        best = matches[0]  # the longest; as long as another flow's: the router decides
        rival = next(m for m in matches if m.label != best.label)
        return best.label if best.size > rival.size else None


_BARE_NUMBER = re.compile(
    r"(?<![\w-])\d{1,3}(?:[\s\u00a0\u202f.,']\d{3})+(?!\d)|(?<![\w-])\d+(?![\d])"
)
_TIMES = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)")  # "3k", "2,5 mille"
_ELIDED = re.compile(r"\b[^\W\d_][’']")  # "j'avais", "d'accord": no "j" (jours) or "d" (days)


def _number_of(value: Any) -> int | None:
    """45 → 45, "2400 EUR" → 2400, anything else → None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        head = value.split()[0] if value.split() else ""
        try:
            number = float(head)
        except ValueError:
            return None
        return int(number) if number == int(number) else None
    return None


_CURRENCY = "|".join(sorted((re.escape(c) for c in CURRENCIES), key=len, reverse=True))


def _number_pattern(number: int) -> str:
    """The ways ``number`` is written: 2400, 2 400, 2.400, 2,400, with a currency or not."""
    grouped = f"{number:,}"
    seps = (",", ".", " ", "\u00a0", "\u202f")
    forms = {str(number), *(grouped.replace(",", sep) for sep in seps)}
    said = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return rf"(?:(?:{_CURRENCY})\s*)?(?:{said})(?:\s*(?:{_CURRENCY})(?!\w))?"


def _order(lang: str) -> list[str]:
    return [lang, *(code for code in LANGS if code != lang)]


def _clauses(text: str) -> list[str]:
    """A message cut at sentence and clause marks."""
    return [c for c in re.split(r"[.!?;\n]+|,\s+(?:and|but|et|mais|og|men)\s", text) if c.strip()]
