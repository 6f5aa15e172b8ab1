"""Command line: the group, logging, and the one place library errors become error lines.

Each command lives in `commands/`, a few lines that parse options and call the library.
"""

from __future__ import annotations

import sys

import click

from guided_audio import __version__
from guided_audio.commands.build import build
from guided_audio.commands.feed import feed
from guided_audio.commands.generate import generate, preview
from guided_audio.commands import logs
from guided_audio.commands.lists import list_backgrounds, list_templates
from guided_audio.commands.page import page
from guided_audio.commands.playlist import playlist
from guided_audio.commands.serve import serve
from guided_audio.errors import GuidedAudioError

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
"""-h as well as --help, on the group and (inherited) on every command."""


class GuidedAudioGroup(click.Group):
    """Turns every library error into one clean error line (the only place this happens)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GuidedAudioError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.ClickException("interrupted; nothing was written") from None


@click.group(cls=GuidedAudioGroup, context_settings=HELP_OPTIONS)
@click.version_option(__version__, prog_name="guided-audio")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """Turn script templates into voice-guided relaxation sessions.

    \b
    Example:
        guided-audio generate deep-breathing --minutes 5
    """
    logs.configure(verbose)


def _more_verbose(ctx: click.Context, param: click.Parameter, count: int) -> None:
    """-v given after the command name adds to any given before it."""
    if count:
        logs.set_verbosity(logs.verbosity() + count)


for _command in (generate, preview, build, list_templates, list_backgrounds, feed, page, serve, playlist):
    _command.params.append(
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_more_verbose,
                     help="Log more (-v info, -vv debug).")
    )  # fmt: skip
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point: every error is one line on stderr and a non-zero exit."""
    try:
        cli.main(prog_name="guided-audio", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Error: aborted; nothing was written", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "guided-audio"
        click.echo(f"Error: {exc.format_message()} (see '{command} --help')", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
