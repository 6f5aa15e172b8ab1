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
from guided_audio.script.parts import TRANSITIONS
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


@pytest.mark.parametrize("first", BUILTINS)
def test_whatever_part_comes_first_says_the_driving_line_once_for_the_session(first):
    """The parts after it skip it, so the first part says it even where it says none alone."""
    minutes = 10 if first != "progressive-muscle-relaxation" else 12
    assert driving_lines(planned_parts(f"{first}:{minutes}", "guided-imagery:10")) == 1


def test_the_measures_see_what_they_look_for():
    """Not vacuous: the plain wake-up closing of a technique is seen, and counts add up."""
    plan = planned("mindfulness", 10)
    assert wake_words_at_end(plan), "the wake closing asks the eyes to open"
    assert driving_lines(plan) == 1
    assert pattern_voice(plan) is None and not cycles(plan)
    box = planned("deep-breathing", 5, pattern="box")
    assert cycles(box)["4-4-4-4"] >= 8


# ---- sessions of several parts that know each other ----


def _params(plan: Plan) -> list[dict]:
    return [part.script.params for part in plan.parts]


def test_earlier_parts_end_in_sleep_when_the_last_does_unless_told_otherwise():
    assert [p["ending"] for p in _params(planned_parts("mindfulness:5", "sleep-wind-down:10"))[:1]] == ["sleep"]
    assert _params(planned_parts("mindfulness:5", "mindfulness:5:ending=sleep"))[0]["ending"] == "sleep"
    assert _params(planned_parts("mindfulness:5:ending=wake", "sleep-wind-down:10"))[0]["ending"] == "wake"
    assert _params(planned_parts("mindfulness:5", "sleep-wind-down:10", ending="wake"))[0]["ending"] == "wake"
    assert _params(planned_parts("mindfulness:5", "mindfulness:5"))[0]["ending"] == "wake"


def test_a_part_whose_template_has_no_ending_is_left_as_it_is(tmp_path):
    own = tmp_path / "quiet.txt"
    own.write_text("+++\ntitle = \"Quiet\"\n+++\nRest here. You can stop at any time.\n[pause 5s+]\n", encoding="utf-8")
    plan = planned_parts(str(own) + ":2", "sleep-wind-down:10")
    assert plan.parts[0].script.part.variables == {}


def _spoken(plan: Plan) -> list[str]:
    return [s.text for s in sorted(plan.timeline.speech, key=lambda s: s.start)]


def test_a_name_is_said_once_at_the_start_by_the_first_part_or_the_first_transition():
    opened = _spoken(planned_parts("mindfulness:4", "body-scan:4", "mindfulness:4", name="Sam"))
    assert opened[0] == "Welcome, Sam." and sum("Sam" in t for t in opened) == 1
    breathing_first = planned_parts("deep-breathing:3", "body-scan:4", name="Sam")
    said = [t for t in _spoken(breathing_first) if "Sam" in t]
    assert len(said) == 1 and said[0] in breathing_first.parts[1].script.transition
    assert "name" not in breathing_first.parts[1].script.part.variables
    no_one_has_it = _spoken(planned_parts("deep-breathing:3", "progressive-muscle-relaxation:5", name="Sam"))
    assert sum("Sam" in t for t in no_one_has_it) == 1, "the engine says it even when no part could"


def test_transitions_vary_and_name_what_comes():
    plan = planned_parts("mindfulness:4", "deep-breathing:6", "body-scan:5", "mindfulness:4", "gratitude:5")
    openings = [" ".join(part.script.transition) for part in plan.parts[1:]]
    assert len(set(openings)) == len(openings), openings
    firsts = {opening.split(",")[0].split(".")[0] for opening in openings}
    assert len(firsts) == len(openings), "not the same sentence each time"
    for part, opening in zip(plan.parts[1:], openings):
        assert TRANSITIONS[part.script.template.name] in opening


def test_mindfulness_says_its_care_once_in_a_session_of_parts():
    plan = planned_parts("mindfulness:5", "mindfulness:5", "mindfulness:5")
    assert driving_lines(plan) == 1
    assert sum("stop at any time" in t for t in _spoken(plan)) >= 3, "the part's own care stays in every part"
