"""Build :class:`Reply` objects from the knowledge base: menu, questions, topic answers, outcomes.

Everything that does not depend on a person's answers (menus, questions, topic answers, pickers)
is built once per language and reused: replies are immutable. Only flow outcomes, whose draft is
filled with the person's answers, are assembled per turn.
"""

from __future__ import annotations

from typing import Any

from bot import draft_values, payloads
from bot.flows import Flow
from bot.models import Button, Draft, Reply
from knowledge.models import LANGS, KnowledgeBase, Topic
from knowledge.models import Draft as DraftText

BULLET = "• "
MAX_OTHER_DRAFTS = 2  # buttons for a topic's other drafts
SEP = "\n\n"


class _Fill(dict[str, str]):
    """Placeholder values; a missing one renders as its localized hint, e.g. ``[client name]``."""

    def __init__(self, values: dict[str, str], hints: dict[str, str]) -> None:
        super().__init__(values)
        self.hints = hints

    def __missing__(self, key: str) -> str:
        return self.hints.get(key, "[" + key + "]")


class ReplyBook:
    """Every reply the engine can give, in every language, cached where it can be."""

    def __init__(self, kb: KnowledgeBase, flows: dict[str, Flow]) -> None:
        self.kb = kb
        self.flows = flows
        self.flow_of_topic = {f.spec.topic: fid for fid, f in flows.items()}
        self.topic_ids = [t for t in kb.catalog.topics if t in kb.topics]
        self.hints = {
            lang: {
                name: kb.text(f"hint_{name}", lang)
                for name in kb.catalog.placeholders
                if f"hint_{name}" in kb.interface
            }
            for lang in LANGS
        }
        self._cache: dict[tuple[str, ...], Any] = {}

    # Small helpers --------------------------------------------------------------------------
    def t(self, key: str, lang: str, **values: Any) -> str:
        return self.kb.text(key, lang, **values)

    def _cached(self, key: tuple[str, ...], build: Any) -> Any:
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = build()
        return hit

    def _button(self, payload: str, key: str, lang: str, **values: Any) -> Button:
        return Button(payload=payload, label=self.t(key, lang, **values))

    def menu_button(self, lang: str) -> Button:
        return self._cached(("b-menu", lang), lambda: self._button("menu", "btn_menu", lang))

    def menu_buttons(self, lang: str) -> list[Button]:
        def build() -> list[Button]:
            buttons = [
                self._button(payloads.fmt("flow", fid), f.spec.label, lang)
                for fid, f in self.flows.items()
            ]
            buttons.append(self._button("help", "btn_help", lang))
            buttons.append(self._button("checklist", "btn_checklists", lang))
            buttons.append(self._button("lang", "btn_lang", lang))
            return buttons

        return self._cached(("b-menus", lang), build)

    def _with_menu(self, key: str, lang: str, **values: Any) -> Reply:
        return Reply(text=self.t(key, lang, **values), lang=lang, buttons=self.menu_buttons(lang))

    def title(self, topic_id: str, lang: str) -> str:
        topic = self.kb.topics.get(topic_id)
        return topic.title.get(lang) if topic else ""

    # Top level ------------------------------------------------------------------------------
    def notice(self, key: str, lang: str) -> Reply:
        """A reply with only a text (rate limit, unavailable, cancelled …)."""
        return self._cached(("n", key, lang), lambda: Reply(text=self.t(key, lang), lang=lang))

    def with_menu(self, key: str, lang: str) -> Reply:
        """A text followed by the menu buttons (off-topic, not understood, stale …)."""
        return self._cached(("m", key, lang), lambda: self._with_menu(key, lang))

    def start(self, lang: str) -> Reply:
        def build() -> Reply:
            text = self.t("greeting", lang) + SEP + self.t("menu_intro", lang)
            return Reply(text=text, lang=lang, buttons=self.menu_buttons(lang))

        return self._cached(("start", lang), build)

    def menu(self, lang: str) -> Reply:
        return self.with_menu("menu_intro", lang)

    def help(self, lang: str) -> Reply:
        def build() -> Reply:
            buttons = [
                Button(payload=payloads.fmt("topic", t), label=self.title(t, lang))
                for t in self.topic_ids
                if t not in self.flow_of_topic
            ]
            buttons.append(self.menu_button(lang))
            return Reply(text=self.t("help", lang), lang=lang, buttons=buttons)

        return self._cached(("help", lang), build)

    def language_picker(self, lang: str) -> Reply:
        def build() -> Reply:
            buttons = [
                Button(payload=f"lang:{code}", label=self.t("lang_self", code)) for code in LANGS
            ]
            return Reply(text=self.t("lang_pick", lang), lang=lang, buttons=buttons)

        return self._cached(("lang", lang), build)

    def language_set(self, lang: str) -> Reply:
        return self.with_menu("lang_set", lang)

    def checklist_picker(self, lang: str, key: str = "checklist_pick") -> Reply:
        """Every topic's checklist as a button, under the text ``key``."""

        def build() -> Reply:
            buttons = [
                Button(payload=payloads.fmt("checklist", t), label=self.title(t, lang))
                for t in self.topic_ids
            ]
            buttons.append(self.menu_button(lang))
            return Reply(text=self.t(key, lang), lang=lang, buttons=buttons)

        return self._cached(("cl-pick", key, lang), build)

    def checklist(self, topic_id: str, lang: str) -> Reply:
        def build() -> Reply:
            topic = self.kb.topics[topic_id]
            open_payload = payloads.fmt("topic", topic_id)
            buttons = [self._button(open_payload, "btn_full_advice", lang), self.menu_button(lang)]
            return Reply(
                text=self.t("checklist_title", lang, title=topic.title.get(lang)),
                lang=lang,
                checklist=[item.text.get(lang) for item in topic.checklist],
                buttons=buttons,
                resume=payloads.fmt("checklist", topic_id),
            )

        return self._cached(("cl", topic_id, lang), build)

    def ambiguous(self, topics: list[str], lang: str, key: str = "ambiguous") -> Reply:
        """The text ``key`` ("Is it one of these?", "Two things: which first?", "No advice on
        that yet, the closest:") with a button per topic, then the menu."""
        buttons = [
            Button(payload=payloads.fmt("topic", topic), label=self.title(topic, lang))
            for topic in topics
        ]
        return Reply(text=self.t(key, lang), lang=lang, buttons=[*buttons, self.menu_button(lang)])

    def forget_confirm(self, lang: str) -> Reply:
        def build() -> Reply:
            buttons = [
                self._button("forget:yes", "btn_forget_yes", lang),
                self._button("menu", "btn_forget_no", lang),
            ]
            return Reply(text=self.t("forget_confirm", lang), lang=lang, buttons=buttons)

        return self._cached(("forget", lang), build)

    # Drafts ---------------------------------------------------------------------------------
    def fill_values(self, topic_id: str, slots: dict[str, Any], lang: str) -> dict[str, str]:
        """Placeholder values from a flow's answers (amount written the language's way)."""
        flow_id = self.flow_of_topic.get(topic_id)
        raw: dict[str, Any] = dict(slots.get(draft_values.SAID) or {})
        if flow_id is not None:
            for placeholder, slot in self.flows[flow_id].spec.fills.items():
                if slots.get(slot) not in (None, ""):
                    raw[placeholder] = slots[slot]
        placeholders = {p for d in self.kb.topics[topic_id].drafts for p in d.placeholders(lang)}
        return draft_values.render(raw, lang, placeholders)

    def draft(self, draft: DraftText, lang: str, values: dict[str, str]) -> Draft:
        template = draft.text.get(lang)
        fill = _Fill(values, self.hints[lang])
        try:
            text = template.format_map(fill)
            if draft.subject is not None:
                subject = draft.subject.get(lang).format_map(fill)
                text = self.t("draft_subject", lang, subject=subject) + SEP + text
        except (ValueError, IndexError, KeyError, AttributeError):
            text = template
        return Draft(title=draft.title.get(lang), text=text, lang=lang)  # type: ignore[arg-type]

    def draft_buttons(self, lang: str, shown: str) -> list[Button]:
        """ "Message in <language>" for the two languages the draft is not shown in."""
        return self._cached(
            ("b-draft", lang, shown),
            lambda: [
                self._button(
                    f"draft:{code}",
                    "btn_draft_in",
                    lang,
                    language=self.t(f"lang_name_{code}", lang),
                )
                for code in LANGS
                if code != shown
            ],
        )

    def other_drafts(self, topic_id: str, shown: str, lang: str) -> list[Button]:
        """Buttons (``dr:<draft-id>``) for up to two other drafts of the topic, in ``lang``."""

        def build() -> list[Button]:
            others = [d for d in self.kb.topics[topic_id].drafts if d.id != shown]
            return [
                Button(payload=payloads.fmt("dr", d.id), label=d.title.get(lang))
                for d in others[:MAX_OTHER_DRAFTS]
            ]

        return self._cached(("b-other", topic_id, shown, lang), build)

    def draft_pick(self, topic_id: str, draft_id: str, slots: dict[str, Any], lang: str) -> Reply:
        """Another draft of the topic, filled with what the person told, in ``lang``."""
        topic = self.kb.topics[topic_id]
        text = topic.draft(draft_id)
        draft = self.draft(text, lang, self.fill_values(topic_id, slots, lang))
        buttons = [
            *self.draft_buttons(lang, lang),
            *self.other_drafts(topic_id, draft_id, lang),
            self.menu_button(lang),
        ]
        return Reply(
            text=self.t("draft_pick", lang, title=text.title.get(lang)),
            lang=lang,
            draft=draft,
            buttons=buttons,
        )

    def draft_in(
        self, topic_id: str, draft_id: str, slots: dict[str, Any], lang: str, target: str
    ) -> Reply:
        """The last draft again, written in ``target`` (the text around it stays in ``lang``)."""
        topic = self.kb.topics[topic_id]
        draft = self.draft(topic.draft(draft_id), target, self.fill_values(topic_id, slots, target))
        name = self.t(f"lang_name_{target}", lang)
        buttons = [*self.draft_buttons(lang, target), self.menu_button(lang)]
        return Reply(
            text=self.t("draft_other_lang", lang, language=name),
            lang=lang,
            draft=draft,
            buttons=buttons,
        )

    # Topic answers --------------------------------------------------------------------------
    def _advice_block(self, topic: Topic, ids: list[str], lang: str) -> str:
        known = {a.id: a for a in topic.advice}
        lines = [BULLET + known[i].text.get(lang) for i in ids if i in known]
        return self.t("advice_heading", lang) + "\n" + "\n".join(lines) if lines else ""

    def topic_answer(self, topic_id: str, lang: str) -> Reply:
        """Summary, advice, checklist and the first draft of a topic without a flow."""

        def build() -> Reply:
            topic = self.kb.topics[topic_id]
            parts = [topic.title.get(lang), topic.summary.get(lang)]
            parts.append(self._advice_block(topic, [a.id for a in topic.advice], lang))
            draft = self.draft(topic.drafts[0], lang, {})
            return Reply(
                text=SEP.join(p for p in parts if p),
                lang=lang,
                checklist=[item.text.get(lang) for item in topic.checklist],
                draft=draft,
                buttons=[
                    *self.draft_buttons(lang, lang),
                    *self.other_drafts(topic_id, topic.drafts[0].id, lang),
                    self.menu_button(lang),
                ],
            )

        return self._cached(("topic", topic_id, lang), build)

    # Flows ----------------------------------------------------------------------------------
    def question(self, flow_id: str, question_id: str, lang: str) -> Reply:
        """The question with its options as buttons (skip for optional free-text questions)."""

        def build() -> Reply:
            flow = self.flows[flow_id]
            question = self.kb.topics[flow.spec.topic].question(question_id)
            buttons = [
                Button(payload=payloads.answer(question_id, o.id), label=o.label.get(lang))
                for o in question.options
            ]
            if question.kind == "choice":
                buttons.append(self._button("cancel", "btn_cancel", lang))
            elif question_id in flow.spec.optional:
                buttons.append(self._button("skip", "btn_skip", lang))
            return Reply(text=question.text.get(lang), lang=lang, buttons=buttons)

        return self._cached(("q", flow_id, question_id, lang), build)

    def flow_start(self, flow_id: str, question_id: str, lang: str, group: bool) -> Reply:
        def build() -> Reply:
            flow = self.flows[flow_id]
            first = self.question(flow_id, question_id, lang)
            intro = self.t("flow_start", lang, title=self.title(flow.spec.topic, lang))
            return first.model_copy(update={"text": intro + SEP + first.text})

        reply: Reply = self._cached(("start-flow", flow_id, lang), build)
        if not group:
            return reply
        return reply.model_copy(update={"continue_in_dm": True, "resume": f"flow:{flow_id}"})

    def reask(self, flow_id: str, question_id: str, lang: str, key: str = "reask") -> Reply:
        def build() -> Reply:
            question = self.question(flow_id, question_id, lang)
            return question.model_copy(update={"text": self.t(key, lang) + SEP + question.text})

        return self._cached(("reask", flow_id, question_id, key, lang), build)

    def outcome(
        self,
        flow_id: str,
        outcomes: list[str],
        extra: list[str],
        slots: dict[str, Any],
        lang: str,
        reminders: bool = True,
    ) -> tuple[Reply, str]:
        """The verdict, advice, checklist and filled draft (with reminder buttons when the
        platform delivers reminders); also returns the draft id used."""
        spec = self.flows[flow_id].spec
        topic = self.kb.topics[spec.topic]
        known = {o.id: o for o in topic.outcomes}
        picked = [known[o] for o in outcomes if o in known]
        advice: list[str] = []
        for item in [a for o in picked for a in o.advice] + extra:
            if item not in advice:
                advice.append(item)
        draft_id = next((o.draft for o in picked if o.draft), None) or topic.drafts[0].id
        parts = [o.text.get(lang) for o in picked]
        parts.append(self._advice_block(topic, advice, lang))
        draft = self.draft(topic.draft(draft_id), lang, self.fill_values(spec.topic, slots, lang))
        buttons = list(self.draft_buttons(lang, lang))
        buttons += self.other_drafts(spec.topic, draft_id, lang)
        if reminders:
            buttons += [self._remind_button(days, lang) for days in spec.remind_days]
        reply = Reply.model_construct(
            text=SEP.join(p for p in parts if p),
            lang=lang,
            buttons=buttons,
            checklist=[item.text.get(lang) for item in topic.checklist],
            draft=draft,
            continue_in_dm=False,
            private=False,
        )
        return reply, draft_id

    def _remind_button(self, days: int, lang: str) -> Button:
        return self._cached(
            ("b-remind", str(days), lang),
            lambda: self._button(f"remind:{days}", "btn_remind", lang, days=days),
        )

    def after_flow(self, lang: str) -> Reply:
        return self.with_menu("menu_again", lang)

    # Reminders ------------------------------------------------------------------------------
    def reminder_set(self, days: int, topic_id: str, lang: str) -> Reply:
        title = self.title(topic_id, lang) or self.t("btn_menu", lang)
        buttons = [self._button("remind:cancel", "btn_remind_cancel", lang), self.menu_button(lang)]
        return Reply(
            text=self.t("reminder_set", lang, days=days, title=title), lang=lang, buttons=buttons
        )

    def reminder_due(self, topic_id: str, lang: str) -> Reply:
        """The follow-up message a reminder sends: back to the topic (or its flow) or the menu."""
        title = self.title(topic_id, lang) or self.t("btn_menu", lang)
        buttons: list[Button] = []
        flow_id = self.flow_of_topic.get(topic_id)
        if flow_id is not None:
            buttons.append(self._button(f"flow:{flow_id}", self.flows[flow_id].spec.label, lang))
        elif topic_id in self.kb.topics:
            buttons.append(self._button(f"topic:{topic_id}", "btn_full_advice", lang))
        buttons.append(self.menu_button(lang))
        return Reply(text=self.t("reminder_due", lang, title=title), lang=lang, buttons=buttons)
