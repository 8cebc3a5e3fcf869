"""The ``clientcoach`` command. Sub-commands are imported only when used, to start fast."""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "chat": "bot.cli.chat:chat",
    "kb": "bot.cli.kb:kb",
    "graph": "bot.cli.graph:graph",
    "route": "bot.cli.route:route",
    "eval": "bot.cli.evaluate:evaluate",
    "serve": "bot.cli.serve:serve",
    "worker": "bot.cli.serve:worker",
    "consume": "bot.cli.serve:consume",
    "config": "bot.cli.config:config",
    "slack-socket": "bot.cli.slack:slack_socket",
    "telegram-polling": "bot.cli.telegram:telegram_polling",
    "bench": "bot.cli.bench:bench",
    "calibrate": "bot.cli.routing_tools:calibrate",
    "embedding-head": "bot.cli.routing_tools:embedding_head",
}

OWN_PACKAGES = {"bot", "dialogs", "knowledge"}


def _missing(cmd_name: str, module: str) -> str:
    return (
        f"`clientcoach {cmd_name}` needs {module}, which is not installed (the chat-only install "
        "leaves the servers' libraries out): pip install -e '.[server]', or `make test`, which "
        "installs everything"
    )


def _foreign(exc: ModuleNotFoundError) -> bool:
    """A missing third-party library (not a broken import inside this project)."""
    return (exc.name or "").split(".")[0] not in OWN_PACKAGES


def _needs_install(cmd_name: str, missing: str) -> click.Command:
    """A stand-in for a command whose module cannot be imported without a library the install
    left out: listed in the help, and a clear error (not a traceback) when run."""
    message = _missing(cmd_name, missing)

    def fail() -> None:
        raise click.ClickException(message)

    return click.Command(
        cmd_name,
        callback=fail,
        help=message,
        short_help="(needs the server extra: pip install -e '.[server]')",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


class LazyGroup(click.Group):
    """A click group whose commands live in modules loaded on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            if not _foreign(exc):
                raise
            return _needs_install(cmd_name, str(exc.name))
        return getattr(module, attr)

    def invoke(self, ctx: click.Context) -> object:
        """Commands import their heavy libraries when they run: one missing is a clear error."""
        try:
            return super().invoke(ctx)
        except ModuleNotFoundError as exc:
            if not _foreign(exc):
                raise
            command = ctx.invoked_subcommand or ""
            raise click.ClickException(_missing(command, str(exc.name))) from exc


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.version_option(package_name="clientcoach")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Coach freelancers through hard moments with their clients (Slack, Telegram, terminal)."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
