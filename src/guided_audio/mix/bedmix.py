"""Laying a background bed under the voice: its level, fades at both ends, dips under speech.

The bed's gain is worked out per chunk straight from the timeline (where every phrase is
known in advance), so the dip starts just before the voice does and nothing is carried from
chunk to chunk except the bed's own stream.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Hashable, Iterator, Mapping, Protocol

import numpy as np

from guided_audio.errors import BackgroundError, option
from guided_audio.mix.mixer import mix_chunks
from guided_audio.mix.soundscapes import NOMINAL_LUFS
from guided_audio.script.layout import Timeline

VOICE_LUFS = -22.3
"""Loudness of the levelled phrases (speech.SPEECH_LEVEL_DB RMS), measured on the bundled
voice; beds are set relative to it."""
DEFAULT_LEVEL_DB = -22.0
"""Under the 12 to 18 dB of podcast practice, because here the bed fills long pauses alone:
any louder and the loudness gate counts those pauses, pulling the whole session under the
podcast target unless the voice is pushed hard into the limiter."""
LEVEL_RANGE_DB = (-40.0, 0.0)
DEFAULT_DUCK_DB = 4.0
"""How far the bed dips under speech: 1 to 6 dB is usual, and deeper is heard as pumping on a
steady bed (rain). At the default level the bed then sits 26 dB under the words."""
DUCK_RANGE_DB = (0.0, 20.0)


class Bed(Protocol):
    """Anything that streams background audio at NOMINAL_LUFS: a soundscape or a user file."""

    channels: int

    def read(self, n: int) -> np.ndarray: ...

    def snapshot(self) -> "Bed":
        """An independent stream that carries on from here with the same audio."""
        ...


@dataclass(frozen=True)
class BedShape:
    """How the bed moves with the session."""

    level_db: float = DEFAULT_LEVEL_DB
    """Bed loudness relative to the voice."""
    duck_db: float = DEFAULT_DUCK_DB
    """How far the bed dips while someone speaks."""
    attack: float = 0.3
    """Seconds the dip takes, ending as the voice starts."""
    release: float = 0.7
    """Seconds the bed takes to come back after the voice stops."""
    bridge: float = 1.5
    """Pauses shorter than this stay dipped, so the bed does not bob between sentences."""
    fade_in: float = 4.0
    fade_out: float = 8.0


def _raised_cosine(x: np.ndarray) -> np.ndarray:
    """0 to 1 with no corners, for x from 0 to 1."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


