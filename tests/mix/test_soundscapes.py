"""The generated soundscapes, measured: level, determinism, no seams, no loops, the binaural beat."""

from __future__ import annotations

import numpy as np
import pytest

from guided_audio.mix.loudness import LoudnessMeter
from guided_audio.mix.soundscapes import NOMINAL_LUFS, SOUNDSCAPES

RATE = 44_100
NOISY = ["rain", "ocean", "brown-noise", "pink-noise", "wind"]


def loudness_per_channel(samples: np.ndarray) -> float:
    meter = LoudnessMeter(RATE, 1 if samples.ndim == 1 else samples.shape[1])
    meter.add(samples)
    return meter.integrated() - 10 * np.log10(1 if samples.ndim == 1 else samples.shape[1])


@pytest.fixture(scope="module")
def minute_of_each() -> dict[str, np.ndarray]:
    return {name: kind(7).read(60 * RATE) for name, kind in SOUNDSCAPES.items()}


@pytest.mark.parametrize("name", SOUNDSCAPES)
def test_each_is_calibrated_to_the_nominal_loudness_with_room_to_spare(minute_of_each, name):
    samples = minute_of_each[name]
    assert samples.dtype == np.float32 and np.isfinite(samples).all()
    # Ocean swells make a minute of it vary by a dB or two around its long-run level.
    assert loudness_per_channel(samples) == pytest.approx(NOMINAL_LUFS, abs=2.0 if name == "ocean" else 1.0)
    assert np.abs(samples).max() < 0.9


@pytest.mark.parametrize("name", SOUNDSCAPES)
def test_the_seed_fixes_the_sound(name):
    kind = SOUNDSCAPES[name]
    first, again, other = kind(3).read(3 * RATE), kind(3).read(3 * RATE), kind(4).read(3 * RATE)
    assert np.array_equal(first, again)
    assert not np.allclose(first, other, atol=1e-3)


@pytest.mark.parametrize("name", SOUNDSCAPES)
def test_reading_in_any_sizes_gives_the_same_samples_so_chunks_never_seam(name):
    whole = SOUNDSCAPES[name](5).read(5 * RATE)
    bed = SOUNDSCAPES[name](5)
    sizes = [1, 999, RATE - 1000, 2, 3 * RATE, RATE - 2]
    pieces = np.concatenate([bed.read(size) for size in sizes])
    assert np.array_equal(pieces, whole)


@pytest.mark.parametrize("name", NOISY)
def test_noise_beds_never_repeat_within_twenty_seconds(minute_of_each, name):
    """A loop shows as a near-perfect correlation at its period; these show none at any lag
    from 1 to 20 s. (Differenced first, so deep rumble cannot correlate by chance.)"""
    from scipy import signal

    samples = np.diff(minute_of_each[name].astype(np.float64))
    window = samples[10 * RATE : 12 * RATE]
    later = samples[11 * RATE : 32 * RATE]
    correlation = signal.correlate(later, window, mode="valid", method="fft")
    running = np.concatenate([[0.0], np.cumsum(later**2)])
    energies = np.sqrt((running[len(window) :] - running[: -len(window)]) * (window**2).sum())
    assert np.max(np.abs(correlation) / energies) < 0.3


def test_binaural_is_stereo_with_a_six_hertz_beat_between_the_ears():
    bed = SOUNDSCAPES["binaural"](1)
    assert bed.channels == 2
    samples = bed.read(20 * RATE)
    assert samples.shape == (20 * RATE, 2)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))[:, None], axis=0))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    left, right = freqs[spectrum[:, 0].argmax()], freqs[spectrum[:, 1].argmax()]
    assert left == pytest.approx(200, abs=0.1) and right == pytest.approx(206, abs=0.1)
    assert right - left == pytest.approx(6.0, abs=0.1)


def test_drone_and_rain_change_over_time_rather_than_hold_still(minute_of_each):
    """Slow drift: the level of one 5 s stretch to the next moves by a fraction of a dB or more."""
    for name in ("drone", "rain", "ocean", "wind"):
        levels = [
            10 * np.log10(np.mean(block.astype(np.float64) ** 2))
            for block in minute_of_each[name].reshape(12, -1)
        ]
        assert np.ptp(levels) > 0.5, (name, levels)


@pytest.mark.parametrize("name", ["pink-noise", "brown-noise"])
def test_filters_carry_their_state_across_internal_blocks(monkeypatch, name):
    """Pure filtered noise comes out identical whatever block size makes it: no seam at edges."""
    import guided_audio.mix.soundscapes as soundscapes

    whole = SOUNDSCAPES[name](1).read(3 * RATE)
    monkeypatch.setattr(soundscapes, "BLOCK", 777)
    assert np.array_equal(SOUNDSCAPES[name](1).read(3 * RATE), whole)
