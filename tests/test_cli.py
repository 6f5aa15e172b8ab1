"""The command line: commands, output locations, and one-line errors with no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
import responses
from click.testing import CliRunner
from fake_google import google_reply, url

import guided_audio
from guided_audio import __version__
from guided_audio.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def run_main(*args: str) -> subprocess.CompletedProcess:
    """The real console entry point in a fresh process, as a user would run it.

    The process imports the same guided_audio as the tests (a relative PYTHONPATH would not
    survive the change of folder and silently test another installed copy).
    """
    source = str(Path(guided_audio.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, "-m", "guided_audio", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_version():
    assert run("--version").output.strip() == f"guided-audio, version {__version__}"


def command_paths(group=cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand the CLI has, read from the group itself (`cache clear` too)."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += command_paths(command, (*prefix, name))
    return found


COMMAND_PATHS = command_paths()


def test_the_command_list_is_read_from_the_cli():
    """New commands join the docs test by themselves; build and page were once missed by hand."""
    assert {("build",), ("page",), ("voices",), ("cache",)} <= set(COMMAND_PATHS) and len(COMMAND_PATHS) >= 12
    assert any(len(path) == 2 and path[0] == "cache" for path in COMMAND_PATHS)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(path):
    text = run(*path, "--help").output
    command = " ".join(path)
    assert "Example" in text and f"guided-audio {command}" in text, f"`guided-audio {command} --help` shows no example"
    assert f"guided-audio {command}" in README.read_text(), f"the README never names `guided-audio {command}`"


def test_backgrounds_lists_every_soundscape_with_a_line_each():
    from guided_audio.mix.soundscapes import SOUNDSCAPES

    lines = run("backgrounds").output.splitlines()
    for name, kind in SOUNDSCAPES.items():
        assert any(line.startswith(name) and kind.description in line for line in lines), name
    assert lines[0].startswith("none") and any("--background path/to/sound.mp3" in line for line in lines)


def test_templates_lists_builtins_with_parameters():
    text = run("templates").output
    for name in ("deep-breathing", "progressive-muscle-relaxation", "guided-imagery"):
        assert f"{name}  (built-in)" in text
    assert "at least 2 min, at most 60 min" in text
    assert (
        "--var pattern=  4-7-8|box|coherent|resonance|cyclic-sigh|physiological-sigh|awake|pranayama, "
        "default 4-7-8" in text
    )
    assert "--var tones=  auto|true|false, default auto" in text
    assert "--var second_round=  auto|true|false, default auto" in text
    assert "--var scene=" in text
    seeds = ("body-scan", "affirmations", "self-compassion", "gratitude", "sleep-wind-down")
    assert sum(f"{name}  (built-in)" in text for name in seeds) >= 3, "three seed techniques beyond the core"
    assert "--var file=  FILE (UTF-8 text, one per line)" in text


def test_user_template_folder_shadows_a_builtin(tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "deep-breathing.txt").write_text("+++\ntitle = \"My breath\"\n+++\nJust breathe.\n")
    text = run("templates", "--templates-dir", str(mine)).output
    assert f"deep-breathing  ({mine / 'deep-breathing.txt'})" in text
    monkeypatch.setenv("GUIDED_AUDIO_TEMPLATES", str(mine))
    assert "Just breathe." in run("preview", "deep-breathing", "--minutes", "1").output


def test_preview_shows_the_plan_without_synthesising(phrase_cache_dir):
    before = sorted(phrase_cache_dir.rglob("*.pcm"))
    text = run("preview", "deep-breathing", "--minutes", "5", "--var", "pattern=box").output
    assert text.startswith("Deep breathing (deep-breathing), 5 min: pattern=box")
    assert " 0:00.000  == Settling in ==" in text
    assert "[inhale 4s]" in text and "[hold 4s]" in text and "[exhale 4s]" in text
    assert " 5:00.000  (end)" in text and "Length 5:00 exactly" in text
    assert "Fits any whole minute from 2 to 60 with these choices." in text
    assert sorted(phrase_cache_dir.rglob("*.pcm")) == before


def test_generate_writes_to_output_folder_by_default(tmp_path):
    result = run("generate", "deep-breathing", "--minutes", "2", "--quiet")
    assert result.output == ""
    made = sorted(p.name for p in (tmp_path / "output").iterdir())
    assert made == [
        "deep-breathing-2min.chapters.json", "deep-breathing-2min.json", "deep-breathing-2min.mp3",
        "deep-breathing-2min.vtt",
    ]  # fmt: skip
    manifest = json.loads((tmp_path / "output" / "deep-breathing-2min.json").read_text())
    assert set(manifest) >= {
        "title", "template", "minutes", "params", "engine", "voice", "background",
        "duration", "chapters", "segments", "phases",
    }  # fmt: skip
    assert manifest["params"]["pattern"] == "4-7-8" and manifest["minutes"] == 2


def test_generate_summary_line(tmp_path):
    out = tmp_path / "s.mp3"
    text = run("generate", "deep-breathing", "-m", "2", "-o", str(out)).output
    assert text.startswith(f"Wrote {out} (120.0 s, ")


def test_gtts_engine_renders_a_session_through_a_fake_google(tmp_path, google, spoken):
    google.add(responses.POST, url("co.uk"), body=google_reply(spoken[0]), status=200)
    (tmp_path / "t.txt").write_text("Welcome. [pause 3s] Breathe gently.")
    out = tmp_path / "g.mp3"
    run("generate", str(tmp_path / "t.txt"), "-m", "0.5", "--engine", "gtts", "--tld", "co.uk", "-o", str(out))
    manifest = json.loads(out.with_suffix(".json").read_text())
    assert manifest["engine"] == "gtts" and manifest["voice"] == "gtts en (co.uk)"
    assert len(google.calls) == 2 and manifest["duration"] == 30


def test_gtts_offline_fails_at_once_suggesting_the_offline_voice(tmp_path, google):
    import requests

    google.add(responses.POST, url(), body=requests.exceptions.ConnectionError("no route"))
    result = run("generate", "deep-breathing", "-m", "2", "--engine", "gtts", ok=False)
    assert result.exit_code == 1
    assert "use the offline voice with --engine piper" in result.output
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())


BAD_INPUT = [
    (["generate", "no-such-template", "-m", "5"], "no template named 'no-such-template'"),
    (["generate", "deep-breathing", "-m", "0"], "--minutes must be a positive number"),
    (["generate", "deep-breathing", "-m", "-2"], "--minutes must be a positive number"),
    (["generate", "deep-breathing", "-m", "five"], "'five' is not a valid float"),
    (["generate", "deep-breathing", "-m", "99999"], "deep-breathing is written for at most 60 minutes; try --minutes 60"),
    (["generate", "deep-breathing", "-m", "5", "--var", "speed=3"], "has no parameter 'speed'"),
    (["generate", "deep-breathing", "-m", "5", "--var", "pattern=zigzag"], "choose one of 4-7-8, box"),
    (["generate", "deep-breathing", "-m", "5", "--var", "inhale=-4"], "out of range"),
    (["generate", "deep-breathing", "-m", "5", "--var", "inhale"], "should look like key=value"),
    (["generate", "deep-breathing", "-m", "5", "--voice", "/nowhere/v.onnx"], "does not exist"),
    (["generate", "deep-breathing", "-m", "5", "--voice", "nobody"], "no voice named 'nobody'"),
    (["generate", "deep-breathing", "-m", "5", "--rate", "9"], "--rate 9 is out of range"),
    (["generate", "deep-breathing", "-m", "5", "-o", "/proc/nope/x.mp3"], "cannot write to /proc/nope"),
    (["generate", "deep-breathing", "-m", "5", "-o", "x.wav"], "should end in .mp3"),
    (["generate", "progressive-muscle-relaxation", "-m", "1"], "needs at least 5 minutes; try --minutes 5"),
    (["generate", "progressive-muscle-relaxation", "-m", "1", "--var", "groups=16"], "minutes with groups=16; try --minutes"),
    (["preview", "guided-imagery", "-m", "61"], "is written for at most 60 minutes; try --minutes 60"),
    (["generate", "affirmations", "-m", "5", "--var", "twice=maybe"], "is not a yes/no value"),
    (["generate", "deep-breathing", "-m", "5", "--background", "thunder"], "unknown background 'thunder'"),
    (["generate", "deep-breathing", "-m", "5", "--background", "no/such.mp3"], "not a built-in (none, rain"),
    (["generate", "deep-breathing", "-m", "5", "--background", "rain", "--background-level", "6"], "out of range"),
    (["generate", "deep-breathing", "-m", "5", "--seed", "-1"], "-1 is not in the range x>=0"),
    (["generate", "deep-breathing", "-m", "5", "--bitrate", "100"], "--bitrate 100 is not an MP3 bitrate; use one of 32, 40"),
    (["preview", "deep-breathing", "-m", "1"], "needs at least 2 minutes; try --minutes 2"),
    (["generate", "deep-breathing", "-m", "5", "--engine", "gtts", "--lang", "xx"], "unknown gTTS language"),
    (["generate", "deep-breathing", "-m", "5", "--cover", "/nowhere/c.png"], "cover image /nowhere/c.png does not exist"),
    (["generate", "deep-breathing", "-m", "5", "--cover", str(README)], "README.md as a cover: not an image"),
    (["feed", ".", "--base-url", "http://192.168.1.20:8000"], "no sessions in ."),
    (["feed", ".", "--base-url", "ftp://example.org/x"], "'ftp://example.org/x' is not an http(s) address"),
    (["feed", ".", "--base-url", "192.168.1.20:8000"], "is not an http(s) address"),
    (["feed", "/nowhere", "--base-url", "http://x.org"], "/nowhere is not a folder"),
    (["feed", "."], "Missing option '--base-url'"),
    (["playlist", "."], "no sessions in ."),
    (["serve", "/nowhere"], "/nowhere is not a folder"),
    (["serve", ".", "--port", "70000"], "70000 is not in the range"),
    (["serve", ".", "--host", "203.0.113.7"], "203.0.113.7 is not an address of this computer"),
    (["generate", "affirmations", "-m", "5", "--var", "file=missing.txt"], "file='missing.txt' cannot be read ("),
    (["generate", "body-scan", "-m", "5", "--var", "name=[pause 9min]"], "holds [ ] < or >, which are markup"),
    (["preview", "self-compassion", "-m", "2"], "needs at least 4 minutes; try --minutes 4"),
]


@pytest.mark.parametrize("args,message", BAD_INPUT, ids=[" ".join(a[:4]) for a, _ in BAD_INPUT])
def test_bad_input_is_one_error_line_with_no_traceback_and_no_file(tmp_path, args, message):
    result = run_main(*args)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert message in lines[0]
    assert not (tmp_path / "output").exists(), "a mistake left an output folder behind"
    assert not list(tmp_path.glob("*.mp3"))
    assert not [p for p in tmp_path.iterdir() if p.name != "output"], "a feed, cover or playlist was written"


def test_template_syntax_error_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("+++\ntitle = \"Bad\"\n+++\nHello.\n{% if %}\n")
    result = run_main("generate", str(bad), "-m", "1")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert f"{bad}:5:" in result.stderr


def test_debug_is_one_invocations_not_the_processes():
    """--debug lives in ctx.meta: a later command in the same process shows no traceback."""
    with_debug = CliRunner().invoke(cli, ["preview", "no-such-template", "-m", "5", "--debug"])
    after = CliRunner().invoke(cli, ["preview", "no-such-template", "-m", "5"])
    assert with_debug.exit_code == after.exit_code == 1
    assert "Traceback" in with_debug.output and "Traceback" not in after.output, after.output
