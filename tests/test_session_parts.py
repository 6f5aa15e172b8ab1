"""Sessions of several parts: the string form, the errors that name a part, preview, and a
three-part 40-minute session rendered with the real voice, exact to the sample."""

from __future__ import annotations

import json
import re

import pytest
from audio_probe import RATE, check_session, vtt_cues
from test_cli import run, run_main

from guided_audio.errors import LengthError, ParameterError, TemplateNotFound
from guided_audio.script.lengths import phrases
from guided_audio.script.parts import OPENS, SessionPart, parse_part
from guided_audio.session import SessionRequest, generate, preview

THREE = ["deep-breathing:5:pattern=box", "progressive-muscle-relaxation:15", "guided-imagery:20:scene=forest"]


@pytest.mark.parametrize(
    "text, template, minutes, variables",
    [
        ("deep-breathing:5", "deep-breathing", 5, {}),
        ("deep-breathing:2.5:pattern=box:tones=true", "deep-breathing", 2.5, {"pattern": "box", "tones": "true"}),
        ("affirmations:8:file=C:/my lists/kind.txt", "affirmations", 8, {"file": "C:/my lists/kind.txt"}),
        ("affirmations:8:goal=a calm start: mornings", "affirmations", 8, {"goal": "a calm start: mornings"}),
        ("./my:script.txt:10", "./my:script.txt", 10, {}),
    ],
)
def test_the_string_form_of_a_part_reads_and_writes_back(text, template, minutes, variables):
    part = parse_part(text)
    assert part == SessionPart(template, minutes, variables)
    assert parse_part(str(part)) == part
    assert {part, parse_part(str(part))} == {part}, "hashable, as an episode's parts may be kept in a set"


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("deep-breathing", ParameterError, "should be TEMPLATE:MINUTES"),
        (":5", ParameterError, "should be TEMPLATE:MINUTES"),
        ("deep-breathing:5:box", ParameterError, "'box' should be KEY=VALUE"),
        ("deep-breathing:5:tones=true:tones=false", ParameterError, "sets tones twice"),
        ("deep-breathing:0", LengthError, "needs more than 0 minutes"),
    ],
)
def test_a_malformed_part_says_how_to_write_one(text, error, message):
    with pytest.raises(error, match=message):
        parse_part(text)


def test_errors_about_a_part_name_the_part_and_the_fix():
    def asked(*parts, **options):
        return SessionRequest.of_parts(list(parts), **options)

    with pytest.raises(TemplateNotFound, match=r"^part 2 \(guided-imagry:10\): .*guided-imagery"):
        preview(asked("deep-breathing:5", "guided-imagry:10"))
    with pytest.raises(LengthError, match=r"^part 2 \(progressive-muscle-relaxation:1\): .*try progressive-muscle-relaxation:5$"):
        preview(asked("deep-breathing:5", "progressive-muscle-relaxation:1"))
    with pytest.raises(ParameterError, match=r"^part 1 \(deep-breathing:5:pattern=zigzag\): .*choose one of"):
        preview(asked("deep-breathing:5:pattern=zigzag", "guided-imagery:10"))
    with pytest.raises(ParameterError, match=r"vars scene is not a parameter of any part"):
        preview(asked("deep-breathing:5", "body-scan:10", variables={"scene": "forest"}))


def test_a_shared_var_goes_to_every_part_that_declares_it_and_a_parts_own_wins():
    plan = preview(SessionRequest.of_parts(["body-scan:5", "gratitude:5:name=Ana"], variables={"name": "Sam"}))
    said = " ".join(s.text for s in plan.timeline.speech)
    assert "Sam" in said and "Ana" in said
    assert [p.script.params["name"] for p in plan.parts] == ["Sam", "Ana"]


def test_preview_shows_each_part_its_length_share_and_fit():
    text = run("preview", *THREE).output
    assert "Length 40:00 exactly" in text and "3 chapters" in text
    assert "3 parts, one chapter each:" in text
    assert "  1. deep-breathing:5:pattern=box  0:00-5:00  5:00 (12% of the session, " in text
    assert "  2. progressive-muscle-relaxation:15  5:00-20:00  15:00 (38% of the session); fits any whole minute from 5 to 60" in text
    assert "  3. guided-imagery:20:scene=forest  20:00-40:00  20:00 (50% of the session" in text
    assert "in the pattern); fits any whole minute from 2 to 60" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["deep-breathing:5", "nothing-like-it:10"], "part 2 (nothing-like-it:10): "),
        (["deep-breathing:5", "progressive-muscle-relaxation:2"], "try progressive-muscle-relaxation:5"),
        (["deep-breathing:5", "guided-imagery:20", "-m", "30"], "the parts add up to 25 minutes, not --minutes 30"),
        (["deep-breathing"], "say how long: --minutes N, or deep-breathing:N"),
        (["deep-breathing:5", "guided-imagery"], "part 'guided-imagery' should be TEMPLATE:MINUTES"),
    ],
)
def test_a_bad_part_on_the_command_line_is_one_error_line(tmp_path, args, message):
    result = run_main("generate", *args, "-o", str(tmp_path / "x.mp3"))
    assert result.returncode != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_part_that_ends_in_sleep_is_best_last(caplog):
    with caplog.at_level("WARNING"):
        preview(SessionRequest.of_parts(["sleep-wind-down:5", "deep-breathing:3"]))
    assert "part 1 (sleep-wind-down:5) ends in sleep with no wake-up" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        preview(SessionRequest.of_parts(["deep-breathing:3", "sleep-wind-down:5"]))
    assert "ends in sleep" not in caplog.text


