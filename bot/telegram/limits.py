"""Flood control and retries for every Bot API call.

``AIORateLimiter`` keeps bursts within Telegram's limits and retries a 429 after its
``retry_after``. On top of it, server errors (5xx) and timeouts are retried a bounded number of
times with exponential backoff; a request Telegram rejected (400) is never retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger("bot.telegram")


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` that also retries network failures and 5xx answers."""

    def __init__(
        self,
        *,
        retries: int = 3,
        backoff: float = 0.5,
        max_retry_after_retries: int = 3,
        group_max_rate: float = 20,
        overall_max_rate: float = 30,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_max_rate,
            group_max_rate=group_max_rate,
            max_retries=max_retry_after_retries,
        )
        self._retries = retries
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Run one Bot API call; retry 5xx and timeouts with backoff, then give up and raise."""
        for attempt in range(self._retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt == self._retries:
                    log.warning(
                        "telegram %s failed after %d attempts: %s",
                        endpoint,
                        attempt + 1,
                        type(exc).__name__,
                    )
                    raise
                await asyncio.sleep(self._backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover
