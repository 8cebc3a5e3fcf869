"""Telegram's rule for a webhook ``secret_token``: 1 to 256 characters of ``A-Z a-z 0-9 _ -``.
A secret outside it makes ``setWebhook`` fail at start-up, so it is checked before."""

from __future__ import annotations

import re

RULE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def secret_problem(value: str | None) -> str | None:
    """Why ``value`` cannot be a webhook secret, or None when it can (or is not set)."""
    if value is None or RULE.fullmatch(value):
        return None
    return ("TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - "
            f"(Telegram's rule for secret_token; this one has {len(value)} characters"
            + (", some outside that set)" if value else ")"))
