"""The generated phase tones: pitch, level, click-free edges, and where the mixer puts them."""

from __future__ import annotations

import numpy as np
import pytest

from guided_audio.mix.mixer import mix_all
from guided_audio.mix.tones import PEAK_DB, PITCHES_HZ, SECONDS, pitch_of, tone, tone_clips
from guided_audio.script.layout import layout
from guided_audio.script.markup import parse

RATE = 44_100


def dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), n=1 << 18))
    return float(np.argmax(spectrum) * RATE / (1 << 18))


@pytest.mark.parametrize("name", sorted(PITCHES_HZ) + ["settle"])
def test_each_tone_is_a_soft_click_free_bell_at_its_pitch(name):
    samples = tone(name, RATE)
    assert samples.dtype == np.float32 and len(samples) == round(SECONDS * RATE)
    assert 20 * np.log10(np.max(np.abs(samples))) == pytest.approx(PEAK_DB, abs=0.01)
    # Edges start and end at silence, and no step between neighbouring samples is large.
    assert abs(samples[0]) < 1e-6 and abs(samples[-1]) < 1e-6
    assert np.max(np.abs(np.diff(samples))) < 0.01
    assert dominant_hz(samples) == pytest.approx(pitch_of(name), abs=1.0)


def test_in_is_higher_than_out_and_a_top_up_higher_still():
    assert pitch_of("topup") > pitch_of("inhale") > pitch_of("hold") > pitch_of("exhale") > pitch_of("rest")
    assert pitch_of("anything-else") == pitch_of("hold")


def test_tones_are_mixed_at_their_phase_starts_and_nowhere_else():
    timeline = layout(
        parse("[phase inhale 4s tone]\n[phase hold 2s]\n[phase exhale 4s tone]"),
        lambda phrase: 0,
        total_seconds=15,
        rate=RATE,
    )
    clips = tone_clips(timeline)
    assert set(clips) == {"tone:inhale", "tone:exhale"}
    mixed = mix_all(timeline, clips)
    assert len(mixed) == 15 * RATE
    loud = np.nonzero(np.abs(mixed) > 1e-4)[0]
    inhale, exhale = RATE, 7 * RATE  # after the 1 s lead-in; exhale after 4 + 2 s
    assert loud[0] == pytest.approx(inhale, abs=RATE * 0.005)
    assert np.all((loud < inhale + SECONDS * RATE) | ((loud >= exhale) & (loud < exhale + SECONDS * RATE)))
    assert dominant_hz(mixed[exhale : exhale + RATE // 2]) == pytest.approx(pitch_of("exhale"), abs=1.0)
