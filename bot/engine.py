"""The dialog engine: one :class:`Turn` in, a list of :class:`Reply` out, for every platform.

Per turn: rate limit, lock the conversation, load its session, resolve the language (explicit
choice > detected in the message > platform locale > English), then either a payload (button,
command, or a whole message that is a command word) or free text (an answer to the current
question, or a topic found by routing), save, answer. Store failures become a short
"temporarily unavailable" reply; the engine itself never raises on user input.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import knowledge
from bot import (
    draft_values,
    follow_up,
    handover,
    overview,
    payloads,
    quoted,
    reply_policy,
    suggestions,
)
from bot.dialog_policy import DialogPolicy
from bot.flows import DONE, Flow, FlowModel, FlowSpec, question_of
from bot.formal_notice import FormalNotice, remembered
from bot.inbox.delivery import in_delivery
from bot.logs import text_field
from bot.models import ConversationKey, Reply, Turn, normalize_lang
from bot.payloads import Action
from bot.repair import Repairs
from bot.replies import ReplyBook
from bot.store.base import Reminder, Session, SessionStore, StoreUnavailable
from bot.turn_state import TurnState, describe
from bot.understanding import detect_language, route, turn_memo
from bot.understanding.conversation_data import load as load_conversation_data
from bot.vocab import Vocabulary, fold
from dialogs.registry import FLOWS
from knowledge.models import LANGS, KnowledgeBase

log = logging.getLogger("clientcoach.engine")

MAX_READ = 2000  # characters of a message read for language and topic
DAY = 86400.0
TOUCH_AFTER = 300.0  # an unchanged session is still saved this often, to keep it from expiring
DEFAULT_RATE_WINDOW = 60.0  # seconds
CLOSEST = 2  # topics offered for a question about work that no topic covers
IDLE = "idle"
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone halves (JSON allows "\\ud800"); not UTF-8


@dataclass
class _Turn:
    """What one turn works on: the input, the session, and what to do with it afterwards."""

    turn: Turn
    session: Session
    lang: str = "en"
    forgotten: bool = False
    extra: list[Reply] = field(default_factory=list)
    verdict: tuple[str, list[str], dict[str, Any]] | None = None  # flow, outcomes, slots
    typed_command: bool = False  # a message that opens with a command ("checklist late payment")

    @property
    def group(self) -> bool:
        return self.turn.chat_kind == "group"


@dataclass
class _Trace:
    """What the turn's log line reports: flow and state before and after, language, outcome."""

    lang: str
    flow: str | None = None
    state_before: str = IDLE
    state_after: str = IDLE
    outcome: str = ""

    def before(self, session: Session) -> None:
        self.flow, self.state_before = session.flow, session.state

    def after(self, session: Session) -> None:
        self.flow = session.flow or self.flow
        self.state_after = session.state
        self.lang = session.lang or self.lang


