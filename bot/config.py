"""All configuration in one pydantic-settings model, read from the environment (and ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store_url() -> str:
    """SQLite in the user's data folder (``$XDG_DATA_HOME`` or ``~/.local/share``)."""
    import os

    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'clientcoach' / 'clientcoach.sqlite3'}"


class MissingSetting(RuntimeError):
    """A platform was asked to start without a variable it needs; the message names it."""


class Settings(BaseSettings):
    """Every setting of the service. Secrets are ``SecretStr`` so they never print by accident."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Store and behaviour
    store: str = Field(default_factory=default_store_url, alias="CLIENTCOACH_STORE")
    session_idle_hours: float = Field(72.0, alias="CLIENTCOACH_SESSION_IDLE_HOURS")
    rate_limit_per_minute: int = Field(20, alias="CLIENTCOACH_RATE_LIMIT")
    log_text: bool = Field(False, alias="CLIENTCOACH_LOG_TEXT")
    log_level: str = Field("INFO", alias="CLIENTCOACH_LOG_LEVEL")
    max_body_bytes: int = Field(1_000_000, alias="CLIENTCOACH_MAX_BODY_BYTES")
    rate_window_s: float = Field(60.0, alias="CLIENTCOACH_RATE_WINDOW")
    reminder_interval_s: float = Field(5.0, alias="CLIENTCOACH_REMINDER_INTERVAL")
    web_reminders: bool = Field(True, alias="CLIENTCOACH_WEB_REMINDERS")
    secret_key: SecretStr | None = Field(None, alias="CLIENTCOACH_SECRET_KEY")  # Fernet key(s)

    # Reliability: the shared store's pool, the durable inbox, flood limits
    redis_pool_size: int = Field(64, alias="CLIENTCOACH_REDIS_POOL_SIZE", ge=4)
    redis_pool_timeout_s: float = Field(5.0, alias="CLIENTCOACH_REDIS_POOL_TIMEOUT", gt=0)
    inbox_maxlen: int = Field(100_000, alias="CLIENTCOACH_INBOX_MAXLEN", ge=100)
    inbox_concurrency: int = Field(32, alias="CLIENTCOACH_INBOX_CONCURRENCY", ge=1)
    inbox_claim_idle_s: float = Field(15.0, alias="CLIENTCOACH_INBOX_CLAIM_IDLE", gt=0)
    inbox_max_attempts: int = Field(5, alias="CLIENTCOACH_INBOX_MAX_ATTEMPTS", ge=1)
    consumer: str = Field("auto", alias="CLIENTCOACH_CONSUMER",
                          pattern="^(auto|process|thread|inline)$")
    consumers: int = Field(1, alias="CLIENTCOACH_CONSUMERS", ge=0)
    consumer_nice: int = Field(10, alias="CLIENTCOACH_CONSUMER_NICE", ge=0, le=19)
    slack_channel_rate: float = Field(1.0, alias="SLACK_CHANNEL_MAX_RATE")  # messages/s/channel

    # HTTP server limits (uvicorn)
    limit_concurrency: int = Field(1000, alias="CLIENTCOACH_LIMIT_CONCURRENCY", ge=1)
    backlog: int = Field(2048, alias="CLIENTCOACH_BACKLOG", ge=1)
    keepalive_s: float = Field(5.0, alias="CLIENTCOACH_KEEPALIVE", gt=0)
    header_timeout_s: float = Field(10.0, alias="CLIENTCOACH_HEADER_TIMEOUT", gt=0)
    body_timeout_s: float = Field(10.0, alias="CLIENTCOACH_BODY_TIMEOUT", gt=0)
    max_header_bytes: int = Field(16_384, alias="CLIENTCOACH_MAX_HEADER_BYTES", ge=1024)

    # Service (hosting platforms set PORT and WEB_CONCURRENCY)
    port: int = Field(8000, alias="PORT")
    host: str | None = Field(None, alias="CLIENTCOACH_HOST")
    web_concurrency: int = Field(1, alias="WEB_CONCURRENCY")

    # Slack
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")

    # Telegram
    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    telegram_webhook_secret: SecretStr | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_webhook_url: str | None = Field(None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_api_url: str = Field("https://api.telegram.org/bot", alias="TELEGRAM_API_URL")
    telegram_max_rate: float = Field(30.0, alias="TELEGRAM_MAX_RATE")  # messages/s, all chats
    telegram_chat_rate: float = Field(1.0, alias="TELEGRAM_CHAT_MAX_RATE")  # messages/s/chat
    telegram_group_per_minute: float = Field(20.0, alias="TELEGRAM_GROUP_MAX_PER_MINUTE")

    @property
    def slack_http_enabled(self) -> bool:
        """Slack over HTTP needs the signing secret plus a bot token or OAuth credentials."""
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_oauth))

    @property
    def slack_oauth(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def slack_socket_enabled(self) -> bool:
        """Socket Mode needs the app-level token and a bot token."""
        return bool(self.slack_app_token and self.slack_bot_token)

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def telegram_webhook_enabled(self) -> bool:
        """Updates come over HTTP when a webhook secret or URL is set; otherwise by polling."""
        return self.telegram_enabled and bool(
            self.telegram_webhook_secret or self.telegram_webhook_url
        )

    @property
    def public(self) -> bool:
        """Serving on a public interface (``PORT`` set, or a non-loopback host): production."""
        return self.bind_host not in ("127.0.0.1", "localhost", "::1")

    @property
    def bind_host(self) -> str:
        """``CLIENTCOACH_HOST``, else all interfaces when ``PORT`` is set, else loopback."""
        import os

        if self.host:
            return self.host
        return "0.0.0.0" if os.environ.get("PORT") else "127.0.0.1"

    def require(self, *names: str) -> None:
        """Raise :class:`MissingSetting` naming the first unset environment variable."""
        for name in names:
            field = next(f for f, info in type(self).model_fields.items() if info.alias == name)
            if not getattr(self, field):
                raise MissingSetting(f"{name} is not set: export it in the environment or .env")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
