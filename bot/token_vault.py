"""Tokens encrypted at rest with Fernet (``cryptography``), keys from ``CLIENTCOACH_SECRET_KEY``.

The variable holds one key, or several separated by commas: the first encrypts, every one of
them decrypts (``MultiFernet``), so a key is rotated by putting the new one first and keeping the
old one after it until everything stored has been written again. A key is 32 random bytes in
url-safe base64: ``clientcoach config new-key`` prints one.

A sealed value is ``fernet:<token>``; anything else is plaintext written before a key was set,
read as it is and sealed the next time it is written. Without a key nothing is sealed (the
development set-up), and a sealed value found without a key, or under keys that cannot open it,
raises :class:`TokenKeyError` with a message saying what to set.
"""

from __future__ import annotations

import binascii

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "fernet:"
NEW_KEY_HINT = (
    'generate one with `clientcoach config new-key` (or python -c "from cryptography.fernet '
    'import Fernet; print(Fernet.generate_key().decode())")'
)


class TokenKeyError(RuntimeError):
    """Stored tokens cannot be opened with the configured key(s), or a key is malformed."""


def parse_keys(raw: str | None) -> list[Fernet]:
    """The keys of ``CLIENTCOACH_SECRET_KEY``, newest first; :class:`TokenKeyError` when one is
    not a Fernet key."""
    keys: list[Fernet] = []
    for n, part in enumerate(k.strip() for k in (raw or "").split(",")):
        if not part:
            continue
        try:
            keys.append(Fernet(part.encode()))
        except (ValueError, binascii.Error) as exc:
            raise TokenKeyError(
                f"CLIENTCOACH_SECRET_KEY: key {n + 1} is not a Fernet key (32 bytes, url-safe "
                f"base64); {NEW_KEY_HINT}"
            ) from exc
    return keys


def key_problem(raw: str | None) -> str | None:
    """Why ``CLIENTCOACH_SECRET_KEY`` would be refused, or None."""
    try:
        parse_keys(raw)
    except TokenKeyError as exc:
        return str(exc)
    return None


class TokenVault:
    """Seal and open token strings; ``TokenVault(None)`` keeps them as they are."""

    def __init__(self, raw_keys: str | None) -> None:
        keys = parse_keys(raw_keys)
        self._primary = keys[0] if keys else None
        self._all = MultiFernet(keys) if keys else None

    @property
    def enabled(self) -> bool:
        return self._all is not None

    def seal(self, value: str) -> str:
        """``value`` encrypted with the newest key (as it is when no key is set)."""
        if self._primary is None or value.startswith(PREFIX):
            return value
        return PREFIX + self._primary.encrypt(value.encode()).decode()

    def open(self, value: str) -> str:
        """The plaintext of a sealed value (plaintext passes through)."""
        if not value.startswith(PREFIX):
            return value
        if self._all is None:
            raise TokenKeyError(
                "stored tokens are encrypted but CLIENTCOACH_SECRET_KEY is not set: set it to "
                "the key they were written with"
            )
        try:
            return self._all.decrypt(value[len(PREFIX):].encode()).decode()
        except InvalidToken as exc:
            raise TokenKeyError(
                "stored tokens were encrypted with another key: set CLIENTCOACH_SECRET_KEY to "
                "that key (after a rotation, keep the old key after the new one, "
                "comma-separated)"
            ) from exc

    def stale(self, value: str) -> bool:
        """True when ``value`` should be written again: plaintext while a key is set, or sealed
        with an older key."""
        if self._primary is None:
            return False
        if not value.startswith(PREFIX):
            return True
        try:
            self._primary.decrypt(value[len(PREFIX):].encode())
        except InvalidToken:
            return True
        return False

    def reseal(self, value: str) -> str:
        """``value`` sealed with the newest key, whatever it was sealed with before."""
        return self.seal(self.open(value))
