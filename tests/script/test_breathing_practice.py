"""Breathing that fills the time asked: continuous practice for the steady patterns, short
rounds for the strong ones, and the share in the pattern that preview reports (no audio).

The share does not depend on the voice: the template counts its cycles from estimates of
its own words, and the phases are exact, so a plan with estimated phrase lengths has the same
share as the rendered session (tests/test_breathing_fill.py renders some with the real voice).
"""

from __future__ import annotations

import logging
from functools import lru_cache

import pytest

from guided_audio.audio.samples import SESSION_RATE
from guided_audio.commands.report import format_plan
from guided_audio.script import templates
from guided_audio.script.layout import Timeline, layout
from guided_audio.script.lengths import PhraseLengths, script
from guided_audio.session import SessionRequest, preview

BREATHING = templates.find("deep-breathing")
ESTIMATES = PhraseLengths(0.75, lambda phrase: None)

STEADY = {
    "coherent": 11.0,
    "box": 16.0,
    "resonance": 10.0,
    "awake": 8.0,
    "inhale=5 exhale=7": 12.0,
}
"""Patterns practised continuously by default, with their cycle in seconds."""
EVERY_MINUTE = range(10, 61)


def variables(label: str, **more: str) -> dict[str, str]:
    found = dict(part.split("=") for part in label.split()) if "=" in label else {"pattern": label}
    return {**found, **more}


@lru_cache(maxsize=None)
def plan(label: str, minutes: int, practice: str = "", tones: str = "") -> Timeline:
    """The session laid out with estimated phrase lengths (what preview does, without its
    search for every length that fits, which hundreds of plans cannot afford)."""
    extra = {k: v for k, v in (("practice", practice), ("tones", tones)) if v}
    items, _ = script(BREATHING, minutes, variables(label, **extra))
    return layout(items, ESTIMATES, total_seconds=minutes * 60, rate=SESSION_RATE, guessed=ESTIMATES.is_estimate)


def inhale_gaps(timeline: Timeline) -> list[float]:
    """Seconds from each breath in to the next, after the demonstration breath."""
    starts = [phase.start for phase in timeline.phases if phase.name == "inhale"][1:]
    return [(b - a) / timeline.rate for a, b in zip(starts, starts[1:])]


@pytest.mark.parametrize("label", list(STEADY))
@pytest.mark.parametrize("tones", ["", "true"])
def test_steady_patterns_fill_three_quarters_of_every_session_of_10_minutes_or_more(label, tones):
    shares = {minutes: plan(label, minutes, tones=tones).pattern_share for minutes in EVERY_MINUTE}
    low = min(shares, key=shares.get)
    assert shares[low] >= 0.75, f"{label} at {low} min: {shares[low]:.1%} in the pattern"
    assert shares[60] >= 0.9, "an hour is nearly all breathing"


@pytest.mark.parametrize("label", list(STEADY))
@pytest.mark.parametrize("minutes", [6, 20, 60])
def test_continuous_practice_is_one_unbroken_run_of_exact_cycles(label, minutes):
    timeline = plan(label, minutes)
    gaps = inhale_gaps(timeline)
    assert len(gaps) >= minutes * 60 * 0.5 / STEADY[label]
    assert set(gaps) == {STEADY[label]}, "no rest anywhere: inhale to inhale is always one cycle"
    second = [phase.start for phase in timeline.phases if phase.name == "inhale"][1]
    practice = [phase for phase in timeline.phases if phase.start >= second]
    assert all(b.start == a.end for a, b in zip(practice, practice[1:])), "phases back to back, to the sample"
    assert timeline.total == minutes * 60 * timeline.rate


@pytest.mark.parametrize("label", ["coherent", "box", "resonance", "awake"])
def test_tips_are_said_inside_a_breath_and_guidance_thins_out(label):
    """In an hour: a few kind tips, each said once and within one cycle, and later cues short."""
    timeline = plan(label, 60)
    cycle = STEADY[label] * timeline.rate
    inhales = [phase.start for phase in timeline.phases if phase.name == "inhale"]
    cues = sorted(timeline.speech, key=lambda s: s.start)
    practice = [s for s in cues if inhales[1] <= s.start < inhales[-1] + cycle]
    tips = [s for s in practice if len(s.text) > 15]
    assert len(tips) >= 8 and len({s.text for s in tips}) == len(tips)
    for tip in tips:
        assert any(start <= tip.start and tip.end < start + cycle for start in inhales), tip
    late = [s.text for s in practice[-40:]]
    assert max(map(len, late)) <= 35 and sum(map(len, late)) / len(late) < 12


def test_practice_rounds_gives_a_steady_pattern_short_rounds_with_short_rests():
    gaps = inhale_gaps(plan("box", 20, practice="rounds"))
    rests = [gap - 16 for gap in gaps if gap != 16]
    assert len(rests) >= 10
    assert max(rests) <= 30, "rests kept short"


@pytest.mark.parametrize("label", ["cyclic-sigh", "physiological-sigh", "pranayama"])
def test_strong_patterns_come_in_rounds_unless_continuous_is_asked_for(label):
    by_default = inhale_gaps(plan(label, 20))
    cycle = min(by_default)
    assert any(gap > cycle + 5 for gap in by_default), "rounds with natural breaths between"
    assert max(by_default) - cycle <= 45, "rests between rounds kept short"
    continuous = plan(label, 20, practice="continuous")
    assert set(inhale_gaps(continuous)) == {cycle}
    assert continuous.pattern_share >= 0.8


@pytest.mark.parametrize("minutes", [6, 10, 20, 30, 60])
def test_4_7_8_keeps_to_rounds_of_four_with_a_short_rest(minutes, caplog):
    gaps = inhale_gaps(plan("4-7-8", minutes))
    rounds, current = [], 1
    for gap in gaps:
        if gap == 19:
            current += 1
        else:
            assert 19 + 15 <= gap <= 19 + 40, gap
            rounds.append(current)
            current = 1
    assert max(rounds + [current]) <= 4
    with caplog.at_level(logging.WARNING):
        asked = preview(SessionRequest("deep-breathing", minutes, variables={"practice": "continuous"}))
    def shape(phases):  # where the cycles fall depends on the phrase lengths preview has; their run does not
        return [(phase.name, phase.end - phase.start) for phase in phases]

    assert shape(asked.timeline.phases) == shape(plan("4-7-8", minutes).phases)
    assert "--var practice=continuous makes no difference" in caplog.text


def test_preview_reports_the_share_in_the_pattern():
    shown = preview(SessionRequest("deep-breathing", 20, variables={"pattern": "coherent"}))
    text = format_plan(shown)
    share = shown.timeline.pattern_share
    assert f"({share:.0%})." in text and "In the pattern " in text
    assert share >= 0.8
    assert "In the pattern" not in format_plan(preview(SessionRequest("progressive-muscle-relaxation", 10)))
