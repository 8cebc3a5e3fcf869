"""The Slack adapter: a slack-bolt ``AsyncApp`` whose listeners only translate and deliver.

Every listener acknowledges at once and hands the work to a background task: the app runs with
``process_before_response=True`` (no 10 ms polling for the ack) and the listener returns as soon
as the task is scheduled, so Slack gets its ``200`` within milliseconds whatever the engine does.
The task: drop repeats (``store.claim_event`` on the ``event_id``, shared by every worker), look up
the person's locale, ``engine.handle(turn)``, render and send.

Where replies go:

- a message in the bot's DM → that DM (top level, or the thread it came from);
- a mention in a channel → the thread of the mention; later replies in that thread from anyone
  continue their own conversation;
- a slash command, or a click on an ephemeral message → ephemeral, through ``response_url``;
- after a click on its own buttons, the person's message loses its buttons and shows the answer.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from slack_bolt.adapter.starlette.async_handler import (
    AsyncSlackRequestHandler,
    to_async_bolt_request,
    to_starlette_response,
)
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from bot.config import Settings
from bot.flood import FloodLimiter
from bot.inbox.base import Entry, Inbox
from bot.inbox.delivery import current as delivery_var
from bot.inbox.delivery import in_delivery, replies_once, send_once, send_once_traced
from bot.logs import quiet_frameworks
from bot.metrics import METRICS
from bot.models import ConversationKey, Reply, Turn
from bot.reply_policy import is_foreign
from bot.slack.events import (
    Inbound,
    action_to_inbound,
    command_to_inbound,
    direct_key,
    event_to_inbound,
    home_click,
    split_chat,
    well_formed,
)
from bot.slack.intake import Intake, intake_of
from bot.slack.locales import LocaleCache
from bot.slack.native import NativeSurfaces
from bot.slack.oauth import BOT_SCOPES, SignedStateStore, open_installation_store
from bot.slack.render import answered, fallback, render
from bot.slack.retry import retry_handlers
from bot.slack.threads import ThreadRegistry
from bot.slack.traced import arrived, post_traced
from bot.store.base import SessionStore, StoreUnavailable
from bot.token_vault import TokenKeyError

log = logging.getLogger("clientcoach.slack")

# Bolt and slack-sdk put request bodies, tokens and OAuth codes in their log lines (a failed
# signature check logs the whole body at INFO). Their records go to this logger, which passes
# only WARNING and up, cut short without arguments (bot.logs.FrameworkFilter).
_framework_log = logging.getLogger("clientcoach.slack.framework")
_framework_log.setLevel(logging.WARNING)
quiet_frameworks()

CLIENT_TIMEOUT_S = 10
DEDUPE_RETRY_S = (0.05, 0.2, 0.5)
current_delivery = delivery_var.get
SHUTDOWN_WAIT_S = 10.0
ACTIONS = re.compile(r"^cc[:-]")
CONVERSATION_EVENTS = ("message", "app_mention", "member_joined_channel")  # → bot.slack.events
OTHER_EVENTS = ("app_home_opened", "tokens_revoked", "app_uninstalled")
SLASH_COMMANDS = ("/checklist", "/coach")


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


class SlackBot(NativeSurfaces):
    """``SlackBot(settings, engine, store)``: routes for HTTP mode, Socket Mode, and ``send``."""

    def __init__(self, settings: Settings, engine: Any, store: SessionStore, *,
                 knowledge: Any = None) -> None:
        if knowledge is None:
            from knowledge import load

            knowledge = load()
        self.settings = settings
        self.engine = engine
        self.store = store
        self.kb = knowledge
        self.oauth = settings.slack_oauth
        self.client = self._web_client(None if self.oauth else _secret(settings.slack_bot_token))
        self.installations = open_installation_store(settings, store) if self.oauth else None
        self.locales = LocaleCache()
        self.threads = ThreadRegistry(store)
        self._tasks: set[asyncio.Task[None]] = set()
        self.inbox: Inbox | None = None  # set by the service: requests are queued, then handled
        self.runner: Any = None
        self.flood = FloodLimiter.for_store(store)
        secret = _secret(settings.slack_signing_secret)
        self._verifier = SignatureVerifier(secret) if secret else None  # None: Socket Mode only
        self.app = self._build_app()
        self._http = AsyncSlackRequestHandler(self.app)

    # construction ----------------------------------------------------------------------------
    def _web_client(self, token: str | None) -> AsyncWebClient:
        return AsyncWebClient(token=token, base_url=self.settings.slack_api_url,
                              timeout=CLIENT_TIMEOUT_S, retry_handlers=retry_handlers(),
                              logger=_framework_log)

    def _oauth_settings(self) -> AsyncOAuthSettings:
        secret = _secret(self.settings.slack_client_secret) or ""
        return AsyncOAuthSettings(
            client_id=self.settings.slack_client_id,
            client_secret=secret,
            scopes=BOT_SCOPES,
            installation_store=self.installations,
            state_store=SignedStateStore(secret, self.store),
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
            install_page_rendering_enabled=False,
            callback_options=AsyncCallbackOptions(success=self._installed, failure=self._failed),
            logger=_framework_log,
        )

    def _build_app(self) -> AsyncApp:
        app = AsyncApp(
            client=self.client,
            signing_secret=_secret(self.settings.slack_signing_secret) or "",
            oauth_settings=self._oauth_settings() if self.oauth else None,
            installation_store=self.installations,
            process_before_response=True,
            raise_error_for_unhandled_request=False,
            request_verification_enabled=False,  # checked by _dispatch, before Bolt reads it
            logger=_framework_log,
        )
        for event in CONVERSATION_EVENTS:
            app.event(event)(self._on_event)
        app.event("app_home_opened")(self._on_home)
        app.event("tokens_revoked")(self._on_uninstalled)
        app.event("app_uninstalled")(self._on_uninstalled)
        app.event(re.compile(r".*"))(self._on_other)  # acknowledge every other event: no retry
        for command in SLASH_COMMANDS:
            app.command(command)(self._on_command)
        app.action(ACTIONS)(self._on_action)
        self.register_native(app, _framework_log)
        return app

    # service contract ------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        """``POST /slack/events`` and, with OAuth, ``GET /slack/install`` and the redirect."""
        self.settings.require("SLACK_SIGNING_SECRET")
        if not self.oauth:
            self.settings.require("SLACK_BOT_TOKEN")

        async def endpoint(request: Request) -> Response:
            if request.method != "POST":
                return await self._http.handle(request)
            return await self._dispatch(request)

        routes = [Route("/slack/events", endpoint, methods=["POST"])]
        if self.oauth:
            routes += [
                Route("/slack/install", endpoint, methods=["GET"]),
                Route("/slack/oauth_redirect", endpoint, methods=["GET"]),
            ]
        return routes

    async def _dispatch(self, request: Request) -> Response:
        """One POST: signature first (one short log line when it fails, never the body), then
        Bolt. Anything malformed is a 4xx, never a 500 or a traceback."""
        try:
            body = await request.body()
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            text = body.decode("utf-8")  # Bolt and the signature check both decode it
        except UnicodeDecodeError:
            return Response("malformed request", status_code=400)
        if not self._signed(text, request):
            log.warning("slack request signature invalid")
            return Response("invalid request", status_code=401)
        kind = request.headers.get("content-type")
        try:
            # parsed as Bolt parses it, without building Bolt's request: a queued request is
            # only stored, and Bolt reads it again in the consumer
            parsed = parse_body(text, kind.split(";")[0] if kind else None)
            if not well_formed(parsed):
                raise ValueError("not the shape of a Slack request")
            intake = intake_of(parsed)
            if intake is not None and self.inbox is not None:
                queued = await self._enqueue(intake, text, kind)
                if queued is not None:
                    return queued
            bolt_response = await self.app.async_dispatch(to_async_bolt_request(request, body))
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:
            log.warning("slack request rejected", extra={"error": type(exc).__name__})
            return Response("malformed request", status_code=400)
        if bolt_response.status >= 500:  # a shape Bolt's own middleware could not read
            log.warning("slack request rejected", extra={"error": "bolt"})
            return Response("malformed request", status_code=400)
        return to_starlette_response(bolt_response)

    async def _enqueue(self, intake: Intake, body: str, kind: str | None) -> Response | None:
        """Store the request in the inbox, then acknowledge; a repeat is acknowledged only.
        When the inbox cannot be written an event is answered 503, so Slack sends it again;
        a command or a click (never resent) is handled here instead (None), which tells the
        person the service is unavailable rather than leaving Slack's error on screen."""
        assert self.inbox is not None
        started = time.perf_counter()
        entry = orjson.dumps({"body": body, "content_type": kind or "application/json"}).decode()
        try:
            first = await self.inbox.put("slack", intake.key, intake.order, entry, intake.person)
        except StoreUnavailable as exc:
            if not intake.resent:
                return None
            METRICS.acks.labels("slack", "refused").inc()
            METRICS.store_errors.labels("intake").inc()
            log.warning("slack request refused: inbox unavailable", extra={"error": str(exc)[:80]})
            return Response("temporarily unavailable", status_code=503,
                            headers={"Retry-After": "1"})
        METRICS.acks.labels("slack", "queued" if first else "repeat").inc()
        METRICS.ack_latency.labels("slack").observe(time.perf_counter() - started)
        return Response(status_code=200)

    async def process(self, entry: Entry) -> None:
        """Handle one inbox entry: the stored request through Bolt, listeners run inline."""
        data = json.loads(entry.body)
        request = AsyncBoltRequest(body=data["body"],
                                   headers={"content-type": [data["content_type"]]})
        delivery = current_delivery()
        await self.app.async_dispatch(request)  # selects the listener, which hands its work back
        while delivery is not None and delivery.pending:
            await delivery.pending.pop(0)

    def _signed(self, body: str, request: Request) -> bool:
        """Slack's request signature, checked before anything reads the body."""
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature")
        if self._verifier is None or not timestamp.isascii() or not timestamp.isdigit():
            return False
        return self._verifier.is_valid(body, timestamp, signature)

    async def start(self) -> None:
        """Seal stored installation tokens written before the key (or under an older key);
        clients connect on first use."""
        if self.installations is None:
            return
        try:
            await self.installations.reseal_stored()
        except TokenKeyError as exc:  # the workspaces it cannot open fail; the others work
            log.error("stored Slack tokens cannot be decrypted: %s", exc)

    async def stop(self) -> None:
        """Let replies in flight finish (bounded), then cancel the rest."""
        await self.drain(SHUTDOWN_WAIT_S)
        for task in list(self._tasks):
            task.cancel()

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait until the background work started so far is done (tests and shutdown)."""
        if self.runner is not None:
            await self.runner.drain(timeout)
        pending = [task for task in self._tasks if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    async def send(self, key: ConversationKey, replies: list[Reply]) -> None:
        """Deliver replies to a conversation (reminders); raises when Slack refused them.

        Private replies go to the person's DM with the app (``conversations.open``): the
        conversation may be someone else's DM or a channel the app cannot post in."""
        team, channel = split_chat(key.chat)
        client = await self._client_for(team)
        thread = key.thread or None
        if any(reply.private for reply in replies):
            channel, thread = await self._direct_channel(client, key.user), None
        turn = Turn(key=key, chat_kind="direct" if channel.startswith("D") else "group",
                    kind="command")
        await self._deliver(client, Inbound(turn, channel, thread, team), replies)

    async def _direct_channel(self, client: AsyncWebClient, user: str) -> str:
        """The id of the person's DM with the app."""
        opened = await client.conversations_open(users=user)
        return str(opened["channel"]["id"])

    async def run_socket_mode(self, stop: asyncio.Event) -> None:
        """Serve over Socket Mode until ``stop`` is set (no public URL needed)."""
        self.settings.require("SLACK_APP_TOKEN")
        if not self.oauth:
            self.settings.require("SLACK_BOT_TOKEN")
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(self.app, _secret(self.settings.slack_app_token),
                                         logger=_framework_log, web_client=self.client)
        await handler.connect_async()
        log.info("slack socket mode connected")
        try:
            await stop.wait()
        finally:
            await handler.close_async()
            await self.stop()

    # listeners: acknowledge, then work in the background -------------------------------------
    def _spawn(self, job: str, work: Awaitable[None]) -> None:
        delivery = current_delivery()

        async def guarded() -> None:
            try:
                await work
            except Exception as exc:  # noqa: BLE001 - one failed reply must not stop the app
                if delivery is not None and isinstance(exc, StoreUnavailable):
                    raise  # an inbox entry: left in the inbox and retried, nothing sent twice
                log.error("slack job failed",
                          extra={"job": job, "error": type(exc).__name__,
                                 "code": getattr(getattr(exc, "response", None), "status_code",
                                                 None),
                                 "event": delivery.entry.key if delivery is not None else None})

        if delivery is not None:  # an inbox entry: run inline, the worker acknowledges after
            delivery.pending.append(guarded())
            return
        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _on_event(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        self._spawn("event", self._handle_event(body, context.client, context.bot_user_id))

    async def _on_other(self, body: dict[str, Any]) -> None:
        log.debug("slack event ignored", extra={"type": (body.get("event") or {}).get("type")})

    async def _on_command(self, ack: Any, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        inbound = command_to_inbound(body)
        if inbound is not None:
            self._spawn("command", self._converse(context.client, inbound))

    async def _on_action(self, ack: Any, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        self._spawn("action", self._handle_action(body, context.client))

    async def _on_home(self, body: dict[str, Any], event: dict[str, Any],
                       context: AsyncBoltContext) -> None:
        if event.get("tab") == "home" and isinstance(event.get("user"), str):
            self._spawn("home", self._publish_home(body, event, context.client))

    async def _on_uninstalled(self, body: dict[str, Any]) -> None:
        if self.installations is not None:
            self._spawn("uninstall", self.installations.async_delete_all(
                enterprise_id=body.get("enterprise_id"), team_id=body.get("team_id")))

    # work ------------------------------------------------------------------------------------
    async def _handle_event(self, body: dict[str, Any], client: AsyncWebClient,
                            bot_user_id: str | None) -> None:
        inbound = event_to_inbound(body, bot_user_id)
        if inbound is None:
            return
        turn = inbound.turn
        if inbound.needs_active_thread and not await self.threads.active(turn.key):
            return
        if turn.event_id and not await self._first_time(turn):
            log.info("slack event repeated, ignored", extra={"event_id": turn.event_id})
            return
        if inbound.starts_thread and turn.chat_kind == "group":
            await self.threads.mark(turn.key.chat, turn.key.thread)
        await self._converse(client, inbound)

    async def _first_time(self, turn: Turn) -> bool:
        if in_delivery():
            return True  # deduplicated when it was queued
        for pause in DEDUPE_RETRY_S:
            try:
                return await self.store.claim_event(f"slack:{turn.event_id}", turn.key.person)
            except StoreUnavailable:
                METRICS.store_errors.labels("dedupe").inc()
                await asyncio.sleep(pause)
        log.warning("slack event dropped: dedupe unavailable", extra={"event_id": turn.event_id})
        return False  # never risk handling it twice

    async def _handle_action(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        inbound = action_to_inbound(body)
        if inbound is None:
            click = home_click(body)
            if click is not None:
                await self.home_clicked(click, client)
            return
        if inbound.share:
            await self._converse(client, inbound)
            if inbound.response_url:
                await self._respond(inbound.response_url, {"delete_original": True})
            return
        if inbound.carry:
            await self.continue_in_dm(client, inbound)
            return
        shown = await self._shown(inbound, body)
        replies = await self._handle(client, inbound)
        if replies and not replies[0].notice and not is_foreign(inbound.turn):
            await self._close_buttons(client, inbound, shown, replies[0].lang)
        await self._deliver(client, inbound, replies)

    async def _shown(self, inbound: Inbound, body: dict[str, Any]) -> tuple[str, list]:
        """The text and blocks of the clicked message. Clicks on ephemeral messages carry no
        copy: the question the conversation waits on is laid out again (nothing outside a
        flow: the message then keeps only the answer given)."""
        message = body.get("message")
        if isinstance(message, dict) and isinstance(message.get("blocks"), list):
            return str(message.get("text") or ""), message["blocks"]
        try:
            question = await self.engine.pending_question(inbound.turn.key.as_str())
        except StoreUnavailable:
            question = None
        if question is None:
            return "", []
        laid_out = render(question, self.kb, buttons=False)
        return laid_out["text"], laid_out["blocks"]

    async def _handle(self, client: AsyncWebClient, inbound: Inbound) -> list[Reply]:
        locale = await self.locales.get(client, inbound.team, inbound.turn.key.user)
        turn = inbound.turn.model_copy(update={"locale": locale})
        log.info("slack turn", extra={"kind": turn.kind, "chat_kind": turn.chat_kind,
                                      "event_id": turn.event_id})
        return list(await replies_once(lambda: self.engine.handle(turn)))

    async def _converse(self, client: AsyncWebClient, inbound: Inbound) -> None:
        await self._deliver(client, inbound, await self._handle(client, inbound))

    async def _close_buttons(self, client: AsyncWebClient, inbound: Inbound,
                             shown: tuple[str, list], lang: str) -> None:
        text, blocks = shown
        blocks = answered(blocks, inbound.label or "", lang, self.kb)
        text = text or fallback(inbound.label or "")
        if inbound.ephemeral and inbound.response_url:
            await self._respond(inbound.response_url,
                                {"replace_original": True, "text": text, "blocks": blocks})
        elif inbound.message_ts:
            await send_once(lambda: client.chat_update(
                channel=inbound.channel, ts=inbound.message_ts, text=text, blocks=blocks))

    async def _deliver(self, client: AsyncWebClient, inbound: Inbound,
                       replies: list[Reply]) -> None:
        turn = inbound.turn
        user = turn.key.user
        for reply in replies:
            if inbound.share:
                message = render(reply, self.kb, buttons=False)
                await self._respond(inbound.response_url or "",
                                    {**message, "response_type": "in_channel"})
                continue
            message = render(reply, self.kb, owner=user, dm_url=inbound.dm_url,
                             share_payload=reply.share)
            if reply.private and inbound.response_url:
                await self._respond(inbound.response_url,
                                    {**message, "response_type": "ephemeral",
                                     "replace_original": False})
            elif reply.private and turn.chat_kind == "group":
                await self._paced(inbound, lambda m=message: client.chat_postEphemeral(
                    channel=inbound.channel, user=user, thread_ts=inbound.thread_ts, **m))
            else:
                await self._paced(inbound, lambda m=message, **extra: client.chat_postMessage(
                    channel=inbound.channel, thread_ts=inbound.thread_ts, **m, **extra),
                    traced=client)

    async def _paced(self, inbound: Inbound, call: Callable[..., Awaitable[Any]],
                     traced: AsyncWebClient | None = None) -> None:
        """One message to a channel, within Slack's per-channel rate, once: ``traced`` (the
        client that posts it) marks the message so a crash mid-send can be settled later."""
        await self.flood.wait([(f"slack:{inbound.team}:{inbound.channel}",
                                self.settings.slack_channel_rate, 3)], "slack")
        if traced is None:
            await send_once(call)
            return
        client = traced

        async def seen(step: str, marked_at: float) -> bool:
            return await arrived(client, inbound.channel, inbound.thread_ts, step, marked_at)

        await send_once_traced(lambda step: post_traced(call, step), seen)

    async def _respond(self, url: str, body: dict[str, Any]) -> None:
        webhook = AsyncWebhookClient(url, timeout=CLIENT_TIMEOUT_S,
                                     retry_handlers=retry_handlers(), logger=_framework_log)
        response = await send_once(lambda: webhook.send_dict(body))
        if response is not None and response.status_code != 200:
            raise ConnectionError(f"response_url answered {response.status_code}")

    async def _publish_home(self, body: dict[str, Any], event: dict[str, Any],
                            client: AsyncWebClient) -> None:
        user, team = event["user"], str(body.get("team_id") or "")
        channel = event.get("channel")
        if not isinstance(channel, str) or not channel.startswith("D"):
            channel = await self._direct_channel(client, user)
        await self.publish_home(client, direct_key(team, channel, user))

    async def _client_for(self, team: str) -> AsyncWebClient:
        if self.installations is None:
            return self.client
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None:
            raise LookupError("no Slack installation for this workspace")
        return self._web_client(bot.bot_token)

    # OAuth pages -----------------------------------------------------------------------------
    def _page(self, key: str, status: int) -> BoltResponse:
        paragraphs = "".join(
            f'<p lang="{lang}">{html.escape(self.kb.text(key, lang))}</p>'
            for lang in ("en", "fr", "nb")
        )
        body = f'<!doctype html><html><head><meta charset="utf-8"></head><body>{paragraphs}'
        return BoltResponse(status=status, body=body + "</body></html>",
                            headers={"Content-Type": "text/html; charset=utf-8"})

    async def _installed(self, args: Any) -> BoltResponse:
        log.info("slack app installed", extra={"team": args.installation.team_id})
        return self._page("slack_install_done", 200)

    async def _failed(self, args: Any) -> BoltResponse:
        log.warning("slack installation failed", extra={"reason": args.reason})
        return self._page("slack_install_failed", args.suggested_status_code)

