"""Issue 20, items 6 and 16: preview answers quickly for any valid value, and at a slow --rate
it does not refuse a length that generate renders."""

from __future__ import annotations

import time

import pytest

from guided_audio.commands.report import format_plan
from guided_audio.script import lengths
from guided_audio.session import SessionRequest, preview


def test_preview_of_a_very_short_breath_stays_quick_and_says_what_it_did_not_try(monkeypatch, tmp_path):
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(lengths, "RANGE_SECONDS", 0.5)
    started = time.perf_counter()
    plan = preview(SessionRequest("deep-breathing", 5, variables={"inhale": "0.1"}))
    assert time.perf_counter() - started < 4
    assert plan.lengths.shortest == 2 and plan.lengths.untried_from is not None
    assert f"from {plan.lengths.untried_from} minutes on not tried" in format_plan(plan)


def test_every_length_is_tried_when_there_is_time(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "cache"))
    plan = preview(SessionRequest("deep-breathing", 5))
    assert plan.lengths.untried_from is None and plan.lengths.longest == 60


@pytest.mark.parametrize("voice, rate", [("joe", 0.4), ("heart", 0.5)])
def test_pmr_at_a_slow_rate_on_a_cold_cache_is_not_refused_by_preview(tmp_path, monkeypatch, voice, rate):
    """generate renders this (joe at rate 0.4 is 2.18 times his length at 1.0, not 2.5); joe is
    named since heart, the default voice, goes no slower than 0.5, which is checked too."""
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "empty"))
    plan = preview(SessionRequest("progressive-muscle-relaxation", 10, voice=voice, rate=rate))
    assert plan.timeline.total == 10 * 60 * 44_100


def test_the_estimate_still_grows_as_the_rate_slows():
    from guided_audio.script.markup import Speech

    phrase = Speech("Gently tense the muscles of your right hand, making a fist.")
    sizes = [lengths.estimate_samples(phrase, rate) for rate in (1.0, 0.75, 0.6, 0.5, 0.4, 0.3)]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)
