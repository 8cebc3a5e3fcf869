"""``clientcoach config check``: what is set (secrets masked) and what each platform still needs."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import click
from pydantic import SecretStr

from bot.config import Settings
from bot.webhook_secret import secret_problem

PLATFORMS: dict[str, tuple[tuple[str, ...], ...]] = {
    # mode: groups of variables; a mode is ready when every variable of one group is set
    "Slack over HTTP (Events API)": (
        ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"),
        ("SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"),
    ),
    "Slack Socket Mode (worker)": (("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"),),
    "Slack multi-workspace OAuth": (
        ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET"),
    ),
    "Telegram webhook (serve)": (("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"),),
    "Telegram polling (worker)": (("TELEGRAM_BOT_TOKEN",),),
}


def mask_url(url: str) -> str:
    """Hide a password in a store URL."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def shown(value: object) -> str:
    """A printable value: secrets become ``set (N chars)``."""
    if value is None or value == "":
        return "-"
    if isinstance(value, SecretStr):
        return f"set ({len(value.get_secret_value())} chars)"
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    return str(value)


def report(settings: Settings) -> tuple[list[str], int]:
    """Lines of the report and how many platform modes are ready."""
    by_alias = {info.alias: name for name, info in type(settings).model_fields.items()}
    lines = ["Settings:"]
    for alias, name in by_alias.items():
        lines.append(f"  {alias:<32} {shown(getattr(settings, name))}")
    lines.append("Platforms:")
    ready = 0
    problems = setting_problems(settings)
    for mode, groups in PLATFORMS.items():
        missing = [[v for v in g if not getattr(settings, by_alias[v])] for g in groups]
        best = min(missing, key=len)
        invalid = sorted({v for g in groups for v in g if v in problems})
        if invalid:
            lines.append(f"  {mode:<32} invalid {', '.join(invalid)}")
        elif not best:
            ready += 1
            lines.append(f"  {mode:<32} ready")
        else:
            lines.append(f"  {mode:<32} missing {', '.join(best)}")
    if problems:
        lines.append("Problems:")
        lines += [f"  {name}: {problem}" for name, problem in problems.items()]
    notes = warnings(settings)
    if notes:
        lines.append("Warnings:")
        lines += [f"  {note}" for note in notes]
    return lines, ready


def warnings(settings: Settings) -> list[str]:
    """What works but should not stay so in production."""
    notes = []
    if settings.slack_oauth and settings.secret_key is None:
        notes.append(
            "CLIENTCOACH_SECRET_KEY is not set: Slack installation tokens are stored "
            f"unencrypted in {shown(settings.store)}; `clientcoach serve` refuses to start on "
            "a public interface without it. Generate a key with `clientcoach config new-key`."
        )
    return notes


def setting_problems(settings: Settings) -> dict[str, str]:
    """Variables that are set but that their platform would refuse."""
    problems = {}
    secret = settings.telegram_webhook_secret
    problem = secret_problem(secret.get_secret_value() if secret is not None else None)
    if problem:
        problems["TELEGRAM_WEBHOOK_SECRET"] = problem
    if settings.secret_key is not None:
        problem = key_problem(settings.secret_key.get_secret_value())
        if problem:
            problems["CLIENTCOACH_SECRET_KEY"] = problem
    return problems


def key_problem(raw: str) -> str | None:
    """Why the encryption key(s) would be refused (None without ``cryptography``: it comes with
    the services, which are what use the key)."""
    try:
        from bot.token_vault import key_problem as problem_of
    except ModuleNotFoundError:
        return None
    problem = problem_of(raw)
    return problem.removeprefix("CLIENTCOACH_SECRET_KEY: ") if problem else None


@click.group()
def config() -> None:
    """Inspect the configuration read from the environment and .env."""


@config.command()
@click.option("--strict", is_flag=True, help="Exit with status 1 when no platform is ready.")
def check(strict: bool) -> None:
    """Print what is set (secrets masked) and what is missing for each platform."""
    lines, ready = report(Settings())
    click.echo("\n".join(lines))
    if strict and not ready:
        raise SystemExit(1)


@config.command("new-key")
def new_key() -> None:
    """Print a new key for CLIENTCOACH_SECRET_KEY (tokens at rest are encrypted with it)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())
