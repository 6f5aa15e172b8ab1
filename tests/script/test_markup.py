"""Unit tests for the script markup: tags, durations, sentences, implicit gaps, phase cues."""

from __future__ import annotations

import pytest

from guided_audio.errors import MarkupError
from guided_audio.script.markup import (
    PACE_RANGE,
    PARAGRAPH_GAP,
    SENTENCE_GAP,
    Chapter,
    Pause,
    Phase,
    Speech,
    parse,
    parse_duration,
    split_sentences,
)

GAP = Pause(SENTENCE_GAP, implicit=True)
PARA = Pause(PARAGRAPH_GAP, implicit=True)


def test_gap_constants():
    assert SENTENCE_GAP == 0.5
    assert PARAGRAPH_GAP == 1.2


# ---- durations ----


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("5s", 5.0),
        ("1.5s", 1.5),
        ("500ms", 0.5),
        ("2min", 120.0),
        ("2m", 120.0),
        ("3", 3.0),
        ("0.25", 0.25),
        ("10 sec", 10.0),
        ("10secs", 10.0),
        ("1second", 1.0),
        ("4 seconds", 4.0),
        ("1minute", 60.0),
        ("3 mins", 180.0),
        ("2 minutes", 120.0),
        ("  7S  ", 7.0),
        ("1.5MIN", 90.0),
        ("60min", 3600.0),
        ("0s", 0.0),
    ],
)
def test_parse_duration_units(text, seconds):
    assert parse_duration(text, where="here") == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5x", "-5s", "s", "five", "1.s", ".5s", "5 s s", "1h", "5s+"])
def test_parse_duration_rejects(text):
    with pytest.raises(MarkupError) as exc:
        parse_duration(text, where="line 9")
    assert str(exc.value) == (
        f"line 9: cannot read duration {text!r}; write it like 5s, 1.5s, 500ms or 2min"
    )


@pytest.mark.parametrize("text", ["3601s", "61min", "3600001ms"])
def test_parse_duration_longer_than_an_hour(text):
    with pytest.raises(MarkupError, match=r"^line 2: .* is longer than an hour; use a shorter duration$"):
        parse_duration(text, where="line 2")


# ---- tags ----


@pytest.mark.parametrize(
    "tag, pause",
    [
        ("[pause 5s]", Pause(5.0)),
        ("[pause 1.5s]", Pause(1.5)),
        ("[pause 500ms]", Pause(0.5)),
        ("[pause 2min]", Pause(120.0)),
        ("[pause 4]", Pause(4.0)),
        ("[pause 8s+]", Pause(8.0, elastic=True)),
        ("[pause 8s +]", Pause(8.0, elastic=True)),
        ("[pause 0s+]", Pause(0.0, elastic=True)),
        ("[PAUSE 2s]", Pause(2.0)),
        ("[ pause   3s ]", Pause(3.0)),
        ('<break time="3s"/>', Pause(3.0)),
        ("<break time='3s'/>", Pause(3.0)),
        ('<break time="750ms" />', Pause(0.75)),
        ('<BREAK time = "2s"/>', Pause(2.0)),
        ('<break time="2s">', Pause(2.0)),
    ],
)
def test_pause_tags(tag, pause):
    assert parse(tag) == [pause]
    assert parse(f"One. {tag} Two.") == [Speech("One."), pause, Speech("Two.")]


def test_explicit_pauses_are_not_implicit():
    assert all(not p.implicit for p in parse('[pause 1s] [pause 2s+] <break time="3s"/>'))


def test_break_cannot_be_elastic():
    with pytest.raises(MarkupError, match=r"^line 1, <break>: cannot read duration '3s\+'"):
        parse('<break time="3s+"/>')


def test_speak_wrapper_is_ignored():
    assert parse('<speak>Hello. <break time="2s"/> Bye.</speak>') == [
        Speech("Hello."),
        Pause(2.0),
        Speech("Bye."),
    ]
    assert parse("<speak>\nOnly this.\n</speak>\n") == [Speech("Only this.")]


def test_chapter_tag_normalises_whitespace():
    assert parse("[chapter   Settling \t in ]") == [Chapter("Settling in")]
    assert parse("[Chapter The Pattern]") == [Chapter("The Pattern")]


def test_phase_tag():
    assert parse("[phase inhale 4s]") == [Phase("inhale", 4.0)]
    assert parse("[phase Hold-2 5.5]") == [Phase("hold-2", 5.5)]
    assert parse("[phase rest_long 500ms]") == [Phase("rest_long", 0.5)]


