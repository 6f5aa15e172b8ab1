"""Guidance that grows with the length: long sessions hold more words, not more slack.

Two kinds of check. With the real voice (every phrase synthesised once into the run's
phrase cache) at 10, 30, 45 and 60 minutes: the share of the session spoken, the longest
quiet no one announced, and the care line. With the length model's estimates, at every
whole minute from a template's shortest to 60 and for every choice: the longest unannounced
quiet, how often a sentence comes round, that each intended silence is announced, and that
the length is exact. (Estimates err long, so estimated quiets come out a little short; the
sweep allows for that with a margin.)
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pytest
from content_probe import Content, measure, repeats, synthesise

from guided_audio.audio.samples import SESSION_RATE
from guided_audio.errors import LengthError
from guided_audio.script import markup, templates
from guided_audio.script.layout import layout
from guided_audio.script.lengths import PhraseLengths, script
from guided_audio.session import Plan, SessionRequest, preview

GROWING = {
    # template: least speech share at 10 to 45 minutes, and at 60
    "guided-imagery": (0.25, 0.22),
    # issue 18 retired the quarter-speech target: the scan now deepens into longer pauses and
    # announced silences instead of adding practices, so its floor is lower (breath focus at
    # 45 minutes is the least, about 18% by estimates)
    "body-scan": (0.14, 0.11),
    "self-compassion": (0.25, 0.2),
    "gratitude": (0.25, 0.18),
    "affirmations": (0.14, 0.1),
    "progressive-muscle-relaxation": (0.15, 0.11),
    "sleep-wind-down": (0.12, 0.09),
}
"""The four the issue checks must be a quarter speech from ten minutes to 45; the others a
sensible share (affirmations leave room to let each one land; the wind-down thins out)."""
REAL_LENGTHS = (10, 30, 45, 60)
LONGEST_QUIET = 90.0
"""No stretch without a word longer than this, unless the script announces the silence."""
SWEEP_QUIET = 80.0
"""The same, by estimates, which make quiets a little shorter than the voice does."""
MOST_SAID = 3
SAFETY = {
    "guided-imagery": r"driving",
    "body-scan": r"stop at any time",
    "affirmations": r"doesn't feel true",
    "self-compassion": r"someone you trust",
    "gratitude": r"hard to find",
    "progressive-muscle-relaxation": r"\bpain\b|injur",
    "sleep-wind-down": r"driving",
}
ANNOUNCING = re.compile(r"\b(quiet|silence|silent)\b", re.IGNORECASE)


@lru_cache(maxsize=None)
def real(name: str) -> dict[int, tuple[Content, str]]:
    """Each real length's measures and its spoken text, with the bundled voice."""
    synthesise(name, REAL_LENGTHS)
    out = {}
    for minutes in REAL_LENGTHS:
        plan = preview(SessionRequest(name, minutes))
        out[minutes] = (measure(plan), " ".join(p.text for p in plan.timeline.speech))
    return out


@pytest.mark.parametrize("name", GROWING)
def test_long_sessions_stay_guided_with_the_real_voice(name):
    least, at_hour = GROWING[name]
    for minutes, (found, text) in real(name).items():
        assert found.estimated_phrases == 0, "every phrase should have been synthesised"
        share = at_hour if minutes == 60 else least
        assert found.speech_share >= share, f"{name} at {minutes} min is {found.speech_share:.0%} speech"
        assert found.longest_unintended <= LONGEST_QUIET, f"{name} at {minutes} min: {found.longest_unintended:.0f} s unguided"
        assert found.most_repeated[1] <= MOST_SAID, f"{name} at {minutes} min says {found.most_repeated}"
        assert re.search(SAFETY[name], text, re.IGNORECASE), f"no care line in {name} at {minutes} min"


@pytest.mark.parametrize("name", GROWING)
def test_an_hour_says_much_more_than_ten_minutes(name):
    """More content, not only longer pauses: an hour speaks at least twice as long as ten
    minutes (before the guidance grew, the affirmations and the wind-down managed 1.3 and 1.4)."""
    by_length = real(name)
    ten, hour = by_length[10][0], by_length[60][0]
    assert hour.speech_share * 60 >= 2 * ten.speech_share * 10


def variants(template: templates.Template) -> list[dict[str, str]]:
    found: list[dict[str, str]] = [{}]
    for key, spec in template.params.items():
        if spec.type == "choice":
            found += [{key: c} for c in spec.choices if c != spec.default]
    return found


SWEEP = [
    pytest.param(name, variant, id=name + ("-" + "-".join(f"{k}={v}" for k, v in variant.items()) if variant else ""))
    for name in GROWING
    for variant in variants(templates.find(name))
]


def estimated_plan(template: templates.Template, minutes: int, variant: dict[str, str]) -> Plan:
    items, params = script(template, minutes, variant)
    lengths = PhraseLengths(0.75, lambda phrase: None)
    timeline = layout(items, lengths, total_seconds=minutes * 60, rate=SESSION_RATE)
    return Plan(template, minutes, params, items, timeline, estimated_phrases=0)


@pytest.mark.parametrize("name, variant", SWEEP)
def test_every_whole_minute_to_an_hour_keeps_guiding(name, variant):
    template = templates.find(name)
    first = max(1, math.ceil(template.min_minutes or 1))
    for minutes in range(first, 61):
        try:
            plan = estimated_plan(template, minutes, variant)
        except LengthError:  # a choice with more to say (16 muscle groups) needs a longer session
            assert variant and minutes < 20, f"{minutes} min does not fit"
            continue
        assert plan.timeline.total == minutes * 60 * SESSION_RATE
        found = measure(plan)
        assert found.longest_unintended <= SWEEP_QUIET, f"{minutes} min: {found.longest_unintended:.0f} s unguided"
        said = repeats(plan).most_common(1)
        assert not said or said[0][1] <= MOST_SAID, f"{minutes} min says {said[0]}"
        if 10 <= minutes <= 45:
            assert found.speech_share >= GROWING[name][0], f"{minutes} min is {found.speech_share:.0%} speech"


@pytest.mark.parametrize("name, variant", SWEEP)
def test_an_intended_silence_is_announced_first(name, variant):
    template = templates.find(name)
    for minutes in (30, 45, 60):
        items, _ = script(template, minutes, variant)
        said: list[str] = []
        for item in items:
            if isinstance(item, markup.Speech):
                said.append(item.text)
            elif isinstance(item, markup.Pause) and item.intended:
                before = " ".join(said[-3:])  # the paragraph before it, said sentence by sentence
                assert ANNOUNCING.search(before), f"{minutes} min: a silence follows {before!r}"


def test_the_measures_can_fail():
    """A session that is mostly slack is seen as such."""
    template = templates.parse_template(
        "Hello there, this is a test of the measures.\n[pause 5s+]\nGoodbye now, and thank you.\n[pause 1s+]\n",
        name="slack",
        path=templates.builtin_dir() / "slack.txt",
    )
    found = measure(estimated_plan(template, 5, {}))
    assert found.speech_share < 0.05 and found.longest_unintended > 200
    twice = templates.parse_template(
        "\n".join(["I can rest here for a while."] * 4) + "\n", name="twice", path=templates.builtin_dir() / "t.txt"
    )
    assert repeats(estimated_plan(twice, 1, {})).most_common(1)[0][1] == 4
