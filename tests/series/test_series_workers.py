"""Issue 20, item 4: a build's worker processes die with it, even when it is SIGKILLed (no
clean-up of its own runs then); they would otherwise hold hundreds of MB forever."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from faults import start_cli, wait_for

from guided_audio.output import process_runs

SERIES = """\
[series]
title = "Two"

[[episode]]
title = "One"
template = "deep-breathing"
minutes = 3

[[episode]]
title = "Two"
template = "deep-breathing"
minutes = 4
"""


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_workers_die_when_the_build_is_sigkilled(tmp_path):
    series, tmpdir = tmp_path / "two.toml", tmp_path / "tmp"
    series.write_text(SERIES, encoding="utf-8")
    child = start_cli("build", str(series), "--jobs", "2", "-o", str(tmp_path / "out"), "-q",
                      tmpdir=tmpdir, env={"GUIDED_AUDIO_CACHE": str(tmp_path / "cache")})  # fmt: skip
    # Each worker makes its episode's temp folder once it has started (and run its initializer).
    wait_for(lambda: len(list(tmpdir.glob("guided-audio-episode-*"))) >= 2, timeout=60, process=child)
    workers = [pid for pid in _children(child.pid) if b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(workers) >= 2, workers
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(process_runs(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [pid for pid in workers if process_runs(pid)]
    for pid in alive:  # do not leave them to the next test either way
        os.kill(pid, signal.SIGKILL)
    assert not alive, "a worker outlived the build"
