"""Every episode of a series checked through the session API before any synthesis.

Each episode (once per listener, when the series has listeners) becomes a SessionRequest
and is previewed: its template found, its vars resolved, its length fitted with the same
check `generate` uses. The first problem stops the build, with the file's line and the
episode's title, so nothing is built from a file that is wrong.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from guided_audio.audio.ffmpeg import check_bitrate
from guided_audio.errors import GuidedAudioError, SeriesError
from guided_audio.mix import background as backgrounds
from guided_audio.mix.bedmix import bed_shape
from guided_audio.mp3.cover import load_cover
from guided_audio.script import templates
from guided_audio.series.lines import in_file_words
from guided_audio.series.spec import EpisodeSpec, ListenerSpec, SeriesSpec
from guided_audio.session import SessionRequest, preview

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EpisodeJob:
    """One episode to have in one folder: what to ask the session for, and where it goes."""

    episode: EpisodeSpec
    listener: ListenerSpec | None
    folder: str
    """'' for the series' own folder, else the listener's folder inside it."""
    request: SessionRequest
    templates: tuple[templates.Template, ...]
    """The episode's template, or each of its parts' in order."""

    @property
    def template(self) -> templates.Template:
        return self.templates[0]

    @property
    def label(self) -> str:
        return f"{self.folder}/{self.episode.file}" if self.folder else self.episode.file


@dataclass
class CheckedSeries:
    jobs: list[EpisodeJob]
    warned: set[str]
    """The session's warnings already said (with their place), so renders do not repeat them."""


def check_series(series: SeriesSpec) -> CheckedSeries:
    """Every (listener, episode) the series asks for, each checked; raises SeriesError.

    The session's warnings (an option that changes nothing) are said once each, with the line
    and the episode, in the file's own key names.
    """
    known = _templates(series)
    _check_shared_vars(series, known)
    jobs, checked, warned = [], set(), set()
    for listener in series.listeners or [None]:
        for episode in series.episodes:
            found = known[episode.index]
            request = request_for(series, episode, listener, found)
            key = repr(request)
            if key not in checked:  # a listener whose vars no template here takes changes nothing
                for warning in _check(series, episode, listener, request):
                    if warning not in warned:
                        log.warning("%s: %s", series.where(episode.lines.of(), episode, listener), warning)
                        warned.add(warning)
                checked.add(key)
            jobs.append(EpisodeJob(episode, listener, listener.folder if listener else "", request, found))
    for episode in series.episodes:
        _warn_idle_shaping(series, episode, warned)
    return CheckedSeries(jobs, warned)


def _warn_idle_shaping(series: SeriesSpec, episode: EpisodeSpec, warned: set[str]) -> None:
    """An episode's own seed or background_level without a background changes nothing: say so,
    as generate does for --seed and --background-level (the series' own apply where there is one)."""
    if (episode.shaping.background or backgrounds.NONE) != backgrounds.NONE:
        return
    given = [key for key in ("seed", "background_level") if key in episode.lines.keys]
    if given:
        verb, they = ("shapes", "it changes") if len(given) == 1 else ("shape", "they change")
        warning = f"{' and '.join(given)} {verb} a background; without background = \"...\" {they} nothing"
        log.warning("%s: %s", series.where(episode.lines.of(given[0]), episode, None), warning)
        warned.add(warning)


def request_for(
    series: SeriesSpec, episode: EpisodeSpec, listener: ListenerSpec | None, found: tuple[templates.Template, ...]
) -> SessionRequest:
    """The series' vars and the listener's where the template (a part's) takes them, then the
    episode's own; a part's own vars win over all of them."""
    shaping = episode.shaping
    template = found[0]
    background = shaping.background or backgrounds.NONE
    shaped = background != backgrounds.NONE  # the series' level and seed are for episodes with a background
    declared = {name for each in found for name in each.params}
    shared = {k: v for k, v in series.defaults.vars.items() if k in declared}
    personal = {k: v for k, v in (listener.vars if listener else {}).items() if k in declared}
    variables = {**shared, **personal, **episode.own_vars}
    for name in file_vars(template, variables) if not episode.parts else ():  # a file beside the series file
        variables[name] = str((series.path.parent / variables[name]).expanduser())
    options = dict(
        variables=variables,
        engine=shaping.engine,
        voice=shaping.voice,
        rate=shaping.rate,
        background=background,
        background_level_db=shaping.background_level if shaped else None,
        duck_db=shaping.duck if shaped else None,
        seed=shaping.seed if shaped else None,
        bitrate_kbps=shaping.bitrate,
        title=episode.title,
        author=series.author,
        album=series.title,
        cover=episode.cover or series.cover,
    )
    if episode.parts:
        return SessionRequest.of_parts(episode.parts, **options)
    name = str(template.path) if not template.builtin else template.name
    return SessionRequest(template=name, minutes=episode.minutes, **options)


def file_vars(template: templates.Template, variables: dict[str, str]) -> list[str]:
    """The vars that name a file (a `lines` parameter): its content is part of the episode."""
    return [name for name, value in variables.items() if value and name in template.params
            and template.params[name].type == "lines"]  # fmt: skip


def _templates(series: SeriesSpec) -> dict[int, tuple[templates.Template, ...]]:
    found = {}
    for episode in series.episodes:
        names = [part.template for part in episode.parts] or [episode.template]
        try:
            found[episode.index] = tuple(templates.find(name) for name in names)
        except GuidedAudioError as exc:
            raise _located(series, episode, None, exc) from None
    return found


def _check_shared_vars(series: SeriesSpec, known: dict[int, tuple[templates.Template, ...]]) -> None:
    """A series or listener var that no episode's template takes is surely a typo."""
    declared = {name for found in known.values() for template in found for name in template.params}
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


def _check(series: SeriesSpec, episode: EpisodeSpec, listener: ListenerSpec | None, request: SessionRequest) -> list[str]:
    """The request previewed and its remaining choices checked; returns the session's warnings
    in the file's words."""
    try:
        plan = preview(request, with_range=False)
        bed_shape(request.background_level_db, request.duck_db)
        if request.bitrate_kbps is not None:
            check_bitrate(request.bitrate_kbps)
        if request.background not in (backgrounds.NONE, *backgrounds.names()) and not Path(request.background).is_file():
            backgrounds.choose(request.background, seed=0, seconds=1)  # names the built-ins in its error
        if request.cover is not None:
            load_cover(request.cover)
    except GuidedAudioError as exc:
        raise _located(series, episode, listener, exc) from None
    return [in_file_words(notice) for notice in plan.warnings]


def _located(series: SeriesSpec, episode: EpisodeSpec, listener: ListenerSpec | None, exc: GuidedAudioError):
    """The error at the line of the file it concerns (its field; for a parameter, the table that set it)."""
    key = exc.field
    if episode.parts and (key in ("template", "minutes") or (key == "vars" and "vars" not in episode.lines.keys)):
        key = "parts"
    line = episode.lines.of(key)
    if key == "vars" and listener is not None and exc.parameter in listener.vars and exc.parameter not in episode.own_vars:
        line = listener.lines.of("vars") if "vars" in listener.lines.keys else listener.lines.of("name")
    if key == "vars" and "vars" not in episode.lines.keys and listener is None:
        line = series.lines.table("series").of("vars") if series.defaults.vars else episode.lines.of()
    return SeriesError(f"{series.where(line, episode, listener)}: {in_file_words(exc)}", field=key, part=exc.part,
                       parameter=exc.parameter, file=str(series.path), line=line)  # fmt: skip
