"""The length helpers templates share: exact arithmetic, and reachable from any template."""

from __future__ import annotations

import pytest

from guided_audio.script import markup, templates
from guided_audio.script.fitting import (
    Budget,
    budget,
    content_share,
    keep_levels,
    lines_seconds,
    seconds_each,
    speech_seconds,
)


def test_speech_estimate_counts_characters_and_sentences():
    assert speech_seconds("Breathe in. And out.") == pytest.approx(20 / 13 + 0.6 * 2)
    assert speech_seconds("Rest", pace=0.5) == pytest.approx(2 * (4 / 13 + 0.6))
    assert lines_seconds(["Rest", "Rest"], pause=3) == pytest.approx(2 * (4 / 13 + 0.6 + 3 + 1.2))
    assert lines_seconds("Rest", pause=3, gap=0) == pytest.approx(4 / 13 + 0.6 + 3)
    assert seconds_each(["Rest", "Be"], pause=1) == pytest.approx([4 / 13 + 2.8, 2 / 13 + 2.8])


def test_the_share_falls_with_length_to_its_floor():
    assert content_share(10) == pytest.approx(0.8)
    assert content_share(40) == pytest.approx(0.65)
    assert content_share(60) == 0.55 and content_share(180) == 0.55
    assert content_share(10, 0.9, 0.004, 0.62) == pytest.approx(0.86)


def test_budget_is_the_time_the_core_leaves_times_the_share():
    assert budget(600, core=100, share=0.5).left == 250


def test_repeats_in_groups_with_rests_between():
    room = Budget(100)
    fit = room.repeats(10, group=4, between=14)
    # 8 cycles take 80 s and one 14 s rest (94 s); a ninth would start a third group: 90 + 28
    assert (fit.count, fit.groups) == (8, 2)
    assert room.left == pytest.approx(6)
    assert fit.rest == pytest.approx(20)  # the rest, if what is left went to it
    assert Budget(100).repeats(10, most=3).count == 3
    assert Budget(5).repeats(10).count == 0 and Budget(-5).repeats(10).count == 0
    assert Budget(100).repeats(0).count == 0


def test_buying_skips_or_stops_as_asked():
    assert Budget(10).each([4, 8, 5, 1]) == 3  # 4, then 8 does not fit, then 5 and 1
    assert Budget(10).each([1, 1, 1], most=2) == 2
    assert Budget(10).prefix([4, 8, 1]) == 1  # stops at the first that does not fit
    room = Budget(5)
    assert room.prefix([4, 4, 4, 1], least=3) == 3 and room.left == -7
    assert room.buy(0) and not room.buy(1)


def test_best_takes_the_richest_option_that_fits():
    room = Budget(50)
    assert room.best([30, 45, 80]) == 1 and room.left == 5
    assert Budget(10).best([30, 45]) == 0  # the plainest whether or not it fits


def test_levels_keep_level_one_then_buy_upwards():
    levels, costs = [1, 2, 3, 2, 1], [10, 20, 5, 30, 10]
    assert Budget(30).levels(levels, costs) == [0, 1, 2, 4]  # level 2's first fits, its second not
    assert keep_levels(100, 0.5, levels, costs, base=10) == [0, 1, 2, 4]  # (100 - 30) * 0.5 = 35


def test_a_users_template_uses_the_helpers(tmp_path):
    path = tmp_path / "breaths.txt"
    path.write_text(
        "Welcome.\n"
        "{% set room = budget(seconds, core=30, share=content_share(minutes)) %}\n"
        "{% set fit = room.repeats(10, group=3, between=8) %}\n"
        "{% for i in range(fit.count) %}\n[phase inhale 4s] In.\n[phase exhale 6s] Out.\n"
        "{% if i % 3 == 2 and not loop.last %}[pause 8s+]\n{% endif %}{% endfor %}\n"
        "Well done. {{ fit.count }} breaths.\n",
        encoding="utf-8",
    )
    template = templates.load_file(path)
    text, _ = templates.render(template, 2, {})
    phases = [item for item in markup.parse(text) if isinstance(item, markup.Phase)]
    expected = Budget((120 - 30) * content_share(2)).repeats(10, group=3, between=8).count
    assert len(phases) == 2 * expected and f"{expected} breaths" in text
