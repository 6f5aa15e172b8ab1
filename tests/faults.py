"""Real child processes to hurt: the console entry point started, watched, and signalled."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import guided_audio

SOURCE = str(Path(guided_audio.__file__).resolve().parents[1])


def child_env(tmpdir: Path | None = None, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child that imports this guided_audio (and its own temp folder)."""
    env = {**os.environ, **(env or {}), "PYTHONPATH": os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")]))}
    if tmpdir is not None:
        tmpdir.mkdir(parents=True, exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    return env


def start(
    code: str, *args: str, tmpdir: Path | None = None, new_group: bool = False, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Run `code` (Python, which ends by calling guided_audio.cli.main) with `args` as argv;
    `new_group`: in a process group of its own, as a shell runs a command in a terminal."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=child_env(tmpdir, env), text=True, start_new_session=new_group,
    )  # fmt: skip


def start_cli(*args: str, tmpdir: Path | None = None, env: dict[str, str] | None = None) -> subprocess.Popen:
    return start("from guided_audio.cli import main; main()", *args, tmpdir=tmpdir, env=env)


def wait_for(condition, timeout: float = 120.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the child ended ({process.returncode}) first: {process.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the child")
        time.sleep(0.005)


def debris(folder: Path) -> list[str]:
    """Hidden temporary files of ours in `folder`."""
    return sorted(path.name for path in folder.iterdir() if ".partial" in path.name or path.name.startswith(".guided"))


def temp_folders(tmpdir: Path) -> list[str]:
    return sorted(path.name for path in tmpdir.iterdir() if path.name.startswith("guided-audio-"))