class Engine(Repairs):
    """Shared by every conversation of a process; holds no per-conversation state."""

    def __init__(
        self,
        store: SessionStore | None = None,
        kb: KnowledgeBase | None = None,
        *,
        rate_limit: int | None = None,
        rate_window: float | None = None,
        settings: Any = None,
    ) -> None:
        if rate_limit is None and settings is not None:
            rate_limit = getattr(settings, "rate_limit_per_minute", None) or None
        if rate_window is None and settings is not None:
            rate_window = getattr(settings, "rate_window_s", None)  # CLIENTCOACH_RATE_WINDOW
        if store is None:
            from bot.store.memory import MemoryStore

            store = MemoryStore()
        self.store = store
        self.kb = kb or knowledge.load()
        self.flows = {
            fid: Flow(spec) for fid, spec in FLOWS.items() if spec.topic in self.kb.topics
        }
        self.book = ReplyBook(self.kb, self.flows)
        self.vocab = Vocabulary.from_knowledge(self.kb)
        self.policy = DialogPolicy(self.kb, self.flows, load_conversation_data(), self.vocab)
        self.notice = FormalNotice(self.kb, self.book)
        self.rate_limit = rate_limit
        self.rate_window = float(rate_window or DEFAULT_RATE_WINDOW)
        self._options = self._option_words()

    def _option_words(self) -> dict[tuple[str, str], dict[str, str]]:
        """Per (flow, question): folded labels in every language, ids and numbers → option id."""
        table: dict[tuple[str, str], dict[str, str]] = {}
        for fid, flow in self.flows.items():
            topic = self.kb.topics[flow.spec.topic]
            for question in topic.questions:
                words: dict[str, str] = {}
                for n, option in enumerate(question.options, 1):
                    words[str(n)] = option.id
                    words[fold(option.id.replace("-", " "))] = option.id
                    for lang in LANGS:
                        words.setdefault(fold(option.label.get(lang)), option.id)
                for lang in LANGS:  # "yes" for "Yes, I trust them" when no other option starts so
                    firsts = [fold(o.label.get(lang)).split(" ")[0] for o in question.options]
                    for first, option in zip(firsts, question.options, strict=True):
                        if firsts.count(first) == 1:
                            words.setdefault(first, option.id)
                table[(fid, question.id)] = words
        return table

    # Entry points ---------------------------------------------------------------------------
    async def handle(self, turn: Turn) -> list[Reply]:
        """Answer one turn. Never raises on user input; store trouble gives a short notice."""
        replies, _ = await self.handle_turn(turn)
        return replies

    async def handle_turn(self, turn: Turn) -> tuple[list[Reply], TurnState | None]:
        """The replies of one turn and the conversation's state after it (None when the store
        failed or the turn was refused)."""
        started = time.perf_counter()
        fallback = normalize_lang(turn.locale) or "en"
        trace = _Trace(fallback)
        state: list[TurnState] = []
        try:
            if reply_policy.is_foreign(turn):
                trace.outcome = "foreign_button"
                replies = [reply_policy.notice(self.book, reply_policy.FOREIGN_BUTTON, fallback)]
            else:
                with turn_memo.one_turn():  # the readings of this message share their work
                    replies = await self._handle(turn, fallback, trace, state)
                replies = reply_policy.shape(turn, replies)
        except StoreUnavailable as exc:
            if in_delivery():
                raise  # an inbox entry: retried later rather than answered "unavailable"
            log.warning("store unavailable", extra={"error": str(exc)[:200]})
            trace.outcome = "unavailable"
            replies = [reply_policy.notice(self.book, reply_policy.UNAVAILABLE, fallback)]
        if log.isEnabledFor(logging.INFO):
            self._log_turn(turn, trace, replies, started)
        return replies, state[0] if state else None

    async def _handle(
        self, turn: Turn, fallback: str, trace: _Trace, state_out: list[TurnState]
    ) -> list[Reply]:
        key, person = turn.key.as_str(), turn.key.person
        if self.rate_limit and turn.kind != "joined":
            allowed = await self.store.hit_rate(person, self.rate_window, self.rate_limit)
            if not allowed:
                trace.outcome = "rate_limited"
                return [reply_policy.notice(self.book, reply_policy.RATE_LIMITED, fallback)]
        async with self.store.lock(key):
            loaded = await self.store.load(key)
            session = loaded or Session()
            unchanged = session.snapshot() if loaded is not None else None
            self._repair(session)
            trace.before(session)
            state = _Turn(turn, session, session.lang or fallback)
            replies = await self._dispatch(state)
            trace.after(session)
            state_out.append(describe(session, state.verdict, self.flows))
            if not state.forgotten and (
                unchanged != session.snapshot() or time.time() - session.updated > TOUCH_AFTER
            ):
                await self.store.save(key, person, session)
        return replies

    @staticmethod
    def _log_turn(turn: Turn, trace: _Trace, replies: list[Reply], started: float) -> None:
        """One INFO line per turn: ids, kind, flow and state before → after, language, replies,
        latency; the message text only when ``CLIENTCOACH_LOG_TEXT`` allows it."""
        fields: dict[str, Any] = {
            "conversation": turn.key.as_str(),
            "event_id": turn.event_id,
            "kind": turn.kind,
            "flow": trace.flow,
            "state": f"{trace.state_before} -> {trace.state_after}",
            "lang": trace.lang,
            "replies": len(replies),
            "latency_ms": round((time.perf_counter() - started) * 1000, 3),
        }
        if trace.outcome:
            fields["outcome"] = trace.outcome
        fields.update(text_field(turn.text))
        log.info("turn", extra=fields)

    async def pending_question(self, key: str) -> Reply | None:
        """The question a conversation is waiting on (to resume it), or None outside a flow."""
        session = await self.store.load(key)
        if session is None:
            return None
        self._repair(session)
        if session.flow is None:
            return None
        return self.book.question(session.flow, question_of(session.state), session.lang or "en")

    def takes_number(self, flow_id: str, question_id: str) -> bool:
        """Whether a question reads a bare number as its answer (days late, an amount): a
        surface that shows its buttons numbered lets a typed number press one only elsewhere
        (a choice, or the invoice number, where "1" is the "1) Skip" shown)."""
        if flow_id not in self.flows or question_id not in self.flows[flow_id].spec.questions:
            return True
        return self.policy.kind_of(flow_id, question_id) in ("days", "amount")

    async def state_of(self, key: str) -> TurnState:
        """The state of a conversation as it is stored (no turn taken)."""
        session = await self.store.load(key) or Session()
        self._repair(session)
        return describe(session, None, self.flows)

    async def opening(self, key: ConversationKey, locale: str | None) -> suggestions.Opening:
        """What a new assistant thread of ``key`` shows (bot.suggestions)."""
        return await suggestions.opening(self, key, locale)

    async def carry_over(self, source: ConversationKey, target: ConversationKey,
                         locale: str | None = None) -> list[Reply]:
        """Continue ``source`` in the direct chat ``target`` (bot.handover)."""
        return await handover.carry(self, source, target, locale)

    async def overview(self, direct: ConversationKey, locale: str | None) -> overview.Overview:
        """The person's home page: situations, waiting reminders, language (bot.overview)."""
        return await overview.overview(self, direct, locale)

    def reminder_reply(self, reminder: Reminder) -> Reply:
        """The message a due reminder sends to its conversation, in the person's language."""
        lang = normalize_lang(reminder.lang) or "en"
        reply = self.book.reminder_due(reminder.topic, lang)
        if reply_policy.reminder_is_private(reminder.note):
            return reply.model_copy(update={"private": True})
        return reply

    # Session hygiene ------------------------------------------------------------------------
    def _repair(self, session: Session) -> None:
        """A session naming an unknown flow, state or language is reset to the top level."""
        if session.lang not in (None, *LANGS):
            session.lang, session.lang_chosen = None, False
        if session.flow is None:
            session.state = IDLE
        elif session.flow not in self.flows or not self.flows[session.flow].valid_state(
            session.state
        ):
            self._leave_flow(session)
        if not isinstance(session.slots, dict):
            session.slots = {}

    @staticmethod
    def _leave_flow(session: Session) -> None:
        session.flow, session.state, session.slots = None, IDLE, remembered(session.slots)

    # Language -------------------------------------------------------------------------------
    def _resolve_language(self, t: _Turn, text: str | None, word_lang: str | None) -> str:
        session = t.session
        if session.lang_chosen and session.lang:
            return session.lang
        if word_lang:  # a command word sets the language only of a conversation without one
            return session.lang or word_lang
        if text and t.turn.kind == "command" and not t.typed_command:  # typed: as a message
            return session.lang or normalize_lang(t.turn.locale) or "en"
        hint = normalize_lang(t.turn.locale)
        if text and text.strip():
            return detect_language(text[:MAX_READ], hint=hint, current=session.lang)
        return session.lang or hint or "en"

    # Dispatch -------------------------------------------------------------------------------
    async def _dispatch(self, t: _Turn) -> list[Reply]:
        turn, session = t.turn, t.session
        if turn.quoted:  # a client's message: its words never set the person's language
            t.lang = session.lang = self._resolve_language(t, None, None)
            return quoted.advise(self.book, session, turn.text or "", t.lang, turn.client,
                                 turn.at.date(), self.vocab.units)
        payload = turn.payload if turn.kind in ("button", "command") else None
        text = turn.text if payload is None else None
        if text and not text.isascii():
            text = _SURROGATE.sub("\ufffd", text)
        word_lang: str | None = None
        if payload is None and text:
            awaited = self._awaited(t, text)
            if awaited is not None:
                payload, text = awaited, None
        if payload is None and session.awaiting and turn.kind != "button":
            held = self._small_talk_while_awaiting(t, text or "")
            if held is not None:
                return held
            session.awaiting = None  # the bot's yes/no went unanswered: the message is read as is
        if payload is None and text and not self._is_option(session, text):
            hit = self.vocab.command(text)
            if hit is not None and not self._small_talk_in_flow(session, text, hit[0]):
                payload, word_lang = hit
                text = None
            elif hit is None and session.flow is None:
                worded = self.vocab.command_with_words(text)  # "checklist late payment"
                named = self._typed_topic(worded[1], session) if worded is not None else None
                if worded is not None and named is not None:  # routed once, here
                    payload, text = payloads.fmt(worded[0], named), None
                    t.typed_command = True
                    t.turn = turn = turn.model_copy(update={"kind": "command", "text": worded[1]})
        said = text
        if turn.kind == "command" and turn.text and payload is not None:
            said = _SURROGATE.sub("\ufffd", turn.text)  # "/checklist <words>": their language
            t.turn = turn = turn.model_copy(update={"text": said})
        t.lang = session.lang = self._resolve_language(t, said, word_lang)
        if turn.kind == "joined":
            return [self.book.with_menu("group_intro", t.lang)]
        if turn.kind == "non_text" and payload is None:
            return self._with_question(t, self.book.with_menu("non_text", t.lang))
        if payload is not None:
            return await self._action(t, payloads.parse(payload))
        return self._text(t, text or "")

    def _small_talk_in_flow(self, session: Session, text: str, payload: str) -> bool:
        """During a flow, "hello" is small talk, not a new start ("start over" still is)."""
        if session.flow is None or payload != "start":
            return False
        return self.policy.small_talk.kind(text, session.lang or "en") == "greeting"

    def _is_option(self, session: Session, text: str) -> bool:
        """True when ``text`` names an option of the current question (options beat commands:
        "Je ne sais pas" or "no idea" is an answer where the question has such an option, not
        "skip")."""
        if session.flow is None or len(text) > 200:
            return False
        options = self._options.get((session.flow, question_of(session.state)))
        if options and fold(text) in options:
            return True
        return self.policy.names_option(session.flow, session.state, text, session.lang or "en")

    def _cancel(self, t: _Turn) -> list[Reply]:
        """Stop: the flow is left, then what waits is offered (or the menu)."""
        self._leave_flow(t.session)
        book = self.book
        return [book.notice("cancelled", t.lang), *(self._offers(t) or [book.menu(t.lang)])]

    def _with_question(self, t: _Turn, first: Reply) -> list[Reply]:
        """``first``, then the current question again when a flow is under way."""
        session = t.session
        if session.flow is None:
            return [first]
        question = question_of(session.state)
        notice = first.model_copy(update={"buttons": []})
        return [notice, self.book.question(session.flow, question, t.lang)]

    async def _action(self, t: _Turn, action: Action | None) -> list[Reply]:
        session, lang, book = t.session, t.lang, self.book
        if action is None:
            return self._stale(t)
        name, arg = action.name, action.arg
        if name == "start":
            self._leave_flow(session)
            session.paused = session.later = None
            return [book.start(lang)]
        if name == "menu":
            self._pause(t)
            self._leave_flow(session)
            return [book.menu(lang)]
        if name == "cancel":
            return self._cancel(t)
        if name == "switch":
            return self._switch(t, arg)
        if name == "keep":
            return self._keep(t)
        if name == "resume":
            return self._resume(t, arg)
        if name == "drop":
            return self._drop(t)
        if name == "help":
            return self._with_question(t, book.help(lang))
        if name == "lang":
            if not arg:
                return [book.language_picker(lang)]
            t.lang = session.lang = arg
            session.lang_chosen = True
            return self._with_question(t, book.language_set(arg))
        if name == "topic":
            return self._open_topic(t, arg) if arg in self.kb.topics else self._stale(t)
        if name == "flow":
            return self._start_flow(t, arg) if arg in self.flows else self._stale(t)
        if name == "checklist":
            return self._checklist(t, arg)
        if name == "a":
            return self._answer_button(t, arg, action.arg2)
        if name == "skip":
            return self._skip(t)
        if name == "draft":
            return self._draft_in(t, arg)
        if name == "dr":
            return self._draft_pick(t, arg)
        if name == "remind":
            return await self._remind(t, arg) if t.turn.reminders else self._stale(t)
        if name == "law":
            return self._law(t, arg, action.arg2)
        if name == "forget":
            if arg != "yes":
                session.awaiting = "forget"
                return [book.forget_confirm(lang)]
            await self.store.forget(t.turn.key.person)
            t.forgotten = True
            return [book.notice("forgotten", lang)]
        return self._stale(t)

    def _checklist(self, t: _Turn, arg: str) -> list[Reply]:
        """``checklist:<topic-id>``; a command's words (``/checklist late payment``) name the topic
        through routing; no words → the picker, words that name no topic → the picker too."""
        book, lang = self.book, t.lang
        topic_id: str | None = arg if arg in self.kb.topics else None
        if topic_id is None and t.turn.kind == "command":
            words = (t.turn.text or arg.replace("-", " "))[:MAX_READ].strip()
            if not words:
                return [book.checklist_picker(lang)]
            topic_id = self._topic_named(words, lang)
            if topic_id is None:
                return [book.checklist_picker(lang, "checklist_unknown")]
        if topic_id is None:
            return [book.checklist_picker(lang)] if not arg else self._stale(t)
        self._leave_flow(t.session)
        return [book.checklist(topic_id, lang)]

    def _typed_topic(self, words: str, session: Session) -> str | None:
        """The topic the words after a command typed in a message name ("checklist late
        payment"); None: the message is read as a message ("checklists help, my client says")."""
        lang = detect_language(words[:MAX_READ], current=session.lang)
        return self._topic_named(words[:MAX_READ], lang)

    def _topic_named(self, words: str, lang: str) -> str | None:
        """The topic ``words`` name: its id typed out, or the one clear routing candidate."""
        slug = "-".join(fold(words).split())
        if slug in self.kb.topics:
            return slug
        routing = route(words, lang)
        if routing.offtopic or routing.ambiguous or not routing.candidates:
            return None
        top = routing.candidates[0]
        return top if top in self.kb.topics else None

    def _stale(self, t: _Turn) -> list[Reply]:
        """A payload we did not offer now: re-ask the current question, or back to the menu."""
        session = t.session
        if session.flow is not None:
            return [self.book.reask(session.flow, question_of(session.state), t.lang)]
        return [self.book.with_menu("stale", t.lang)]

    # Topics and flows -----------------------------------------------------------------------
    def _open_topic(self, t: _Turn, topic_id: str, text: str | None = None) -> list[Reply]:
        """Answer a topic, or start its flow (``text``: the message that led there, read for the
        flow's prefilled slots)."""
        self._chosen(t, topic_id)
        flow_id = self.book.flow_of_topic.get(topic_id)
        given: dict[str, Any] = {}
        if flow_id is None and text:
            answers = self.policy.topic_answers(topic_id, text, t.lang, t.turn.at.date())
            flow_id, given = next(iter(answers.items()), (None, {}))
        if flow_id is not None:
            return self._start_flow(t, flow_id, text, given)
        session = t.session
        self._leave_flow(session)
        session.topic = topic_id
        session.slots |= {"_d": self.kb.topics[topic_id].drafts[0].id}
        reply = self._prefixed(self.book.topic_answer(topic_id, t.lang), self._feeling(t, text))
        said = self._said(text, t, topic_id)
        if said:
            session.slots[draft_values.SAID] = said
            values = self.book.fill_values(topic_id, session.slots, t.lang)
            draft = self.book.draft(self.kb.topics[topic_id].drafts[0], t.lang, values)
            reply = reply.model_copy(update={"draft": draft})
        if t.group:
            reply = reply.model_copy(update={"continue_in_dm": True, "resume": f"topic:{topic_id}"})
        return [reply, *self._offers(t)]

    def _feeling(self, t: _Turn, text: str | None) -> str | None:
        """A line acknowledging distress or anger in the message that opened a topic."""
        if not text:
            return None
        return self._talk_text(self.policy.small_talk.feelings(text, t.lang), t.lang)

    def _start_flow(
        self, t: _Turn, flow_id: str, text: str | None = None, given: dict[str, Any] | None = None
    ) -> list[Reply]:
        """Start (or resume) a flow; ``given``: answers the topic that led here gives itself,
        under what the message states."""
        session, flow = t.session, self.flows[flow_id]
        spec = flow.spec
        if session.paused and session.paused.get("flow") == flow_id:
            if session.flow is not None and session.flow != flow_id:
                self._pause(t)
            return self._resume(t, flow_id)
        if session.flow is not None and session.flow != flow_id:
            self._pause(t)
        slots = (given or {}) | (self._prefill(spec, text, t) if text else {})
        said = {k: v for k, v in self._said(text, t, spec.topic).items() if k not in spec.fills}
        slots = remembered(session.slots) | slots | ({draft_values.SAID: said} if said else {})
        session.flow, session.state, session.slots = flow_id, spec.initial, slots
        session.topic, session.misses = spec.topic, 0
        feeling = self._feeling(t, text)
        if not any(question in slots for question in spec.questions):
            start = self.book.flow_start(flow_id, question_of(spec.initial), t.lang, t.group)
            return [self._prefixed(start, feeling)]
        model = flow.start(slots)
        if model.state == DONE:
            return self._conclude(t, model, notes=[feeling])
        session.state = model.state
        question = question_of(model.state)
        noted = self.book.t("prefill_noted", t.lang, items=self._describe(flow_id, slots, t.lang))
        intro = self.book.t("flow_start", t.lang, title=self.book.title(spec.topic, t.lang))
        reply = self._prefixed(self.book.question(flow_id, question, t.lang), feeling, intro, noted)
        if t.group:
            reply = reply.model_copy(update={"continue_in_dm": True, "resume": f"flow:{flow_id}"})
        return [reply]

    def _prefill(self, spec: FlowSpec, text: str, t: _Turn) -> dict[str, Any]:
        """The answers the message that starts a flow states plainly."""
        return self.policy.facts(spec.id, text, t.lang, t.turn.at.date(), skip=set(), opening=True)

    def _answer_button(self, t: _Turn, question_id: str, option_id: str) -> list[Reply]:
        session = t.session
        if session.flow is None:
            return self._stale(t)
        current = question_of(session.state)
        options = self._options.get((session.flow, current), {})
        if question_id != current or option_id not in options.values():
            return self._stale(t)
        return self._advance(t, current, option_id)

    def _skip(self, t: _Turn) -> list[Reply]:
        """Any question can be skipped: the flow goes on without that answer."""
        session = t.session
        if session.flow is None:
            return self._stale(t)
        session.misses = 0
        note = self.book.t("skipped", t.lang)
        return self._advance(t, question_of(session.state), None, notes=[note])

    def _advance(
        self, t: _Turn, question_id: str, value: Any, notes: list[str | None] | None = None
    ) -> list[Reply]:
        """Record the answer, fire the ``answer`` event, then ask the next question or conclude."""
        session = t.session
        flow_id = session.flow
        assert flow_id is not None
        flow = self.flows[flow_id]
        session.slots[question_id] = value
        model = flow.advance(session.state, session.slots)
        if model.state != DONE:
            session.state = model.state
            question = self.book.question(flow_id, question_of(model.state), t.lang)
            return [self._prefixed(question, *(notes or []))]
        return self._conclude(t, model, notes)

    def _conclude(
        self, t: _Turn, model: FlowModel, notes: list[str | None] | None = None
    ) -> list[Reply]:
        """The verdict of a finished flow; the session keeps the draft's values and id."""
        session = t.session
        flow_id = session.flow
        assert flow_id is not None
        flow = self.flows[flow_id]
        path = set(flow.path(session.slots))
        answers = {q: v for q, v in session.slots.items() if q in path}
        known = answers | {k: v for k, v in session.slots.items() if k.startswith("_")}
        reply, draft_id = self.book.outcome(
            flow_id, model.outcomes, model.extra_advice, known, t.lang, t.turn.reminders
        )
        if self.notice.offered(flow_id, model.outcomes, known):
            reply = self.notice.offer(reply, t.lang)
        t.verdict = (flow_id, list(model.outcomes), answers)
        kept_slots = (*flow.spec.fills.values(), draft_values.SAID)
        kept = {slot: session.slots.get(slot) for slot in kept_slots}
        session.flow, session.state, session.misses = None, IDLE, 0
        session.slots = (
            remembered(session.slots)
            | {k: v for k, v in kept.items() if v is not None}
            | {"_d": draft_id}
        )
        offers = self._offers(t)
        return [self._prefixed(reply, *(notes or [])), *(offers or [self.book.after_flow(t.lang)])]

    # Free text ------------------------------------------------------------------------------
    def _text(self, t: _Turn, text: str) -> list[Reply]:
        session = t.session
        if not text.strip():
            if session.flow is not None:
                return [self.book.reask(session.flow, question_of(session.state), t.lang)]
            return [self.book.with_menu("empty", t.lang)]
        if session.flow is not None:
            return self._text_in_flow(t, text)
        return self._routed(t, text)

    def _routed(self, t: _Turn, text: str) -> list[Reply]:
        asked = self.policy.asked_flow(text, t.lang)
        if asked is not None:
            return self._start_flow(t, asked, text)
        talk = self.policy.small_talk.kind(text, t.lang)
        if talk is not None and talk not in ("greeting",):
            said = self._talk_text(talk, t.lang, at_menu=True)
            return [self._prefixed(self.book.menu(t.lang), said)]
        replies = self._routed_replies(t, text)
        feeling = self._feeling(t, text)
        if feeling and replies and feeling not in replies[0].text:
            replies[0] = self._prefixed(replies[0], feeling)  # acknowledged before the advice
        return replies

    def _routed_replies(self, t: _Turn, text: str) -> list[Reply]:
        routing = route(text[:MAX_READ], t.lang)
        candidates = [c for c in routing.candidates if c in self.kb.topics]
        if routing.offtopic and routing.about_work:
            closest = [topic for topic, _ in routing.ranked[:CLOSEST] if topic in self.kb.topics]
            return [self.book.ambiguous(closest, t.lang, "offtopic_work")]
        if routing.offtopic or not candidates:
            return [self.book.with_menu("offtopic", t.lang)]
        if follow_up.unanchored_switch(t.session, routing, candidates, text, self.kb.topics):
            answered = str(t.session.topic)
            return [self.book.ambiguous([answered, candidates[0]], t.lang, "follow_up")]
        if routing.two_topics and len(candidates) >= 2:
            t.session.later = ",".join(candidates[:2])  # the one not chosen is offered after
            return [self.book.ambiguous(candidates[:2], t.lang, "two_topics")]
        if routing.ambiguous and len(candidates) >= 2:
            stated = self._stated_flow(t, candidates, text)
            if stated is not None:
                return self._open_topic(t, stated, text)
            return [self.book.ambiguous(candidates, t.lang)]
        return self._open_topic(t, candidates[0], text)

    def _stated_flow(self, t: _Turn, candidates: list[str], text: str) -> str | None:
        """Of topics the router cannot tell apart, one that leads to the same flow as all the
        others, by its own flow or by an answer of that flow the message states ("il me doit
        2400 balles, il répond plus": late payment, or ghosting where the money owed starts the
        unpaid invoice too)."""
        today = t.turn.at.date()
        flows = {}
        for topic_id in candidates:
            own = self.book.flow_of_topic.get(topic_id)
            flows[topic_id] = own or self.policy.flow_for_topic(topic_id, text, t.lang, today)
        if None in flows.values() or len(set(flows.values())) != 1:
            return None
        return next((c for c in candidates if self.book.flow_of_topic.get(c)), candidates[0])

    def _said(self, text: str | None, t: _Turn, topic_id: str) -> dict[str, Any]:
        """Draft values the message states (rates, dates, hours, "3 weeks ago") that a draft
        of the topic has a place for."""
        if not text:
            return {}
        numbers = self.vocab.numbers_in.get(t.lang, self.vocab.numbers)
        said = draft_values.read(text, t.turn.at.date(), self.vocab.units, numbers)
        wanted = {p for d in self.kb.topics[topic_id].drafts for p in d.placeholders("en")}
        return {k: v for k, v in said.items() if k in wanted or k == "_date"}

    def _law(self, t: _Turn, country: str, target: str) -> list[Reply]:
        """``law``: ask where the business is based (or answer for the country already known);
        ``law:<country>[:<lang>]``: remember it and answer, the notice written in ``<lang>``."""
        session = t.session
        if session.flow is not None:
            return self._stale(t)
        known = session.slots.get("_country")
        if not country:
            if known not in self.kb.law:
                return [self.notice.ask(session.slots, t.lang)]
            country = str(known)
        if country not in self.kb.law:
            return self._stale(t)
        session.slots["_country"] = country
        today = t.turn.at.date()
        return [self.notice.answer(country, session.slots, t.lang, target or t.lang, today)]

    # Drafts and reminders -------------------------------------------------------------------
    def _draft_in(self, t: _Turn, target: str) -> list[Reply]:
        session = t.session
        draft_id = session.slots.get("_d")
        topic = self.kb.topics.get(session.topic or "")
        if topic is None or not any(d.id == draft_id for d in topic.drafts):
            return [self.book.with_menu("draft_none", t.lang)]
        return [self.book.draft_in(topic.id, str(draft_id), session.slots, t.lang, target)]

    def _draft_pick(self, t: _Turn, draft_id: str) -> list[Reply]:
        """Another draft of the topic last answered (outside a flow); anything else is stale."""
        session = t.session
        topic = self.kb.topics.get(session.topic or "")
        if session.flow is not None or topic is None or "_d" not in session.slots:
            return self._stale(t)
        if not any(d.id == draft_id for d in topic.drafts):
            return self._stale(t)
        session.slots["_d"] = draft_id
        return [self.book.draft_pick(topic.id, draft_id, session.slots, t.lang)]

    async def _remind(self, t: _Turn, arg: str) -> list[Reply]:
        key = t.turn.key
        if arg == "cancel":
            count = await self.store.cancel_reminders(key.as_str())
            return [self.book.notice("reminder_cancelled" if count else "reminder_none", t.lang)]
        days = int(arg)
        if not 1 <= days <= 365:
            return [self.book.notice("reminder_bad", t.lang)]
        topic = t.session.topic or ""
        reminder = Reminder(
            id=uuid.uuid4().hex[:16],
            key=key.as_str(),
            person=key.person,
            due=t.turn.at.timestamp() + days * DAY,
            lang=t.lang,
            topic=topic,
            note=reply_policy.reminder_note(t.turn),
        )
        await self.store.add_reminder(reminder)
        return [self.book.reminder_set(days, topic, t.lang)]


def build_engine(settings: Any = None, store: SessionStore | None = None) -> Engine:
    """The engine of a service: store from ``settings.store`` unless given, rate limit and window
    from ``settings.rate_limit_per_minute`` and ``settings.rate_window_s``, idle time from
    ``settings.session_idle_hours``."""
    if settings is None:
        from bot.config import get_settings

        settings = get_settings()
    if store is None:
        from bot.store import open_store

        store = open_store(settings.store, idle_seconds=settings.session_idle_hours * 3600)
    return Engine(store, settings=settings)
