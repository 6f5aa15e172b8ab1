"""Every script the README names runs, here, with its fast flags: none may rot unnoticed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import guided_audio

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

RUNS = {
    "check_lengths.py": (["deep-breathing", "--var", "pattern=box", "--up-to", "3"], "fits every minute"),
    "bench.py": (["--smoke"], "(c) 2 min deep-breathing with rain: peak memory"),
    "golden.py": (["--audio-only"], "everything matches the records"),
    "content_report.py": (["affirmations", "--minutes", "3"], "3 min: speech"),
    "check_podcast_client.py": ([], "\nOK"),
    "bench_build.py": (["--smoke"], "re-run / first build ="),
    "soak.py": (["--count", "6"], "soak: 6 sessions, all checks passed"),
    "compare_voices.py": (["--phrases", "4"], "the default should be "),  # one phrase from each script
}
"""How each script is run, and a line its success prints."""


def named_in_readme() -> set[str]:
    return set(re.findall(r"python scripts/([\w-]+\.py)", README.read_text(encoding="utf-8")))


def test_every_script_the_readme_names_exists_and_is_run_here():
    named = named_in_readme()
    assert named == set(RUNS), "give each script the README names a run in RUNS"
    assert all((ROOT / "scripts" / name).is_file() for name in named)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_script_runs(name):
    if name == "check_podcast_client.py" and shutil.which("gpo") is None:
        if os.environ.get("CI"):
            pytest.fail("gpo is missing: .ci/run installs gpodder")
        pytest.skip("needs gpo: apt-get install gpodder")
    args, success = RUNS[name]
    source = str(Path(guided_audio.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert success in proc.stdout, proc.stdout[-2000:]
