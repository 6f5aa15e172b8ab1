"""Every way a command can fail ends the same: one `Error:` line, exit 2 for usage, 1 for the rest."""

from __future__ import annotations

import subprocess
import sys

import pytest
from faults import child_env

BROKEN = """
import sys
import guided_audio.session as session
kind = sys.argv.pop(1)
def broken(*args, **kwargs):
    if kind == "bug":
        raise ValueError("a value nobody expected")
    if kind == "disk":
        raise OSError(28, "No space left on device", "/media/full/s.mp3")
    raise MemoryError
session.synthesise_phrases = broken
from guided_audio.cli import main
main()
"""


def cli(*args: str, code: str = "from guided_audio.cli import main; main()") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, env=child_env()
    )


@pytest.mark.parametrize(
    "args, exit_code, line",
    [
        (["generate", "deep-breathing", "-m", "2", "--bitrate", "7"], 2, "Error: Invalid value for '--bitrate': 7 is not in the range"),
        (["generate", "deep-breathing", "-m", "five"], 2, "Error: Invalid value for '--minutes' / '-m': 'five' is not a valid float."),
        (["nonsense"], 2, "Error: No such command 'nonsense'."),
        (["generate", "no-such-template", "-m", "5"], 1, "Error: no template named 'no-such-template'"),
        (["generate", "deep-breathing", "-m", "5", "--var", "pattern=square"], 1, "Error: "),
        (["cache", "info", "--nope"], 2, "Error: No such option: --nope"),
    ],
)
def test_usage_errors_exit_2_and_the_rest_1_each_with_one_line(args, exit_code, line):
    result = cli(*args)
    assert result.returncode == exit_code, result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(line), result.stderr
    assert "Traceback" not in result.stderr


def test_a_bug_says_it_is_one_and_where_to_take_it_in_one_line():
    result = cli("bug", "generate", "deep-breathing", "-m", "2", "-q", "-o", "s.mp3", code=BROKEN)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: an unexpected ValueError: a value nobody expected; this is a bug in guided-audio: "
        "rerun the same command with --debug and report its output to the guided-audio developers"
    ]


@pytest.mark.parametrize("flag", ["--debug", "-vv"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_above_the_line(flag, where):
    command = ["generate", "deep-breathing", "-m", "2", "-q", "-o", "s.mp3"]
    args = [flag, *command] if where == "before" else [*command, flag]
    result = cli("bug", *args, code=BROKEN)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):" and "ValueError: a value nobody expected" in lines
    assert lines[-1].startswith("Error: an unexpected ValueError")


def test_the_worlds_failures_are_named_not_called_bugs():
    disk = cli("disk", "generate", "deep-breathing", "-m", "2", "-q", "-o", "s.mp3", code=BROKEN)
    assert disk.returncode == 1 and disk.stderr.splitlines() == [
        "Error: No space left on device (/media/full/s.mp3); free some space or fix the permission, then try again"
    ]
    memory = cli("memory", "generate", "deep-breathing", "-m", "2", "-q", "-o", "s.mp3", code=BROKEN)
    assert memory.returncode == 1 and memory.stderr.splitlines() == [
        "Error: out of memory; close other programs or render a shorter session"
    ]
