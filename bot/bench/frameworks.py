"""What the frameworks cost on their own: a signed event through Bolt, an update through PTB.

Both dispatch to a handler that does nothing, so the figure is the framework's own overhead.
Our whole turn is compared with it (``ratio_turn_vs_bolt``), inside the same run.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.bench.timing import Timing, measure, measure_async

SIGNING_SECRET = "bench-signing-secret"


def signed_headers(body: str, secret: str = SIGNING_SECRET) -> dict[str, list[str]]:
    """Headers Slack would send with ``body``, signed with ``secret``."""
    from slack_sdk.signature import SignatureVerifier

    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "content-type": ["application/json"],
        "x-slack-request-timestamp": [timestamp],
        "x-slack-signature": [signature],
    }


def message_event(i: int) -> dict[str, Any]:
    return {
        "token": "verification-token",
        "team_id": "T0BENCH",
        "api_app_id": "A0BENCH",
        "type": "event_callback",
        "event_id": f"Ev{i:010d}",
        "event_time": 1_700_000_000,
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "D0BENCH",
            "user": "U0BENCH",
            "text": "my client has not paid",
            "ts": f"1700000000.{i:06d}",
        },
    }


def bolt_noop(n: int, warmup: int) -> Timing:
    """``App.dispatch`` of a signed ``message.im`` event to a do-nothing listener."""
    from slack_bolt import App, BoltRequest
    from slack_bolt.authorization import AuthorizeResult

    def authorize(**_: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id="T0BENCH", bot_token="xoxb-bench",
                               bot_user_id="U0BOT", bot_id="B0BOT")  # fmt: skip

    app = App(signing_secret=SIGNING_SECRET, authorize=authorize, process_before_response=True)

    @app.event("message")
    def noop() -> None:
        """Do nothing."""

    bodies = [json.dumps(message_event(i)) for i in range(n + warmup)]
    headers = [signed_headers(body) for body in bodies]

    def dispatch(i: int) -> None:
        response = app.dispatch(BoltRequest(body=bodies[i], headers=headers[i]))
        if response.status != 200:
            raise RuntimeError(f"Bolt answered {response.status}")

    return measure(dispatch, n, warmup)


def telegram_update(i: int) -> dict[str, Any]:
    return {
        "update_id": 10_000 + i,
        "message": {
            "message_id": i + 1,
            "date": 1_700_000_000,
            "chat": {"id": 4242, "type": "private", "first_name": "Ada"},
            "from": {"id": 4242, "is_bot": False, "first_name": "Ada", "language_code": "fr"},
            "text": "mon client ne paie pas",
        },
    }


async def ptb_noop(n: int, warmup: int) -> Timing:
    """``Application.process_update`` of a parsed private text update to a do-nothing handler.

    The update is parsed inside the timed call, as a webhook endpoint has to do.
    """
    from telegram import Bot, Update, User
    from telegram.ext import Application, TypeHandler

    class OfflineBot(Bot):
        """A bot that knows itself without calling getMe (nothing is sent in this benchmark)."""

        async def get_me(self, *args: Any, **kwargs: Any) -> User:
            self._bot_user = User(id=1, is_bot=True, first_name="bench", username="bench_bot")
            return self._bot_user

    async def noop(update: object, context: object) -> None:
        """Do nothing."""

    app = Application.builder().bot(OfflineBot("1:bench")).updater(None).build()
    app.add_handler(TypeHandler(Update, noop))
    payloads = [telegram_update(i) for i in range(n + warmup)]
    async with app:

        async def dispatch(i: int) -> None:
            await app.process_update(Update.de_json(payloads[i], app.bot))

        return await measure_async(dispatch, n, warmup)
