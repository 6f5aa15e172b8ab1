"""`guided-audio generate` and `preview`: one session, rendered or planned."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from guided_audio.commands.words import say

log = logging.getLogger(__name__)


def session_options(command):
    """Options shared by generate and preview."""
    options = [
        click.argument("template", nargs=-1, required=True, metavar="TEMPLATE|PART..."),
        click.option("--minutes", "-m", type=float,
                     help="Exact length of the session (a part gives its own: TEMPLATE:MINUTES)."),
        click.option("--var", "variables", multiple=True, metavar="KEY=VALUE",
                     help="Set a template parameter (repeatable); see `guided-audio templates`."),
        click.option("--engine", type=click.Choice(["hibari", "piper", "gtts"]),
                     help="hibari and piper speak offline; gtts uses Google's online voice [default: the voice's engine]."),
        click.option("--voice", help="A voice from `guided-audio voices` (heart, joe), a Piper voice's name or .onnx path."),
        click.option("--rate", type=float,
                     help="Speaking pace on the engine's own scale (1.0 conversational): piper 0.3-2.0, hibari and gtts 0.5-2.0 "
                          "[default: the engine's meditation pace, shown by `guided-audio voices`]."),
        click.option("--lang", help="gTTS language [default: en]."),
        click.option("--tld", help="gTTS accent (Google domain), e.g. co.uk [default: com]."),
        click.option("--templates-dir", "templates_dirs", multiple=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Folder of your own templates (before built-ins); also $GUIDED_AUDIO_TEMPLATES."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _request(**kwargs):
    """The session's parts: one template and --minutes, or parts (TEMPLATE:MINUTES[:KEY=VALUE...])."""
    from guided_audio.errors import LengthError
    from guided_audio.script.params import parse_var_options
    from guided_audio.script.parts import parse_part, total_minutes
    from guided_audio.session import SessionRequest

    kwargs["variables"] = parse_var_options(kwargs["variables"])
    kwargs["templates_dirs"] = tuple(kwargs["templates_dirs"])
    named, minutes = kwargs.pop("template"), kwargs.pop("minutes")
    options = {key: value for key, value in kwargs.items() if value is not None}
    if len(named) == 1 and (minutes is not None or ":" not in named[0]):
        if minutes is None:  # a command line short of an option: exit 2, as click's own are
            raise click.UsageError(f"say how long: --minutes N, or {named[0]}:N (like {named[0]}:10)")
        return SessionRequest(named[0], minutes, **options)
    parts = [parse_part(text) for text in named]
    total = total_minutes(parts)
    if minutes is not None and abs(minutes - total) > 1e-9:
        raise LengthError(f"the parts add up to {total:g} minutes, not --minutes {minutes:g}; leave out --minutes")
    return SessionRequest.of_parts(parts, **options)


@click.command()
@session_options
@click.option("--background", default="none", show_default=True, metavar="NAME|PATH",
              help="A soundscape (see `guided-audio backgrounds`) or an audio file to loop under the voice.")
@click.option("--background-level", "background_level_db", type=float, metavar="DB",
              help="Background loudness relative to the voice, in dB, -40 to 0 [default: -22, lower where long pauses need it].")
@click.option("--duck", "duck_db", type=float, metavar="DB",
              help="How far the background dips while the voice speaks, in dB, 0 to 20 [default: 4].")
@click.option("--seed", type=click.IntRange(min=0),
              help="Seed of the generated soundscape: the same seed gives the same sound [default: 0].")
@click.option("--output", "-o", type=click.Path(), metavar="PATH",
              help="MP3 to write, or a folder to write the default name in [default: output/TEMPLATE-Nmin.mp3]; its sidecars go beside it.")
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

    Several parts (TEMPLATE:MINUTES[:KEY=VALUE...]) make one session, a chapter each.

    \b
    Example:
        guided-audio generate deep-breathing --minutes 5 --var pattern=box

    \b
    Several parts, one session:
        guided-audio generate deep-breathing:5:pattern=box progressive-muscle-relaxation:15 guided-imagery:20
    """
    from guided_audio.commands.report import counted
    from guided_audio.session import generate as generate_session

    request = _request(use_cache=not no_cache, **kwargs)
    with ProgressBars(enabled=not quiet and sys.stderr.isatty()) as progress:
        result = generate_session(request, progress=progress)
    warn(result.warnings)
    if not quiet:
        timeline = result.plan.timeline
        spoken, distinct = len(timeline.speech), result.synthesised + result.cached
        made = f"{result.synthesised} synthesised, {result.cached} from cache"
        # a cue said in every cycle is one recording placed many times: count both
        phrases = f"{counted(spoken, 'phrase')} ({distinct} different: {made})" if distinct != spoken else f"{counted(spoken, 'phrase')} ({made})"
        click.echo(
            f"Wrote {result.files.mp3} ({timeline.seconds:.1f} s, {phrases}; "
            f"{result.mastered.loudness_lufs:g} LUFS, true peak {result.mastered.true_peak_dbtp:g} dBTP) "
            f"in {result.seconds_taken:.1f} s"
        )


@click.command()
@session_options
@click.option("--json", "as_json", is_flag=True,
              help="Print the plan as JSON, in the shape of the manifest generate writes (estimated lengths marked).")
def preview(as_json: bool, **kwargs) -> None:
    """Print the planned timeline of TEMPLATE without synthesising any speech.

    Phrase lengths come from the phrase cache when a session was rendered before, and are
    estimated otherwise. With --json the plan is the manifest's segments, phases, tones,
    chapters and parts.

    \b
    Example:
        guided-audio preview guided-imagery --minutes 10 --var scene=forest

    \b
    Several parts, one session:
        guided-audio preview deep-breathing:5 progressive-muscle-relaxation:15 guided-imagery:20

    \b
    The plan as JSON:
        guided-audio preview mindfulness -m 20 --var bells=every:5 --json
    """
    from guided_audio.commands.report import format_plan
    from guided_audio.session import plan_manifest
    from guided_audio.session import preview as preview_session

    request = _request(**kwargs)
    plan = preview_session(request, with_range=not as_json)
    warn(plan.warnings)
    if as_json:
        click.echo(json.dumps(plan_manifest(request, plan), indent=2, ensure_ascii=False))
    else:
        click.echo(format_plan(plan))


def warn(notices) -> None:
    """The session's warnings (options that change nothing), in the command line's words."""
    for notice in notices:
        log.warning("%s", say(notice))


class ProgressBars:
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

    def __enter__(self) -> "ProgressBars":
        return self

    def __exit__(self, *exc) -> None:
        self._close()