class BedGain:
    """The bed's gain at any sample of the session."""

    def __init__(self, timeline: Timeline, shape: BedShape) -> None:
        self.rate, self.total = timeline.rate, timeline.total
        self.shape = shape
        self.level = 10 ** ((VOICE_LUFS + shape.level_db - NOMINAL_LUFS) / 20)
        self.spans = self._speech_spans(timeline, int(shape.bridge * self.rate))
        self.finishes = [finish for _, finish in self.spans]
        self.attack, self.release = int(shape.attack * self.rate), int(shape.release * self.rate)
        # Every dip glides along the same two curves, so they are worked out once.
        self.curves = {
            length: _raised_cosine(np.arange(length) / length).astype(np.float32)
            for length in {self.attack, self.release} if length > 0
        }
        edge = max(1, self.total // 4)  # short sessions get shorter fades
        self.fade_in = max(1, min(int(shape.fade_in * self.rate), edge))
        self.fade_out = max(1, min(int(shape.fade_out * self.rate), edge))

    @staticmethod
    def _speech_spans(timeline: Timeline, bridge: int) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for phrase in sorted(timeline.speech, key=lambda p: p.start):
            if spans and phrase.start - spans[-1][1] < bridge:
                spans[-1] = (spans[-1][0], max(spans[-1][1], phrase.end))
            else:
                spans.append((phrase.start, phrase.end))
        return spans

    def dip(self, start: int, end: int) -> np.ndarray:
        """How far into its dip the bed is (0 clear, 1 fully under the voice) per sample."""
        depth = np.zeros(end - start, dtype=np.float32)
        first = bisect.bisect_right(self.finishes, start - self.release)  # spans are in order
        for begin, finish in self.spans[first:]:
            if begin - self.attack >= end:
                break
            depth[max(begin, start) - start : max(min(finish, end), start) - start] = 1.0
            self._ramp(depth, start, begin - self.attack, self.attack, rising=True)
            self._ramp(depth, start, finish, self.release, rising=False)
        return depth

    def _ramp(self, depth: np.ndarray, start: int, ramp_start: int, length: int, *, rising: bool) -> None:
        lo, hi = max(start, ramp_start), min(start + len(depth), ramp_start + length)
        if hi <= lo:
            return
        curve = self.curves[length][lo - ramp_start : hi - ramp_start]
        curve = curve if rising else np.float32(1.0) - curve
        target = depth[lo - start : hi - start]
        np.maximum(target, curve, out=target)

    def gains(self, start: int, end: int) -> np.ndarray:
        """Linear gain for samples [start, end): level x fades x dip under speech.

        Only the ramps are computed sample by sample; the rest of a chunk is flat."""
        floor = 10 ** (-self.shape.duck_db / 20)
        gains = np.float32(self.level) * (np.float32(1.0) - np.float32(1.0 - floor) * self.dip(start, end))
        if start < self.fade_in:
            stop = min(end, self.fade_in)
            gains[: stop - start] *= _raised_cosine(np.arange(start, stop) / self.fade_in).astype(np.float32)
        fade_start = self.total - self.fade_out
        if end > fade_start:
            first = max(start, fade_start)
            ramp = _raised_cosine((self.total - np.arange(first, end)) / self.fade_out).astype(np.float32)
            gains[first - start :] *= ramp
        return gains


def session_chunks(
    timeline: Timeline,
    clips: Mapping[Hashable, np.ndarray],
    bed: Bed | None,
    shape: BedShape,
    *,
    start: int = 0,
    stop: int | None = None,
) -> Iterator[np.ndarray]:
    """The voice over the bed, chunk by chunk, for session samples [start, stop) (the bed
    must be at `start`); stereo when the bed is (the voice in the centre)."""
    gain = BedGain(timeline, shape) if bed is not None else None
    position = start
    for voice in mix_chunks(timeline, clips, start=start, stop=stop):
        end = position + len(voice)
        if bed is not None and gain is not None:
            under = bed.read(len(voice))
            weights = gain.gains(position, end)
            if under.ndim == 2:
                voice = voice[:, None] + under * weights[:, None]
            else:
                voice = voice + under * weights
        position = end
        yield voice


def bed_shape(level_db: float | None, duck_db: float | None = None) -> BedShape:
    """The bed's shape at a user's level (None: the default, lowered where pauses need it) and
    dip under speech (None: DEFAULT_DUCK_DB), refusing levels that would bury or drown the voice."""
    duck = DEFAULT_DUCK_DB if duck_db is None else duck_db
    if not DUCK_RANGE_DB[0] <= duck <= DUCK_RANGE_DB[1]:
        raise BackgroundError(
            f"{option('duck')} {duck:g} dB is out of range; use {DUCK_RANGE_DB[0]:g} (no dip) to {DUCK_RANGE_DB[1]:g} "
            f"(dB the background dips under speech, default {DEFAULT_DUCK_DB:g})"
        )
    if level_db is None:
        return BedShape(duck_db=duck)
    low, high = LEVEL_RANGE_DB
    if not low <= level_db <= high:
        raise BackgroundError(
            f"{option('background_level')} {level_db:g} dB is out of range; use {low:g} to {high:g} "
            f"(dB relative to the voice, default {DEFAULT_LEVEL_DB:g})"
        )
    return BedShape(level_db=level_db, duck_db=duck)
