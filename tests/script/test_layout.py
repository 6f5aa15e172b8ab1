"""Unit tests for laying a script out in samples, with a fake speech length (no synthesis).

The fake voice speaks every character in exactly 0.1 s, so "Hello." lasts 0.6 s.
"""

from __future__ import annotations

import pytest

from guided_audio.errors import LengthError
from guided_audio.script.layout import (
    LEAD_IN,
    LEAD_OUT,
    ChapterMark,
    PhaseSpan,
    Placement,
    ToneMark,
    TooShort,
    format_clock,
    layout,
)
from guided_audio.script.markup import parse

RATE = 1000


def voice(rate: int = RATE):
    return lambda phrase: len(phrase.text) * rate // 10


def lay(script: str, total: float, rate: int = RATE, **kwargs):
    return layout(parse(script), voice(rate), total_seconds=total, rate=rate, **kwargs)


def check_segments(timeline):
    """Segments cover 0..total back to back; pauses are never adjacent nor empty."""
    segments = timeline.segments()
    assert segments[0].start == 0
    assert segments[-1].end == timeline.total / timeline.rate
    for before, after in zip(segments, segments[1:]):
        assert before.end == after.start
        assert not (before.kind == after.kind == "pause")
    for seg in segments:
        assert seg.end > seg.start
        assert seg.kind in ("pause", "speech")
        assert (seg.text == "") == (seg.kind == "pause")
    spoken = [s for s in segments if s.kind == "speech"]
    assert [(s.start, s.end, s.text) for s in spoken] == [
        (p.start / timeline.rate, p.end / timeline.rate, p.text) for p in sorted(timeline.speech, key=lambda p: p.start)
    ]
    return segments


SCRIPT = "[chapter A]\nHello.\n[pause 2s+]\nBye.\n[pause 6s+]"  # needs 1 + 0.6 + 2 + 0.4 + 6 + 2 = 12 s


def test_margins():
    assert (LEAD_IN, LEAD_OUT) == (1.0, 2.0)


def test_elastic_pauses_share_slack_in_proportion_to_minimums():
    tl = lay(SCRIPT, 60)
    # slack 48 s: the 2 s pause gets 12 s more, the 6 s pause 36 s more
    assert tl.speech == [Placement(1000, 1600, "Hello."), Placement(15600, 16000, "Bye.")]
    assert tl.chapters == [ChapterMark(0, "A")]
    assert (tl.total, tl.rate, tl.seconds, tl.phases) == (60000, 1000, 60.0, [])
    assert [(s.start, s.end, s.kind) for s in check_segments(tl)] == [
        (0.0, 1.0, "pause"),
        (1.0, 1.6, "speech"),
        (1.6, 15.6, "pause"),
        (15.6, 16.0, "speech"),
        (16.0, 60.0, "pause"),
    ]


def test_three_elastic_pauses_1_2_5():
    tl = lay("A.\n[pause 1s+]\nB.\n[pause 2s+]\nC.\n[pause 5s+]\nD.", 100)
    # minimum: 1 + 4 * 0.2 + 8 + 2 = 11.8 s, slack 88.2 s shared 1:2:5
    starts = [p.start for p in tl.speech]
    # shares 11025, 22050, 55125 samples
    assert starts == [1000, 1200 + 1000 + 11025, 13425 + 2000 + 22050, 37675 + 5000 + 55125]
    assert tl.speech[-1].end == 98000 and tl.total == 100000


def test_zero_minimum_elastic_pauses_share_equally_remainder_to_last():
    tl = lay("A.\n[pause 0s+]\nB.\n[pause 0s+]", 3.601)
    # minimum 1 + 0.2 + 0.2 + 2 = 3.4 s; slack 201 samples -> 100 and 101
    assert tl.speech == [Placement(1000, 1200, "A."), Placement(1300, 1500, "B.")]
    assert tl.total == 3601
    assert check_segments(tl)[-1].start == 1.5


def test_without_elastic_pause_silence_before_lead_out_absorbs_slack():
    tl = lay("Hello.\n[pause 2s]\nBye.", 30)
    assert tl.speech == [Placement(1000, 1600, "Hello."), Placement(3600, 4000, "Bye.")]
    assert tl.total == 30000
    assert [(s.start, s.end) for s in check_segments(tl)][-1] == (4.0, 30.0)


def test_exact_fit_and_custom_margins():
    assert lay(SCRIPT, 12).speech == [Placement(1000, 1600, "Hello."), Placement(3600, 4000, "Bye.")]
    tl = lay("Hi.", 10, lead_in=0, lead_out=0)
    assert tl.speech == [Placement(0, 300, "Hi.")] and tl.total == 10000
    assert lay("Hi.", 10, lead_in=3.5, lead_out=0).speech == [Placement(3500, 3800, "Hi.")]


