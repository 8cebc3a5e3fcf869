"""The Telegram bot: a python-telegram-bot ``Application`` with one catch-all handler.

The handler only translates (``read_update``), deduplicates (``store.claim_event``), asks the
engine, and renders. The engine's state machine owns the conversation; there is no
``ConversationHandler``. Webhook updates arrive through :meth:`TelegramBot.routes` (served by
``clientcoach serve``): the secret is checked, the update is written to the durable inbox with its
dedupe mark (``tg:<bot id>:<update_id>``) and only then answered ``200``; a worker hands it to the
Application (:meth:`TelegramBot.process`), every outgoing call journalled so a redelivered update
never sends twice. Long polling (:meth:`TelegramBot.run_polling`, :mod:`bot.telegram.polling`)
takes the same road: each fetched update is stored in the inbox before its offset confirms it.
Inline queries are answered by the process that receives them, never queued
(:meth:`TelegramBot.answered_directly`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import (
    CallbackQuery,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, BaseRateLimiter, ContextTypes, TypeHandler

import knowledge
from bot.config import MissingSetting, Settings
from bot.flood_windows import WindowLimiter
from bot.inbox.base import Entry, Inbox
from bot.inbox.delivery import current as current_delivery
from bot.inbox.delivery import in_delivery, replies_once, send_once
from bot.inline_drafts import InlineDrafts
from bot.metrics import METRICS
from bot.models import ConversationKey, Reply
from bot.store.base import SessionStore, StoreUnavailable
from bot.telegram import profile
from bot.telegram.inline import InlineMode
from bot.telegram.limits import RetryingRateLimiter
from bot.telegram.ordering import PerPersonOrder, person_of
from bot.telegram.render import (
    MAX_CHARS,
    Outgoing,
    deep_link_for,
    escape,
    render,
    utf16_len,
)
from bot.telegram.updates import Incoming, Me, read_update
from bot.webhook_secret import secret_problem

log = logging.getLogger("bot.telegram")

ALLOWED_UPDATES = [
    "message", "callback_query", "my_chat_member", "inline_query", "chosen_inline_result",
]  # fmt: skip
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Engine(Protocol):
    async def handle(self, turn: Any) -> list[Reply]: ...


def file_url(api_url: str) -> str:
    """``https://api.telegram.org/bot`` → ``https://api.telegram.org/file/bot``."""
    head, sep, tail = api_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}" if sep else api_url


