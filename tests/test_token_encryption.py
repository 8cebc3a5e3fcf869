"""Slack installation tokens encrypted at rest: the database holds no token bytes, plaintext
written before a key was set is sealed in place, keys rotate, and a wrong key is a clear error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from redis_helpers import redis_url, require_redis, unique_prefix
from slack_sdk.oauth.installation_store import Installation

from bot.cli import main as cli
from bot.config import Settings
from bot.slack.oauth import open_installation_store
from bot.store import open_store
from bot.token_vault import TokenKeyError, TokenVault

BOT_TOKEN = "xoxb-1111-2222-SecretBotTokenValue"
USER_TOKEN = "xoxp-3333-4444-SecretUserTokenValue"
HOOK = "https://hooks.slack.com/services/T0/B0/SecretWebhookPath"
SECRETS = (BOT_TOKEN, USER_TOKEN, HOOK, "SecretBotTokenValue")
KEY1, KEY2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def installation(team: str = "T0SEAL1") -> Installation:
    return Installation(app_id="A0APP", enterprise_id=None, team_id=team, user_id="U0ALICE",
                        bot_token=BOT_TOKEN, bot_id="B0BOT", bot_user_id="U0BOT",
                        bot_scopes="chat:write", user_token=USER_TOKEN, user_scopes="",
                        incoming_webhook_url=HOOK, installed_at=1_700_000_000.0)


def settings_for(store: str, key: str | None) -> Settings:
    values = {"CLIENTCOACH_STORE": store, "SLACK_CLIENT_ID": "111.222",
              "SLACK_CLIENT_SECRET": "client-secret", "SLACK_SIGNING_SECRET": "signing"}
    if key is not None:
        values["CLIENTCOACH_SECRET_KEY"] = key
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def file_bytes(path: Path) -> bytes:
    """The database file and whatever SQLite keeps beside it (WAL, journal)."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


class Opened:
    """The session store and the installation store of one configuration."""

    def __init__(self, url: str, key: str | None) -> None:
        self.settings = settings_for(url, key)
        self.store = open_store(url)
        self.installs = open_installation_store(self.settings, self.store)

    async def close(self) -> None:
        await self.store.close()


async def bot_token(opened: Opened, team: str = "T0SEAL1") -> str | None:
    bot = await opened.installs.async_find_bot(enterprise_id=None, team_id=team)
    return bot.bot_token if bot else None


def test_a_vault_seals_opens_and_names_the_problem() -> None:
    vault = TokenVault(KEY1)
    sealed = vault.seal(BOT_TOKEN)
    assert sealed.startswith("fernet:") and BOT_TOKEN not in sealed
    assert vault.open(sealed) == BOT_TOKEN and vault.open(BOT_TOKEN) == BOT_TOKEN
    with pytest.raises(TokenKeyError, match="another key"):
        TokenVault(KEY2).open(sealed)
    with pytest.raises(TokenKeyError, match="not set"):
        TokenVault(None).open(sealed)
    with pytest.raises(TokenKeyError, match="key 2 is not a Fernet key"):
        TokenVault(f"{KEY1},not-a-key")


async def test_sqlite_file_holds_no_token_bytes(tmp_path: Path) -> None:
    path = tmp_path / "cc.sqlite3"
    opened = Opened(f"sqlite:///{path}", KEY1)
    try:
        await opened.installs.async_save(installation())
        assert await bot_token(opened) == BOT_TOKEN
        found = await opened.installs.async_find_installation(enterprise_id=None,
                                                              team_id="T0SEAL1")
        assert found is not None and (found.user_token, found.incoming_webhook_url) == (
            USER_TOKEN, HOOK)
    finally:
        await opened.close()
    stored = file_bytes(path)
    assert b"T0SEAL1" in stored  # the rows are there, readable by team…
    for secret in SECRETS:
        assert secret.encode() not in stored  # …their tokens are not


