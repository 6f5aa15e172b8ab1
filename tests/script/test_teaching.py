"""Issue 18's "How we will check it", held on the plan (no synthesis): sessions a teacher
would give at every length. Breathing as it is taught (4-7-8 dosed, long paced breathing
that falls quiet but not silent), sessions that grow by deepening (few chapters), sleep
endings with no wake-up, and sessions of several parts that say their care lines once.

The measures are content_probe's, so scripts/content_report.py prints the same figures.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from content_probe import cycles, driving_lines, pattern_voice, wake_words_at_end

from guided_audio.errors import GuidedAudioError
from guided_audio.script import templates
from guided_audio.session import Plan, SessionRequest, preview

BUILTINS = sorted(t.name for t in templates.available() if t.builtin)
MOST_CHAPTERS = 10
"""At most about eight chapters in one technique at 60 minutes; the check allows ten."""


@lru_cache(maxsize=None)
def planned(name: str, minutes: int, **variables: str) -> Plan:
    return preview(SessionRequest(name, minutes, variables=variables), with_range=False)


@lru_cache(maxsize=None)
def planned_parts(*parts: str, **shared: str) -> Plan:
    return preview(SessionRequest.of_parts(list(parts), variables=shared), with_range=False)


@pytest.mark.parametrize("minutes", [20, 60])
def test_4_7_8_is_dosed_as_taught_or_refused_with_a_better_choice(minutes):
    try:
        plan = planned("deep-breathing", minutes, pattern="4-7-8")
    except GuidedAudioError as exc:
        assert re.search(r"\btry\b|choose", str(exc)), f"refused without naming a better choice: {exc}"
        return
    assert cycles(plan)["4-7-8"] <= 8, cycles(plan)


@pytest.mark.parametrize("pattern", ["box", "coherent"])
def test_long_paced_breathing_falls_quiet_but_comes_back(pattern):
    voice = pattern_voice(planned("deep-breathing", 45, pattern=pattern))
    assert voice is not None, "no breathing pattern at all"
    assert voice.cues_per_minute <= 1.0, f"{voice.cues_per_minute:.1f} spoken cues a minute after minute five"
    assert voice.longest_quiet <= 150, f"{voice.longest_quiet:.0f} s in the pattern without a word"


@pytest.mark.parametrize("name", BUILTINS)
def test_an_hour_of_any_technique_has_few_chapters(name):
    chapters = planned(name, 60).timeline.chapters
    assert len(chapters) <= MOST_CHAPTERS, [c.title for c in chapters]


@pytest.mark.parametrize("name", ["progressive-muscle-relaxation", "guided-imagery", "body-scan", "mindfulness"])
def test_a_sleep_ending_says_no_wake_up_words_in_its_last_fifth(name):
    for minutes in (10, 30):
        plan = planned(name, minutes, ending="sleep")
        assert wake_words_at_end(plan) == [], f"{name} at {minutes} min"
        last = plan.timeline.silences[-1] if plan.timeline.silences else None
        assert last is not None and (last.end - last.start) / plan.timeline.rate >= 60, "ends in an announced silence"
        assert not [s for s in plan.timeline.speech if s.start >= last.start], "no words after the last silence"


def test_a_session_of_breathing_muscles_and_imagery_says_the_driving_line_once():
    plan = planned_parts("deep-breathing:5", "progressive-muscle-relaxation:15", "guided-imagery:20")
    assert driving_lines(plan) == 1


def test_the_measures_see_what_they_look_for():
    """Not vacuous: the plain wake-up closing of a technique is seen, and counts add up."""
    plan = planned("mindfulness", 10)
    assert wake_words_at_end(plan), "the wake closing asks the eyes to open"
    assert driving_lines(plan) == 1
    assert pattern_voice(plan) is None and not cycles(plan)
    box = planned("deep-breathing", 5, pattern="box")
    assert cycles(box)["4-4-4-4"] >= 10
