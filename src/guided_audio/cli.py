"""Command line: the group, logging, and the one place anything raised becomes an error line.

Each command lives in `commands/`, a few lines that parse options and call the library.
Every failure ends as `Error: <problem and fix>` on stderr: exit 2 for a command line click
cannot parse, 1 for the rest, 128 + the signal for an interrupt (130 Ctrl-C, 143 SIGTERM).
`--debug` (or -vv) adds the traceback above that line, for a bug report.
"""

from __future__ import annotations

import signal
import sys
import traceback

import click

from guided_audio import __version__
from guided_audio.commands import logs
from guided_audio.commands.build import build
from guided_audio.commands.cache import cache
from guided_audio.commands.feed import feed
from guided_audio.commands.generate import generate, preview
from guided_audio.commands.lists import list_backgrounds, list_templates, list_voices
from guided_audio.commands.page import page
from guided_audio.commands.playlist import playlist
from guided_audio.commands.serve import serve
from guided_audio.commands.words import flag
from guided_audio.errors import Interrupted, describe, shortened

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
"""-h as well as --help, on the group and (inherited) on every command."""
DEBUG = "guided_audio.debug"
"""ctx.meta key: --debug was given, before or after the command name (one invocation's, not the process's)."""


class Failure(click.ClickException):
    """Anything a command raised, as its one line and exit code (see errors.describe)."""

    def __init__(self, exc: BaseException) -> None:
        message, self.exit_code = describe(exc, flag)
        super().__init__(message)


class GuidedAudioGroup(click.Group):
    """Turns everything a command raises into one clean error line (the only place this happens)."""

    def invoke(self, ctx: click.Context):
        from guided_audio.output import WRITTEN

        WRITTEN.clear()  # what this command writes (a test runner invokes many in one process)
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            _show_traceback(exc, ctx.meta.get(DEBUG, False))
            raise Failure(exc) from None
        except KeyboardInterrupt as exc:
            raise Failure(exc) from None


def _show_traceback(exc: BaseException, debug: bool) -> None:
    if debug or logs.verbosity() >= 2:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[DEBUG] = True


@click.group(cls=GuidedAudioGroup, context_settings=HELP_OPTIONS)
@click.version_option(__version__, prog_name="guided-audio")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.option("--debug", is_flag=True, expose_value=False, callback=_set_debug,
              help="On an error, show the traceback too (for a bug report).")  # fmt: skip
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


def _with_shared_options(command: click.Command) -> click.Command:
    command.params.append(
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_more_verbose,
                     help="Log more (-v info, -vv debug).")
    )  # fmt: skip
    command.params.append(
        click.Option(["--debug"], is_flag=True, expose_value=False, callback=_set_debug,
                     help="On an error, show the traceback too (for a bug report).")
    )  # fmt: skip
    return command


for _command in (generate, preview, build, list_templates, list_backgrounds, list_voices, feed, page, serve, playlist):
    cli.add_command(_with_shared_options(_command))
for _command in cache.commands.values():
    _with_shared_options(_command)
cli.add_command(cache)


def _interrupt(signum: int, frame) -> None:
    raise Interrupted(signum)


def main() -> None:
    """Console-script entry point: every error is one line on stderr and a non-zero exit."""
    for name in ("SIGTERM", "SIGHUP"):  # stopped as by Ctrl-C: clean-up runs, nothing is left half-written
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    try:
        cli.main(prog_name="guided-audio", standalone_mode=False)
    except click.exceptions.Abort as exc:  # Ctrl-C or end of input while click itself was busy
        if isinstance(exc.__cause__, KeyboardInterrupt):
            message, code = describe(exc.__cause__)
        else:
            message, code = "aborted; nothing was written", 1
        click.echo(f"Error: {message}", err=True)
        sys.exit(code)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "guided-audio"
        click.echo(f"Error: {shortened(exc.format_message())} (see '{command} --help')", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"Error: {shortened(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:  # between click's parsing and the command
        message, code = describe(exc)
        click.echo(f"Error: {message}", err=True)
        sys.exit(code)
