"""Bounded retries for Slack's Web API and response URLs.

A ``429`` waits for ``Retry-After`` (capped), a ``5xx`` or a refused connection waits an
exponential backoff with jitter; after :data:`MAX_RETRIES` retries the error reaches the caller,
which logs it and does not pretend the reply was delivered. A timeout is never retried: the
message may well have arrived, and Slack has no idempotency key to ask (at most once).
"""

from __future__ import annotations

import asyncio
import random

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

MAX_RETRIES = 3
MAX_WAIT_S = 30.0
BASE_WAIT_S = 0.25

_TRANSIENT = (aiohttp.ClientConnectorError,)  # the request never left: safe to send again


class BoundedRetry(AsyncRetryHandler):
    """Retry rate limits, server errors and timeouts a bounded number of times."""

    def __init__(self, max_retry_count: int = MAX_RETRIES, *, max_wait: float = MAX_WAIT_S,
                 base_wait: float = BASE_WAIT_S) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self.base_wait = base_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if error is not None:
            return isinstance(error, _TRANSIENT)
        return response is not None and (response.status_code == 429
                                         or response.status_code >= 500)

    def wait_for(self, attempt: int, response: HttpResponse | None) -> float:
        """Seconds to wait before retry number ``attempt + 1``."""
        if response is not None and response.status_code == 429:
            values = {k.lower(): v for k, v in response.headers.items()}.get("retry-after") or []
            try:
                return min(float(values[0]), self.max_wait)
            except (IndexError, TypeError, ValueError):
                return min(1.0, self.max_wait)
        backoff = self.base_wait * (2**attempt)
        return min(backoff + random.uniform(0, self.base_wait), self.max_wait)

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await asyncio.sleep(self.wait_for(state.current_attempt, response))
        state.increment_current_attempt()


def retry_handlers() -> list[AsyncRetryHandler]:
    """The handlers every Slack client of the bot uses."""
    return [BoundedRetry()]