@pytest.mark.parametrize("rate", [1000, 8000, 22050, 44100, 48000])
@pytest.mark.parametrize("total", [15, 15.001, 16.5, 60, 61.2345, 599.99, 1200, 3599.9999])
@pytest.mark.parametrize(
    "script",
    [
        SCRIPT,
        "Hello.\n[pause 2s]\nBye.",
        "A.\n[pause 0s+]\nB.\n[pause 0s+]\n[pause 3s+]",
        "[chapter X]\n[phase inhale 4s] In.\n[phase hold 1.5s]\n[phase exhale 5.5s] Out. Slowly.\n[pause 1s+]",  # 15 s
    ],
)
def test_total_is_exact(script, total, rate):
    tl = lay(script, total, rate)
    assert tl.total == int(round(total * rate))
    assert tl.rate == rate
    check_segments(tl)


def test_elastic_pause_lengths_at_44100():
    tl = lay(SCRIPT, 61.5, 44100)
    slack = 61.5 * 44100 - 12 * 44100
    first_pause = tl.speech[1].start - tl.speech[0].end
    assert first_pause == 2 * 44100 + int(slack) * 2 // 8
    assert tl.total == 61.5 * 44100


@pytest.mark.parametrize(
    "script, needed",
    [
        (SCRIPT, 12.0),
        ("Hello.", 3.6),
        ("[pause 10min]", 603.0),
        ("[phase inhale 4s] Breathe in slowly and deeply now, filling up.", 1 + 4.5 + 2),  # cue outlasts phase
    ],
)
def test_too_short_reports_needed_seconds(script, needed):
    with pytest.raises(TooShort) as exc:
        lay(script, needed - 0.001)
    assert exc.value.needed_seconds == pytest.approx(needed, abs=1e-9)
    assert isinstance(exc.value, LengthError)
    assert str(exc.value).startswith(f"the script needs {format_clock(needed)} of speech and pauses but only ")
    lay(script, needed)  # exactly enough is fine


def test_too_short_message():
    with pytest.raises(TooShort) as exc:
        lay("[pause 5min]\nHi.", 60)
    assert str(exc.value) == "the script needs 5:04 of speech and pauses but only 1:00 was asked for"
    assert exc.value.needed_seconds == 303.3


def test_phases_are_exact_and_back_to_back_with_cues_at_phase_start():
    tl = lay("[phase inhale 4s] In.\n[phase hold 7s]\n[phase exhale 8s] Out.\n[phase rest 0.5s] Rest. Now.", 40)
    assert tl.phases == [
        PhaseSpan(1000, 5000, "inhale"),
        PhaseSpan(5000, 12000, "hold"),
        PhaseSpan(12000, 20000, "exhale"),
        PhaseSpan(20000, 20500, "rest"),
    ]
    # a multi-sentence cue: phrases 0.5 s apart, the first at the phase start
    assert tl.speech == [
        Placement(1000, 1300, "In."),
        Placement(12000, 12400, "Out."),
        Placement(20000, 20500, "Rest."),
        Placement(21000, 21400, "Now."),
    ]
    assert tl.total == 40000
    check_segments(tl)


def test_phase_durations_at_44100():
    tl = lay("[phase inhale 5.5s] In.\n[phase exhale 5.5s] Out.\n" * 3, 60, 44100)
    assert [p.end - p.start for p in tl.phases] == [242550] * 6
    assert [p.start for p in tl.phases] == [44100 + i * 242550 for i in range(6)]
    assert [p.start for p in tl.speech] == [p.start for p in tl.phases]


def test_phase_after_speech_and_pause():
    tl = lay("Ready.\n[pause 1s]\n[phase inhale 4s] In.\n[pause 2s]\nDone.", 20)
    assert tl.phases == [PhaseSpan(1000 + 600 + 1000, 6600, "inhale")]
    assert tl.speech[1:] == [Placement(2600, 2900, "In."), Placement(8600, 9100, "Done.")]


def test_cue_may_overflow_into_a_cueless_phase():
    tl = lay("[phase inhale 1s] Breathe in slowly now.\n[phase hold 2s]\n[phase exhale 4s] Out.", 20)
    assert tl.phases == [PhaseSpan(1000, 2000, "inhale"), PhaseSpan(2000, 4000, "hold"), PhaseSpan(4000, 8000, "exhale")]
    assert tl.speech == [Placement(1000, 3200, "Breathe in slowly now."), Placement(4000, 4400, "Out.")]
    check_segments(tl)


def test_speech_after_an_overflowing_cue_waits_for_it():
    tl = lay("[phase inhale 1s] Breathe in slowly now.\n[chapter Next]\nAfter.", 20)
    assert tl.chapters == [ChapterMark(3200, "Next")]
    assert tl.speech[1] == Placement(3200, 3800, "After.")


