"""Long paced breathing rendered with the real voice and measured in the audio: a 12-minute
coherent session (the tone on by default past ten minutes) is exact to the sample, every
cue and tip is heard on its beat, the tone sounds at every phase start, and the quiet cycles
after the first minutes carry the tone alone."""

from __future__ import annotations

import pytest
from audio_probe import RATE, load, loudest_db, onset_near, window_levels

from guided_audio.session import SessionRequest, generate

MINUTES = 12
CYCLE = {"inhale": 5.5, "exhale": 5.5}
TOLERANCE = 0.050


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    mp3 = tmp_path_factory.mktemp("coherent") / "coherent.mp3"
    result = generate(SessionRequest("deep-breathing", MINUTES, variables={"pattern": "coherent"}, output=mp3))
    samples, manifest = load(mp3)
    return result, samples, manifest


def test_the_session_is_exact_and_every_period_is_one_cycle_to_the_sample(session):
    result, samples, manifest = session
    assert abs(manifest["duration"] - MINUTES * 60) <= 0.001
    assert MINUTES * 60 <= len(samples) / RATE < MINUTES * 60 + 0.05
    timeline = result.plan.timeline
    assert timeline.total == MINUTES * 60 * RATE
    lengths = {name: round(seconds * RATE) for name, seconds in CYCLE.items()}
    assert all(p.end - p.start == lengths[p.name] for p in timeline.phases)
    inhales = [p.start for p in timeline.phases if p.name == "inhale"][1:]
    assert {b - a for a, b in zip(inhales, inhales[1:])} == {sum(lengths.values())}, "one unbroken practice"


def test_every_cue_is_on_its_beat_and_the_tone_keeps_the_quiet_cycles(session):
    _result, samples, manifest = session
    levels = window_levels(samples)
    phases, speech = manifest["phases"], [s for s in manifest["segments"] if s["kind"] == "speech"]
    for said in speech:
        onset = onset_near(levels, said["start"])
        assert onset is not None and abs(onset - said["start"]) <= TOLERANCE, (said, onset)
    for said, following in zip(speech, speech[1:]):
        assert said["end"] <= following["start"]
    assert [t["start"] for t in manifest["tones"]] == [p["start"] for p in phases]
    starts = {round(s["start"], 3) for s in speech}
    wordless = [p for p in phases if round(p["start"], 3) not in starts]
    assert len(wordless) >= len(phases) / 2, "after the first minutes the cycles are quiet"
    heard = [p for p in wordless if loudest_db(samples, p["start"] - 0.12, p["start"] - 0.02) < -45]
    assert len(heard) >= len(wordless) / 2
    for phase in heard:  # the tone, and nothing else, starts the quiet cycle on its beat
        onset = onset_near(levels, phase["start"])
        assert onset is not None and abs(onset - phase["start"]) <= TOLERANCE, phase
