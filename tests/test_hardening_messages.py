"""Issue 20, items 12 and 20: impossible durations in manifests are skipped with a warning;
counts read as English; exit codes as the README says; `feed --cover` replaces the old cover."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from click.testing import CliRunner

from guided_audio.cli import cli
from guided_audio.commands.report import counted


def _sessions(folder, durations: dict[str, str]):
    folder.mkdir(exist_ok=True)
    for name, duration in durations.items():
        (folder / f"{name}.mp3").write_bytes(b"ID3")
        (folder / f"{name}.json").write_text(f'{{"duration": {duration}, "title": "{name}"}}')
    return folder


@pytest.mark.parametrize("command", [["playlist"], ["page"], ["feed", "--base-url", "http://127.0.0.1:8000"]])
def test_a_manifest_with_an_impossible_duration_is_skipped_with_a_warning(tmp_path, command, caplog):
    folder = _sessions(tmp_path / "s", {"nan": "NaN", "inf": "Infinity", "huge": "1e300", "good": "60"})
    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(cli, [command[0], str(folder), *command[1:]])
    assert result.exit_code == 0, result.output
    skipped = sorted(r.getMessage().split(":")[0] for r in caplog.records if "impossible duration" in r.getMessage())
    assert skipped == ["skipping huge.mp3", "skipping inf.mp3", "skipping nan.mp3"]
    if command[0] == "feed":
        feed = (folder / "feed.xml").read_text()
        assert feed.count("<item>") == 1 and "<itunes:duration>60</itunes:duration>" in feed


def test_counts_read_as_english():
    assert [counted(n, "phrase") for n in (0, 1, 2)] == ["0 phrases", "1 phrase", "2 phrases"]
    assert counted(1, "entry", "entries") == "1 entry" and counted(3, "entry", "entries") == "3 entries"


def test_page_and_cache_clear_say_one_in_the_singular(tmp_path, monkeypatch):
    folder = _sessions(tmp_path / "s", {"good": "60"})
    result = CliRunner().invoke(cli, ["page", str(folder)])
    assert "(1 session)" in result.output, result.output
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "cache"))
    from guided_audio.voice.cache import PhraseCache

    PhraseCache().put("ab" + "0" * 62, np.zeros(10, dtype=np.float32))
    result = CliRunner().invoke(cli, ["cache", "clear"])
    assert result.output.startswith("Removed 1 entry ("), result.output


def test_one_estimated_phrase_is_said_in_the_singular(tmp_path, monkeypatch):
    from guided_audio.commands.report import format_plan
    from guided_audio.session import SessionRequest, preview

    script = tmp_path / "one.txt"
    script.write_text("Hello there.\n[pause 5s+]\n")
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "empty"))
    text = format_plan(preview(SessionRequest(str(script), 1)))
    assert "1 phrase, 0 phases, 0 chapters." in text and "1 phrase length is an estimate" in text


def test_a_missing_minutes_is_a_usage_error_and_zero_is_shown_as_typed(tmp_path):
    from faults import child_env
    import subprocess
    import sys

    missing = subprocess.run([sys.executable, "-m", "guided_audio", "generate", "deep-breathing", "-o", str(tmp_path / "x.mp3")],
                             capture_output=True, text=True, env=child_env())  # fmt: skip
    assert missing.returncode == 2 and missing.stderr.startswith("Error: say how long: --minutes N"), missing.stderr
    zero = CliRunner().invoke(cli, ["preview", "deep-breathing", "-m", "0"])
    assert zero.exit_code == 1
    assert zero.output.strip() == "Error: --minutes must be a positive number, not 0; try --minutes 5"


def test_feed_with_a_new_cover_of_the_other_kind_removes_the_old_one(tmp_path):
    from PIL import Image

    folder = _sessions(tmp_path / "s", {"good": "60"})
    base = ["feed", str(folder), "--base-url", "http://127.0.0.1:8000"]
    assert CliRunner().invoke(cli, base).exit_code == 0
    assert (folder / "cover.jpg").is_file()
    Image.new("RGB", (1400, 1400), (20, 40, 60)).save(tmp_path / "mine.png")
    result = CliRunner().invoke(cli, [*base, "--cover", str(tmp_path / "mine.png")])
    assert result.exit_code == 0, result.output
    assert (folder / "cover.png").is_file() and not (folder / "cover.jpg").exists()
