"""Every episode of a series checked through the session API before any synthesis.

Each episode (once per listener, when the series has listeners) becomes a SessionRequest
and is previewed: its template found, its vars resolved, its length fitted with the same
check `generate` uses. The first problem stops the build, with the file's line and the
episode's title, so nothing is built from a file that is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from guided_audio.audio.ffmpeg import check_bitrate
from guided_audio.errors import (
    AudioError, BackgroundError, CoverError, GuidedAudioError, LengthError, ParameterError, SeriesError,
    TemplateNotFound, TemplateSyntaxError, VoiceError,
)  # fmt: skip
from guided_audio.mix import background as backgrounds
from guided_audio.mix.bedmix import bed_shape
from guided_audio.mp3.cover import load_cover
from guided_audio.script import templates
from guided_audio.script.fitting import DEFAULT_RATE
from guided_audio.series.spec import EpisodeSpec, ListenerSpec, SeriesSpec
from guided_audio.session import SessionRequest, preview

OPTION_NAMES = {"--minutes": "minutes", "--var ": "vars ", "--var": "vars", "--bitrate": "bitrate",
                "--background-level": "background_level", "--background": "background", "--voice": "voice",
                "--engine": "engine", "--rate": "rate", "--cover": "cover", "--seed": "seed"}  # fmt: skip
"""The session's messages name generate's options; in a series file the keys are named so."""
KEY_OF_ERROR: dict[type, str] = {
    ParameterError: "vars", LengthError: "minutes", TemplateNotFound: "template", TemplateSyntaxError: "template",
    VoiceError: "voice", BackgroundError: "background", AudioError: "bitrate", CoverError: "cover",
}  # fmt: skip


@dataclass(frozen=True)
class EpisodeJob:
    """One episode to have in one folder: what to ask the session for, and where it goes."""

    episode: EpisodeSpec
    listener: ListenerSpec | None
    folder: str
    """'' for the series' own folder, else the listener's folder inside it."""
    request: SessionRequest
    template: templates.Template

    @property
    def label(self) -> str:
        return f"{self.folder}/{self.episode.file}" if self.folder else self.episode.file


def check_series(series: SeriesSpec) -> list[EpisodeJob]:
    """Every (listener, episode) the series asks for, each checked; raises SeriesError."""
    known = _templates(series)
    _check_shared_vars(series, known)
    jobs, checked = [], set()
    for listener in series.listeners or [None]:
        for episode in series.episodes:
            template = known[episode.index]
            request = request_for(series, episode, listener, template)
            key = repr(request)
            if key not in checked:  # a listener whose vars no template here takes changes nothing
                _check(series, episode, listener, request)
                checked.add(key)
            jobs.append(EpisodeJob(episode, listener, listener.folder if listener else "", request, template))
    return jobs


def request_for(
    series: SeriesSpec, episode: EpisodeSpec, listener: ListenerSpec | None, template: templates.Template
) -> SessionRequest:
    """The series' vars and the listener's where the template takes them, then the episode's own."""
    shaping = episode.shaping
    declared = set(template.params)
    shared = {k: v for k, v in series.defaults.vars.items() if k in declared}
    personal = {k: v for k, v in (listener.vars if listener else {}).items() if k in declared}
    return SessionRequest(
        template=str(template.path) if not template.builtin else template.name,
        minutes=episode.minutes,
        variables={**shared, **personal, **episode.own_vars},
        engine=shaping.engine or "piper",
        voice=shaping.voice,
        rate=shaping.rate if shaping.rate is not None else DEFAULT_RATE,
        background=shaping.background or backgrounds.NONE,
        background_level_db=shaping.background_level,
        seed=shaping.seed,
        bitrate_kbps=shaping.bitrate,
        title=episode.title,
        author=series.author,
        album=series.title,
        cover=episode.cover or series.cover,
    )


def _templates(series: SeriesSpec) -> dict[int, templates.Template]:
    found = {}
    for episode in series.episodes:
        try:
            found[episode.index] = templates.find(episode.template)
        except GuidedAudioError as exc:
            raise _located(series, episode, None, exc) from None
    return found


def _check_shared_vars(series: SeriesSpec, known: dict[int, templates.Template]) -> None:
    """A series or listener var that no episode's template takes is surely a typo."""
    declared = {name for template in known.values() for name in template.params}
    sources = [(series.defaults.vars, series.lines.table("series").of("vars"), None)]
    sources += [(listener.vars, listener.lines.of("vars"), listener) for listener in series.listeners]
    for values, line, listener in sources:
        for name in values:
            if name not in declared and not (listener and name == "name"):
                owner = f"listener {listener.name!r}" if listener else "[series]"
                raise SeriesError(
                    f"{series.where(line)}: {owner} sets var {name!r}, which no episode's template takes; "
                    f"remove it or use one of: {', '.join(sorted(declared)) or 'none'}"
                )


def _check(series: SeriesSpec, episode: EpisodeSpec, listener: ListenerSpec | None, request: SessionRequest) -> None:
    try:
        preview(request)
        bed_shape(request.background_level_db)
        if request.bitrate_kbps is not None:
            check_bitrate(request.bitrate_kbps)
        if request.background not in (backgrounds.NONE, *backgrounds.names()) and not Path(request.background).is_file():
            backgrounds.choose(request.background, seed=0, seconds=1)  # names the built-ins in its error
        if request.cover is not None:
            load_cover(request.cover)
    except GuidedAudioError as exc:
        raise _located(series, episode, listener, exc) from None


def _located(series: SeriesSpec, episode: EpisodeSpec, listener: ListenerSpec | None, exc: GuidedAudioError):
    key = next((k for kind, k in KEY_OF_ERROR.items() if isinstance(exc, kind)), None)
    line = episode.lines.of(key)
    if key == "vars" and listener is not None and any(re.search(rf"\b{re.escape(n)}\b", str(exc)) for n in listener.vars):
        if not any(re.search(rf"\b{re.escape(n)}\b", str(exc)) for n in episode.own_vars):
            line = listener.lines.of("vars") if "vars" in listener.lines.keys else listener.lines.of("name")
    if key == "vars" and "vars" not in episode.lines.keys and listener is None:
        line = series.lines.table("series").of("vars") if series.defaults.vars else episode.lines.of()
    message = str(exc)
    for option, name in OPTION_NAMES.items():
        message = message.replace(option, name)
    return SeriesError(f"{series.where(line, episode, listener)}: {message}")


def with_output(request: SessionRequest, output: Path) -> SessionRequest:
    return replace(request, output=output)
