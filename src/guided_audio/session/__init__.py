"""The library's front door: plan a session (no audio) or generate it (MP3 + sidecars).

    from guided_audio.session import SessionRequest, generate
    result = generate(SessionRequest("deep-breathing", minutes=5))
    parts = [parse_part("deep-breathing:5:pattern=box"), SessionPart("guided-imagery", 20)]
    result = generate(SessionRequest.of_parts(parts))   # one session, one chapter per part

`generate` is the pipeline, one call per stage: the script (template to items), the voice
(phrases to clips), the layout (items to a timeline), the mix (timeline to mastered samples),
the MP3 (samples to a tagged file) and the sidecars beside it.
"""

from __future__ import annotations

import logging
import math
from collections import ChainMap
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guided_audio.audio.ffmpeg import check_bitrate
from guided_audio.errors import GuidedAudioError, LengthError, Notice, option
from guided_audio.mix import background as backgrounds
from guided_audio.mix.bedmix import BedShape, bed_shape
from guided_audio.mix.mastering import Mastered, Progress, master
from guided_audio.mix.tones import tone_clips
from guided_audio.mp3.fingerprint import audio_fingerprint
from guided_audio.mp3.parts import resume_points, session_parts, write_mp3
from guided_audio.mp3.tags import SessionTags, chapter_spans, session_tags, write_tags
from guided_audio.output import OutputFiles
from guided_audio.publish.manifest import Manifest
from guided_audio.publish.sidecars import SessionFiles, write_sidecars
from guided_audio.script import markup, templates
from guided_audio.script.parts import Heading, PartScript, PlannedPart, SessionPart, parse_part, transition
from guided_audio.script import parts as multipart
from guided_audio.script.layout import Timeline
from guided_audio.script.lengths import (
    MAX_MINUTES,
    LengthRange,
    PhraseLengths,
    check_length,
    length_range,
    phrases,
    script,
)
from guided_audio.voice.cache import PhraseCache
from guided_audio.voice.engine import PACE_SCALE, Engine, default_rate, engine_for, make_engine
from guided_audio.voice.pace import sleep_ending_summary, soften_sleep_ending, words_per_minute
from guided_audio.voice.speech import cache_key, synthesise_phrases
from guided_audio.session.idle import idle_notices

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionRequest:
    """Everything a user chooses about one session."""

    template: str
    minutes: float
    variables: dict[str, str] = field(default_factory=dict)
    engine: str | None = None
    """hibari, piper or gtts; None: the engine of `voice`, or the default (voice.engine)."""
    voice: str | None = None
    rate: float | None = None
    """The engine's own speed scale; None: that engine's default (voice.engine.DEFAULT_RATES)."""
    lang: str | None = None
    """gTTS language (default en); the piper voice has its own."""
    tld: str | None = None
    """gTTS accent, as a Google domain (default com)."""
    background: str = "none"
    """A built-in soundscape's name, a path to an audio file, or none."""
    background_level_db: float | None = None
    """Bed loudness relative to the voice (dB); None: -22, lowered for long pauses."""
    duck_db: float | None = None
    """How far the bed dips under speech (dB); None: mix.bedmix.DEFAULT_DUCK_DB."""
    seed: int | None = None
    """Seeds the generated soundscapes: the same seed gives the same sound (default 0)."""
    output: Path | str | None = None
    """The MP3 to write, or a folder to write the default name in (one that exists, or a path
    ending in /); by default output/TEMPLATE-Nmin.mp3."""
    templates_dirs: tuple[Path, ...] = ()
    bitrate_kbps: int | None = None
    """Constant MP3 bitrate; by default 96 kbps mono, 128 stereo."""
    use_cache: bool = True
    title: str | None = None
    author: str | None = None
    album: str | None = None
    cover: Path | None = None
    """Front cover image; without one a cover naming the session is drawn."""
    parts: tuple[SessionPart, ...] = ()
    """The parts, as of_parts gives them (`template` and `minutes` then sum them up); left
    empty, the session is the one part `template` at `minutes` (see session_parts)."""

    def __post_init__(self) -> None:
        engine = engine_for(self.engine, self.voice)
        object.__setattr__(self, "engine", engine)
        if self.rate is None:
            object.__setattr__(self, "rate", default_rate(engine))

    @property
    def script_rate(self) -> float:
        """The rate the script's length estimates scale by (they are written for Piper joe)."""
        return self.rate * PACE_SCALE[self.engine]

    @property
    def session_parts(self) -> tuple[SessionPart, ...]:
        """What the session is made of, always: the parts, or the one template at its minutes."""
        return self.parts or (SessionPart(self.template, self.minutes),)

    @classmethod
    def of_parts(cls, parts, **options) -> "SessionRequest":
        """One session made of `parts` (SessionPart, or their string form 'deep-breathing:5')."""
        parts = tuple(part if isinstance(part, SessionPart) else parse_part(part) for part in parts)
        if not parts:
            raise LengthError("a session needs at least one part, like deep-breathing:5")
        name = "+".join(part.template for part in parts)
        return cls(name, multipart.total_minutes(parts), parts=parts, **options)


