"""The library's front door: plan a session (no audio) or generate it (MP3 + sidecars).

    from guided_audio.session import SessionRequest, generate
    result = generate(SessionRequest("deep-breathing", minutes=5))
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guided_audio import markup, templates
from guided_audio import background as backgrounds
from guided_audio.audio import SESSION_RATE, check_bitrate
from guided_audio.bedmix import bed_shape
from guided_audio.cache import PhraseCache
from guided_audio.engines import make_engine
from guided_audio.errors import LengthError
from guided_audio.layout import Timeline, TooShort, layout
from guided_audio.lengths import (
    MAX_MINUTES,
    LengthRange,
    PhraseLengths,
    check_length,
    length_range,
    phrases,
    script,
    too_short_message,
)
from guided_audio.mastering import Mastered, Progress, render
from guided_audio.output import OutputFiles
from guided_audio.sidecars import SessionInfo, manifest_json, webvtt
from guided_audio.speech import cache_key, synthesise_phrases
from guided_audio.tags import chapter_spans, podcast_chapters_json, session_tags, write_tags
from guided_audio.tones import tone_clips

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionRequest:
    """Everything a user chooses about one session."""

    template: str
    minutes: float
    variables: dict[str, str] = field(default_factory=dict)
    engine: str = "piper"
    voice: str | None = None
    rate: float = 0.75
    lang: str = "en"
    tld: str = "com"
    background: str = "none"
    """A built-in soundscape's name, a path to an audio file, or none."""
    background_level_db: float | None = None
    """Bed loudness relative to the voice (dB); None: -22, lowered for long pauses."""
    seed: int = 0
    """Seeds the generated soundscapes: the same seed gives the same sound."""
    output: Path | None = None
    templates_dirs: tuple[Path, ...] = ()
    bitrate_kbps: int | None = None
    """Constant MP3 bitrate; by default 96 kbps mono, 128 stereo."""
    use_cache: bool = True
    title: str | None = None
    author: str | None = None
    album: str | None = None
    cover: Path | None = None
    """Front cover image; without one a cover naming the session is drawn."""


@dataclass
class Plan:
    """A session laid out in time, from real phrase lengths or estimates."""

    template: templates.Template
    minutes: float
    params: dict[str, Any]
    items: list[markup.Item]
    timeline: Timeline
    estimated_phrases: int
    """How many phrase lengths were estimated rather than measured."""
    lengths: LengthRange | None = None
    """The whole minutes this template fits with these parameters (preview only)."""


@dataclass
class GenerateResult:
    plan: Plan
    files: dict[str, Path]
    synthesised: int
    cached: int
    seconds_taken: float
    mastered: Mastered


def check_minutes(minutes: float) -> float:
    if not isinstance(minutes, (int, float)) or math.isnan(minutes) or minutes <= 0:
        raise LengthError(f"--minutes must be a positive number, not {minutes}; try --minutes 5")
    if minutes > MAX_MINUTES:
        raise LengthError(f"--minutes {minutes:g} is too long; the most is {MAX_MINUTES:g} minutes")
    return float(minutes)


def _lay_out(request: SessionRequest, template, minutes: float, length_of, rendered=None) -> Plan:
    """Layout at `minutes`; a script too long for them names the shortest length that fits."""
    items, params = rendered or script(template, minutes, request.variables)
    try:
        timeline = layout(items, length_of, total_seconds=minutes * 60, rate=SESSION_RATE)
    except TooShort as exc:
        raise LengthError(too_short_message(template, minutes, request.variables, length_of, exc)) from None
    return Plan(template, minutes, params, items, timeline, 0)


def _cached_lengths(engine, cache: PhraseCache, rate: float) -> PhraseLengths:
    """Lengths of phrases spoken before (from the phrase cache), estimates for the rest."""

    def known(phrase: markup.Speech) -> int | None:
        return cache.length(cache_key(engine, cache, phrase))

    return PhraseLengths(rate, known)