@pytest.mark.parametrize(
    "text, message",
    [
        ("[foo]", "line 1: unknown tag [foo]; tags are [pause 5s], [pause 8s+], [silence 2min+], [chapter Title], [phase inhale 4s], [pace 0.9] and [bell]"),
        ("Hi.\n\nThere [music on] now", "line 3: unknown tag [music on];"),
        ("[]", "line 1: unknown tag [];"),
        ("x\n<br>", "line 2: unsupported tag <br>; only <break time=\"3s\"/> is understood"),
        ("x\ny\n<emphasis>hi</emphasis>", "line 3: unsupported tag <emphasis>;"),
        ("</break>", "line 1: unsupported tag </break>;"),
        ("\n\n\n<break/>", 'line 4: <break> needs a time, like <break time="3s"/>'),
        ("<break strength='strong'/>", "line 1: <break> needs a time"),
        ("a\n[chapter]", "line 2: [chapter] needs a title, like [chapter Settling in]"),
        ("[chapter   ]", "line 1: [chapter] needs a title"),
        ("[phase 4s]", "line 1: [phase 4s] should look like [phase inhale 4s]"),
        ("[phase inhale]", "line 1: [phase inhale] should look like [phase inhale 4s]"),
        ("[phase 1st 4s]", "line 1: [phase 1st 4s] should look like"),
        ("[phase in hale 4s]", "line 1: [phase in hale 4s] should look like"),
        ("[phase inhale 4s bell]", "line 1: [phase inhale 4s bell] should look like [phase inhale 4s] or [phase inhale 4s tone]"),
        ("[phase inhale 4s tone tone]", "line 1: [phase inhale 4s tone tone] should look like"),
        ("\n[pace]", "line 2, [pace]: pace should be a number from 0.5 to 1.5, like [pace 0.9]"),
        ("[pace slow]", "line 1, [pace slow]: pace should be a number from 0.5 to 1.5"),
        ("[pace 0.4]", "line 1, [pace 0.4]: pace should be a number"),
        ("[pace 2]", "line 1, [pace 2]: pace should be a number"),
        ("[pace nan]", "line 1, [pace nan]: pace should be a number"),
        ("\n[phase inhale 4x]", "line 2, [phase inhale 4x]: cannot read duration '4x'"),
        ("[pause]", "line 1, [pause]: cannot read duration ''"),
        ("one\ntwo\n[pause five]", "line 3, [pause five]: cannot read duration 'five'"),
        ("[pause 2h]", "line 1, [pause 2h]: cannot read duration '2h'"),
        ("[pause 90min]", "line 1, [pause 90min]: '90min' is longer than an hour"),
        ('\n<break time="soon"/>', "line 2, <break>: cannot read duration 'soon'"),
    ],
)
def test_tag_errors_name_the_line(text, message):
    with pytest.raises(MarkupError) as exc:
        parse(text)
    assert str(exc.value).startswith(message)


# ---- sentences ----


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("One. Two. Three.", ["One.", "Two.", "Three."]),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        ("Wait… and breathe.", ["Wait…", "and breathe."]),
        ("Wait... and breathe.", ["Wait...", "and breathe."]),
        ("No end punctuation", ["No end punctuation"]),
        ("  Spread\n  over\tlines.   Next.  ", ["Spread over lines.", "Next."]),
        ("Take 3.5 seconds. Then stop.", ["Take 3.5 seconds.", "Then stop."]),
        ("Ends with a quote.\u201d", ["Ends with a quote.\u201d"]),
        ("", []),
        ("   \n ", []),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    "text, sentences",
    [
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("(Quietly.) Next.", ["(Quietly.)", "Next."]),
        ("\u201cRest.\u201d Now.", ["\u201cRest.\u201d", "Now."]),
        ("'Why?' she asked.", ["'Why?'", "she asked."]),
    ],
)
def test_split_sentences_keeps_closing_quotes(text, sentences):
    assert split_sentences(text) == sentences


# ---- implicit gaps ----


def test_sentence_and_paragraph_gaps():
    assert parse("One. Two.\n\nThree.") == [Speech("One."), GAP, Speech("Two."), PARA, Speech("Three.")]
    # a blank line with spaces still separates paragraphs; several blank lines give one gap
    assert parse("One.\n   \n\n\nTwo.") == [Speech("One."), PARA, Speech("Two.")]
    # a single newline is not a paragraph break
    assert parse("One.\nTwo.") == [Speech("One."), GAP, Speech("Two.")]


def test_no_implicit_gaps_at_the_edges():
    assert parse("\n\n  One.  \n\n") == [Speech("One.")]
    assert parse("") == []
    assert parse("\n \n") == []


@pytest.mark.parametrize(
    "text, items",
    [
        ("One.\n\n[pause 2s]\n\nTwo.", [Speech("One."), Pause(2.0), Speech("Two.")]),
        ("One. [pause 3s+] Two.", [Speech("One."), Pause(3.0, elastic=True), Speech("Two.")]),
        ('One.\n\n<break time="1s"/>\n\nTwo.', [Speech("One."), Pause(1.0), Speech("Two.")]),
        ("[pause 1s]\n\nOne. Two.\n\n[pause 1s]", [Pause(1.0), Speech("One."), GAP, Speech("Two."), Pause(1.0)]),
    ],
)
def test_no_implicit_gap_next_to_explicit_pause(text, items):
    assert parse(text) == items


