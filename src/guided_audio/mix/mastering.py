"""The final mix in two passes with flat memory: measure it, then hand on a mastered source.

Mixing is cheap and the beds are seeded, so rather than hold an hour of audio the session is
mixed twice, identically: the first pass keeps only loudness energies and true peaks (and a
snapshot of the bed wherever the MP3 stage will start an encoder), and the plan made from them
gives a source that mixes any of those stretches again with the planned gain and limiter, so
every part of the session can be mixed and encoded at once, one per core.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Hashable, Iterator, Mapping, Sequence

import numpy as np

from guided_audio.audio.ffmpeg import Mp3Encoder, decode
from guided_audio.audio.heap import give_back, limit_arenas
from guided_audio.errors import Notice, option
from guided_audio.mix.background import NONE, Background
from guided_audio.output import temp_folder
from guided_audio.mix.bedmix import LEVEL_RANGE_DB, Bed, BedShape, session_chunks
from guided_audio.mix.bedstreams import Bookmarks, ReadAhead
from guided_audio.mix.loudness import (
    PEAK_BLOCK,
    LoudnessMeter,
    LoudnessPlan,
    TruePeakMeter,
    bed_reduction_db,
    k_weighted_power,
    plan_loudness,
    short_loudness,
)
from guided_audio.script.layout import Timeline

DEFAULT_BITRATE_KBPS = {1: 96, 2: 128}
"""Spoken word: 96 kbps mono; stereo needs more to sound as clean (Apple: 128 to 256)."""
PROBE_CHUNKS = 1
"""How many of the loudest mixing chunks (10 s each) are test-encoded to learn the
encoder's effect on loudness."""

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called as (stage, done, total) while generating."""
Source = Callable[[int, int], Iterator[np.ndarray]]
"""The mastered audio of session samples [start, stop), in order, in chunks of any size.
With a bed, `start` must be one of the positions the mix was asked to resume at."""


@dataclass(frozen=True)
class Mastered:
    """The mastered session, ready to encode, and what the manifest reports about it."""

    loudness_lufs: float
    """Integrated loudness of the MP3: the measured mix under the planned gains (worked
    out from its block energies, exactly as a meter would find it), plus the encoder's
    measured change."""
    true_peak_dbtp: float
    """True peak of the mix fed to the encoder: its 4x-oversampled peaks under the gains
    applied to them (the limiter's ceiling leaves room for what MP3 coding adds)."""
    channels: int
    bitrate_kbps: int
    background_level_db: float
    """The bed's level relative to the voice, after any automatic lowering."""
    total: int = 0
    """Samples in the session."""
    warnings: list[Notice] = field(default_factory=list, repr=False, compare=False)
    """What the caller should say about the mix (errors.Notice), e.g. a session under its target."""
    rate: int = 44_100
    source: Source | None = field(default=None, repr=False, compare=False)
    sounding: list[tuple[int, int]] | None = field(default=None, repr=False, compare=False)
    """Without a bed, the [start, end) spans where anything sounds (the rest is digital
    silence, which the MP3 stage need not encode); None when a bed sounds throughout."""


def master(
    timeline: Timeline,
    clips: Mapping[Hashable, np.ndarray],
    background: Background,
    shape: BedShape,
    *,
    resume_at: Sequence[int] = (),
    level_is_automatic: bool = False,
    bitrate_kbps: int | None = None,
    progress: Progress | None = None,
) -> Mastered:
    """Mix, measure and plan the session to the podcast loudness target, for a CBR MP3.

    `resume_at` are the session samples where the mastered source will be asked to start:
    the bed is bookmarked there in the first pass. With `level_is_automatic`,
    a bed that would fill long pauses loudly enough to pull the session under its target is
    lowered until it does not (costing one more first pass).
    """
    limit_arenas()  # before the bed's thread starts (audio.heap)
    rate, channels, total = timeline.rate, background.channels, timeline.total
    bitrate = bitrate_kbps or DEFAULT_BITRATE_KBPS[channels]

    def measure(bed_shape: BedShape, bed: Bed | None, stage: str) -> tuple[np.ndarray | None, np.ndarray, "Loudest"]:
        if bed is None:
            return _measure(session_chunks(timeline, clips, None, bed_shape), background, rate, total, progress, stage)
        with ReadAhead(bed, total, rate) as ahead:
            chunks = session_chunks(timeline, clips, ahead, bed_shape)
            return _measure(chunks, background, rate, total, progress, stage)

    opened = background.open()
    bookmarks = Bookmarks(opened, list(resume_at)) if opened is not None else None
    energies, true_peaks, loudest = measure(shape, bookmarks, "Measuring")
    voice = voice_energies(timeline, clips, channels, len(true_peaks))
    if energies is None:  # without a bed the mix is the voice, whose energies are known exactly
        energies = voice
    plan = plan_loudness(energies, true_peaks, channels, rate, voice=voice)
    if level_is_automatic and background.label != NONE:
        lowered = _lowered_bed(shape, energies, voice, plan, rate)
        if lowered is not None:
            shape = lowered
            energies, true_peaks, loudest = measure(shape, background.open(), "Measuring again")
            plan = plan_loudness(energies, true_peaks, channels, rate, voice=voice)
    give_back()  # the first pass's chunks, before the second pass and the encoder run
    change = encoder_loudness_change(loudest.excerpt(plan), channels, rate, bitrate)
    log.info("the encoder moves this session's loudness by %+.2f dB; aiming to make up for it", change)
    plan = plan_loudness(energies, true_peaks, channels, rate, voice=voice, allowance_db=-change)
    log.info("gain %+.1f dB; the limiter takes at most %.1f dB", 20 * math.log10(plan.gain), -_db(plan.envelope))
    beds = bookmarks.saved if bookmarks is not None else None
    sounding = None  # without a bed, nothing sounds between the placed clips
    if beds is None:
        sounding = [(placed.start, placed.start + len(clips[placed.key])) for placed in (*timeline.speech, *timeline.tones)]
    loudness_lufs = plan.loudness(energies, rate) + change
    warnings = []
    if loudness_lufs < plan.target_lufs - 1.0:
        warnings.append(Notice(
            f"the session measures {loudness_lufs:.1f} LUFS, under the {plan.target_lufs:.0f} LUFS target: the background "
            "fills long pauses, and reaching the target would strain the voice; a lower "
            f"{option('background_level')} brings it to the target", "background_level",
        ))  # fmt: skip
    return Mastered(
        loudness_lufs=_rounded(loudness_lufs),
        true_peak_dbtp=_rounded(plan.true_peak_dbtp(true_peaks)),
        channels=channels,
        bitrate_kbps=bitrate,
        background_level_db=shape.level_db,
        total=total,
        rate=rate,
        source=_mastered(timeline, clips, beds, shape, plan),
        sounding=sounding,
        warnings=warnings,
    )


def _measure(
    chunks: Iterator[np.ndarray],
    background: Background,
    rate: int,
    total: int,
    progress: Progress | None,
    stage: str,
) -> tuple[np.ndarray | None, np.ndarray, "Loudest"]:
    """First pass: block energies (None without a bed), true peaks and the loudest chunk.

    The meters run here, in step with the mixing; the bed is made on its own thread (see
    bedstreams), which is where the time goes. (Meters on threads of their own measured
    slower: they fought the bed's thread for the interpreter.)
    """
    channels = background.channels
    loudness = LoudnessMeter(rate, channels) if background.label != NONE else None
    peaks, loudest = TruePeakMeter(rate, channels), Loudest()
    done = 0
    for chunk in chunks:
        peaks.add(chunk)
        if loudness is not None:
            loudness.add(chunk)
        loudest.offer(done, chunk)
        done += len(chunk)
        if progress is not None:
            progress(stage, done, total)
    energies = loudness.block_energies() if loudness is not None else None
    return energies, peaks.finish(), loudest


def _mastered(
    timeline: Timeline,
    clips: Mapping[Hashable, np.ndarray],
    beds: Mapping[int, Bed] | None,
    shape: BedShape,
    plan: LoudnessPlan,
) -> Source:
    """Second pass: any part of the session mixed again from the bed's bookmark where the
    part starts, with the plan's gain and limiter applied."""

    def source(start: int, stop: int) -> Iterator[np.ndarray]:
        bed = beds[start] if beds is not None else None
        position = start
        for chunk in session_chunks(timeline, clips, bed, shape, start=start, stop=stop):
            gains = plan.block_gains(position, len(chunk))
            yield chunk * (gains[:, None] if chunk.ndim == 2 else gains)
            position += len(chunk)

    return source


def _lowered_bed(
    shape: BedShape, energies: np.ndarray, voice: np.ndarray, plan: LoudnessPlan, rate: int
) -> BedShape | None:
    """The bed's shape brought down so its long pauses stop pulling the session under its
    target, judged as it will be heard (after the limiter's work on the voice); None if fine."""
    limited = np.square(plan.envelope[: len(energies)])
    cut = bed_reduction_db(energies * limited, voice[: len(energies)] * limited, rate)
    if cut <= 0 or shape.level_db <= LEVEL_RANGE_DB[0]:
        return None
    level = max(LEVEL_RANGE_DB[0], round(shape.level_db - cut, 1))
    log.info("long pauses: the background comes down to %.1f dB under the voice", -level)
    return replace(shape, level_db=level)


def voice_energies(timeline: Timeline, clips: Mapping[Hashable, np.ndarray], channels: int, count: int) -> np.ndarray:
    """K-weighted PEAK_BLOCK energies of the voice alone, as placed (no bed).

    Worked out once per distinct phrase (a running sum of its weighted power), so it costs
    the length of the speech, not of the session."""
    starts: dict[Hashable, list[int]] = {}
    for phrase in timeline.speech:
        starts.setdefault(phrase.key, []).append(phrase.start)
    energies = np.zeros(count, dtype=np.float32)
    for key, places in starts.items():
        power = k_weighted_power(clips[key], timeline.rate)
        sums = np.concatenate([[0.0], np.cumsum(power)])
        for start in places:
            first = start // PEAK_BLOCK
            last = min(-(-(start + len(power)) // PEAK_BLOCK), count)
            edges = np.clip(np.arange(first, last + 1) * PEAK_BLOCK - start, 0, len(power))
            energies[first:last] += np.diff(sums[edges]) / PEAK_BLOCK
    energies *= channels  # the voice is in every channel
    return energies


class Loudest:
    """The few loudest chunks of the first pass, kept with where they start."""

    def __init__(self, keep: int = PROBE_CHUNKS) -> None:
        self.keep = keep
        self.chunks: list[tuple[float, int, np.ndarray]] = []

    def offer(self, start: int, chunk: np.ndarray) -> None:
        self.chunks.append((float(np.mean(np.square(chunk))), start, chunk))
        self.chunks.sort(key=lambda item: -item[0])
        del self.chunks[self.keep :]

    def excerpt(self, plan: LoudnessPlan) -> np.ndarray:
        """The kept chunks in session order, with the planned gains applied."""
        parts = []
        for _energy, start, chunk in sorted(self.chunks, key=lambda item: item[1]):
            gains = plan.block_gains(start, len(chunk))
            parts.append(chunk * (gains[:, None] if chunk.ndim == 2 else gains))
        return np.concatenate(parts)


def encoder_loudness_change(excerpt: np.ndarray, channels: int, rate: int, bitrate_kbps: int) -> float:
    """How far the MP3 encoder moves the loudness of this session's own loudest audio (dB).

    LAME's quantiser rounds towards zero, so at spoken-word bitrates a file comes out up to
    a dB quieter than its source, by an amount that depends on the sound (measured at 96
    kbps: -0.5 dB for this voice, -0.9 for brown noise, nothing for rain). Encoding a short
    excerpt and measuring it finds the figure for this session.
    """
    with temp_folder("probe") as folder:
        probe = Path(folder) / "probe.mp3"
        with Mp3Encoder(probe, channels=channels, bitrate_kbps=bitrate_kbps) as encoder:
            encoder.write(excerpt)
        decoded = decode(probe, rate, channels=channels)[: len(excerpt)]
    change = short_loudness(decoded, rate) - short_loudness(excerpt, rate)
    return change if math.isfinite(change) else 0.0


def _db(envelope: np.ndarray) -> float:
    return 20 * math.log10(float(envelope.min())) if envelope.size else 0.0


def _rounded(value: float) -> float:
    """Two decimals; JSON has no -inf, so a silent result reads as -120."""
    return round(value, 2) if math.isfinite(value) else -120.0
