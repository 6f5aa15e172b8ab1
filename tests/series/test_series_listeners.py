"""Listeners get a personal course each; an episode that fails leaves the others built and listed."""

from __future__ import annotations

import json
import textwrap

import pytest

import feedparser
from click.testing import CliRunner

from guided_audio.cli import cli

SERIES = """\
[series]
title = "A kind week"
author = "Sam"
base_url = "http://192.168.1.20:8000"

[[episode]]
title = "Kind words"
template = "affirmations"
minutes = 3

[[episode]]
title = "Settle"
parts = ["deep-breathing:2:pattern=box", "guided-imagery:4:scene=beach"]

[[episode]]
title = "Breathe with the sea"
template = "deep-breathing"
minutes = 2
background = "sea.wav"

[[listener]]
name = "Ana"

[[listener]]
name = "Ben"
vars = { goal = "sleeping well again" }
"""


def test_each_listener_has_a_course_and_a_failing_episode_leaves_the_rest(tmp_path):
    series = tmp_path / "week.toml"
    series.write_text(textwrap.dedent(SERIES))
    (tmp_path / "sea.wav").write_bytes(b"RIFF, but not really a recording of the sea" * 50)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(series), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1, result.output
    failed = [line for line in result.output.splitlines() if line.startswith("error: episode")]
    assert [line.split("'")[1] for line in failed] == ["ana/breathe-with-the-sea", "ben/breathe-with-the-sea"]
    assert "sea.wav" in failed[0] and "guided-audio-episode" not in failed[0]  # the user's file, not our copy
    assert result.output.strip().splitlines()[-1].startswith("Error: 2 episodes failed (above); the others are built")

    for listener, other in (("ana", "Ben"), ("ben", "Ana")):
        folder = out / listener
        assert sorted(p.name for p in folder.glob("*.mp3")) == ["kind-words.mp3", "settle.mp3"]
        assert not list(folder.glob("breathe-with-the-sea*")) and not list(out.rglob("*.partial*"))
        feed = feedparser.parse((folder / "feed.xml").read_bytes())
        assert sorted(e.title for e in feed.entries) == ["Kind words", "Settle"]
        assert all(e.enclosures[0].href.startswith(f"http://192.168.1.20:8000/{listener}/") for e in feed.entries)
        words = (folder / "kind-words.vtt").read_text()
        assert f"{listener.capitalize()}." in words and f"{other}." not in words
    assert "sleeping well again" in (out / "ben" / "kind-words.vtt").read_text()
    # the episode of two parts is the same for both: rendered once, in both folders
    assert (out / "ana" / "settle.mp3").read_bytes() == (out / "ben" / "settle.mp3").read_bytes()
    settle = json.loads((out / "ana" / "settle.json").read_text())
    assert settle["duration"] == pytest.approx(360, abs=0.05)
    assert [part["template"] for part in settle["parts"]] == ["deep-breathing", "guided-imagery"]

    # a run after the fix renders the missing episodes alone
    (tmp_path / "sea.wav").unlink()
    series.write_text(series.read_text().replace('background = "sea.wav"', 'background = "ocean"'))
    again = CliRunner().invoke(cli, ["build", str(series), "-o", str(out)])
    assert again.exit_code == 0, again.output
    rows = {line.split()[0]: line for line in again.output.splitlines()[1:7]}
    assert "rendered" in rows["ana/breathe-with-the-sea"] and "rendered" in rows["ben/breathe-with-the-sea"]
    assert "unchanged" in rows["ana/kind-words"] and "unchanged" in rows["ben/settle"]
    assert len(feedparser.parse((out / "ana" / "feed.xml").read_bytes()).entries) == 3

    forced = CliRunner().invoke(cli, ["build", str(series), "-o", str(out), "--dry-run", "--force"])
    assert forced.output.count("would render: forced") == 6, forced.output

    # a listener taken out of the file: their episodes and feed go, the other's stay
    text = series.read_text()
    series.write_text(text[: text.index("[[listener]]\nname = \"Ben\"")])
    fewer = CliRunner().invoke(cli, ["build", str(series), "-o", str(out)])
    assert fewer.exit_code == 0, fewer.output
    assert not list((out / "ben").glob("*.mp3")) and not (out / "ben" / "feed.xml").exists()
    assert len(list((out / "ana").glob("*.mp3"))) == 3 and (out / "ana" / "feed.xml").exists()
