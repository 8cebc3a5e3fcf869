"""Multi-workspace distribution: where Slack installations and OAuth states are kept.

Installations live in the same database as the sessions, their tokens encrypted with
``CLIENTCOACH_SECRET_KEY`` (:mod:`bot.slack.sealed_installations`):

- a store with ``save_installation`` / ``find_installation`` / ``delete_installation`` (the Redis
  store) is used through :class:`KeyValueInstallationStore`;
- with ``CLIENTCOACH_STORE=sqlite:///path`` slack-sdk's SQLite installation store writes its
  tables into that same file.

OAuth ``state`` values are signed with the client secret and claimed once through the session
store's dedupe (:class:`SignedStateStore`), so any worker can finish an installation another
worker started.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.config import MissingSetting, Settings
from bot.slack.sealed_installations import SealedInstallationStore
from bot.store.base import SessionStore
from bot.token_vault import NEW_KEY_HINT, TokenKeyError, TokenVault

log = logging.getLogger("clientcoach.slack")

BOT_SCOPES = [
    "app_mentions:read",
    "assistant:write",
    "channels:history",
    "channels:read",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "mpim:history",
    "chat:write",
    "commands",
    "users:read",
]
STATE_TTL_S = 600


@runtime_checkable
class InstallationKeyValue(Protocol):
    """What a session store offers to keep opaque installation records."""

    async def save_installation(self, install_id: str, data: dict[str, Any]) -> None: ...

    async def find_installation(self, install_id: str) -> dict[str, Any] | None: ...

    async def delete_installation(self, install_id: str) -> None: ...


def _ids(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
         ) -> tuple[str, str]:
    enterprise = enterprise_id or "-"
    team = "-" if is_enterprise_install else (team_id or "-")
    return enterprise, team


class KeyValueInstallationStore(AsyncInstallationStore):
    """Slack installations as JSON records in a key-value capable session store."""

    def __init__(self, kv: InstallationKeyValue) -> None:
        self.kv = kv

    async def async_save(self, installation: Installation) -> None:
        enterprise, team = _ids(installation.enterprise_id, installation.team_id,
                                installation.is_enterprise_install)
        data = dict(vars(installation))
        await self.kv.save_installation(f"inst:{enterprise}:{team}", data)
        if installation.user_id:
            await self.kv.save_installation(f"inst:{enterprise}:{team}:{installation.user_id}",
                                            data)
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        enterprise, team = _ids(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        await self.kv.save_installation(f"bot:{enterprise}:{team}", dict(vars(bot)))

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        enterprise, team = _ids(enterprise_id, team_id, is_enterprise_install)
        data = await self.kv.find_installation(f"bot:{enterprise}:{team}")
        return Bot(**data) if data else None

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False
                                      ) -> Installation | None:
        enterprise, team = _ids(enterprise_id, team_id, is_enterprise_install)
        suffix = f":{user_id}" if user_id else ""
        data = await self.kv.find_installation(f"inst:{enterprise}:{team}{suffix}")
        return Installation(**data) if data else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        enterprise, team = _ids(enterprise_id, team_id, False)
        await self.kv.delete_installation(f"bot:{enterprise}:{team}")

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None) -> None:
        enterprise, team = _ids(enterprise_id, team_id, False)
        suffix = f":{user_id}" if user_id else ""
        await self.kv.delete_installation(f"inst:{enterprise}:{team}{suffix}")

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)


class SignedStateStore(AsyncOAuthStateStore):
    """OAuth states ``<issued>.<nonce>.<hmac>``: valid for ten minutes, usable once."""

    def __init__(self, secret: str, store: SessionStore, ttl: int = STATE_TTL_S) -> None:
        self._key = hashlib.sha256(b"clientcoach-oauth-state:" + secret.encode()).digest()
        self.store = store
        self.ttl = ttl

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:32]

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        body = f"{int(time.time())}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    async def async_consume(self, state: str) -> bool:
        body, _, signature = state.rpartition(".")
        issued, _, nonce = body.partition(".")
        if not nonce or not hmac.compare_digest(self._sign(body), signature):
            return False
        try:
            fresh = 0 <= time.time() - int(issued) <= self.ttl
        except ValueError:
            return False
        return fresh and await self.store.claim_event(f"slack-oauth:{nonce}", None,
                                                       ttl=self.ttl)


def sqlite_path(store_url: str) -> Path | None:
    """``sqlite:///data/x.sqlite3`` → ``/data/x.sqlite3`` (``None`` for other stores)."""
    prefix = "sqlite:///"
    if not store_url.startswith(prefix):
        return None
    raw = store_url[len(prefix):].split("?", 1)[0]
    return Path(raw) if raw and raw != ":memory:" else None


def token_vault(settings: Settings) -> TokenVault:
    """The vault of ``CLIENTCOACH_SECRET_KEY``. Without a key, installations are stored as they
    are: a warning in development (loopback), :class:`MissingSetting` on a public interface."""
    raw = settings.secret_key.get_secret_value() if settings.secret_key else None
    if raw is None or not raw.strip():
        if settings.public:
            raise MissingSetting(
                "CLIENTCOACH_SECRET_KEY is not set: Slack OAuth keeps every workspace's token in "
                f"the store and refuses to keep them unencrypted when serving publicly; "
                f"{NEW_KEY_HINT}")
        log.warning("CLIENTCOACH_SECRET_KEY is not set: Slack installation tokens are stored "
                    "unencrypted (development only)")
    try:
        return TokenVault(raw)
    except TokenKeyError as exc:
        raise MissingSetting(str(exc)) from exc


def open_installation_store(settings: Settings, store: SessionStore) -> SealedInstallationStore:
    """The installation store kept in the same database as ``store``, its tokens sealed."""
    vault = token_vault(settings)
    if isinstance(store, InstallationKeyValue):
        return SealedInstallationStore(KeyValueInstallationStore(store), vault, records=store)
    path = sqlite_path(settings.store)
    if path is not None:
        from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

        path.parent.mkdir(parents=True, exist_ok=True)
        inner = SQLite3InstallationStore(database=str(path),
                                         client_id=settings.slack_client_id or "")
        return SealedInstallationStore(inner, vault, sqlite=path)
    raise ValueError("Slack OAuth needs a store that keeps installations (sqlite:// or redis://)")
