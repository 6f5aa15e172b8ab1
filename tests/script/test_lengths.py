"""Lengths: every built-in fits every whole minute from its minimum to 60, the minimum and
maximum are reported for the chosen parameters, and too-short requests name one that works.

The sweep uses estimated phrase lengths (fast); real renders check 3 and 30 minutes.
"""

from __future__ import annotations

import pytest
from audio_probe import check_session

from guided_audio.commands.report import format_plan
from guided_audio.commands.words import say
from guided_audio.errors import LengthError
from guided_audio.script import templates
from guided_audio.script.lengths import (
    PhraseLengths,
    check_length,
    estimate_samples,
    fits,
    length_range,
)
from guided_audio.script.markup import Speech
from guided_audio.session import SessionRequest, generate, preview

BUILTINS = [t.name for t in templates.available() if t.builtin]


def estimated() -> PhraseLengths:
    return PhraseLengths(0.75, lambda phrase: None)


def session_estimates() -> PhraseLengths:
    """The estimates a default session plans with: the default voice's own (slower) rate."""
    return PhraseLengths(SessionRequest("progressive-muscle-relaxation", 1).script_rate, lambda phrase: None)


def _choices():
    """Each built-in with its defaults and with each value of each choice or bool parameter."""
    for name in BUILTINS:
        tpl = templates.find(name)
        combos = [{}]
        for key, spec in tpl.params.items():
            values = spec.choices if spec.type == "choice" else ("true",) if spec.type == "bool" else ()
            combos += [{key: value} for value in values]
        if name == "deep-breathing":
            combos += [{"inhale": "5", "exhale": "7"}, {"inhale": "5.5", "hold": "1.5", "exhale": "6.5", "rest": "0.5"}]
        for given in combos:
            yield pytest.param(name, given, id=f"{name}-{given or 'defaults'}")


@pytest.mark.parametrize("name, given", list(_choices()))
def test_every_whole_minute_from_the_minimum_to_60_fits(name, given):
    tpl = templates.find(name)
    lengths = estimated()
    fit = length_range(tpl, given, lengths)
    assert fit.shortest is not None and fit.shortest <= 30
    assert fit.shortest >= (tpl.min_minutes or 1)
    assert fit.longest >= 60 if tpl.max_minutes is None else fit.longest == tpl.max_minutes == 60
    misfits = sorted(set(range(fit.shortest, 61)) - set(fit.minutes))  # the range tries every minute
    assert misfits == []
    if fit.shortest > (tpl.min_minutes or 1):
        assert not fits(tpl, fit.shortest - 1, given, lengths), "the minimum is the shortest that fits"


def test_the_group_set_and_second_round_set_the_minimum_for_pmr():
    tpl = templates.find("progressive-muscle-relaxation")
    shortest = {
        key: length_range(tpl, dict(given), estimated()).shortest
        for key, given in {
            "4": {"groups": "4"},
            "7": {"groups": "7"},
            "16": {"groups": "16"},
            "16 twice": {"groups": "16", "second_round": "true"},
        }.items()
    }
    assert shortest["4"] == 5 < shortest["7"] < shortest["16"] < shortest["16 twice"]


@pytest.mark.parametrize(
    "given, minimum",
    [({}, 5), ({"groups": "16"}, None), ({"groups": "7", "second_round": "true"}, None)],
)
def test_pmr_in_one_minute_is_refused_naming_the_shortest_that_works(tmp_path, tmp_path_factory, monkeypatch, given, minimum):
    # generate plans with the lengths the phrase cache knows; an empty one leaves it the
    # estimates this test works out the minimum with (earlier tests fill the shared cache)
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path_factory.mktemp("empty-cache")))
    tpl = templates.find("progressive-muscle-relaxation")
    lengths = session_estimates()
    minimum = minimum or length_range(tpl, given, lengths).shortest
    with pytest.raises(LengthError) as exc:
        generate(SessionRequest(tpl.name, 1, variables=given, output=tmp_path / "pmr.mp3"))
    choices = "".join(f" with {', '.join(f'{k}={v}' for k, v in given.items())}" if given else "")
    # the library names the setting by its key; the command line says it as --minutes
    assert str(exc.value) == (
        f"progressive-muscle-relaxation needs at least {minimum} minutes{choices}; try minutes {minimum}"
    )
    assert say(exc.value).endswith(f"; try --minutes {minimum}")
    assert fits(tpl, minimum, given, lengths)
    assert minimum == tpl.min_minutes or not fits(tpl, minimum - 1, given, lengths)
    assert list(tmp_path.iterdir()) == []


def test_longer_than_a_template_is_written_for_is_refused():
    tpl = templates.find("guided-imagery")
    with pytest.raises(LengthError, match=r"^guided-imagery is written for at most 60 minutes; try minutes 60$"):
        check_length(tpl, 61, {}, estimated())
    check_length(tpl, 60, {}, estimated())


def test_a_template_without_limits_is_only_bounded_by_what_fits(tmp_path):
    script = tmp_path / "two-pauses.txt"
    script.write_text("Hello.\n[pause 100s]\nGoodbye.\n[pause 5s+]\n")
    fit = length_range(templates.find(str(script)), {}, estimated())
    assert (fit.shortest, fit.longest) == (2, 180) and fit.minutes == tuple(range(2, 181))


def test_preview_reports_the_range_for_the_chosen_parameters():
    plan = preview(SessionRequest("progressive-muscle-relaxation", 20, variables={"groups": "16"}))
    fit = length_range(templates.find("progressive-muscle-relaxation"), {"groups": "16"}, session_estimates())
    assert (plan.lengths.shortest, plan.lengths.longest) == (fit.shortest, 60)
    assert f"Fits any whole minute from {fit.shortest} to 60 with these choices." in format_plan(plan)


def test_the_estimate_grows_with_commas_and_slower_pace():
    plain, paused = Speech("Breathe in slowly now"), Speech("Breathe in, slowly, now")
    assert estimate_samples(paused, 0.75) > estimate_samples(plain, 0.75)
    assert estimate_samples(Speech(plain.text, 0.9), 0.75) > estimate_samples(plain, 0.75)
    assert estimate_samples(plain, 0.6) > estimate_samples(plain, 0.75)


@pytest.mark.parametrize("minutes", [3, 30])
def test_three_and_thirty_minutes_are_exact_with_the_real_voice(tmp_path, minutes):
    """One 30-minute render: coherent breathing, whose cues the 3-minute render has cached."""
    mp3 = tmp_path / f"coherent-{minutes}.mp3"
    result = generate(SessionRequest("deep-breathing", minutes, variables={"pattern": "coherent"}, output=mp3))
    _samples, manifest, speech = check_session(mp3, minutes)
    assert result.plan.timeline.total == minutes * 60 * 44_100
    assert manifest["duration"] == minutes * 60 and len(speech) >= 20
    # The real voice fits where the estimates said it would: from 2 minutes up.
    fit = length_range(templates.find("deep-breathing"), {"pattern": "coherent"}, estimated())
    assert fit.shortest <= minutes
