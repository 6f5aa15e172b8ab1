"""Sample-array helpers: every sound inside guided-audio is a float32 NumPy array.

pydub is avoided on the hot path: its immutable segments make appending in a loop quadratic.
"""

from __future__ import annotations

import numpy as np

SESSION_RATE = 44_100
"""Sample rate of every session we write (podcast and phone convention)."""

EDGE_FADE_SECONDS = 0.006
"""Fade applied to both ends of each trimmed phrase so a cut never clicks."""



def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """High-quality sample-rate conversion (libsoxr)."""
    if from_rate == to_rate:
        return samples.astype(np.float32, copy=False)
    import soxr

    return soxr.resample(samples, from_rate, to_rate, quality="HQ").astype(np.float32)


def trim_silence(
    samples: np.ndarray,
    sample_rate: int,
    *,
    threshold_db: float = -42.0,
    lead_seconds: float = EDGE_FADE_SECONDS,
    tail_seconds: float = 0.03,
) -> np.ndarray:
    """Cut leading and trailing near-silence, keeping just enough for the edge fades.

    The kept lead-in equals the fade-in, so the phrase's first sound lands within a few
    milliseconds of where it is placed (a phase cue starts on the beat).

    The threshold is relative to the phrase's own peak, so quiet and loud engines trim alike.
    Measured on 5 ms windows so a single stray sample does not count as speech.
    """
    if samples.size == 0:
        return samples
    peak = float(np.max(np.abs(samples)))
    if peak <= 1e-6:
        return samples[:0]
    window = max(1, int(sample_rate * 0.005))
    usable = (len(samples) // window) * window
    if usable == 0:
        return samples
    frames = samples[:usable].reshape(-1, window)
    levels = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    loud = np.nonzero(levels > peak * 10 ** (threshold_db / 20))[0]
    if loud.size == 0:
        return samples[:0]
    start = max(0, loud[0] * window - int(sample_rate * lead_seconds))
    end = min(len(samples), (loud[-1] + 1) * window + int(sample_rate * tail_seconds))
    return samples[start:end]


def fade_edges(samples: np.ndarray, sample_rate: int, seconds: float = EDGE_FADE_SECONDS) -> np.ndarray:
    """Return a copy with short raised-cosine fades at both ends (no clicks at cuts)."""
    out = samples.astype(np.float32, copy=True)
    n = min(int(sample_rate * seconds), len(out) // 2)
    if n > 0:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float32))).astype(np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


def to_int16_bytes(samples: np.ndarray) -> bytes:
    """Float samples to little-endian 16-bit PCM, clipping anything out of range."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