@dataclass
class Plan:
    """A session laid out in time, from real phrase lengths or estimates."""

    heading: Heading
    """Its name, title and description: its template's, or its parts' together."""
    minutes: float
    params: dict[str, Any]
    items: list[markup.Item]
    timeline: Timeline
    estimated_phrases: int
    """How many phrase lengths were estimated rather than measured."""
    lengths: LengthRange | None = None
    """The whole minutes this template fits with these parameters (preview only)."""
    parts: list[PlannedPart] = field(default_factory=list)
    """Each part (one for a single template), where it lies and how it fits."""
    estimated: frozenset[markup.Speech] = frozenset()
    """The phrases whose lengths are estimates (preview only)."""
    warnings: list[Notice] = field(default_factory=list)
    """Options that change nothing here, for the caller to say (errors.Notice)."""


@dataclass
class GenerateResult:
    plan: Plan
    files: SessionFiles
    synthesised: int
    cached: int
    seconds_taken: float
    mastered: Mastered
    warnings: list[Notice] = field(default_factory=list)
    """Options that change nothing here, for the caller to say (errors.Notice)."""


@dataclass
class _Checked:
    """A request with every choice checked and its script rendered, before any slow work."""

    minutes: float
    engine: Engine
    cache: PhraseCache
    scripts: list[PartScript]
    """Each part's own script (one for a single template)."""
    tags: SessionTags
    background: backgrounds.Background
    shape: BedShape
    outputs: OutputFiles
    warnings: list[Notice] = field(default_factory=list)


def check_minutes(minutes: float) -> float:
    """A positive number; the longest is the template's to say (check_length), so that the
    first limit a user meets is the one that applies."""
    if not isinstance(minutes, (int, float)) or math.isnan(minutes) or minutes <= 0:
        shown = f"{minutes:g}" if isinstance(minutes, (int, float)) else repr(minutes)[:40]  # 0, as typed, not 0.0
        raise LengthError(f"{option('minutes')} must be a positive number, not {shown}; try {option('minutes')} 5")
    if math.isinf(minutes):
        raise LengthError(f"{option('minutes')} {minutes} is too long; the most is {MAX_MINUTES:g} minutes")
    return float(minutes)


def _script(request: SessionRequest, template, minutes: float, variables, session_part: str = ""):
    """The script's items and parameters, its sleep ending (if it has one: the session's last
    part's) slowed and softened (voice.pace)."""
    items, params = script(template, minutes, variables, rate=request.script_rate, session_part=session_part)
    if session_part in ("", "last"):
        items = soften_sleep_ending(items, minutes * 60, request.script_rate)
    return items, params


def _cached_lengths(engine, cache: PhraseCache, rate: float) -> PhraseLengths:
    """Lengths of phrases spoken before (from the phrase cache), estimates for the rest."""

    def known(phrase: markup.Speech) -> int | None:
        return cache.length(cache_key(engine, cache, phrase))

    return PhraseLengths(rate, known)


def _engine(request: SessionRequest) -> Engine:
    return make_engine(
        request.engine, voice=request.voice, rate=request.rate, lang=request.lang or "en", tld=request.tld or "com"
    )


