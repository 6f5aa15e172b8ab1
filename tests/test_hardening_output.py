"""Issue 20, items 1, 3 and 11: names that would collide or break a playlist are refused, and a
commit (the renames) once begun finishes, with an interrupt message that says what is true."""

from __future__ import annotations

import signal
import textwrap

import pytest
from click.testing import CliRunner
from faults import start, wait_for

from guided_audio.cli import cli
from guided_audio.errors import SeriesError
from guided_audio.series.spec import read_series

COMMIT = """
import sys, time
from pathlib import Path
import guided_audio.output as output
from guided_audio.cli import _interrupt
from guided_audio.errors import describe
import signal
signal.signal(signal.SIGTERM, _interrupt)
mp3 = Path(sys.argv[1])
real_sync = output.sync_folder
def sync_folder(folder):  # the MP3 is in place, the sidecars not yet: say so, then linger
    real_sync(folder)
    if not getattr(sync_folder, "said", False):
        sync_folder.said = True
        print("committing", flush=True)
        time.sleep(0.5)
output.sync_folder = sync_folder
try:
    with output.OutputFiles(mp3).writing() as temps:
        for ext, path in temps.items():
            path.write_bytes(b"new " + ext.encode())
    print("not interrupted", flush=True)
except KeyboardInterrupt as exc:
    message, code = describe(exc)
    print(message, file=sys.stderr)
    sys.exit(code)
"""


@pytest.mark.parametrize("name", ["a.chapters.mp3", "a.CHAPTERS.mp3", "a\nb.mp3", "a\tb.mp3", "#EXTINF:1,x\u2028.mp3"])
def test_generate_refuses_a_name_whose_files_would_collide_or_break_a_playlist(tmp_path, name):
    (tmp_path / "a.chapters.json").write_bytes(b"a's chapters")
    result = CliRunner().invoke(cli, ["generate", "deep-breathing", "-m", "2", "-o", str(tmp_path / name)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Error: output name" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.chapters.json"]
    assert (tmp_path / "a.chapters.json").read_bytes() == b"a's chapters"


def test_a_series_refuses_an_episode_file_that_ends_in_chapters(tmp_path):
    path = tmp_path / "course.toml"
    path.write_text(textwrap.dedent("""\
        [series]
        title = "Evenings"

        [[episode]]
        title = "One"
        template = "deep-breathing"
        minutes = 3
        file = "a"

        [[episode]]
        title = "Two"
        template = "deep-breathing"
        minutes = 3
        file = "a.chapters"
        """), encoding="utf-8")  # fmt: skip
    with pytest.raises(SeriesError, match=r"^course\.toml:14: .*ends in \.chapters"):
        read_series(path)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("older", [False, True], ids=["new", "over-an-older-session"])
def test_a_signal_during_the_renames_waits_for_them_and_the_message_says_what_was_written(tmp_path, sig, older):
    mp3 = tmp_path / "s.mp3"
    if older:
        for name in ("s.mp3", "s.json", "s.vtt", "s.chapters.json"):
            (tmp_path / name).write_bytes(b"old")
    child = start(COMMIT, str(mp3))
    wait_for(lambda: "committing" in child.stdout.readline(), timeout=30, process=child)
    child.send_signal(sig)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 128 + sig, err
    assert err.splitlines() == ["interrupted; 1 session was written whole (s.mp3), and every other file is as it was"]
    files = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert files == {"s.mp3": b"new mp3", "s.json": b"new json", "s.vtt": b"new vtt",
                     "s.chapters.json": b"new chapters.json"}  # fmt: skip