async def test_plaintext_rows_are_sealed_in_place_and_keys_rotate(tmp_path: Path) -> None:
    path = tmp_path / "cc.sqlite3"
    url = f"sqlite:///{path}"
    plain = Opened(url, None)  # written before any key was set
    await plain.installs.async_save(installation())
    await plain.close()
    assert BOT_TOKEN.encode() in file_bytes(path)

    first = Opened(url, KEY1)
    assert await first.installs.reseal_stored() > 0
    assert await bot_token(first) == BOT_TOKEN
    await first.close()
    assert all(s.encode() not in file_bytes(path) for s in SECRETS)

    rotated = Opened(url, f"{KEY2},{KEY1}")  # new key first, the old one still opens
    assert await bot_token(rotated) == BOT_TOKEN
    assert await rotated.installs.reseal_stored() > 0
    assert await rotated.installs.reseal_stored() == 0  # nothing stale any more
    await rotated.close()

    only_new = Opened(url, KEY2)
    assert await bot_token(only_new) == BOT_TOKEN
    await only_new.close()
    only_old = Opened(url, KEY1)
    with pytest.raises(TokenKeyError, match="another key"):
        await bot_token(only_old)
    await only_old.close()


async def test_redis_records_are_sealed_migrated_and_rotated() -> None:
    require_redis()
    from bot.store.redis import RedisSessionStore

    url = redis_url(unique_prefix())
    plain = Opened(url, None)
    await plain.installs.async_save(installation("T0SEAL2"))
    raw = await plain.store.redis.get(plain.store.k("inst:", "bot:-:T0SEAL2"))
    assert BOT_TOKEN in raw
    await plain.close()

    sealed = Opened(url, KEY1)
    assert await sealed.installs.reseal_stored() > 0
    assert await bot_token(sealed, "T0SEAL2") == BOT_TOKEN
    store = sealed.store
    assert isinstance(store, RedisSessionStore)
    for install_id in await store.installation_ids():
        raw = await store.redis.get(store.k("inst:", install_id))
        assert all(s not in raw for s in SECRETS), install_id
    await sealed.close()

    rotated = Opened(url, f"{KEY2},{KEY1}")
    assert await rotated.installs.reseal_stored() > 0
    await rotated.close()
    wrong = Opened(url, KEY1)
    with pytest.raises(TokenKeyError):
        await bot_token(wrong, "T0SEAL2")
    await wrong.store.clear()
    await wrong.close()


def test_config_check_warns_without_a_key_and_new_key_prints_one(monkeypatch) -> None:
    for name in ("CLIENTCOACH_SECRET_KEY", "SLACK_BOT_TOKEN", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing")
    runner = CliRunner()
    out = runner.invoke(cli, ["config", "check"]).output
    assert "CLIENTCOACH_SECRET_KEY" in out and "unencrypted" in out
    key = runner.invoke(cli, ["config", "new-key"]).output.strip()
    assert TokenVault(key).enabled
    monkeypatch.setenv("CLIENTCOACH_SECRET_KEY", key)
    out = runner.invoke(cli, ["config", "check"]).output
    assert "unencrypted" not in out
    monkeypatch.setenv("CLIENTCOACH_SECRET_KEY", "nonsense")
    out = runner.invoke(cli, ["config", "check"]).output
    assert "invalid CLIENTCOACH_SECRET_KEY" in out or "not a Fernet key" in out


def test_serving_oauth_on_a_public_interface_without_a_key_is_refused(tmp_path: Path,
                                                                      monkeypatch) -> None:
    from bot.config import MissingSetting
    from bot.server import create_app

    monkeypatch.setenv("PORT", "8000")  # as hosting platforms run it: production
    settings = settings_for(f"sqlite:///{tmp_path / 'cc.sqlite3'}", None)
    with pytest.raises(MissingSetting, match="CLIENTCOACH_SECRET_KEY"):
        create_app(settings)
    monkeypatch.delenv("PORT")
    app = create_app(settings)  # development on loopback: it runs (config check warns)
    assert "slack" in app.state.platforms
    asyncio.run(app.state.store.close())


async def test_the_slack_service_with_a_wrong_key_starts_and_says_why(tmp_path: Path,
                                                                     caplog) -> None:
    from bot.engine import Engine
    from bot.slack import SlackBot

    url = f"sqlite:///{tmp_path / 'cc.sqlite3'}"
    sealed = Opened(url, KEY1)
    await sealed.installs.async_save(installation())
    await sealed.close()
    settings = settings_for(url, KEY2)
    store = open_store(url)
    try:
        bot = SlackBot(settings, Engine(store), store)
        await bot.start()  # no crash: the workspaces it cannot open fail, with a reason
        assert "cannot be decrypted" in caplog.text
        assert "CLIENTCOACH_SECRET_KEY" in caplog.text
        assert BOT_TOKEN not in caplog.text
        with pytest.raises(TokenKeyError):
            await bot.installations.async_find_bot(enterprise_id=None, team_id="T0SEAL1")
    finally:
        await store.close()
