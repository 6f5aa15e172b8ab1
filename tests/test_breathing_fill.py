"""Breathing that fills the time asked, rendered with the real voice and measured in the audio:
coherent and box at 10 and 20 minutes spend at least 75% in the pattern, every period is
exact to the sample, and every cue (tips said inside a breath included) is heard on its beat."""

from __future__ import annotations

import pytest
from audio_probe import RATE, check_session, load, onset_near, window_levels

from guided_audio.session import SessionRequest, generate

CYCLES = {"coherent": {"inhale": 5.5, "exhale": 5.5}, "box": {"inhale": 4, "hold": 4, "exhale": 4, "rest": 4}}


@pytest.fixture(scope="module", params=[(p, m) for p in CYCLES for m in (10, 20)], ids=lambda c: f"{c[0]}-{c[1]}min")
def session(request, tmp_path_factory):
    pattern, minutes = request.param
    mp3 = tmp_path_factory.mktemp("fill") / f"{pattern}-{minutes}.mp3"
    result = generate(SessionRequest("deep-breathing", minutes, variables={"pattern": pattern}, output=mp3))
    return pattern, minutes, mp3, result


def test_three_quarters_in_the_pattern_with_exact_periods(session):
    pattern, minutes, mp3, result = session
    samples, manifest, speech = check_session(mp3, minutes)  # exact length, every cue heard where it says
    assert result.plan.timeline.total == minutes * 60 * RATE
    phases = manifest["phases"]
    in_pattern = sum(p["end"] - p["start"] for p in phases)
    assert in_pattern / (minutes * 60) >= 0.75, f"{in_pattern / (minutes * 60):.1%} in the pattern"
    assert result.plan.timeline.pattern_share == pytest.approx(in_pattern / (minutes * 60), abs=0.001)
    # to the sample, in the plan the audio was mixed from
    timeline = result.plan.timeline
    lengths = {name: round(seconds * RATE) for name, seconds in CYCLES[pattern].items()}
    assert all(p.end - p.start == lengths[p.name] for p in timeline.phases)
    cycle = sum(lengths.values())
    inhales = [p.start for p in timeline.phases if p.name == "inhale"][1:]
    assert {b - a for a, b in zip(inhales, inhales[1:])} == {cycle}, "one unbroken practice"
    assert len(inhales) * cycle / RATE >= 0.7 * minutes * 60


def test_every_cue_and_tip_starts_on_its_beat_and_ends_before_the_next_cue(session):
    pattern, minutes, mp3, result = session
    samples, manifest = load(mp3)
    levels = window_levels(samples)
    starts = {round(p["start"], 3) for p in manifest["phases"]}
    speech = [s for s in manifest["segments"] if s["kind"] == "speech"]
    on_beat = [s for s in speech if round(s["start"], 3) in starts]
    assert len(on_beat) >= minutes * 5
    for cue in on_beat:
        onset = onset_near(levels, cue["start"])
        assert onset is not None and abs(onset - cue["start"]) <= 0.050, (cue, onset)
    practice_starts = [p["start"] for p in manifest["phases"] if p["name"] == "inhale"][1]
    tips = [s for s in speech if len(s["text"]) > 15 and practice_starts < s["start"] < manifest["phases"][-1]["end"]]
    assert len(tips) >= minutes // 5, "a few tips, said inside the breath"
    for said, following in zip(speech, speech[1:]):
        assert said["end"] <= following["start"]