def preview(request: SessionRequest, cache: PhraseCache | None = None, *, with_range: bool = True) -> Plan:
    """Plan without synthesis: measured lengths from the phrase cache, estimates otherwise
    (`with_range`: and every whole minute each part fits, most of preview's time)."""
    check_minutes(request.minutes)
    lengths = _cached_lengths(_engine(request), cache or PhraseCache(enabled=request.use_cache), request.script_rate)
    scripts = _part_scripts(request, lengths)
    plan = _lay_out(scripts, lengths)
    plan.warnings = idle_notices(request, scripts)  # after the checks: an error is then the only news
    plan.estimated = frozenset(set(phrases(plan.items)) & lengths.estimated)
    plan.estimated_phrases = len(plan.estimated)
    for part in plan.parts if with_range else ():
        part.lengths = length_range(part.script.template, dict(part.script.part.variables), lengths)
    if len(plan.parts) == 1:
        plan.lengths = plan.parts[0].lengths
    return plan


def plan_manifest(request: SessionRequest, plan: Plan) -> dict[str, Any]:
    """The plan in the shape of generate's manifest, by the same code, for reading a session
    before it is rendered (preview --json); what only rendering knows (loudness) is left out,
    and estimated lengths are marked (`"estimated": true`, `estimated_phrases`)."""
    engine = _engine(request)
    manifest = Manifest.of_timeline(
        plan.timeline, plan.estimated, preview=True, estimated_phrases=plan.estimated_phrases,
        title=request.title or f"{plan.heading.title} ({plan.minutes:g} min)", background=request.background,
        **_described(plan, engine),
    )  # fmt: skip
    return manifest.to_dict()


def _described(plan: Plan, engine: Engine) -> dict[str, Any]:
    """What a manifest and a plan's manifest both say: what was asked for and by which voice."""
    parts = [part.manifest(plan.timeline.rate) for part in plan.parts] if len(plan.parts) > 1 else None
    return {"template": plan.heading.name, "minutes": plan.minutes, "params": plan.params, "engine": engine.name,
            "voice": engine.voice_label, "parts": parts}  # fmt: skip


def output_path(output: Path | str | None, template_name: str, minutes: float) -> Path:
    """Where the MP3 goes: the default, the file given, or the default name in a folder given."""
    default = Path("output") / f"{template_name}-{minutes:g}min.mp3"
    if output is None:
        return default
    given = str(output)
    path = Path(given).expanduser()
    if path.is_dir() or given.endswith(("/", os.sep)):
        return path / default.name
    return path


def _check(request: SessionRequest) -> _Checked:
    """Every check that can fail, in the order a user would fix them, and none of the slow work.

    The output folder is made last, so a mistake anywhere leaves no folder behind.
    """
    minutes = check_minutes(request.minutes)
    shape = bed_shape(request.background_level_db, request.duck_db)
    if request.bitrate_kbps is not None:
        check_bitrate(request.bitrate_kbps)
    engine = _engine(request)
    cache = PhraseCache(enabled=request.use_cache)
    scripts = _part_scripts(request, _cached_lengths(engine, cache, request.script_rate))
    heading = multipart.heading(scripts)
    tags = session_tags(
        heading.title, heading.description, minutes, _params(scripts),
        title=request.title, author=request.author, album=request.album, cover_path=request.cover,
    )  # fmt: skip
    background = backgrounds.choose(request.background, seed=request.seed or 0, seconds=minutes * 60)
    outputs = OutputFiles(output_path(request.output, heading.name, minutes))
    outputs.check_writable()
    warnings = idle_notices(request, scripts)  # last: an error is then the only news
    return _Checked(minutes, engine, cache, scripts, tags, background, shape, outputs, warnings)