def test_one_part_is_a_plain_session():
    one = preview(SessionRequest.of_parts(["deep-breathing:3:pattern=box"]))
    plain = preview(SessionRequest("deep-breathing", 3, variables={"pattern": "box"}))
    assert one.timeline.total == plain.timeline.total
    assert run("preview", "deep-breathing:3:pattern=box").output == run("preview", "deep-breathing", "-m", "3", "--var", "pattern=box").output


@pytest.fixture(scope="module")
def three_parts(tmp_path_factory):
    """The issue's example, rendered once with the real voice."""
    mp3 = tmp_path_factory.mktemp("parts") / "three.mp3"
    result = generate(SessionRequest.of_parts(THREE, output=mp3))
    return mp3, result


def test_three_parts_are_one_session_exact_to_the_sample_with_a_chapter_each(three_parts):
    mp3, result = three_parts
    assert result.plan.timeline.total == 40 * 60 * RATE
    samples, manifest, speech = check_session(mp3, 40)
    assert manifest["template"] == "deep-breathing+progressive-muscle-relaxation+guided-imagery"
    assert manifest["title"] == "Deep breathing, progressive muscle relaxation and guided imagery (40 min)"
    assert [(p["template"], p["minutes"], p["start"], p["end"]) for p in manifest["parts"]] == [
        ("deep-breathing", 5, 0.0, 300.0),
        ("progressive-muscle-relaxation", 15, 300.0, 1200.0),
        ("guided-imagery", 20, 1200.0, 2400.0),
    ]
    assert manifest["parts"][0]["params"]["pattern"] == "box" and manifest["parts"][2]["params"]["scene"] == "forest"
    assert [(c["start"], c["title"]) for c in manifest["chapters"]] == [
        (0.0, "Deep breathing"), (300.0, "Progressive muscle relaxation"), (1200.0, "Guided imagery"),
    ]  # fmt: skip
    chapters = json.loads(mp3.with_suffix(".chapters.json").read_text())["chapters"]
    assert [(c["startTime"], c["title"]) for c in chapters] == [(c["start"], c["title"]) for c in manifest["chapters"]]
    cues = vtt_cues(mp3.with_suffix(".vtt"))
    assert len(cues) == len(speech) and any("move on to relaxing the body" in text for _, _, text in cues)
    assert any("forest" in text.lower() for _, _, text in cues)


def test_each_part_keeps_its_own_rhythm_and_the_joins_are_spoken_not_stitched(three_parts):
    mp3, _ = three_parts
    manifest = json.loads(mp3.with_suffix(".json").read_text())
    said = [s for s in manifest["segments"] if s["kind"] == "speech"]
    breaths = [p for p in manifest["phases"] if p["name"] in ("inhale", "hold", "exhale", "rest") and p["end"] <= 300]
    assert all(p["end"] - p["start"] == pytest.approx(4, abs=0.0011) for p in breaths)
    openers = tuple(words.split("{")[0] for words in OPENS)  # transitions vary: any of them
    for join in (300, 1200):
        opening = [s["text"] for s in said if join <= s["start"] < join + 20][:2]
        assert any(text.startswith(openers) for text in opening), opening
    before_join = [s["text"] for s in said if 240 < s["end"] <= 300]
    assert not any("open your eyes" in text or "Thank you" in text for text in before_join), (
        "a breathing part before another says no goodbye"
    )


JOINED = ["affirmations", "body-scan", "gratitude", "guided-imagery", "progressive-muscle-relaxation", "self-compassion", "sleep-wind-down"]
WELCOME = re.compile(r"\bWelcome\b(?! back)")
GOODBYE = re.compile(r"open your eyes|opening your eyes|thank you for taking|fingers and toes|sit up|stretch in", re.IGNORECASE)


def _said(plan, index):
    """The phrases of part `index` (from 0), its spoken transition left out."""
    script = plan.parts[index].script
    return [s.text for s in phrases(script.items) if s.text not in script.transition]


@pytest.mark.parametrize("minutes", [6, 15])
@pytest.mark.parametrize("template", JOINED)
def test_a_part_between_two_others_has_no_welcome_nor_goodbye_and_still_fits(template, minutes):
    plan = preview(SessionRequest.of_parts(["deep-breathing:3", f"{template}:{minutes}", "body-scan:4"]))
    middle = plan.parts[1]
    assert middle.end - middle.start == minutes * 60 * plan.timeline.rate
    said = _said(plan, 1)
    assert not [s for s in said if WELCOME.search(s)], "a part after the first says no welcome"
    if template != "sleep-wind-down":  # it ends in sleep, and is best last (a warning says so)
        assert not [s for s in said if GOODBYE.search(s)], "a part before the last says no goodbye"
    plain = [s.text for s in phrases(preview(SessionRequest(template, minutes)).items)]
    assert any(WELCOME.search(s) for s in plain), "the plain session still welcomes"
    if template != "sleep-wind-down":
        assert any(GOODBYE.search(s) for s in plain[-4:]), "the plain session still says goodbye"


@pytest.mark.parametrize("template", JOINED)
def test_the_first_part_welcomes_and_the_last_says_goodbye(template):
    first = preview(SessionRequest.of_parts([f"{template}:8", "deep-breathing:3"]))
    said = _said(first, 0)
    assert any(WELCOME.search(s) for s in said[:2])
    if template != "sleep-wind-down":
        assert not any(GOODBYE.search(s) for s in said[-4:]), "its closing is the next part's transition"
        last = preview(SessionRequest.of_parts(["deep-breathing:3", f"{template}:8"]))
        said = _said(last, 1)
        assert not any(WELCOME.search(s) for s in said)
        assert any(GOODBYE.search(s) for s in said[-4:])
        assert last.parts[1].end - last.parts[1].start == 8 * 60 * last.timeline.rate
