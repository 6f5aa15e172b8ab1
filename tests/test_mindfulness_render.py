"""Mindfulness at 20 minutes with interval bells, rendered with the real voice: exact to the
sample, the bells in the manifest's tones and in the audio where it says, words heard where
the manifest says and quiet elsewhere; and preview --json, once every phrase is measured,
is the manifest's plan to the millisecond."""

from __future__ import annotations

import json

import numpy as np
import pytest
from audio_probe import RATE, ebur128, load, loudest_db, onset_near, unsounded, window_levels

from guided_audio.mix.bells import FUNDAMENTAL_HZ
from guided_audio.script.markup import BELL_SECONDS
from guided_audio.session import SessionRequest, generate, plan_manifest, preview

MINUTES = 20
REQUEST = dict(variables={"bells": "every:5"})


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, phrase_cache_dir):
    mp3 = tmp_path_factory.mktemp("mindfulness") / "sit.mp3"
    with pytest.MonkeyPatch.context() as patch:  # the module fixture runs before the autouse one
        patch.setenv("GUIDED_AUDIO_CACHE", str(phrase_cache_dir))
        result = generate(SessionRequest("mindfulness", MINUTES, output=mp3, **REQUEST))
    samples, manifest = load(mp3)
    return mp3, result, samples, manifest


def test_it_is_exactly_twenty_minutes_with_its_bells_in_the_manifest(rendered):
    mp3, result, samples, manifest = rendered
    assert result.plan.timeline.total == MINUTES * 60 * RATE
    assert manifest["duration"] == MINUTES * 60
    assert MINUTES * 60 <= len(samples) / RATE < MINUTES * 60 + 0.05  # the last frame's padding
    bells = [t["start"] for t in manifest["tones"] if t["name"] == "bell"]
    assert len(bells) == 5 and bells[0] < 60 and bells[-1] > MINUTES * 60 - 90
    for minute, at in zip((5, 10, 15), bells[1:-1]):
        assert abs(at - minute * 60) <= 60
    loudness, peak = ebur128(mp3)
    assert -20.5 <= loudness <= -17.5 and peak <= -1.0


def test_each_bell_rings_where_the_manifest_says_at_its_pitch(rendered):
    _, _, samples, manifest = rendered
    levels = window_levels(samples)
    for tone in manifest["tones"]:
        onset = onset_near(levels, tone["start"])
        assert onset is not None and abs(onset - tone["start"]) <= 0.05, (tone, onset)
        ring = samples[int(tone["start"] * RATE) : int((tone["start"] + 2) * RATE)].astype(np.float64)
        spectrum = np.abs(np.fft.rfft(ring * np.hanning(len(ring))))
        assert np.argmax(spectrum) * RATE / len(ring) == pytest.approx(FUNDAMENTAL_HZ, abs=2)


def test_words_where_the_manifest_says_and_quiet_where_no_word_or_bell_sounds(rendered):
    _, _, samples, manifest = rendered
    levels = window_levels(samples)
    rings = [(t["start"], t["start"] + BELL_SECONDS) for t in manifest["tones"]]
    for segment in manifest["segments"]:
        if segment["kind"] == "speech":
            onset = onset_near(levels, segment["start"])
            assert onset is not None and abs(onset - segment["start"]) <= 0.05, segment
            assert not any(a <= segment["start"] < b for a, b in rings), "no words inside a ring"
        elif segment["end"] - segment["start"] > 0.4:
            for start, end in unsounded(segment["start"] + 0.1, segment["end"] - 0.1, manifest["tones"]):
                assert loudest_db(samples, start, end) < -60, (segment, start, end)


def test_preview_json_after_the_render_is_the_manifests_plan(rendered):
    mp3, _, _, manifest = rendered
    request = SessionRequest("mindfulness", MINUTES, output=mp3, **REQUEST)
    planned = json.loads(json.dumps(plan_manifest(request, preview(request, with_range=False))))
    assert planned["estimated_phrases"] == 0 and not any(s.get("estimated") for s in planned["segments"])
    for key in ("duration", "params", "chapters", "segments", "phases", "tones", "template", "engine", "voice"):
        assert planned[key] == manifest[key], key