def preview(request: SessionRequest, cache: PhraseCache | None = None) -> Plan:
    """Plan without synthesis: measured lengths from the phrase cache, estimates otherwise."""
    minutes = check_minutes(request.minutes)
    template = templates.find(request.template, request.templates_dirs)
    engine = make_engine(
        request.engine, voice=request.voice, rate=request.rate, lang=request.lang, tld=request.tld
    )
    lengths = _cached_lengths(engine, cache or PhraseCache(enabled=request.use_cache), request.rate)
    check_length(template, minutes, request.variables, lengths)
    plan = _lay_out(request, template, minutes, lengths)
    plan.estimated_phrases = len(set(phrases(plan.items)) & lengths.estimated)
    plan.lengths = length_range(template, request.variables, lengths)
    return plan


def default_output(template_name: str, minutes: float) -> Path:
    return Path("output") / f"{template_name}-{minutes:g}min.mp3"


def generate(request: SessionRequest, progress: Progress | None = None) -> GenerateResult:
    """Render the tagged MP3 with its .vtt, .json and .chapters.json beside it, all or nothing."""
    started = time.perf_counter()
    minutes = check_minutes(request.minutes)
    shape = bed_shape(request.background_level_db)
    if request.bitrate_kbps is not None:
        check_bitrate(request.bitrate_kbps)
    template = templates.find(request.template, request.templates_dirs)
    engine = make_engine(
        request.engine, voice=request.voice, rate=request.rate, lang=request.lang, tld=request.tld
    )
    cache = PhraseCache(enabled=request.use_cache)
    check_length(template, minutes, request.variables, _cached_lengths(engine, cache, request.rate))
    items, params = script(template, minutes, request.variables)  # fail fast on template errors
    tags = session_tags(
        template, minutes, params,
        title=request.title, author=request.author, album=request.album, cover_path=request.cover,
    )  # fmt: skip
    spoken = list(dict.fromkeys(phrases(items)))
    background = backgrounds.choose(request.background, seed=request.seed, seconds=minutes * 60)
    outputs = OutputFiles(request.output or default_output(template.name, minutes))
    outputs.check_writable()  # the last check before slow work, so a mistake leaves no folder behind
    done = [0]

    def on_phrase(_phrase: markup.Speech) -> None:
        done[0] += 1
        if progress:
            progress("Synthesising", done[0], len(spoken))

    bank = synthesise_phrases(engine, spoken, cache, on_phrase=on_phrase)
    # Estimates only for phrases a longer trial length would add (when searching for a fit).
    plan = _lay_out(request, template, minutes, PhraseLengths(request.rate, bank.length_of), (items, params))
    info = SessionInfo(
        title=tags.title,
        template=template.name,
        minutes=minutes,
        params=plan.params,
        engine=engine.name,
        voice=engine.voice_label,
        background=background.label,
        extra=tags.manifest_fields(),
    )
    with outputs.writing() as temp:
        mastered = render(
            plan.timeline, {**bank.clips, **tone_clips(plan.timeline)}, background, shape, temp["mp3"],
            level_is_automatic=request.background_level_db is None,
            bitrate_kbps=request.bitrate_kbps, progress=progress,
        )  # fmt: skip
        info.extra.update(_mastering_fields(mastered, request))
        temp["vtt"].write_text(webvtt(plan.timeline), encoding="utf-8")
        temp["json"].write_text(manifest_json(info, plan.timeline), encoding="utf-8")
        spans = chapter_spans(plan.timeline)
        temp["chapters.json"].write_text(podcast_chapters_json(spans), encoding="utf-8")
        write_tags(temp["mp3"], tags, spans)
    return GenerateResult(
        plan, outputs.final, bank.synthesised, bank.cached, time.perf_counter() - started, mastered
    )


def _mastering_fields(mastered: Mastered, request: SessionRequest) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "loudness_lufs": mastered.loudness_lufs,
        "true_peak_dbtp": mastered.true_peak_dbtp,
        "channels": mastered.channels,
        "bitrate_kbps": mastered.bitrate_kbps,
    }
    if request.background != backgrounds.NONE:
        fields.update(background_level_db=mastered.background_level_db, seed=request.seed)
    return fields