class TelegramBot:
    """Telegram in and out for one bot token; built as ``TelegramBot(settings, engine, store)``."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        store: SessionStore,
        *,
        rate_limiter: BaseRateLimiter[Any] | None = None,
        texts: knowledge.KnowledgeBase | None = None,
        read_timeout: float = 5.0,
    ) -> None:
        settings.require("TELEGRAM_BOT_TOKEN")
        assert settings.telegram_bot_token is not None
        quiet_libraries(settings.log_text)
        self.settings = settings
        self.engine = engine
        self.store = store
        self.kb = texts or knowledge.load()
        self._me: Me | None = None
        self._started = False
        self.inbox: Inbox | None = None  # set by the service: updates are queued, then handled
        self.runner: Any = None
        self.app: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(settings.telegram_bot_token.get_secret_value())
            .base_url(settings.telegram_api_url)
            .base_file_url(file_url(settings.telegram_api_url))
            .rate_limiter(rate_limiter or self._flood_limits(settings, store))
            .concurrent_updates(PerPersonOrder(64))
            .updater(None)  # polling has an Updater of its own, whose queue is the inbox
            .read_timeout(read_timeout)
            .get_updates_read_timeout(read_timeout)
            .build()
        )
        self.inline = InlineMode(InlineDrafts(engine), self.text)
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)

    @staticmethod
    def _flood_limits(settings: Settings, store: SessionStore) -> RetryingRateLimiter:
        """Telegram's limits for this bot, shared by every worker when the store is Redis."""
        assert settings.telegram_bot_token is not None
        bot = settings.telegram_bot_token.get_secret_value().partition(":")[0]
        return RetryingRateLimiter(
            WindowLimiter.for_store(store),
            bot=bot,
            overall_max_rate=settings.telegram_max_rate,
            chat_max_rate=settings.telegram_chat_rate,
            group_max_per_minute=settings.telegram_group_per_minute,
        )

    # -- texts ---------------------------------------------------------------------------------

    def text(self, key: str, lang: str) -> str:
        return self.kb.text(key, lang)

    # -- life cycle ----------------------------------------------------------------------------

    @property
    def me(self) -> Me:
        if self._me is None:
            raise RuntimeError("TelegramBot.start() has not run")
        return self._me

    async def start(self, *, webhook: bool = True) -> None:
        """Initialise (``getMe``), register the command menu, set the webhook when configured.

        Calling it again while started does nothing.
        """
        if self._started:
            return
        await self.app.initialize()
        bot = self.app.bot
        self._me = Me(bot.id, bot.username)
        log.info(
            "telegram bot @%s (id %s) can_read_all_group_messages=%s",
            bot.username,
            bot.id,
            bot.bot.can_read_all_group_messages,
        )
        await self.set_commands()
        if webhook and self.settings.telegram_webhook_url:
            secret = self._webhook_secret()
            await bot.set_webhook(
                self.settings.telegram_webhook_url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        await self.app.start()
        self._started = True

    async def stop(self) -> None:
        """Finish the updates in hand and close the HTTP client; safe to call twice."""
        if not self._started:
            return
        self._started = False
        await self.app.stop()
        await self.app.shutdown()

    async def set_commands(self) -> None:
        """Command menus (private chats, groups) and descriptions in every language."""
        await profile.publish(self.app.bot, self.text)

    def _webhook_secret(self) -> str:
        """``TELEGRAM_WEBHOOK_SECRET``, checked against Telegram's rule."""
        self.settings.require("TELEGRAM_WEBHOOK_SECRET")
        assert self.settings.telegram_webhook_secret is not None
        secret = self.settings.telegram_webhook_secret.get_secret_value()
        problem = secret_problem(secret)
        if problem:
            raise MissingSetting(problem)
        return secret

    async def run_polling(self, stop: asyncio.Event, *, timeout: int = 10) -> None:
        """Long polling until ``stop`` is set (``deleteWebhook`` first, as Telegram requires):
        every update stored in the inbox before it is confirmed, handled by the inbox's runner
        (one of its own unless :func:`bot.telegram.polling.attach_inbox` gave it one)."""
        from bot.telegram.polling import run_polling

        await run_polling(self, stop, timeout=timeout, allowed_updates=ALLOWED_UPDATES)

    # -- webhook -------------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """``POST /telegram/webhook``; needs a valid ``TELEGRAM_WEBHOOK_SECRET``."""
        self._webhook_secret()
        return [Route("/telegram/webhook", self.webhook, methods=["POST"])]

    async def webhook(self, request: Request) -> Response:
        """Check the secret header, parse the update, store it; never a 500 for bad input."""
        secret = self.settings.telegram_webhook_secret
        given = request.headers.get(SECRET_HEADER, "").encode()
        if secret is None or not hmac.compare_digest(given, secret.get_secret_value().encode()):
            log.warning("telegram webhook: wrong or missing secret token")
            return Response(status_code=403)
        if not self._started:
            return Response(status_code=503)
        body = await read_capped(request, self.settings.max_body_bytes)
        if body is None:
            return Response(status_code=413)
        update = self.parse_update(body)
        if update is None:
            return Response(status_code=400)
        if self.answered_directly(update):
            await self.app.update_queue.put(update)
            return Response(status_code=200)
        if self.inbox is not None and await self._enqueue(update, body):
            return Response(status_code=200)
        await self.app.update_queue.put(update)
        return Response(status_code=200)

    def event_key(self, update_id: int) -> str:
        """The dedupe key of an update, the same in webhook and polling mode."""
        return f"tg:{self.bot_id}:{update_id}"

    @property
    def bot_id(self) -> int:
        """The bot's id: the part of the token before the colon (what ``getMe`` returns)."""
        assert self.settings.telegram_bot_token is not None
        head = self.settings.telegram_bot_token.get_secret_value().partition(":")[0]
        return int(head) if head.isdigit() else (self._me.id if self._me else 0)

    @staticmethod
    def answered_directly(update: Update) -> bool:
        """Inline queries and chosen results are handled where they arrive, not queued: an
        answer is only useful within seconds (Telegram refuses one to an old query), it is keyed
        by the query id (a second answer is refused, never shown twice), and a query recovered
        after a crash is stale. A queue behind a burst of turns would only make them late."""
        return update.inline_query is not None or update.chosen_inline_result is not None

    @staticmethod
    def update_body(update: Update) -> bytes:
        """A fetched update as JSON for the inbox (its fields as Telegram sent them)."""
        return json.dumps(update.to_dict(), ensure_ascii=False).encode("utf-8")

    async def _enqueue(self, update: Update, body: bytes) -> bool:
        """Store the update with its dedupe mark (a repeat is acknowledged only). False when the
        inbox cannot be written: the update is then handled in this process, where the person
        gets the "temporarily unavailable" notice instead of a silent retry."""
        try:
            await self.store_update(update, body)
        except StoreUnavailable as exc:
            log.warning("telegram update handled in-process: inbox unavailable (%s)",
                        type(exc).__name__)
            return False
        return True

    async def store_update(self, update: Update, body: bytes) -> bool:
        """Write the update to the inbox with its dedupe mark, in the person's order: True for a
        first copy, False for a repeat; raises ``StoreUnavailable`` when it cannot be written."""
        assert self.inbox is not None
        started = time.perf_counter()
        chat, user = person_of(update) or (0, 0)
        try:
            first = await self.inbox.put(
                "telegram", self.event_key(update.update_id), f"telegram|{chat}|{user}",
                body.decode("utf-8"), f"telegram|{user}" if user else None,
            )
        except StoreUnavailable:
            METRICS.acks.labels("telegram", "refused").inc()
            METRICS.store_errors.labels("intake").inc()
            raise
        METRICS.acks.labels("telegram", "queued" if first else "repeat").inc()
        METRICS.ack_latency.labels("telegram").observe(time.perf_counter() - started)
        if not first:
            log.info("telegram update %s: duplicate, skipped", update.update_id)
        return first

    async def process(self, entry: Entry) -> None:
        """Handle one inbox entry: the stored update through the Application, inline (the
        handler runs in this task, so its sends are journalled under this entry)."""
        update = Update.de_json(json.loads(entry.body), self.app.bot)
        await self.app.process_update(update)

    def parse_update(self, body: bytes) -> Update | None:
        """An ``Update`` bound to our bot, or None for anything that is not one."""
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            return Update.de_json(data, self.app.bot)
        except Exception as exc:  # noqa: BLE001 - malformed input of any shape is a 400
            log.warning("telegram webhook: unreadable update (%s)", type(exc).__name__)
            return None

    # -- handling ------------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Catch-all handler: translate, deduplicate, ask the engine, answer.

        For an inbox entry, a failure is handed to the worker (Application would only log it):
        a store error leaves the entry to be retried, where nothing already sent is sent again.
        """
        delivery = current_delivery.get()
        if delivery is None:
            await self._answer_update(update)
            return
        try:
            await self._answer_update(update)
        except Exception as exc:  # noqa: BLE001 - the worker decides: retry, or drop and log
            delivery.failure = exc

    async def _answer_update(self, update: Update) -> None:
        started = time.perf_counter()
        if self.answered_directly(update):
            if (update.chosen_inline_result is not None and not in_delivery()
                    and not await self._first(update)):
                return  # counted once: the order of the empty query depends on it
            await self.inline.handle(update)
            return
        incoming = read_update(update, self.me)
        if incoming is None:
            if update.callback_query is not None:
                await self._answer_callback(update.callback_query)
            return
        turn = incoming.turn
        assert turn.event_id is not None
        if not in_delivery():  # an inbox entry was deduplicated when it was stored
            try:
                first = await self.store.claim_event(turn.event_id, turn.key.person)
            except StoreUnavailable:
                first = True  # the engine answers with its "temporarily unavailable" notice
            if not first:
                log.info("telegram update %s: duplicate, skipped", update.update_id)
                return
        replies = list(await replies_once(lambda: self.engine.handle(turn)))
        if incoming.callback is not None:
            toast = next((r.text for r in replies if r.notice), None)
            replies = [r for r in replies if not r.notice]
            await self._answer_callback(incoming.callback, toast)
            if replies:
                await self._mark_choice(incoming.callback, replies[0].lang)
        sent = await self.deliver(incoming, replies)
        log.info(
            "telegram update %s kind=%s chat=%s replies=%d sent=%d ms=%.1f",
            update.update_id,
            turn.kind,
            turn.chat_kind,
            len(replies),
            sent,
            (time.perf_counter() - started) * 1000,
        )

    async def _first(self, update: Update) -> bool:
        """Whether this update id is seen for the first time (True when the store is down)."""
        try:
            return await self.store.claim_event(self.event_key(update.update_id))
        except StoreUnavailable:
            return True

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure by type and update id only (never the update, it holds text)."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "telegram update %s failed: %s",
            update_id,
            type(context.error).__name__,
            exc_info=context.error if not isinstance(context.error, TelegramError) else None,
        )

    async def _answer_callback(self, query: CallbackQuery, notice: str | None = None) -> None:
        try:
            await send_once(lambda: query.answer(text=notice))
        except TelegramError as exc:
            log.warning("telegram answerCallbackQuery failed: %s", type(exc).__name__)

    async def _mark_choice(self, query: CallbackQuery, lang: str) -> None:
        """Replace the pressed keyboard by the choice made (or just remove it), once."""
        await send_once(lambda: self._edit_choice(query, lang))

    async def _edit_choice(self, query: CallbackQuery, lang: str) -> None:
        message = query.message
        if not isinstance(message, Message):
            return
        label = pressed_label(message, query.data)
        try:
            if label and message.text:
                choice = self.kb.text("tg_your_choice", lang, label=label)
                if utf16_len(message.text) + 2 + utf16_len(choice) <= MAX_CHARS:
                    await message.edit_text(
                        f"{message.text_html}\n\n<i>{escape(choice)}</i>",
                        parse_mode=ParseMode.HTML,
                        reply_markup=None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                    return
            await message.edit_reply_markup(reply_markup=None)
        except TelegramError as exc:  # too old, already edited, deleted…
            log.info("telegram: keyboard not updated (%s)", type(exc).__name__)

    # -- sending -------------------------------------------------------------------------------

    async def send(self, key: ConversationKey, replies: list[Reply]) -> int:
        """Send replies to a conversation (used by the reminder scheduler)."""
        thread = int(key.thread) if key.thread else None
        return await self._send_all(int(key.chat), thread, None, replies)

    async def deliver(self, incoming: Incoming, replies: list[Reply]) -> int:
        """Send the engine's replies where the turn came from; returns messages sent."""
        return await self._send_all(
            incoming.chat_id, incoming.thread_id, incoming.reply_to, replies
        )

    async def _send_all(
        self, chat_id: int, thread: int | None, reply_to: int | None, replies: list[Reply]
    ) -> int:
        sent = 0
        username = self._me.username if self._me else None
        try:
            for reply in replies:
                link = (
                    deep_link_for(reply) if reply.continue_in_dm else None
                )
                for message in render(reply, self.text, bot_username=username, deep_link=link):
                    await self._paced(chat_id, lambda m=message: self._send(chat_id, thread,
                                                                            reply_to, m))
                    sent += 1
        except TelegramError as exc:
            log.warning("telegram sendMessage failed after %d sent: %s", sent, type(exc).__name__)
        return sent

    async def _paced(self, chat_id: int, call: Callable[[], Awaitable[None]]) -> None:
        """One message, once: room in the flood windows first, then the journalled call."""
        limiter = self.app.bot.rate_limiter
        paced = isinstance(limiter, RetryingRateLimiter)
        if paced:
            await limiter.reserve("sendMessage", {"chat_id": chat_id})
        try:
            await send_once(call)
        finally:
            if paced:
                await limiter.release()

    async def _send(
        self, chat_id: int, thread: int | None, reply_to: int | None, message: Outgoing
    ) -> None:
        reply = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if reply_to
            else None
        )
        try:
            await self.app.bot.send_message(
                chat_id,
                message.html,
                parse_mode=ParseMode.HTML,
                reply_markup=message.keyboard,
                message_thread_id=thread,
                reply_parameters=reply,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest:
            if reply is None and thread is None:
                raise
            # the thread or the message replied to may be gone: send to the chat itself
            await self.app.bot.send_message(
                chat_id,
                message.html,
                parse_mode=ParseMode.HTML,
                reply_markup=message.keyboard,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )


def quiet_libraries(log_text: bool) -> None:
    """httpx logs URLs, which hold the token; PTB's debug lines hold whole updates and texts."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if not log_text:
        logging.getLogger("telegram").setLevel(logging.INFO)


def pressed_label(message: Message, data: str | None) -> str | None:
    """The label of the button whose ``callback_data`` was ``data``."""
    markup = message.reply_markup
    if markup is None or data is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
