"""Slack's own surfaces, mixed into :class:`bot.slack.app.SlackBot`:

- the "Ask clientcoach" message shortcut: the message becomes the opening of the person's DM
  conversation (advice in their language, a reply draft to the message's author); a short
  private note in the channel says where the advice is. Works in Slack Connect channels: only
  the person's DM is written to.
- assistant threads (bolt's ``AsyncAssistant``): suggested prompts in the person's language, a
  status while the engine works, the topic as the thread's title. A thread is the same engine
  conversation as the plain DM, which keeps working for workspaces without the feature.
- "Continue in a DM": the group conversation is carried to the DM (``bot.handover``).

Like every listener, each one acknowledges at once and works in the background.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncAssistant, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.inbox.delivery import send_once
from bot.models import ConversationKey, Turn, normalize_lang
from bot.overview import UNREMIND
from bot.overview import cancel as cancel_reminder
from bot.slack.events import (
    SHORTCUT_ID,
    HomeClick,
    Inbound,
    assistant_thread_of,
    assistant_to_inbound,
    direct_key,
    shortcut_to_quote,
    split_chat,
)
from bot.slack.home import home_view
from bot.slack.render import escape
from bot.store.base import StoreUnavailable

log = logging.getLogger("clientcoach.slack")

ASSISTANT_EVENTS = ("assistant_thread_started", "assistant_thread_context_changed")
TITLE_LIMIT = 255


class NativeSurfaces:
    """Needs from its host: ``engine``, ``kb``, ``store``, ``locales``, ``_spawn``, ``_handle``,
    ``_deliver``, ``_respond``, ``_direct_channel``, ``_first_time``."""

    engine: Any
    kb: Any
    store: Any
    locales: Any

    def register_native(self, app: AsyncApp, logger: logging.Logger) -> None:
        app.shortcut(SHORTCUT_ID)(self._on_shortcut)
        assistant = AsyncAssistant(logger=logger)
        assistant.thread_started(self._on_thread_started)
        assistant.thread_context_changed(self._on_thread_context_changed)
        assistant.user_message(self._on_assistant_message)
        app.use(assistant)

    # listeners -------------------------------------------------------------------------------
    async def _on_shortcut(self, ack: Any, body: dict[str, Any],
                           context: AsyncBoltContext) -> None:
        await ack()
        self._spawn("shortcut", self._ask_about(body, context.client))  # type: ignore[attr-defined]

    async def _on_thread_started(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        self._spawn("assistant", self._open_thread(body, context.client))  # type: ignore[attr-defined]

    async def _on_thread_context_changed(self, body: dict[str, Any]) -> None:
        """The channel the person looks at changed: nothing the advice depends on."""

    async def _on_assistant_message(self, body: dict[str, Any],
                                    context: AsyncBoltContext) -> None:
        self._spawn("assistant", self._answer_in_thread(  # type: ignore[attr-defined]
            body, context.client, context.bot_user_id))

    # work ------------------------------------------------------------------------------------
    async def _ask_about(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        quote = shortcut_to_quote(body)
        if quote is None:
            return
        channel = await self._direct_channel(client, quote.user)  # type: ignore[attr-defined]
        author = quote.author_name
        if quote.author:
            author = await self._name_of(client, quote.author)
        turn = Turn(key=direct_key(quote.team, channel, quote.user), kind="message",
                    text=quote.text, quoted=True, client=author)
        inbound = Inbound(turn, channel, None, quote.team, app_id=quote.app_id)
        replies = await self._handle(client, inbound)  # type: ignore[attr-defined]
        await self._deliver(client, inbound, replies)  # type: ignore[attr-defined]
        if quote.response_url and replies:
            note = escape(self.kb.text("quoted_sent", replies[0].lang))
            await self._respond(quote.response_url,  # type: ignore[attr-defined]
                                {"response_type": "ephemeral", "text": note})

    async def _name_of(self, client: AsyncWebClient, user: str) -> str | None:
        """A person's name as their workspace shows it (Slack Connect included), or None."""
        try:
            found = (await client.users_info(user=user)).get("user") or {}
        except (SlackApiError, OSError, TimeoutError) as exc:
            log.info("slack author name unknown", extra={"error": type(exc).__name__})
            return None
        profile = found.get("profile") or {}
        name = found.get("real_name") or profile.get("real_name") or profile.get("display_name")
        return name if isinstance(name, str) and name.strip() else None

    async def _open_thread(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        thread = assistant_thread_of(body)
        if thread is None:
            return
        key = direct_key(thread.team, thread.channel, thread.user)
        locale = await self.locales.get(client, thread.team, thread.user)
        opening = await self.engine.opening(key, locale)
        if opening.prompts:
            await client.assistant_threads_setSuggestedPrompts(
                channel_id=thread.channel, thread_ts=thread.thread_ts,
                title=opening.title, prompts=opening.prompts)
        turn = Turn(key=key, kind="command", locale=locale)
        inbound = Inbound(turn, thread.channel, thread.thread_ts, thread.team)
        await self._deliver(client, inbound, opening.replies)  # type: ignore[attr-defined]

    async def _answer_in_thread(self, body: dict[str, Any], client: AsyncWebClient,
                                bot_user_id: str | None) -> None:
        inbound = assistant_to_inbound(body, bot_user_id)
        if inbound is None or inbound.thread_ts is None:
            return
        turn = inbound.turn
        if turn.event_id and not await self._first_time(turn):  # type: ignore[attr-defined]
            return
        before = await self._session(inbound)
        lang = before.lang if before is not None and before.lang else None
        if lang is None:
            locale = await self.locales.get(client, inbound.team, inbound.turn.key.user)
            lang = normalize_lang(locale) or "en"
        await self._thread_call(client.assistant_threads_setStatus, inbound,
                                status=self.kb.text("assistant_working", lang))
        replies = await self._handle(client, inbound)  # type: ignore[attr-defined]
        await self._deliver(client, inbound, replies)  # type: ignore[attr-defined]
        after = await self._session(inbound)
        if after is None or after.topic not in self.kb.topics:
            return
        if before is None or before.topic != after.topic or before.lang != after.lang:
            title = self.kb.topics[after.topic].title.get(after.lang or "en")[:TITLE_LIMIT]
            await self._thread_call(client.assistant_threads_setTitle, inbound, title=title)

    async def _session(self, inbound: Inbound) -> Any:
        """The conversation's session (its language and topic), or None."""
        try:
            return await self.store.load(inbound.turn.key.as_str())
        except StoreUnavailable:
            return None

    @staticmethod
    async def _thread_call(method: Any, inbound: Inbound, **fields: Any) -> None:
        """``assistant.threads.*`` on this thread; a thread that is not an assistant one (a plain
        DM thread) refuses it, which changes nothing for the conversation."""
        try:
            await method(channel_id=inbound.channel, thread_ts=inbound.thread_ts, **fields)
        except SlackApiError as exc:
            log.info("slack assistant call refused",
                     extra={"error": str(exc.response.get("error", ""))[:60]})

    async def publish_home(self, client: AsyncWebClient, direct: ConversationKey) -> None:
        """The App Home of the person of ``direct`` (their DM conversation with the app)."""
        team = split_chat(direct.chat)[0]
        locale = await self.locales.get(client, team, direct.user)
        view = home_view(self.kb, await self.engine.overview(direct, locale))
        await send_once(lambda: client.views_publish(user_id=direct.user, view=view))

    async def home_clicked(self, click: HomeClick, client: AsyncWebClient) -> None:
        """A situation (or help, language) starts in the DM; a reminder is cancelled; the tab
        is then published again."""
        channel = await self._direct_channel(client, click.user)  # type: ignore[attr-defined]
        direct = direct_key(click.team, channel, click.user)
        if click.payload.startswith(UNREMIND + ":"):
            await cancel_reminder(self.engine, direct.person, click.payload)
        else:
            turn = Turn(key=direct, kind="button", payload=click.payload)
            inbound = Inbound(turn, channel, None, click.team, app_id=click.app_id)
            await self._converse(client, inbound)  # type: ignore[attr-defined]
        await self.publish_home(client, direct)

    async def continue_in_dm(self, client: AsyncWebClient, inbound: Inbound) -> None:
        """The group conversation of the click goes on in the person's DM with the app."""
        user = inbound.turn.key.user
        channel = await self._direct_channel(client, user)  # type: ignore[attr-defined]
        target = direct_key(inbound.team, channel, user)
        locale = await self.locales.get(client, inbound.team, user)  # type: ignore[attr-defined]
        replies = await self.engine.carry_over(inbound.turn.key, target, locale)
        turn = Turn(key=target, kind="command", locale=locale)
        await self._deliver(client, Inbound(turn, channel, None, inbound.team),  # type: ignore[attr-defined]
                            replies)
