"""Loudness measure, true peak and limiter, checked against pyloudnorm and full oversampling."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
import soxr

from guided_audio.mix.loudness import (
    PEAK_BLOCK,
    LoudnessMeter,
    TruePeakMeter,
    _moving_average,
    _sliding_minimum,
    db,
    gated_loudness,
    k_weighting_sos,
    limiter_envelope,
    plan_loudness,
    short_loudness,
)
from guided_audio.mix.soundscapes import PinkNoise

RATE = 44_100


def stream(meter, samples: np.ndarray, sizes=(44_100, 12_345, 441_000)) -> None:
    """Feed in uneven chunks, as the mixer might."""
    start, turn = 0, 0
    while start < len(samples):
        size = sizes[turn % len(sizes)]
        meter.add(samples[start : start + size])
        start, turn = start + size, turn + 1


def speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    """Pink noise in bursts with silences between: something the gate has work to do on."""
    noise = PinkNoise(seed).read(int(seconds * RATE))
    bursts = (np.sin(2 * np.pi * 0.3 * np.arange(len(noise)) / RATE) > 0.2).astype(np.float32)
    return noise * bursts * np.float32(0.8)


@pytest.mark.parametrize("channels", [1, 2])
def test_streamed_loudness_matches_pyloudnorm_on_the_whole_signal(channels):
    mono = speechlike(40)
    samples = mono if channels == 1 else np.stack([mono, speechlike(40, seed=1) * 0.5], axis=1)
    meter = LoudnessMeter(RATE, channels)
    stream(meter, samples)
    reference = pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64))
    assert meter.integrated() == pytest.approx(reference, abs=0.05)


def test_silence_has_no_loudness():
    assert gated_loudness(np.zeros(50_000, dtype=np.float32), RATE) == -math.inf
    assert gated_loudness(np.zeros(3), RATE) == -math.inf


def test_true_peak_finds_peaks_between_samples_and_streams_like_one_pass():
    # A quarter-rate sine sampled 45 degrees off its crest never shows its true height.
    n = np.arange(RATE)
    samples = np.sin(np.pi / 2 * n + np.pi / 4).astype(np.float32) * np.float32(0.9)
    samples[: RATE // 2] *= 0.01  # a quiet first half: measured without oversampling
    meter = TruePeakMeter(RATE, 1)
    stream(meter, samples, sizes=(1000, 7777, 30_001))
    peaks = meter.finish()
    assert len(peaks) == -(-len(samples) // PEAK_BLOCK)
    assert np.abs(samples).max() == pytest.approx(0.9 * math.sqrt(0.5), rel=1e-3)
    full = np.abs(soxr.resample(samples, RATE, 4 * RATE, quality="HQ"))
    assert db(float(peaks.max())) == pytest.approx(db(float(full.max())), abs=0.05)
    assert db(float(peaks.max())) == pytest.approx(db(0.9), abs=0.1)
    # Quiet blocks are estimated on the safe side, never below their real peak (short of the
    # last two, where the resampler's ringing from the sudden loud half reaches back).
    quiet_blocks = RATE // 2 // PEAK_BLOCK - 2
    fine = full[: quiet_blocks * PEAK_BLOCK * 4].reshape(quiet_blocks, -1).max(axis=1)
    assert np.all(peaks[:quiet_blocks] >= fine * 0.999)


def test_limiter_envelope_never_lets_a_peak_through_and_glides():
    rng = np.random.default_rng(2)
    peaks = rng.uniform(0.05, 0.3, 20_000).astype(np.float32)
    peaks[[3000, 3010, 9000]] = [0.9, 1.4, 0.7]
    envelope = limiter_envelope(peaks, 2.0, 0.8, RATE)
    assert np.all(envelope <= 1.0)
    assert np.all(peaks * 2.0 * envelope <= 0.8 * (1 + 1e-5))
    assert envelope[3010] == pytest.approx(0.8 / 2.8, rel=1e-4)
    assert envelope[:2000].min() == 1.0 and envelope[15_000:].min() == 1.0  # untouched elsewhere
    assert np.abs(np.diff(envelope)).max() < 0.05  # a glide over tens of blocks, no step
    assert np.array_equal(limiter_envelope(peaks * 0.1, 2.0, 0.8, RATE), np.ones_like(peaks))


def plan_for(samples: np.ndarray, voice: np.ndarray | None = None):
    meter, peaks = LoudnessMeter(RATE, 1), TruePeakMeter(RATE, 1)
    stream(meter, samples)
    stream(peaks, samples)
    true_peaks = peaks.finish()
    voice_energies = None
    if voice is not None:
        voice_meter = LoudnessMeter(RATE, 1)
        stream(voice_meter, voice)
        voice_energies = voice_meter.block_energies()
    plan = plan_loudness(meter.block_energies(), true_peaks, 1, RATE, voice=voice_energies)
    limited = samples * plan.block_gains(0, len(samples))
    result = LoudnessMeter(RATE, 1)
    result.add(limited)
    full = np.abs(soxr.resample(limited, RATE, 4 * RATE, quality="HQ")).max()
    return plan, result.integrated(), db(float(full))


def test_plan_reaches_the_target_through_the_limiter_with_peaks_held():
    quiet = speechlike(60) * np.float32(0.1)
    quiet[RATE * 20 : RATE * 20 + 50] = 0.3  # one spike that must not stop the gain
    plan, loudness, true_peak = plan_for(quiet)
    assert plan.gain > 4 and plan.envelope.min() < 0.5
    assert loudness == pytest.approx(-19.0, abs=0.1)
    assert true_peak <= -1.45


def test_a_sparse_voice_over_a_bed_is_not_crushed_to_reach_the_target():
    """Mostly bed, a little voice: the gated measure is the bed's, so the gain stops where
    the limiter would take more than 2 LU off the voice, under the target."""
    voice = speechlike(120, seed=3) * np.float32(0.6)
    voice[RATE * 12 :] = 0  # 10% of the time
    voice[np.arange(RATE, RATE * 12, RATE // 5)] = 0.9  # peaky, as speech is
    bed = PinkNoise(9).read(len(voice)) * np.float32(0.03)
    plan, loudness, true_peak = plan_for(voice + bed, voice=voice)
    limited_voice = LoudnessMeter(RATE, 1)
    limited_voice.add(voice * plan.block_gains(0, len(voice)))
    unlimited_voice = LoudnessMeter(RATE, 1)
    unlimited_voice.add(voice * np.float32(plan.gain))
    assert unlimited_voice.integrated() - limited_voice.integrated() == pytest.approx(2.0, abs=0.1)
    assert loudness < -20 and true_peak <= -1.45


@pytest.mark.parametrize("rate", [44_100, 48_000])
def test_k_weighting_is_designed_exactly_as_pyloudnorm_designs_it(rate):
    from pyloudnorm import IIRfilter

    expected = []
    for spec in (
        dict(G=4.0, Q=1 / math.sqrt(2), fc=1500.0, filter_type="high_shelf"),
        dict(G=0.0, Q=0.5, fc=38.0, filter_type="high_pass"),
    ):
        stage = IIRfilter(rate=rate, **spec)
        expected.append(np.concatenate([stage.b * stage.passband_gain / stage.a[0], stage.a / stage.a[0]]))
    assert np.allclose(k_weighting_sos(rate), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("channels", [1, 2])
def test_short_signals_weighed_through_the_fft_measure_as_the_streaming_meter_does(channels):
    mono = speechlike(12, seed=4)
    samples = mono if channels == 1 else np.stack([mono, speechlike(12, seed=5) * 0.3], axis=1)
    meter = LoudnessMeter(RATE, channels)
    meter.add(samples)
    assert short_loudness(samples, RATE) == pytest.approx(meter.integrated(), abs=1e-6)
    assert short_loudness(samples, RATE) == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64)), abs=0.05
    )


def test_the_limiters_window_filters_match_scipy_ndimage():
    from scipy import ndimage

    values = np.random.default_rng(7).random(3_000).astype(np.float32)
    for size in (1, 3, 19, 39):
        assert np.array_equal(_sliding_minimum(values, size), ndimage.minimum_filter1d(values, size, mode="nearest"))
        assert np.allclose(_moving_average(values, size), ndimage.uniform_filter1d(values, size, mode="nearest"), atol=1e-6)


def test_block_gains_draw_a_straight_line_between_block_centres():
    from guided_audio.mix.loudness import LoudnessPlan

    envelope = np.random.default_rng(3).uniform(0.3, 1.0, 40).astype(np.float32)
    plan = LoudnessPlan(1.7, envelope, -19.0)
    centres = np.arange(len(envelope)) * PEAK_BLOCK + (PEAK_BLOCK - 1) / 2
    whole = np.interp(np.arange(len(envelope) * PEAK_BLOCK), centres, envelope) * 1.7
    for start, count in [(0, len(whole)), (0, 1), (31, 1), (32, 100), (1000, 1234), (len(whole) - 5, 5)]:
        assert np.allclose(plan.block_gains(start, count), whole[start : start + count], rtol=1e-6)
