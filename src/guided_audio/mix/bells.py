"""A struck bell, made by synthesis (`[bell]` in a script; no recording is used).

A singing bowl or temple bell rings with inharmonic partials: the modes of a bowl's rim
sit near 1, 2.76, 5.4 and 8.9 times the lowest, each decaying on its own (the higher, the
sooner), and each split into two close frequencies by the bowl's small asymmetries, which
makes the slow shimmer of a real bowl. The strike is soft (a felt mallet: a few
milliseconds' rise and a brief bright partial that dies at once), the ring lasts
BELL_SECONDS, and both ends are exact silence, so a bell never clicks. Its level sits under
the voice: its loudest moment a few dB under speech, fading to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guided_audio.script.markup import BELL_SECONDS

FUNDAMENTAL_HZ = 220.0
"""A3: low and warm; the breathing tones (A minor pentatonic, tones.py) sit above it."""


@dataclass(frozen=True)
class Partial:
    ratio: float
    """Frequency as a multiple of the fundamental (not whole numbers: a bell, not a string)."""
    gain: float
    decay: float
    """Seconds for the partial to fall to 1/e (about -8.7 dB)."""
    beat_hz: float = 0.0
    """The split between the partial's two close frequencies (the shimmer)."""


PARTIALS = (
    Partial(1.0, 1.0, 3.2, 0.45),
    Partial(2.76, 0.55, 2.1, 0.8),
    Partial(5.40, 0.3, 1.1, 1.3),
    Partial(8.93, 0.16, 0.55, 2.0),
    Partial(13.3, 0.12, 0.06),  # the mallet's brief brightness, gone within a tenth of a second
)
PEAK_DB = -12.0
"""Before mastering, beside a voice whose speech peaks near -1 dBFS (about -20 dBFS RMS):
the strike is about as loud as a word (-22 LUFS over its first 0.4 s; a phrase of the
voice measures -23.5) and the ring a few dB under it (-26 over three seconds), falling away."""
ATTACK_SECONDS = 0.006
"""A felt mallet's rise: soft, but still a strike."""
TAIL_SECONDS = 2.0
"""The last of the ring fades on a raised cosine to exact silence."""


def bell(rate: int) -> np.ndarray:
    """One bell, BELL_SECONDS long, as float32 samples at `rate`."""
    count = int(round(BELL_SECONDS * rate))
    t = np.arange(count, dtype=np.float64) / rate
    ring = np.zeros(count)
    for partial in PARTIALS:
        hz = FUNDAMENTAL_HZ * partial.ratio
        wave = np.sin(2 * np.pi * hz * t)
        if partial.beat_hz:  # a second mode a little above, a little quieter
            wave = (wave + 0.35 * np.sin(2 * np.pi * (hz + partial.beat_hz) * t + 1.0)) / 1.35
        ring += partial.gain * wave * np.exp(-t / partial.decay)
    attack = int(round(ATTACK_SECONDS * rate))
    ring[:attack] *= 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, attack))
    tail = int(round(TAIL_SECONDS * rate))
    ring[-tail:] *= 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, tail))
    ring *= 10 ** (PEAK_DB / 20) / np.max(np.abs(ring))
    return ring.astype(np.float32)
