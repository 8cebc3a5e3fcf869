"""People's Slack locales (``users.info`` with ``include_locale``), cached per workspace."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("clientcoach.slack")

TTL_S = 6 * 3600.0
FAILED_TTL_S = 60.0
MAX_ENTRIES = 10_000
TIMEOUT_S = 2.0


class LocaleCache:
    """``await cache.get(client, team, user)`` → ``"fr-FR"`` or ``None``; one call per TTL."""

    def __init__(self, ttl: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, str | None]] = OrderedDict()

    def _remember(self, key: str, locale: str | None, ttl: float) -> None:
        self._entries[key] = (time.monotonic() + ttl, locale)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def get(self, client: AsyncWebClient, team: str, user: str) -> str | None:
        key = f"{team}:{user}"
        hit = self._entries.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            response = await asyncio.wait_for(
                client.users_info(user=user, include_locale=True), TIMEOUT_S)
        except (SlackApiError, TimeoutError, OSError) as exc:
            log.warning("users.info failed", extra={"error": type(exc).__name__})
            self._remember(key, None, FAILED_TTL_S)
            return None
        profile = response.get("user") or {}
        locale = profile.get("locale") if isinstance(profile, dict) else None
        self._remember(key, locale if isinstance(locale, str) else None, self.ttl)
        return self._entries[key][1]

    def forget(self, team: str, user: str) -> None:
        self._entries.pop(f"{team}:{user}", None)
