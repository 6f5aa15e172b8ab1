"""Soft generated tones that mark breathing phases (`[phase inhale 4s tone]`).

A tone lets a listener follow a rhythm without being talked at. Each is a short bell-like
sine: a gentle raised-cosine attack, an exponential decay and a raised-cosine tail to exact
silence, so it never clicks. The pitches come from one pentatonic scale (A minor), so any
sequence of them sounds consonant: in is higher than out, a top-up higher still, and a hold
or rest sits between and below. Nothing is downloaded; every tone is computed.
"""

from __future__ import annotations

import numpy as np

from guided_audio.mix.bells import bell
from guided_audio.script.layout import BELL, Timeline

PITCHES_HZ = {
    "topup": 523.25,  # C5
    "inhale": 440.00,  # A4
    "hold": 392.00,  # G4
    "exhale": 329.63,  # E4
    "rest": 293.66,  # D4
}
OTHER_PITCH_HZ = 392.00
"""Phases with other names share the hold's neutral G4."""

PEAK_DB = -22.0
"""Well under speech (voiced RMS -20 dBFS, peaks up to -1 dBFS): a marker, not an alarm."""
SECONDS = 0.6
ATTACK_SECONDS = 0.02
DECAY_SECONDS = 0.12
"""Time constant of the decay: about -36 dB by half a second, so short phases stay clear."""
TAIL_SECONDS = 0.05
OVERTONE_GAIN = 0.2
"""A quiet octave above the fundamental makes the sine sound like a soft bell."""


def pitch_of(name: str) -> float:
    return PITCHES_HZ.get(name, OTHER_PITCH_HZ)


def tone(name: str, rate: int) -> np.ndarray:
    """The tone for a phase called `name`, as float32 samples at `rate`."""
    count = int(round(SECONDS * rate))
    t = np.arange(count, dtype=np.float64) / rate
    frequency = pitch_of(name)
    wave = np.sin(2 * np.pi * frequency * t) + OVERTONE_GAIN * np.sin(4 * np.pi * frequency * t)
    envelope = np.exp(-t / DECAY_SECONDS)
    attack = int(round(ATTACK_SECONDS * rate))
    envelope[:attack] *= 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, attack))
    tail = int(round(TAIL_SECONDS * rate))
    envelope[-tail:] *= 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, tail))
    shaped = wave * envelope
    shaped *= 10 ** (PEAK_DB / 20) / np.max(np.abs(shaped))
    return shaped.astype(np.float32)


def tone_clips(timeline: Timeline) -> dict[str, np.ndarray]:
    """Audio for every tone the timeline places (bells too), keyed as the mixer looks them up."""
    distinct = {mark.key: mark.name for mark in timeline.tones}
    return {key: bell(timeline.rate) if name == BELL else tone(name, timeline.rate) for key, name in distinct.items()}
