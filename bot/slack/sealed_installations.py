"""Slack installations with their tokens encrypted at rest (:mod:`bot.token_vault`).

:class:`SealedInstallationStore` wraps the installation store kept beside the sessions (Redis
records or slack-sdk's SQLite tables): the token fields of every installation and bot are sealed
before they are written and opened after they are read; everything else (team, scopes, ids)
stays readable, so the stores still find rows by team. :meth:`~SealedInstallationStore.
reseal_stored` seals what was written before a key was set, and what an older key sealed, in
place (SQLite with ``secure_delete`` and a WAL checkpoint, so the plaintext leaves the file).
"""

from __future__ import annotations

import copy
import logging
import sqlite3
from pathlib import Path
from typing import Any, TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.token_vault import TokenVault

log = logging.getLogger("clientcoach.slack")

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token",
                "incoming_webhook_url")
SQLITE_COLUMNS = {"slack_installations": TOKEN_FIELDS,
                  "slack_bots": ("bot_token", "bot_refresh_token")}
T = TypeVar("T", Installation, Bot)


class SealedInstallationStore(AsyncInstallationStore):
    """``inner`` with the token fields sealed by ``vault``; ``sqlite`` is the file of a
    slack-sdk SQLite store (for :meth:`reseal_stored`)."""

    def __init__(self, inner: Any, vault: TokenVault, *, sqlite: Path | None = None,
                 records: Any = None) -> None:
        self.inner = inner
        self.vault = vault
        self.sqlite = sqlite
        self.records = records  # a key-value store with installation_ids() (Redis)

    @property
    def logger(self) -> logging.Logger:
        return log

    def _apply(self, item: T, change: Any) -> T:
        done = copy.copy(item)
        for name in TOKEN_FIELDS:
            value = getattr(done, name, None)
            if isinstance(value, str) and value:
                setattr(done, name, change(value))
        return done

    async def async_save(self, installation: Installation) -> None:
        await self.inner.async_save(self._apply(installation, self.vault.seal))

    async def async_save_bot(self, bot: Bot) -> None:
        await self.inner.async_save_bot(self._apply(bot, self.vault.seal))

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        found = await self.inner.async_find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                                is_enterprise_install=is_enterprise_install)
        return self._apply(found, self.vault.open) if found is not None else None

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False
                                      ) -> Installation | None:
        found = await self.inner.async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
            is_enterprise_install=is_enterprise_install)
        return self._apply(found, self.vault.open) if found is not None else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.inner.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None) -> None:
        await self.inner.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id,
                                                   user_id=user_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.inner.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def reseal_stored(self) -> int:
        """Seal, with the newest key, every stored token that is plaintext or sealed with an
        older key; returns how many values were written again."""
        if not self.vault.enabled:
            return 0
        if self.sqlite is not None:
            count = reseal_sqlite(self.sqlite, self.vault)
        elif self.records is not None:
            count = await self._reseal_records()
        else:
            count = 0
        if count:
            log.info("stored tokens sealed with the current key", extra={"values": count})
        return count

    async def _reseal_records(self) -> int:
        count = 0
        for install_id in await self.records.installation_ids():
            data = await self.records.find_installation(install_id)
            if not data:
                continue
            stale = [n for n in TOKEN_FIELDS
                     if isinstance(data.get(n), str) and data[n] and self.vault.stale(data[n])]
            if stale:
                data.update({n: self.vault.reseal(data[n]) for n in stale})
                await self.records.save_installation(install_id, data)
                count += len(stale)
        return count


def reseal_sqlite(path: Path, vault: TokenVault) -> int:
    """The same, in slack-sdk's tables of one SQLite file."""
    if not path.exists():
        return 0
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA secure_delete = ON")  # freed space is zeroed, not left readable
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        count = 0
        conn.execute("BEGIN IMMEDIATE")
        for table, columns in SQLITE_COLUMNS.items():
            if table not in tables:
                continue
            for row in conn.execute(f"SELECT rowid, {', '.join(columns)} FROM {table}").fetchall():
                changed = {c: vault.reseal(v) for c, v in zip(columns, row[1:], strict=True)
                           if isinstance(v, str) and v and vault.stale(v)}
                if changed:
                    sets = ", ".join(f"{c} = ?" for c in changed)
                    conn.execute(f"UPDATE {table} SET {sets} WHERE rowid = ?",
                                 (*changed.values(), row[0]))
                    count += len(changed)
        conn.execute("COMMIT")
        if count:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("VACUUM")
        return count
    finally:
        conn.close()