@pytest.mark.parametrize(
    "script, fragment",
    [
        (
            "[phase inhale 1s] Breathe in slowly now.\n[phase exhale 4s] Out.",
            "the cue 'Out.' of a exhale phase would start while the previous words are still being spoken (1.20 s overlap)",
        ),
        (
            "[phase inhale 1s] Breathe in slowly now.\n[phase hold 0.5s]\n[phase exhale 4s] Out.",
            "the cue 'Out.' of a exhale phase would start while the previous words are still being spoken (0.70 s overlap)",
        ),
        (
            "Breathe in slowly now.\n[phase exhale 4s] Out.",
            None,  # plain speech before a phase delays the phase, no overlap
        ),
    ],
)
def test_cue_overlapping_previous_cue_raises(script, fragment):
    if fragment is None:
        assert lay(script, 30).phases == [PhaseSpan(3200, 7200, "exhale")]
        return
    for total in (5, 30, 300):  # raised whatever the length, never as TooShort
        with pytest.raises(LengthError) as exc:
            lay(script, total)
        assert type(exc.value) is LengthError
        assert str(exc.value) == fragment + "; shorten the earlier cue or lengthen its phase"


def test_opening_chapters_stay_at_zero():
    tl = lay("[chapter A]\n[chapter B]\nHello.\n[chapter C]\n\nBye.", 20)
    assert tl.chapters == [ChapterMark(0, "A"), ChapterMark(0, "B"), ChapterMark(1000 + 600 + 1200, "C")]
    assert tl.speech[0] == Placement(1000, 1600, "Hello.")
    assert tl.speech[1].start == 2800


def test_chapter_not_at_start_gets_lead_in_first():
    tl = lay("Hello.\n[chapter B]\nBye.", 20)
    assert tl.chapters == [ChapterMark(2800, "B")]


def test_empty_script():
    tl = lay("", 5)
    assert (tl.total, tl.speech, tl.chapters, tl.phases) == (5000, [], [], [])
    assert [(s.start, s.end, s.kind) for s in tl.segments()] == [(0.0, 5.0, "pause")]


def test_segments_of_a_mixed_script():
    tl = lay("[chapter A]\nOne. Two.\n\nThree.\n[phase inhale 2s] In.\nFour.\n[pause 3s+]\nEnd.", 40)
    segments = check_segments(tl)
    assert [s.text for s in segments if s.kind == "speech"] == ["One.", "Two.", "Three.", "In.", "Four.", "End."]
    # phrases only 0.5 s or 1.2 s apart get a pause segment between them
    assert [round(s.end - s.start, 6) for s in segments[:6]] == [1.0, 0.4, 0.5, 0.4, 1.2, 0.6]


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0:00"),
        (0.2, "0:01"),
        (1, "0:01"),
        (59, "0:59"),
        (59.01, "1:00"),
        (60, "1:00"),
        (61, "1:01"),
        (754.5, "12:35"),
        (3599.5, "60:00"),
        (3600, "60:00"),
        (7322, "122:02"),
    ],
)
def test_format_clock(seconds, text):
    assert format_clock(seconds) == text


def test_too_short_message_does_not_round_the_request_up_to_the_need():
    with pytest.raises(TooShort) as exc:
        lay("Hello.", 3.5)
    assert str(exc.value) == "the script needs 0:04 of speech and pauses but only 0:03 was asked for"


def test_tones_mark_their_phase_starts_and_are_not_speech():
    tl = lay("[phase inhale 4s tone] In.\n[phase hold 2s tone]\n[phase exhale 4s] Out.", 20)
    assert tl.tones == [ToneMark(1000, "inhale"), ToneMark(5000, "hold")]
    assert [t.key for t in tl.tones] == ["tone:inhale", "tone:hold"]
    assert [p.text for p in tl.speech] == ["In.", "Out."]
    assert all(s.kind in ("speech", "pause") for s in check_segments(tl))


def test_placements_carry_the_pace_their_length_was_measured_at():
    asked = []

    def slower_when_paced(phrase):
        asked.append(phrase)
        return int(len(phrase.text) * 100 / phrase.pace)

    tl = layout(parse("Hi.\n[pace 0.5]\nHi."), slower_when_paced, total_seconds=20, rate=RATE)
    assert [(p.text, p.pace, p.end - p.start) for p in tl.speech] == [("Hi.", 1.0, 300), ("Hi.", 0.5, 600)]
    assert [p.key for p in tl.speech] == asked[:2]


def test_an_intended_silence_is_marked_apart_from_slack():
    timeline = lay("Sit quietly now. [silence 10s+] Welcome back. [pause 2s+] Done.", 40)
    pauses = [segment for segment in timeline.segments() if segment.kind == "pause"]
    marked = [segment for segment in pauses if segment.purpose == "silence"]
    assert len(marked) == 1
    silence = timeline.silences[0]
    assert marked[0].start <= silence.start / RATE and marked[0].end >= silence.end / RATE
    assert (silence.end - silence.start) / RATE > 10  # elastic: it took its share of the slack
    assert all(segment.purpose == "" for segment in pauses if segment is not marked[0])
    check_segments(timeline)
