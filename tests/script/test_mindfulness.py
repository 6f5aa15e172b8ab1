"""The mindfulness template on its plan: it grows by deepening (the same few chapters,
longer quiet, a line to come back every minute or so), its bells ring where asked, the
silent timer strikes them on the minute, and a sleep ending rings no bell and ends in
silence. A value of `bells` that cannot be read is one error line naming the fix."""

from __future__ import annotations

import statistics
from functools import lru_cache

import pytest
from test_cli import run_main

from guided_audio.audio.samples import SESSION_RATE
from guided_audio.errors import ParameterError
from guided_audio.script.layout import LEAD_OUT
from guided_audio.script.markup import BELL_SECONDS
from guided_audio.session import Plan, SessionRequest, preview

LENGTHS = (4, 10, 20, 45, 60)  # 4: at the meditation pace (issue 19) its shortest script needs 3:03


@lru_cache(maxsize=None)
def planned(minutes: int, **variables: str) -> Plan:
    return preview(SessionRequest("mindfulness", minutes, variables=variables), with_range=False)


def quiets(plan: Plan) -> list[float]:
    """Seconds of each stretch without words or bells, longer than a breath or two."""
    return [s.end - s.start for s in plan.timeline.segments() if s.kind == "pause" and s.end - s.start > 8]


def bells(plan: Plan) -> list[float]:
    return [t.start / SESSION_RATE for t in plan.timeline.tones if t.name == "bell"]


@pytest.mark.parametrize("minutes", LENGTHS)
def test_it_fits_exactly_with_few_chapters_and_comes_back_every_minute_or_so(minutes):
    plan = planned(minutes)
    assert plan.timeline.total == minutes * 60 * SESSION_RATE
    assert 4 <= len(plan.timeline.chapters) <= 8
    assert max(quiets(plan)) <= 80, "by the estimates; the voice makes quiets a little longer"
    assert [c.title for c in plan.timeline.chapters][-2:] == ["Open awareness", "Closing"]


def test_a_longer_session_deepens_rather_than_adding_topics():
    titles = {m: [c.title for c in planned(m).timeline.chapters] for m in (10, 20, 45, 60)}
    assert titles[10] == titles[20] == titles[45] == titles[60]
    typical = [statistics.median(quiets(planned(m))) for m in (10, 20, 45, 60)]
    # the quiet grows until a line every minute or so holds it (from about 45 minutes)
    assert typical[0] < typical[1] < typical[2] and typical[3] > 0.9 * typical[2], typical
    # 1.6, not 2: at the meditation pace (issue 19) fewer words fit 10 minutes, so its quiets start longer
    assert typical[-1] > 1.6 * typical[0], typical


def test_care_a_trauma_sensitive_teacher_gives():
    said = " ".join(s.text for s in planned(10).timeline.speech)
    for words in ("keep them open", "stop at any time", "feel your feet on the floor", "listen to the sounds around you"):
        assert words in said


def test_bells_at_start_and_end_by_default_and_none_when_asked():
    default = bells(planned(20))
    assert len(default) == 2 and default[0] < 60 and default[1] > 20 * 60 - 90
    assert bells(planned(20, bells="none")) == []


def test_interval_bells_ring_in_the_quiet_near_their_minutes(tmp_path, monkeypatch):
    # Planned on estimates alone (an empty cache), whatever earlier tests spoke: with a cache
    # half filled by them, a clean-clone run once saw a phrase start 0.02 s before a ring ended
    # (noted in the closing note of issue 18, to be found in the layout).
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "empty-cache"))
    plan = preview(SessionRequest("mindfulness", 20, variables={"bells": "every:5"}), with_range=False)
    rung = bells(plan)
    assert len(rung) == 5
    for minute, at in zip((5, 10, 15), rung[1:-1]):
        assert abs(at - minute * 60) <= 60, (minute, at)
    for at in rung:  # no words inside a ring
        assert not [s for s in plan.timeline.speech if at * SESSION_RATE <= s.start < (at + BELL_SECONDS) * SESSION_RATE]


def test_the_silent_timer_strikes_each_bell_on_its_minute():
    plan = planned(20, guidance="none", bells="5,10,15")
    rung = [t.start for t in plan.timeline.tones]
    assert rung[1:-1] == [5 * 60 * SESSION_RATE, 10 * 60 * SESSION_RATE, 15 * 60 * SESSION_RATE]
    assert rung[-1] == (20 * 60 - BELL_SECONDS - LEAD_OUT) * SESSION_RATE, "the last bell rings out as the session ends"
    assert max(s.end for s in plan.timeline.speech) < rung[0], "a few words first, then only bells"
    said = " ".join(s.text for s in plan.timeline.speech)
    assert "again at minutes 5, 10 and 15" in said and "stop at any time" in said


def test_a_sleep_ending_rings_no_last_bell_and_leaves_you_in_silence():
    for guidance in ("full", "none"):
        plan = planned(20, guidance=guidance, ending="sleep")
        assert len(bells(plan)) == 1, "the start bell only: a bell at the end would wake you"
        last = plan.timeline.silences[-1]
        assert (last.end - last.start) / SESSION_RATE >= 120 * (guidance == "full") or guidance == "none"
        assert not [s for s in plan.timeline.speech if s.start >= last.start]
    said = " ".join(s.text for s in planned(20, ending="sleep").timeline.speech)
    assert "Lie down in bed" in said and "drift off" in said


@pytest.mark.parametrize(
    "value, message",
    [
        ("often", "bells='often' is not understood; write none, start-end, every:5"),
        ("every:0", "bells='every:0': ring at most once a minute; try bells=every:5"),
        ("5,10,25", "bells='5,10,25': minute 25 is not inside this 20-minute session; give minutes after 0 and before 20, like bells=5,10"),
        ("every:2.5", "whole minutes like 5,10,15"),
    ],
)
def test_a_bells_value_that_cannot_be_read_is_one_line_naming_the_fix(value, message):
    with pytest.raises(ParameterError) as exc:
        planned(20, bells=value)
    assert str(exc.value).startswith(f"bells={value!r}") and message in str(exc.value)
    result = run_main("preview", "mindfulness", "-m", "20", "--var", f"bells={value}")
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1 and message in lines[0], result.stderr
