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
    "config": "bot.cli.config:config",
    "slack-socket": "bot.cli.slack:slack_socket",
    "telegram-polling": "bot.cli.telegram:telegram_polling",
    "bench": "bot.cli.bench:bench",
}

OWN_PACKAGES = {"bot", "dialogs", "knowledge"}


def _needs_install(cmd_name: str, missing: str) -> click.Command:
    """A stand-in for a command whose dependencies the chat-only install left out: listed in
    the help, and a clear error (not a traceback) when run."""
    message = (
        f"`clientcoach {cmd_name}` needs {missing}, which the chat-only install leaves out: "
        "pip install -e '.[server]' (or `make test`, which installs everything)"
    )

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
            if (exc.name or "").split(".")[0] in OWN_PACKAGES:
                raise
            return _needs_install(cmd_name, str(exc.name))
        return getattr(module, attr)


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.version_option(package_name="clientcoach")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Coach freelancers through hard moments with their clients (Slack, Telegram, terminal)."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