def generate(request: SessionRequest, progress: Progress | None = None) -> GenerateResult:
    """Render the tagged MP3 with its .vtt, .json and .chapters.json beside it, all or nothing."""
    started = time.perf_counter()
    checked = _check(request)
    items = [item for part in checked.scripts for item in part.items]
    bank = synthesise_phrases(checked.engine, phrases(items), checked.cache, progress=progress)
    if bank.synthesised and hasattr(checked.engine, "release"):
        checked.engine.release()  # the model's memory goes to the mix (voice.hibari)
    # Estimates only for phrases a longer trial length would add (when searching for a fit).
    plan = _lay_out(checked.scripts, PhraseLengths(request.script_rate, bank.length_of))
    timeline = plan.timeline
    parts = session_parts(timeline.total, timeline.rate)
    mastered = master(
        timeline, ChainMap(tone_clips(timeline), bank.clips), checked.background, checked.shape,
        resume_at=resume_points(parts), level_is_automatic=request.background_level_db is None,
        bitrate_kbps=request.bitrate_kbps, progress=progress,
    )  # fmt: skip
    spans = chapter_spans(timeline)
    with checked.outputs.writing() as temp:
        write_mp3(temp["mp3"], mastered, parts, progress=_stage(progress, "Encoding"))
        write_tags(temp["mp3"], checked.tags, spans)
        manifest = _manifest(checked, plan, mastered, request)
        manifest.mp3 = audio_fingerprint(temp["mp3"])  # the manifest names the MP3 it describes
        write_sidecars(temp, manifest, timeline, spans)
    files = SessionFiles.beside(checked.outputs.mp3)
    plan.warnings = checked.warnings + mastered.warnings
    return GenerateResult(
        plan, files, bank.synthesised, bank.cached, time.perf_counter() - started, mastered,
        checked.warnings + mastered.warnings,
    )


def _stage(progress: Progress | None, stage: str):
    """A (done, total) callback reporting to `progress` under `stage`."""
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def _manifest(checked: _Checked, plan: Plan, mastered: Mastered, request: SessionRequest) -> Manifest:
    """The manifest: the timeline, the choices made and how the session measured."""
    timeline = plan.timeline
    shaped = request.background != backgrounds.NONE
    return Manifest.of_timeline(
        timeline, title=checked.tags.title, background=checked.background.label, **_described(plan, checked.engine),
        **checked.tags.manifest_fields(), loudness_lufs=mastered.loudness_lufs, true_peak_dbtp=mastered.true_peak_dbtp,
        channels=mastered.channels, bitrate_kbps=mastered.bitrate_kbps,
        words_per_minute=words_per_minute(timeline.speech, timeline.seconds, timeline.rate),
        sleep_ending=sleep_ending_summary(timeline.speech, timeline.rate),
        background_level_db=mastered.background_level_db if shaped else None,
        duck_db=checked.shape.duck_db if shaped else None, seed=(request.seed or 0) if shaped else None,
    )  # fmt: skip


def _part_scripts(request: SessionRequest, length_of: PhraseLengths) -> list[PartScript]:
    """Each part checked and rendered on its own; of several, an error names the part it is about."""
    arranged = multipart.with_shared(request.session_parts, request.variables, request.templates_dirs)
    parts = arranged.parts
    scripts = []
    for index, part in enumerate(parts, start=1):
        given = dict(part.variables)
        try:
            template = templates.find(part.template, request.templates_dirs)
            minutes = check_minutes(part.minutes)
            check_length(template, minutes, given, length_of)
            place = "" if len(parts) == 1 else "first" if index == 1 else "last" if index == len(parts) else "middle"
            items, params = _script(request, template, minutes, given, session_part=place)
        except GuidedAudioError as exc:
            if len(parts) == 1:
                raise
            raise multipart.named(multipart.label(index, part), part, exc) from None
        opening = markup.parse(transition(index, template, arranged.name if index == 2 else "")) if index > 1 else []
        said = tuple(phrase.text for phrase in phrases(opening))
        scripts.append(PartScript(index, part, template, opening + items, params, said))
    return scripts


def _lay_out(scripts: list[PartScript], length_of) -> Plan:
    """Each part laid out to exactly its own minutes, then joined: one chapter per part (none
    for a single part)."""
    timeline, planned = multipart.lay_out(scripts, length_of)
    items = [item for part in scripts for item in part.items]
    minutes = multipart.total_minutes([p.part for p in scripts])
    return Plan(multipart.heading(scripts), minutes, _params(scripts), items, timeline, 0, parts=planned)


def _params(scripts: list[PartScript]) -> dict[str, Any]:
    """The session's parameters: its template's; several parts have each their own."""
    return scripts[0].params if len(scripts) == 1 else {}
