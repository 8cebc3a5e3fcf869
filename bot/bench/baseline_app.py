"""The frameworks alone behind the same HTTP server: the yardstick for the round-trip figures.

``/slack/events`` is a Bolt ``AsyncApp`` whose message listener posts a fixed "ok"; and
``/telegram/webhook`` feeds a python-telegram-bot ``Application`` whose handler sends a fixed
"ok". No engine, no store, no knowledge: what remains is framework and HTTP cost. Run with
``uvicorn --factory bot.bench.baseline_app:create_app`` and the same environment as the service.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _slack_routes() -> list[Route]:
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.authorization import AuthorizeResult
    from slack_sdk.web.async_client import AsyncWebClient

    token = os.environ["SLACK_BOT_TOKEN"]

    async def authorize(**_: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id="T0BENCH", bot_token=token,
                               bot_user_id="U0BOT", bot_id="B0BOT")  # fmt: skip

    bolt = AsyncApp(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        authorize=authorize,
        client=AsyncWebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
        process_before_response=True,
    )

    @bolt.event("message")
    async def echo(event: dict[str, Any], client: AsyncWebClient) -> None:
        """Post a fixed answer."""
        await client.chat_postMessage(channel=event["channel"], text="ok")

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return [Route("/slack/events", events, methods=["POST"])]


def create_app() -> Starlette:
    from telegram import Update
    from telegram.ext import Application, TypeHandler

    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_URL"])
        .updater(None)
        .build()
    )

    async def echo(update: Update, context: Any) -> None:
        """Send a fixed answer."""
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, "ok")

    application.add_handler(TypeHandler(Update, echo))

    async def webhook(request: Request) -> Response:
        update = Update.de_json(await request.json(), application.bot)
        await application.process_update(update)
        return Response(status_code=200)

    async def lifespan(_: Starlette):  # type: ignore[no-untyped-def]
        async with application:
            yield

    routes = [*_slack_routes(), Route("/telegram/webhook", webhook, methods=["POST"])]
    return Starlette(routes=routes, lifespan=lifespan)
