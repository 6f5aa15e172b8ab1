"""Breathing as it is taught, held on the plan (session.preview, no synthesis).

4-7-8 at most four breaths in a row and eight in a session; the physiological sigh a few at a
time with its top-up cue on every sigh; cyclic sighing one unbroken block of about five
minutes; the steady patterns fade to quiet cycles kept by a tone, with a short cue to re-sync
every minute or two; longer sessions deepen (fewer, longer sections; announced silence) rather
than repeat; the sleep ending holds no wake-up and ends in announced silence.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

from guided_audio.audio.samples import SESSION_RATE
from guided_audio.script import markup
from guided_audio.session import Plan, SessionRequest, preview

WAKE_WORDS = re.compile(r"\bawake|alert|refresh|\bwak(e|ing)|open your eyes|stretch|get up|rest of your day|fingers and toes", re.I)
CYCLE = {"4-7-8": 19.0, "box": 16.0, "coherent": 11.0, "resonance": 10.0, "awake": 8.0, "pranayama": 23.0, "cyclic-sigh": 9.0}


@lru_cache(maxsize=None)
def plan(minutes: int, **variables: str) -> Plan:
    """The session as preview lays it out (without the search for every length that fits)."""
    found = preview(SessionRequest("deep-breathing", minutes, variables=variables), with_range=False)
    assert found.timeline.total == minutes * 60 * SESSION_RATE, "every session is exactly its length"
    return found


def seconds(samples: int) -> float:
    return samples / SESSION_RATE


def inhales(p: Plan, cycle: float) -> list[int]:
    """Where each breath in of the pattern starts (a phase run whose cycle is `cycle`)."""
    phases = p.timeline.phases
    starts, i = [], 0
    while i < len(phases):
        if phases[i].name == "inhale":
            run = [phases[i]]
            for following in phases[i + 1 :]:
                if following.name == "inhale" or following.start != run[-1].end:
                    break
                run.append(following)
            if seconds(run[-1].end - run[0].start) == cycle:
                starts.append(phases[i].start)
        i += 1
    return starts


def runs(starts: list[int], cycle: float) -> list[int]:
    """Lengths of the runs of breaths taken back to back (a rest of under ten seconds does not
    break a run: the demonstration breath and the first round count as one)."""
    found = [1] if starts else []
    for a, b in zip(starts, starts[1:]):
        if seconds(b - a) < cycle + 10:
            found[-1] += 1
        else:
            found.append(1)
    return found


def speech_in(p: Plan, start: int, end: int):
    return sorted((s for s in p.timeline.speech if start <= s.start < end), key=lambda s: s.start)


@pytest.mark.parametrize("minutes", [5, 10, 20, 45, 60])
def test_4_7_8_is_at_most_four_breaths_in_a_row_and_eight_in_a_session(minutes):
    p = plan(minutes)
    breaths = inhales(p, 19.0)
    holds = [ph for ph in p.timeline.phases if ph.name == "hold"]
    assert len(holds) == len(breaths) <= 8 and max(runs(breaths, 19.0)) <= 4
    text = " ".join(s.text for s in p.timeline.speech)
    if minutes >= 10:
        assert len(breaths) == 8 and "best in small doses" in text
        chapters = [c.title for c in p.timeline.chapters]
        assert "Resting with the breath" in chapters, "the rest of the session is natural breath awareness"
        assert p.timeline.silences, "with announced silence"
    if minutes >= 20:
        assert "Slow, easy breathing" in [c.title for c in p.timeline.chapters]
        slow = [ph for ph in p.timeline.phases if ph.start > holds[-1].end]
        assert {(ph.name, seconds(ph.end - ph.start)) for ph in slow} == {("inhale", 4.0), ("exhale", 6.0)}


@pytest.mark.parametrize("minutes", [3, 20, 60])
def test_physiological_sigh_is_a_few_minutes_of_sighs_each_with_its_top_up_cue(minutes):
    p = plan(minutes, pattern="physiological-sigh")
    items = [item for item in p.items if isinstance(item, markup.Phase)]
    sighs = [(a, b) for a, b in zip(items, items[2:]) if a.name == "inhale" and b.name == "topup"]
    assert 3 <= len(sighs) <= 15
    for breath_in, _ in sighs:
        assert re.search(r"\bsip\b|\bmore\b", " ".join(c.text for c in breath_in.cue)), breath_in
    starts = inhales(p, 5.0)
    assert max(runs(starts, 5.0)) <= 3, "a few at a time, natural breaths between"
    assert seconds(starts[-1] - starts[0]) <= 4 * 60, "a few minutes of sighs at most"


@pytest.mark.parametrize("minutes", [5, 10, 20, 60])
def test_cyclic_sighing_is_one_unbroken_block_of_about_five_minutes(minutes):
    p = plan(minutes, pattern="cyclic-sigh")
    starts = inhales(p, 9.0)[1:]  # after the demonstration
    assert {seconds(b - a) for a, b in zip(starts, starts[1:])} == {9.0}, "no rounds, no rests"
    block = seconds(starts[-1] - starts[0]) + 9
    assert block <= 5 * 60 + 9
    if minutes >= 10:
        assert block >= 4.5 * 60
    text = " ".join(s.text for s in p.timeline.speech)
    assert "back to the pattern" not in text and "Let the count go for now" not in text


@pytest.mark.parametrize(
    "minutes, variables",
    [(45, {"pattern": "box"}), (45, {"pattern": "coherent"}), (45, {"pattern": "coherent", "tones": "false"}),
     (60, {"pattern": "pranayama"}), (30, {"inhale": "5", "exhale": "7"})],
    ids=["box-45", "coherent-45", "coherent-45-no-tones", "pranayama-60", "custom-30"],
)
def test_steady_patterns_fade_to_quiet_cycles_with_a_re_sync_every_minute_or_two(minutes, variables):
    p = plan(minutes, **variables)
    cycle = CYCLE.get(variables.get("pattern", ""), 12.0)
    starts = inhales(p, cycle)
    assert {seconds(b - a) for a, b in zip(starts[1:], starts[2:])} == {cycle}, "inhale to inhale is one cycle"
    end = starts[-1] + round(cycle * SESSION_RATE)
    after_five = speech_in(p, max(starts[1], 5 * 60 * SESSION_RATE), end)
    per_minute = len(after_five) / (seconds(end) - max(seconds(starts[1]), 300)) * 60
    assert per_minute <= 1.0, f"{per_minute:.2f} spoken cues a minute"
    said = speech_in(p, starts[1], end)
    quiet = [seconds(b.start - a.end) for a, b in zip(said, said[1:])] + [seconds(end - said[-1].end)]
    assert max(quiet) <= 150, "the voice comes back before the listener is lost"
    assert max(quiet) >= 60, "and leaves the breath alone for a minute or more"
    tones = {t.start for t in p.timeline.tones}
    assert tones == ({ph.start for ph in p.timeline.phases} if variables.get("tones") != "false" else set())


def test_tones_are_on_by_default_past_ten_minutes_and_can_be_set_either_way():
    assert not plan(10, pattern="box").timeline.tones
    assert plan(11, pattern="box").timeline.tones
    assert plan(5, pattern="box", tones="true").timeline.tones
    assert not plan(20, pattern="box", tones="false").timeline.tones


@pytest.mark.parametrize(
    "variables",
    [{}, {"pattern": "box"}, {"pattern": "physiological-sigh"}, {"pattern": "cyclic-sigh"}, {"pattern": "awake"},
     {"pattern": "box", "practice": "rounds"}, {"hold": "7", "inhale": "4", "exhale": "8"}, {"ending": "sleep"}],
    ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) or "defaults",
)
def test_an_hour_has_few_long_sections(variables):
    assert len(plan(60, **variables).timeline.chapters) <= 8


@pytest.mark.parametrize("minutes, pattern", [(3, "4-7-8"), (10, "box"), (20, "4-7-8"), (20, "cyclic-sigh"), (45, "coherent")])
def test_the_sleep_ending_thins_out_and_ends_in_announced_silence(minutes, pattern):
    p = plan(minutes, pattern=pattern, ending="sleep")
    total = p.timeline.total
    text = " ".join(s.text for s in p.timeline.speech)
    assert not WAKE_WORDS.search(text), WAKE_WORDS.search(text)
    assert re.search(r"\bbed\b", text) and "driving" in text, "the opening invites bed, once"
    last = max(p.timeline.silences, key=lambda s: s.end)
    assert last.end >= total - 3 * SESSION_RATE and not speech_in(p, last.start, total)
    assert seconds(last.end - last.start) >= max(60, minutes * 6)
    words = sorted(p.timeline.speech, key=lambda s: s.start)[-1].text
    assert "sleep" in words and "nothing more to do" in " ".join(s.text for s in speech_in(p, last.start - 30 * SESSION_RATE, total))


@pytest.mark.parametrize("minutes", [4, 7, 13, 25, 38, 52])
@pytest.mark.parametrize("pattern", ["4-7-8", "box", "physiological-sigh", "cyclic-sigh"])
def test_every_length_is_exact(minutes, pattern):
    plan(minutes, pattern=pattern)
