"""Issue 20, items 9, 14 and 18 for builds: a bad --scheduler is one line at once (no 30 s wait,
no `Exception ignored` traceback); series values are checked up front with the file's line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from faults import child_env

ONE = """\
[series]
title = "One"

[[episode]]
title = "Breathe"
template = "deep-breathing"
minutes = 2
"""


@pytest.mark.parametrize("address", ["garbage", "inproc://x", "tcp://a b:1", "tcp://host", "http://h:1", "tcp://127.0.0.1:1"])
def test_a_bad_or_dead_scheduler_is_one_line_at_once(tmp_path, address):
    from click.testing import CliRunner

    from guided_audio.cli import cli

    series = tmp_path / "one.toml"
    series.write_text(ONE)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["build", str(series), "-o", str(tmp_path / "out"), "--scheduler", address])
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith(("Error: --scheduler ", "Error: cannot reach the Dask scheduler")), result.output
    assert not (tmp_path / "out").exists()


def test_a_bad_scheduler_leaves_no_traceback_at_exit(tmp_path):
    """Dask's Client used to wait 30 s at exit and print `Exception ignored in Client.__del__`."""
    series = tmp_path / "one.toml"
    series.write_text(ONE)
    done = subprocess.run([sys.executable, "-m", "guided_audio", "build", str(series), "--scheduler", "garbage"],
                          capture_output=True, text=True, env=child_env(), timeout=30)  # fmt: skip
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, done.stderr


def _series(tmp_path, text: str):
    path = tmp_path / "course.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "line, message",
    [
        ('base_url = "javascript:alert(1)"', "base_url = 'javascript:alert(1)' is not an http(s) address"),
        ('base_url = "ftp://x"', "base_url = 'ftp://x' is not an http(s) address"),
        ('base_url = "http://a b"', "base_url = 'http://a b' has a space in it"),
        ('language = "x y"', "language = 'x y' is not a language code"),
    ],
)
def test_series_base_url_and_language_are_checked_before_anything_renders(tmp_path, line, message):
    from guided_audio.errors import SeriesError
    from guided_audio.series.spec import read_series

    path = _series(tmp_path, f'[series]\ntitle = "One"\n\n{line}\n' + ONE.split("\n", 2)[2])
    with pytest.raises(SeriesError) as caught:
        read_series(path)
    assert str(caught.value).startswith(f"course.toml:4: {message}"), caught.value
    assert "--base-url" not in str(caught.value)


def test_an_episodes_seed_or_level_without_a_background_is_warned_with_its_line(tmp_path, caplog):
    from guided_audio.series.check import check_series
    from guided_audio.series.spec import read_series

    path = _series(tmp_path, ONE + "seed = 3\nbackground_level = -20\n\n[[episode]]\ntitle = \"Rain\"\n"
                   "template = \"deep-breathing\"\nminutes = 2\nbackground = \"rain\"\nseed = 4\n")  # fmt: skip
    with caplog.at_level("WARNING"):
        check_series(read_series(path))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "course.toml:8: episode 'Breathe': seed and background_level shape a background; "
        'without background = "..." they change nothing'
    ]


def test_dry_run_shows_the_length_a_new_episode_will_have(tmp_path):
    from click.testing import CliRunner

    from guided_audio.cli import cli

    path = _series(tmp_path, ONE)
    result = CliRunner().invoke(cli, ["build", str(path), "--dry-run", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("breathe"))
    assert row.split()[1] == "2:00", row


def test_an_interrupt_after_an_episode_is_in_place_says_it_was_written(tmp_path):
    """Issue 20, item 3 for builds: the episode's files go in together with signals held, and
    the interrupt message names what was written instead of saying nothing was."""
    from guided_audio.errors import describe
    from guided_audio.output import WRITTEN
    from guided_audio.series.check import check_series
    from guided_audio.series.plan import plan_build
    from guided_audio.series.render import RenderOutcome, write_outcome
    from guided_audio.series.spec import read_series

    WRITTEN.clear()
    plan = plan_build(tmp_path / "out", check_series(read_series(_series(tmp_path, ONE))).jobs)
    files = {"mp3": b"mp3", "vtt": b"WEBVTT\n", "chapters.json": b"{}", "json": b"{}"}
    mp3 = write_outcome(tmp_path / "out", plan.episodes[0], RenderOutcome("breathe", "Breathe", files))
    try:
        assert sorted(p.name for p in mp3.parent.iterdir()) == ["breathe.chapters.json", "breathe.json",
                                                                "breathe.mp3", "breathe.vtt"]  # fmt: skip
        message, code = describe(KeyboardInterrupt())
        assert code == 130
        assert message == "interrupted; 1 session was written whole (breathe.mp3), and every other file is as it was"
    finally:
        WRITTEN.clear()