@pytest.mark.parametrize("sep", ["[chapter Next]", "\n[chapter Next]\n", "\n\n[chapter Next]\n\n", " [chapter Next] "])
def test_paragraph_gap_between_speeches_separated_only_by_a_chapter(sep):
    assert parse(f"One.{sep}Two.") == [Speech("One."), PARA, Chapter("Next"), Speech("Two.")]


def test_paragraph_gap_across_several_chapters_and_speak_tags():
    assert parse("One.\n[chapter A]\n[chapter B]\nTwo.") == [
        Speech("One."),
        PARA,
        Chapter("A"),
        Chapter("B"),
        Speech("Two."),
    ]
    assert parse("One.</speak><speak>Two.") == [Speech("One."), PARA, Speech("Two.")]


def test_no_gap_between_chapter_and_pause_or_phase():
    assert parse("[chapter A]\n\nOne.\n\n[chapter B]\n\n[pause 2s]\n\nTwo.") == [
        Chapter("A"),
        Speech("One."),
        Chapter("B"),
        Pause(2.0),
        Speech("Two."),
    ]
    assert parse("One.\n\n[phase inhale 4s]") == [Speech("One."), Phase("inhale", 4.0)]


# ---- phase cues ----


def test_phase_cue_is_folded_and_stops_at_the_next_tag():
    assert parse("[phase inhale 4s] Breathe in.\n[phase hold 7s]\n[phase exhale 8s] Out.\n") == [
        Phase("inhale", 4.0, (Speech("Breathe in."),)),
        Phase("hold", 7.0),
        Phase("exhale", 8.0, (Speech("Out."),)),
    ]


def test_multi_sentence_cue_keeps_every_sentence_and_drops_gaps():
    assert parse("[phase inhale 4s] Breathe in. Slowly.\n\nFill up. [pause 1s] After.") == [
        Phase("inhale", 4.0, (Speech("Breathe in."), Speech("Slowly."), Speech("Fill up."))),
        Pause(1.0),
        Speech("After."),
    ]


@pytest.mark.parametrize(
    "tail, after",
    [
        ("[pause 2s+] Later.", [Pause(2.0, elastic=True), Speech("Later.")]),
        ('<break time="2s"/> Later.', [Pause(2.0), Speech("Later.")]),
        ("[chapter C] Later.", [Chapter("C"), Speech("Later.")]),
    ],
)
def test_phase_cue_stops_at_explicit_tags(tail, after):
    assert parse(f"[phase exhale 8s] And out. All the way. {tail}") == [
        Phase("exhale", 8.0, (Speech("And out."), Speech("All the way."))),
        *after,
    ]


def test_speech_before_a_phase_stays_plain_speech():
    assert parse("Ready. Go.\n[phase inhale 4s] In.") == [
        Speech("Ready."),
        GAP,
        Speech("Go."),
        Phase("inhale", 4.0, (Speech("In."),)),
    ]


def test_line_numbers_count_lines_of_the_whole_text():
    text = "[chapter A]\nOne.\n\n[phase in 4s] In.\n[pause 1s]\n\n[bogus]"
    with pytest.raises(MarkupError, match=r"^line 7: unknown tag \[bogus\]"):
        parse(text)


def test_elastic_marker_is_a_single_plus():
    with pytest.raises(MarkupError, match=r"line 1, \[pause 5s\+\+\]: cannot read duration '5s\+'"):
        parse("[pause 5s++]")


def test_phase_tone_option():
    assert parse("[phase inhale 4s tone] In.") == [Phase("inhale", 4.0, (Speech("In."),), tone=True)]
    assert parse("[phase hold 7s TONE]") == [Phase("hold", 7.0, tone=True)]
    assert parse("[phase hold 7s]") == [Phase("hold", 7.0, tone=False)]


def test_pace_applies_to_the_speech_after_it_until_changed():
    items = parse("Normal. [pace 0.8]\n\nSlow one. Slow two.\n[phase inhale 4s] In.\n[pace 1]\nNormal again.")
    spoken = [(i.text, i.pace) for i in items if isinstance(i, Speech)]
    spoken += [(c.text, c.pace) for i in items if isinstance(i, Phase) for c in i.cue]
    assert sorted(spoken) == sorted(
        [("Normal.", 1.0), ("Slow one.", 0.8), ("Slow two.", 0.8), ("In.", 0.8), ("Normal again.", 1.0)]
    )
    assert PACE_RANGE == (0.5, 1.5)


def test_pace_between_a_phase_tag_and_its_cue_keeps_the_cue():
    assert parse("[phase exhale 6s] [pace 0.9] Out, slowly.") == [Phase("exhale", 6.0, (Speech("Out, slowly.", 0.9),))]


def test_same_text_at_another_pace_is_another_phrase():
    assert Speech("Rest.", 0.9) != Speech("Rest.") and Speech("Rest.", 1.0) == Speech("Rest.")


def test_silence_is_an_intended_pause():
    assert parse("[silence 2min+]") == [Pause(120.0, elastic=True, intended=True)]
    assert parse("[silence 30s]") == [Pause(30.0, intended=True)]
    assert parse("[pause 30s]") == [Pause(30.0)]
