"""Command line: parse options, call the library, print. No logic lives here."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from guided_audio import __version__
from guided_audio.commands.feed import feed
from guided_audio.commands.playlist import playlist
from guided_audio.commands.serve import serve
from guided_audio.errors import GuidedAudioError

log = logging.getLogger("guided_audio")


class GuidedAudioGroup(click.Group):
    """Turns every library error into one clean error line (the only place this happens)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GuidedAudioError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.ClickException("interrupted; nothing was written") from None


@click.group(cls=GuidedAudioGroup)
@click.version_option(__version__, prog_name="guided-audio")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """Turn script templates into voice-guided relaxation sessions.

    \b
    Example:
        guided-audio generate deep-breathing --minutes 5
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for _command in (feed, serve, playlist):
    cli.add_command(_command)


def session_options(command):
    """Options shared by generate and preview."""
    options = [
        click.argument("template"),
        click.option("--minutes", "-m", type=float, required=True, help="Exact length of the session."),
        click.option("--var", "variables", multiple=True, metavar="KEY=VALUE",
                     help="Set a template parameter (repeatable); see `guided-audio templates`."),
        click.option("--engine", type=click.Choice(["piper", "gtts"]), default="piper", show_default=True,
                     help="piper speaks offline; gtts uses Google's online voice."),
        click.option("--voice", help="Piper voice: a name (default joe) or a path to a .onnx voice."),
        click.option("--rate", type=float, default=0.75, show_default=True,
                     help="Speaking pace; 1.0 is the voice's conversational pace."),
        click.option("--lang", default="en", show_default=True, help="gTTS language."),
        click.option("--tld", default="com", show_default=True, help="gTTS accent (Google domain), e.g. co.uk."),
        click.option("--templates-dir", "templates_dirs", multiple=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Folder of your own templates (before built-ins); also $GUIDED_AUDIO_TEMPLATES."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _request(**kwargs):
    from guided_audio.params import parse_var_options
    from guided_audio.session import SessionRequest

    kwargs["variables"] = parse_var_options(kwargs["variables"])
    kwargs["templates_dirs"] = tuple(kwargs["templates_dirs"])
    return SessionRequest(**{key: value for key, value in kwargs.items() if value is not None})


@cli.command()
@session_options
@click.option("--background", default="none", show_default=True, metavar="NAME|PATH",
              help="A soundscape (see `guided-audio backgrounds`) or an audio file to loop under the voice.")
@click.option("--background-level", "background_level_db", type=float, metavar="DB",
              help="Background loudness relative to the voice, in dB, -40 to 0 [default: -22, lower where long pauses need it].")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the generated soundscape: the same seed gives the same sound.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="MP3 to write [default: output/TEMPLATE-Nmin.mp3]; its sidecars go beside it.")
@click.option("--bitrate", "bitrate_kbps", type=click.IntRange(32, 320),
              help="Constant MP3 bitrate in kbps [default: 96 mono, 128 stereo].")
@click.option("--title", help="Title players show [default: the template's title and length].")
@click.option("--author", help="Artist/author tag [default: guided-audio].")
@click.option("--album", help="Album or series tag [default: Guided relaxation].")
@click.option("--cover", type=click.Path(dir_okay=False, path_type=Path),
              help="Front cover image (square JPEG or PNG, 1400 px or more) [default: drawn, naming the session].")
@click.option("--no-cache", is_flag=True, help="Synthesise every phrase again, ignoring the phrase cache.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def generate(quiet: bool, no_cache: bool, **kwargs) -> None:
    """Render TEMPLATE to a tagged MP3 of exactly --minutes, with transcript, manifest and chapters.

    \b
    Example:
        guided-audio generate deep-breathing --minutes 5 --var pattern=box
    """
    from guided_audio.session import generate as generate_session

    request = _request(use_cache=not no_cache, **kwargs)
    with _Progress(enabled=not quiet and sys.stderr.isatty()) as progress:
        result = generate_session(request, progress=progress)
    if not quiet:
        timeline = result.plan.timeline
        click.echo(
            f"Wrote {result.files['mp3']} ({timeline.seconds:.1f} s, {len(timeline.speech)} phrases, "
            f"{result.synthesised} synthesised, {result.cached} from cache; "
            f"{result.mastered.loudness_lufs:g} LUFS, true peak {result.mastered.true_peak_dbtp:g} dBTP) "
            f"in {result.seconds_taken:.1f} s"
        )


@cli.command()
@session_options
def preview(**kwargs) -> None:
    """Print the planned timeline of TEMPLATE without synthesising any speech.

    Phrase lengths come from the phrase cache when a session was rendered before, and are
    estimated otherwise.

    \b
    Example:
        guided-audio preview guided-imagery --minutes 10 --var scene=forest
    """
    from guided_audio.report import format_plan
    from guided_audio.session import preview as preview_session

    click.echo(format_plan(preview_session(_request(**kwargs))))


@cli.command(name="templates")
@click.option("--templates-dir", "templates_dirs", multiple=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder of your own templates.")  # fmt: skip
def list_templates(templates_dirs: tuple[Path, ...]) -> None:
    """List the templates with their descriptions and parameters.

    \b
    Example:
        guided-audio templates
    """
    from guided_audio.report import format_templates
    from guided_audio.templates import available

    click.echo(format_templates(available(templates_dirs)))


@cli.command(name="backgrounds")
def list_backgrounds() -> None:
    """List the built-in background soundscapes, one line each.

    \b
    Example:
        guided-audio backgrounds
    """
    from guided_audio.report import format_backgrounds

    click.echo(format_backgrounds())


class _Progress:
    """A click progress bar per stage, only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.stage = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self._close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(length=total, label=stage.ljust(12), file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc) -> None:
        self._close()


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
