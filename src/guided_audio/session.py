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
from guided_audio.audio import SESSION_RATE
from guided_audio.bedmix import bed_shape
from guided_audio.cache import PhraseCache
from guided_audio.engines import make_engine
from guided_audio.errors import LengthError
from guided_audio.layout import Timeline, TooShort, layout
from guided_audio.mastering import Mastered, Progress, render
from guided_audio.output import OutputFiles
from guided_audio.sidecars import SessionInfo, manifest_json, webvtt
from guided_audio.speech import PhraseBank, synthesise_phrases

log = logging.getLogger(__name__)

MAX_MINUTES = 180.0
"""Longer than any sane session; larger requests are almost certainly typos."""
ESTIMATED_CHARS_PER_SECOND = 20.0
"""Speech speed of the default voice at rate 1.0, for planning without synthesis."""


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


def script(template: templates.Template, minutes: float, variables: dict[str, str]):
    """Render and parse: the items of the script and the resolved parameters."""
    text, params = templates.render(template, minutes, variables)
    items = markup.parse(text)
    if not any(isinstance(i, (markup.Speech, markup.Phase)) for i in items):
        raise LengthError(f"template {template.name} rendered no words to speak; check its text")
    return items, params


def speech_texts(items: list[markup.Item]) -> list[str]:
    texts: list[str] = []
    for item in items:
        if isinstance(item, markup.Speech):
            texts.append(item.text)
        elif isinstance(item, markup.Phase):
            texts.extend(cue.text for cue in item.cue)
    return texts


def estimate_samples(text: str, rate: float) -> int:
    """Planning guess of a phrase's length when it has not been synthesised yet."""
    return int(len(text) / (ESTIMATED_CHARS_PER_SECOND * rate) * SESSION_RATE)


def _lay_out(request: SessionRequest, template, minutes: float, length_of) -> Plan:
    items, params = script(template, minutes, request.variables)
    try:
        timeline = layout(items, length_of, total_seconds=minutes * 60, rate=SESSION_RATE)
    except TooShort as exc:
        shortest = _shortest_minutes(request, template, minutes, length_of)
        fix = f"try --minutes {shortest:g}" if shortest else "shorten the template or its parameters"
        raise LengthError(f"{template.name} does not fit in {minutes:g} min: {exc}; {fix}") from None
    return Plan(template, minutes, params, items, timeline, 0)


def _shortest_minutes(request, template, minutes: float, length_of) -> float | None:
    """The first whole minute above `minutes` at which the script fits, if any."""
    for candidate in range(math.floor(minutes) + 1, int(MAX_MINUTES) + 1):
        items, _ = script(template, candidate, request.variables)
        try:
            layout(items, length_of, total_seconds=candidate * 60, rate=SESSION_RATE)
        except TooShort:
            continue
        return candidate
    return None


def _check_template_minimum(template: templates.Template, minutes: float) -> None:
    if template.min_minutes is not None and minutes < template.min_minutes:
        raise LengthError(
            f"{template.name} needs at least {template.min_minutes:g} minutes; "
            f"try --minutes {math.ceil(template.min_minutes)}"
        )


def preview(request: SessionRequest, cache: PhraseCache | None = None) -> Plan:
    """Plan without synthesis: measured lengths from the phrase cache, estimates otherwise."""
    minutes = check_minutes(request.minutes)
    template = templates.find(request.template, request.templates_dirs)
    _check_template_minimum(template, minutes)
    engine = make_engine(
        request.engine, voice=request.voice, rate=request.rate, lang=request.lang, tld=request.tld
    )
    cache = cache or PhraseCache(enabled=request.use_cache)
    identity = engine.cache_identity()
    estimated: set[str] = set()

    def length_of(text: str) -> int:
        cached = cache.get(cache.key(identity, text, SESSION_RATE))
        if cached is not None:
            return len(cached)
        estimated.add(text)
        return estimate_samples(text, request.rate)

    plan = _lay_out(request, template, minutes, length_of)
    plan.estimated_phrases = len(estimated)
    return plan


def default_output(template_name: str, minutes: float) -> Path:
    return Path("output") / f"{template_name}-{minutes:g}min.mp3"


def generate(request: SessionRequest, progress: Progress | None = None) -> GenerateResult:
    """Render the session to an MP3 with its .vtt and .json beside it, all or nothing."""
    started = time.perf_counter()
    minutes = check_minutes(request.minutes)
    shape = bed_shape(request.background_level_db)
    template = templates.find(request.template, request.templates_dirs)
    _check_template_minimum(template, minutes)
    engine = make_engine(
        request.engine, voice=request.voice, rate=request.rate, lang=request.lang, tld=request.tld
    )
    outputs = OutputFiles(request.output or default_output(template.name, minutes))
    outputs.check_writable()
    items, _ = script(template, minutes, request.variables)  # fail fast on template errors
    background = backgrounds.choose(request.background, seed=request.seed, seconds=minutes * 60)
    texts = list(dict.fromkeys(speech_texts(items)))
    cache = PhraseCache(enabled=request.use_cache)
    done = [0]

    def on_phrase(_text: str) -> None:
        done[0] += 1
        if progress:
            progress("Synthesising", done[0], len(texts))

    bank = synthesise_phrases(engine, texts, cache, on_phrase=on_phrase)
    plan = _lay_out(request, template, minutes, _known_or_estimated(bank, request.rate))
    info = SessionInfo(
        title=template.title,
        template=template.name,
        minutes=minutes,
        params=plan.params,
        engine=engine.name,
        voice=engine.voice_label,
        background=background.label,
    )
    with outputs.writing() as temp:
        mastered = render(
            plan.timeline, bank.clips, background, shape, temp["mp3"],
            level_is_automatic=request.background_level_db is None,
            bitrate_kbps=request.bitrate_kbps, progress=progress,
        )  # fmt: skip
        info.extra.update(_mastering_fields(mastered, request))
        temp["vtt"].write_text(webvtt(plan.timeline), encoding="utf-8")
        temp["json"].write_text(manifest_json(info, plan.timeline), encoding="utf-8")
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


def _known_or_estimated(bank: PhraseBank, rate: float):
    """Measured lengths; estimates only for texts a longer trial length would add."""

    def length_of(text: str) -> int:
        if text in bank.clips:
            return bank.length_of(text)
        return estimate_samples(text, rate)

    return length_of
