"""Ctrl-C (SIGINT) and SIGTERM at every stage of a render: old files untouched, nothing new, one line.

Each case is a real signal to a real `guided-audio generate` in a child process. The child's
progress hook (the one the progress bars use) says which stage has begun and then holds that
stage open until the signal has landed (no fixed sleep), so it lands while the stage's
encoders, threads and temporary files are all alive.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from faults import debris, start, temp_folders, wait_for

HOOKED = """
import signal, sys, threading
stage = sys.argv.pop(1)
import guided_audio.cli as cli
import guided_audio.commands.generate as command
import guided_audio.session as session

signalled = threading.Event()
real_interrupt = cli._interrupt
def interrupt(signum, frame):  # SIGTERM, as the CLI handles it
    signalled.set()
    real_interrupt(signum, frame)
cli._interrupt = interrupt
def ctrl_c(signum, frame):  # SIGINT, as Python handles it
    signalled.set()
    signal.default_int_handler(signum, frame)
signal.signal(signal.SIGINT, ctrl_c)

def announce():
    print(stage, flush=True)
    signalled.wait(60)  # the stage stays open until the signal lands (in the main thread, it raises here)

if stage == "Tagging":
    real_tags = session.write_tags
    def write_tags(*args):
        real_tags(*args)
        announce()
    session.write_tags = write_tags
else:
    real_progress = command.ProgressBars.__call__
    def progress(self, name, done, total):
        if name == stage and not getattr(self, "announced", False):
            self.announced = True
            announce()
        return real_progress(self, name, done, total)
    command.ProgressBars.__call__ = progress
from guided_audio.cli import main
main()
"""
OLD = {"s.mp3": b"old mp3", "s.json": b"{}", "s.vtt": b"WEBVTT\n", "s.chapters.json": b"{}"}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("stage", ["Synthesising", "Measuring", "Encoding", "Tagging"])
def test_an_interrupt_at_any_stage_leaves_the_old_files_and_nothing_else(tmp_path, stage, sig):
    out, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    for name, data in OLD.items():
        (out / name).write_bytes(data)
    args = ["generate", "deep-breathing", "-m", "2", "-o", str(out / "s.mp3")]
    if stage == "Synthesising":
        args.append("--no-cache")
    if stage == "Measuring":
        args += ["--background", "rain"]  # the bed is made on a thread of its own
    child = start(HOOKED, stage, *args, tmpdir=tmpdir)
    line = []
    wait_for(lambda: line.append(child.stdout.readline()) or stage in line[-1], process=child)
    child.send_signal(sig)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 128 + sig, err
    assert err.splitlines() == ["Error: interrupted; nothing was written, and files already there are as they were"]
    assert {path.name: path.read_bytes() for path in out.iterdir()} == OLD
    assert debris(out) == [] and temp_folders(tmpdir) == []
    assert not _processes_mentioning(tmp_path), "an encoder outlived the render"


def test_ctrl_c_at_a_terminal_reaches_the_encoders_too_and_still_gives_one_line(tmp_path):
    """A terminal's Ctrl-C signals the whole foreground group: ffmpeg must not die first and be reported."""
    out, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    child = start(HOOKED, "Encoding", "generate", "deep-breathing", "-m", "2", "-o", str(out / "s.mp3"),
                  tmpdir=tmpdir, new_group=True)  # fmt: skip
    wait_for(lambda: "Encoding" in child.stdout.readline(), process=child)
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130 and err.splitlines() == [
        "Error: interrupted; nothing was written, and files already there are as they were"
    ]
    assert list(out.iterdir()) == [] and temp_folders(tmpdir) == []


@pytest.mark.parametrize("stage", ["Synthesising", "Encoding"])
def test_an_interrupted_render_into_a_new_folder_leaves_no_folder(tmp_path, stage):
    """`-o new/folder/` is made only when there is something to write, and unmade if that fails."""
    target, tmpdir = tmp_path / "new" / "folder", tmp_path / "tmp"
    args = ["generate", "deep-breathing", "-m", "2", "-o", f"{target}/"]
    if stage == "Synthesising":
        args.append("--no-cache")
    child = start(HOOKED, stage, *args, tmpdir=tmpdir)
    wait_for(lambda: stage in child.stdout.readline(), process=child)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert not (tmp_path / "new").exists(), "the folder made for the output outlived the render"


def _processes_mentioning(path: Path) -> list[str]:
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(path) in cmdline and int(proc.name) != os.getpid():
            found.append(cmdline)
    return found
