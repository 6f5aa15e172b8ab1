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
    series = tmp_path / "one.toml"
    series.write_text(ONE)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "guided_audio", "build", str(series), "-o", str(tmp_path / "out"),
                           "--scheduler", address], capture_output=True, text=True, env=child_env(), timeout=60)  # fmt: skip
    assert time.monotonic() - started < 10
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(("Error: --scheduler ", "Error: cannot reach the Dask scheduler")), done.stderr
    assert not (tmp_path / "out").exists()
