"""Issue 18 for the body-scan, guided-imagery, progressive-muscle-relaxation and sleep-wind-down
templates, read from the plan as a teacher would read the script (no synthesis).

A long session goes deeper rather than adding topics (few chapters, the body scan in the body,
ending in the whole body), imagery stays true to its scene and gives the place most of a short
session, PMR keeps one release word, and ending=sleep lets the listener sleep.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pytest

from guided_audio.audio.samples import SESSION_RATE
from guided_audio.errors import LengthError
from guided_audio.script import markup, templates
from guided_audio.session import Plan, SessionRequest, preview

OURS = ("body-scan", "guided-imagery", "progressive-muscle-relaxation", "sleep-wind-down")
SCENES = ("beach", "forest", "mountain-lake", "meadow", "night-sky", "snowy-cabin")
REGIONS = {"Feet and legs", "Hips, belly and back", "Arms and hands", "Neck, face and head"}
NOT_IN_SCENE = {
    "beach": r"\bpines?\b|\bsnow|\bfire\b|\bforest\b|\bcabin\b",
    "forest": r"\bsea\b|\bsand\b|\bsnow|\bshells?\b|\bwaves?\b",
    "mountain-lake": r"\bsand\b|\bshells?\b|\bfire\b|\bmeadow\b|\bwaves?\b",
    "meadow": r"\bsea\b|\bsnow|\bshells?\b|\bfire\b|\bsand\b",
    "night-sky": r"\bsun|\bshade\b|\bshadows?\b|\bsnow|\bsand\b",
    "snowy-cabin": r"\bpath\b|\bsand\b|\bsun\b|\bsunlight\b|\bshade\b|\bshells?\b|\bgrass\b|\bground beneath\b",
}
"""Words naming what a scene does not have (the sun and the shade under the night sky, a path
inside the cabin): a line shared by every scene must not bring them in."""
BODY_PARTS = re.compile(
    r"\b(toes?|feet|foot|legs?|knees?|thighs?|hips?|belly|chest|hands?|fingers?|arms?|shoulders?|neck|jaw|face|head|scalp|body)\b",
    re.IGNORECASE,
)
WAKE_WORDS = re.compile(
    r"\bwake\b|\bawake\b|open your eyes|opening your eyes|\bstretch|\balert\b|refreshed|rest of your day", re.IGNORECASE
)


def variants(name: str) -> list[dict[str, str]]:
    """The defaults, then every other value of each choice."""
    found: list[dict[str, str]] = [{}]
    for key, spec in templates.find(name).params.items():
        if spec.type == "choice":
            found += [{key: choice} for choice in spec.choices if choice != spec.default]
    return found


@lru_cache(maxsize=None)
def _plan(name: str, minutes: int, variant: tuple[tuple[str, str], ...]) -> Plan:
    return preview(SessionRequest(name, minutes, variables=dict(variant)), with_range=False)


def plan(name: str, minutes: int, **variables: str) -> Plan:
    return _plan(name, minutes, tuple(sorted(variables.items())))


def spoken(p: Plan) -> list[str]:
    return [s.text for s in sorted(p.timeline.speech, key=lambda s: s.start)]


def chapter_spans(p: Plan) -> list[tuple[str, float, float]]:
    """Each chapter with its start and end in seconds."""
    chapters = p.timeline.chapters
    ends = [c.start for c in chapters[1:]] + [p.timeline.total]
    return [(c.title, c.start / SESSION_RATE, end / SESSION_RATE) for c, end in zip(chapters, ends)]


def said_between(p: Plan, start: float, end: float = math.inf) -> list[str]:
    return [s.text for s in sorted(p.timeline.speech, key=lambda s: s.start) if start <= s.start / SESSION_RATE < end]


def silences(p: Plan) -> list[float]:
    """Seconds of each announced silence (segments are in seconds)."""
    return [s.end - s.start for s in p.timeline.segments() if s.kind == "pause" and s.purpose == "silence"]


def counts_up(texts: list[str]) -> bool:
    """One, then two, then three, said in that order (a countdown says them the other way)."""
    firsts = []
    for word in ("One", "Two", "Three"):
        at = [i for i, t in enumerate(texts) if re.match(rf"{word}\b", t)]
        firsts.append(at[0] if at else None)
    return None not in firsts and firsts == sorted(firsts)


# ---- growing by deepening ----


@pytest.mark.parametrize("name", OURS)
def test_long_sessions_keep_to_eight_chapters_for_every_choice(name):
    for variant in variants(name):
        for minutes in (45, 60):
            titles = [c.title for c in plan(name, minutes, **variant).timeline.chapters]
            assert len(titles) <= 8, (variant, minutes, titles)


@pytest.mark.parametrize("variables", [{}, {"posture": "lying"}, {"ending": "sleep"}])
def test_the_body_scan_stays_in_the_body_and_ends_in_the_whole_body(variables):
    for minutes in (45, 60):
        p = plan("body-scan", minutes, **variables)
        spans = chapter_spans(p)
        in_body = sum(end - start for title, start, end in spans if title in REGIONS)
        assert in_body / (minutes * 60) >= 0.6, f"{minutes} min: {in_body / 60:.1f} min in the body regions"
        titles = [t for t, _, _ in spans if t != "Closing"]
        assert titles[-1] == "The whole body"
        assert not {"Open awareness", "Kinds of sensation", "Breathing with the whole body"} & set(titles)


def test_the_body_scan_grows_its_announced_silences_with_the_length_and_re_anchors_in_them():
    totals = [sum(silences(plan("body-scan", minutes))) for minutes in (10, 20, 45, 60)]
    assert totals == sorted(totals) and totals[0] < totals[-1]
    for variables in ({}, {"focus": "breath"}):
        for minutes in (45, 60):
            quiet = silences(plan("body-scan", minutes, **variables))
            # at the meditation pace the words take longer, so 45 minutes keeps one silence in
            # each of the four regions and three in the whole body (7; 8 at the old pace); an
            # hour has room for a dozen or more
            assert len(quiet) >= (7 if minutes == 45 else 12), (variables, minutes, quiet)
            assert max(quiet) <= 100, f"{minutes} min: {max(quiet):.0f} s of silence with no re-anchoring line"


def test_lying_names_its_chapters_for_lying_and_offers_the_side_or_a_pillow():
    for minutes in (5, 45, 60):
        for focus in ("body", "breath"):
            p = plan("body-scan", minutes, posture="lying", focus=focus)
            assert not [c.title for c in p.timeline.chapters if "Sitting" in c.title]
            opening = " ".join(spoken(p)[:12])
            assert "pillow under your knees" in opening and "side" in opening, (minutes, focus)


def test_breath_focus_does_not_borrow_body_scan_lines():
    for minutes in (20, 45, 60):
        body = plan("body-scan", minutes)
        scan = {t for title, start, end in chapter_spans(body) if title in REGIONS for t in said_between(body, start, end)}
        scan |= {t for title, start, end in chapter_spans(body) if title == "The whole body" for t in said_between(body, start, end)}
        # kind words on a wandering mind are shared, and so are short phrases ("Now the chest.")
        scan = {t for t in scan if BODY_PARTS.search(t) and len(t.split()) >= 4}
        breath = set(spoken(plan("body-scan", minutes, focus="breath")))
        assert scan and not breath & scan, sorted(breath & scan)[:3]


# ---- guided imagery ----


def place_share(p: Plan) -> float:
    spans = chapter_spans(p)
    start = next(s for title, s, _ in spans if title not in ("Settling in", "Going deeper"))
    end = next((s for title, s, _ in spans if title == "Returning"), p.timeline.total / SESSION_RATE)
    return (end - start) / (p.timeline.total / SESSION_RATE)


@pytest.mark.parametrize("scene", SCENES)
def test_short_imagery_spends_most_of_its_time_in_the_place(scene):
    assert place_share(plan("guided-imagery", 4, scene=scene)) >= 0.5


@pytest.mark.parametrize("scene", SCENES)
def test_imagery_lines_are_true_to_their_scene(scene):
    for minutes, variables in ((45, {"scene": scene}), (60, {"scene": scene}), (60, {"scene": scene, "ending": "sleep"})):
        text = " ".join(spoken(plan("guided-imagery", minutes, **variables)))
        wrong = re.findall(NOT_IN_SCENE[scene], text, re.IGNORECASE)
        assert not wrong, f"{scene} at {minutes} min names {sorted(set(wrong))}"


def test_the_scene_check_sees_the_old_clashes():
    assert re.search(NOT_IN_SCENE["night-sky"], "where the light is warmest, and where the shade is coolest")
    assert re.search(NOT_IN_SCENE["snowy-cabin"], "Imagine a gentle path leading a little further into this place")


def test_imagery_rests_in_a_longer_announced_silence_as_the_session_grows():
    totals = [sum(silences(plan("guided-imagery", minutes, scene="beach"))) for minutes in (30, 45, 60)]
    assert totals == sorted(totals) and totals[-1] >= 2 * totals[0]
    assert max(silences(plan("guided-imagery", 60, scene="beach"))) <= 120, "a line comes back every minute or two"


def test_imagery_welcomes_people_who_do_not_see_pictures():
    for minutes in (4, 20, 60):
        assert any("If pictures don't come easily" in t for t in spoken(plan("guided-imagery", minutes)))


def test_imagery_after_another_part_does_not_settle_the_body_again():
    session = preview(SessionRequest.of_parts(["progressive-muscle-relaxation:15", "guided-imagery:20"]), with_range=False)
    imagery = session.parts[1]
    items = imagery.script.items
    assert not [i for i in items if isinstance(i, markup.Phase)], "no paced breaths after another part"
    said = " ".join(i.text for i in items if isinstance(i, markup.Speech))
    assert "through your body" not in said and "driving" not in said.lower()


# ---- progressive muscle relaxation ----


def release_cues(p: Plan) -> list[str]:
    return [" ".join(c.text for c in i.cue) for i in p.items if isinstance(i, markup.Phase) and i.name == "release"]


@pytest.mark.parametrize("variables", [{}, {"groups": "16"}, {"groups": "4", "second_round": "true"}])
def test_pmr_says_to_keep_breathing_and_releases_with_one_word(variables):
    # sixteen groups need 13 minutes at the meditation pace (12 at the old, faster one): below
    # that the session says how long it needs instead
    shortest = 13 if variables.get("groups") == "16" else 12
    for minutes in (shortest, 20, 45):
        p = plan("progressive-muscle-relaxation", minutes, **variables)
        assert any("keep breathing" in t.lower() for t in spoken(p)[:20])
        cues = release_cues(p)
        assert cues and all(re.match(r"(And |Now )?relax\b", c, re.IGNORECASE) for c in cues), cues[:4]
        tense = [" ".join(c.text for c in i.cue) for i in p.items if isinstance(i, markup.Phase) and i.name == "tense"]
        assert not [c for c in tense + cues if re.search(r"hold it there|let it all go", c, re.IGNORECASE)]
        assert any(re.search(r"\bpain\b", t) for t in spoken(p))


def test_pmr_cue_word_is_taught_whole():
    texts = spoken(plan("progressive-muscle-relaxation", 20, groups="4", second_round="true"))
    start = texts.index("The word is relax, or any calm word you prefer.")
    assert "Relax." in texts[start:] and "Now let the word go, and simply rest in the feeling it brings." in texts[start:]
    for minutes in (10, 20, 30, 45, 60):  # whole or not at all
        said = spoken(plan("progressive-muscle-relaxation", minutes))
        assert ("The word is relax, or any calm word you prefer." in said) == ("Now let the word go, and simply rest in the feeling it brings." in said)


# ---- bedtime ----


@pytest.mark.parametrize("name", ["body-scan", "guided-imagery", "progressive-muscle-relaxation"])
def test_the_sleep_ending_lets_the_listener_sleep(name):
    for minutes in (5, 20, 45, 60):
        p = plan(name, minutes, ending="sleep")
        total = p.timeline.total / SESSION_RATE
        late = said_between(p, total * 0.8)
        assert not [t for t in late if WAKE_WORDS.search(t)], f"{minutes} min: {[t for t in late if WAKE_WORDS.search(t)]}"
        assert not counts_up(late)
        last_speech = max(s.end for s in p.timeline.speech) / SESSION_RATE
        final = [s for s in p.timeline.segments() if s.start >= last_speech - 0.01]
        assert final and all(s.kind == "pause" for s in final)
        assert max(s.end - s.start for s in final if s.purpose == "silence") >= 60
        assert re.search(r"silent|silence", " ".join(spoken(p)[-3:]))
        opening = " ".join(spoken(p)[:6])
        assert re.search(r"\bbed\b", opening) and "lights low" in opening, minutes


def test_the_wake_check_sees_a_count_up():
    assert counts_up(["Now I'll count.", "One. Coming back.", "Two.", "Three. Open your eyes."])
    assert not counts_up(["Three.", "Two.", "One."])


def test_a_later_sleep_wind_down_goes_on_from_where_the_listener_is():
    session = preview(SessionRequest.of_parts(["body-scan:20", "sleep-wind-down:20"]), with_range=False)
    said = " ".join(i.text for i in session.parts[1].script.items if isinstance(i, markup.Speech))
    assert "Lie down in bed" not in said and "lights be low" not in said and "driving" not in said
    assert "no need to stay awake" in said


# ---- exact lengths ----


@pytest.mark.parametrize("name", OURS)
def test_every_choice_is_exact_at_45_minutes_and_sleep_at_the_shortest(name):
    """tests/script/test_content.py holds every choice to the shortest length, 5, 10, 20, 30 and
    60 minutes; 45 is the length a teacher reads besides those."""
    for variant in variants(name):
        assert plan(name, 45, **variant).timeline.total == 45 * 60 * SESSION_RATE, variant
    if "ending" in templates.find(name).params:
        least = math.ceil(templates.find(name).min_minutes or 1)
        try:
            p = plan(name, least, ending="sleep")
        except LengthError as exc:  # a minute of silence at the end may need one more minute
            assert str(exc).endswith(f"try minutes {least + 1}"), str(exc)
            p = plan(name, least + 1, ending="sleep")
        assert silences(p) and max(silences(p)) >= 60
