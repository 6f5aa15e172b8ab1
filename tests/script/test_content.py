"""Content quality of every built-in template, at many lengths and every choice (no audio).

Plans come from session.preview() (without the length range, which nothing here reads and which
would take most of the time), laying the script out with cached or estimated phrase
lengths, so hundreds of sessions are checked in seconds. The templates are discovered, so a
template added later is held to the same standard without touching this file.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pytest

from guided_audio.audio.samples import SESSION_RATE
from guided_audio.errors import LengthError, ParameterError
from guided_audio.script import markup, templates
from guided_audio.session import Plan, SessionRequest, preview

BUILTINS = {t.name: t for t in templates.available() if t.builtin}
LENGTHS = (5, 10, 20, 30, 60)

CLINICAL_CLAIMS = [
    r"\bcur(e|es|ed|ing)\b",
    r"\btreatment",
    r"\btreats?\s+(your|the|anxiety|depression|insomnia|pain|stress|illness)\b",
    r"\btherap",
    r"\bdiagnos",
    r"\bheal(s|ing)?\s+(your|you|the)\b",
    r"\bguarantee",
    r"\bmedic(al|ine|ation)",
    r"\bclinical",
    r"\bprescri",
    r"\bsymptom",
    r"\bdisorder",
    r"\bdisease",
    r"\bproven\b",
    r"\bblood pressure",
    r"\bimmune",
]
"""Health claims a relaxation recording must not make (words of a claim, not of kindness)."""

SAFETY = {
    "deep-breathing": r"light-headed|dizzy",
    "progressive-muscle-relaxation": r"\bpain\b|injur",
    "guided-imagery": r"driving",
    "body-scan": r"stop at any time",
    "affirmations": r"doesn't feel true",
    "self-compassion": r"someone you trust",
    "gratitude": r"hard to find",
    "sleep-wind-down": r"driving",
    "mindfulness": r"stop at any time",
}
"""The care line a teacher would give for each practice; other templates need a general one."""
GENERAL_SAFETY = r"at any time|whenever you|driving|light-headed|\bpain\b"


def variants(template: templates.Template) -> list[tuple[tuple[str, str], ...]]:
    """Defaults, then each other choice of every choice parameter, and every bool flipped."""
    found: list[tuple[tuple[str, str], ...]] = [()]
    for name, spec in template.params.items():
        if spec.type == "choice":
            found += [((name, choice),) for choice in spec.choices if choice != spec.default]
        elif spec.type == "bool":
            found.append(((name, "false" if spec.default else "true"),))
    return found


def lengths(template: templates.Template) -> list[int]:
    first = math.ceil(template.min_minutes or 1)
    return sorted({first, *(m for m in LENGTHS if m >= first)})


def case_id(name: str, minutes: int, variant) -> str:
    return f"{name}-{minutes}min-" + ("-".join(f"{k}={v}" for k, v in variant) or "defaults")


CASES = [
    pytest.param(name, minutes, variant, id=case_id(name, minutes, variant))
    for name, template in BUILTINS.items()
    for variant in variants(template)
    for minutes in lengths(template)
]
AT_20 = [
    pytest.param(name, variant, id=case_id(name, 20, variant))
    for name, template in BUILTINS.items()
    for variant in variants(template)
]


@lru_cache(maxsize=None)
def outcome(name: str, minutes: int, variant: tuple[tuple[str, str], ...] = ()) -> Plan | LengthError:
    try:
        return preview(SessionRequest(name, minutes, variables=dict(variant)), with_range=False)
    except LengthError as exc:
        return exc


def plan(name: str, minutes: int, variant: tuple[tuple[str, str], ...] = ()) -> Plan:
    """The planned session; a choice that needs more time (checked on its own) is skipped."""
    result = outcome(name, minutes, variant)
    if isinstance(result, LengthError):
        pytest.skip(f"this choice needs a longer session: {result}")
    return result


def spoken(p: Plan) -> list[str]:
    """Every phrase in the order it is heard, phase cues included."""
    return [s.text for s in sorted(p.timeline.speech, key=lambda s: s.start)]


def claims_in(text: str) -> list[str]:
    return [m.group(0) for pattern in CLINICAL_CLAIMS for m in re.finditer(pattern, text, re.IGNORECASE)]


def back_to_back(texts: list[str]) -> list[str]:
    return [a for a, b in zip(texts, texts[1:]) if a == b]


PRACTISED_QUIET = 4.0
"""Seconds of quiet after which affirmations may say a phrase again: the practice repeats each
phrase slowly on purpose (issue 18), so only a phrase said again without its quiet turn is a slip."""


def said_again_too_soon(p: Plan) -> list[str]:
    """Phrases said twice in a row with less than PRACTISED_QUIET between them."""
    placed = sorted(p.timeline.speech, key=lambda s: s.start)
    quiet = PRACTISED_QUIET * p.timeline.rate
    return [a.text for a, b in zip(placed, placed[1:]) if a.text == b.text and b.start - a.end < quiet]


@pytest.mark.parametrize("name, minutes, variant", CASES)
def test_every_length_and_choice_fits_exactly(name, minutes, variant):
    """Fits, or (for a choice with more to say, like 16 muscle groups) names a length that does."""
    result = outcome(name, minutes, variant)
    if isinstance(result, LengthError):
        shortest = re.search(r"try minutes (\d+)$", str(result))
        assert shortest and int(shortest.group(1)) > minutes, str(result)
        assert int(shortest.group(1)) <= 20, "a choice should fit a 20-minute session"
        result = plan(name, int(shortest.group(1)), variant)
        minutes = int(shortest.group(1))
    assert result.timeline.total == minutes * 60 * SESSION_RATE
    assert result.timeline.speech


@pytest.mark.parametrize("name, minutes, variant", CASES)
def test_no_phrase_is_repeated_back_to_back(name, minutes, variant):
    p = plan(name, minutes, variant)
    if name == "affirmations":  # repeated on purpose, each time after a quiet turn
        assert said_again_too_soon(p) == []
    else:
        assert back_to_back(spoken(p)) == []


@pytest.mark.parametrize("name, minutes, variant", CASES)
def test_no_clinical_claims(name, minutes, variant):
    text = " ".join(spoken(plan(name, minutes, variant)))
    assert claims_in(text + " " + BUILTINS[name].description) == []


@pytest.mark.parametrize("name, minutes, variant", CASES)
def test_a_safety_line_and_chapters_at_every_length(name, minutes, variant):
    p = plan(name, minutes, variant)
    text = " ".join(spoken(p))
    assert re.search(SAFETY.get(name, GENERAL_SAFETY), text, re.IGNORECASE), f"no care line in {name}"
    assert len(p.timeline.chapters) >= 2
    assert p.timeline.chapters[0].start == 0


@pytest.mark.parametrize("name, variant", AT_20)
def test_wording_varies_across_a_long_session(name, variant):
    p = plan(name, 20, variant)
    sentences = [t for t in spoken(p) if len(t.split()) >= 4]
    if name == "affirmations":  # its phrases are repeated on purpose (issue 18); the rest must vary
        placed = sorted(p.timeline.speech, key=lambda s: s.start)
        practised = {a.text for a, b in zip(placed, placed[1:]) if a.text == b.text}
        sentences = [t for t in sentences if t not in practised]
    assert len(set(sentences)) / len(sentences) >= 0.8, "the same sentences come round again and again"
    cues: dict[str, list[str]] = {}
    for item in p.items:
        if isinstance(item, markup.Phase) and item.cue:
            cues.setdefault(item.name, []).append(" ".join(c.text for c in item.cue))
    for phase, texts in cues.items():
        if len(texts) >= 3:
            assert len(set(texts)) >= 2, f"every {phase} cue is worded the same"


@pytest.mark.parametrize("name", BUILTINS)
def test_longer_sessions_say_more_not_only_wait_longer(name):
    shortest = plan(name, lengths(BUILTINS[name])[0])
    twenty = plan(name, 20)

    def speech_seconds(p: Plan) -> float:
        return sum(s.end - s.start for s in p.timeline.speech) / SESSION_RATE

    assert speech_seconds(twenty) >= 2 * speech_seconds(shortest)
    assert len(set(spoken(twenty))) > len(set(spoken(shortest))) + 15


def test_the_checks_catch_what_they_look_for():
    """The detectors above are not vacuous."""
    assert claims_in("This will cure your worries and heal your body, guaranteed.") == ["cure", "heal your", "guarantee"]
    assert claims_in("Treat yourself kindly, and be patient with the healing of old habits.") == []
    assert back_to_back(["In.", "Out.", "In.", "In."]) == ["In."]


# ---- personalisation and a list of one's own ----


def test_name_is_used_sparingly_and_goal_is_said_back():
    for name in ("body-scan", "affirmations", "self-compassion", "gratitude", "sleep-wind-down"):
        for minutes in (lengths(BUILTINS[name])[0], 20):
            texts = spoken(plan(name, minutes, (("name", "Robin"),)))
            uses = sum(t.count("Robin") for t in texts)
            assert 1 <= uses <= 2, (name, minutes, uses)
            assert texts[0] == "Welcome, Robin."
    for name in ("affirmations", "gratitude"):
        texts = spoken(plan(name, 10, (("goal", "finishing my course."),)))
        assert any("finishing your course" in t for t in texts), name


@pytest.mark.parametrize("value", ["x" * 41, "[pause 5min]"])
def test_a_name_that_is_too_long_or_holds_markup_is_refused(value):
    with pytest.raises(ParameterError, match=r"^name="):
        plan("body-scan", 5, (("name", value),))


@pytest.fixture
def own_list(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text(
        "# words for the mornings\nI can start slowly\n\nMy pace is my own.\nI can start slowly\n"
        "I meet today as it comes\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize("minutes", [3, 10, 60])
def test_affirmations_from_a_file_speak_every_line_and_fit(own_list, minutes):
    p = plan("affirmations", minutes, (("file", own_list),))
    texts = spoken(p)
    assert p.timeline.total == minutes * 60 * SESSION_RATE
    for line in ("I can start slowly.", "My pace is my own.", "I meet today as it comes."):
        assert line in texts
    assert said_again_too_soon(p) == []  # each line comes a few times, each after a quiet turn
    assert any(c.title == "Your affirmations" for c in p.timeline.chapters)
    assert not any(t.startswith("I am safe") for t in texts), "a list of one's own replaces the theme"
    # A short list goes round again in a longer session, but not more than about thirty phrases.
    rounds = texts.count("My pace is my own.")
    assert 1 <= rounds <= 10 and (rounds >= 2 or minutes < 60)


def test_affirmations_twice_frames_the_second_hearing_once():
    """The second hearing is introduced once, as a second hearing; no phrase is framed as a
    third or last time ("One more time", issue 18)."""
    p = plan("affirmations", 5, (("twice", "true"),))
    texts = spoken(p)
    second = next(c for c in p.timeline.chapters if c.title == "A second hearing")
    after = [s.text for s in sorted(p.timeline.speech, key=lambda s: s.start) if s.start >= second.start]
    assert after[0].startswith("Now let's hear the words a second time")
    assert "I am safe in this moment." in after
    assert not any(t.startswith(("One more time", "And again", "Once more")) for t in texts)
