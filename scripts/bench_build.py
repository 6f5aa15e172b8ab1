"""Benchmark `guided-audio build`: first build, a re-run with nothing changed, and one changed
episode, each with --jobs 1 and with every core, side by side in one run.

    python scripts/bench_build.py [--series examples/three-evenings.toml] [--repeats 3] [--smoke]

Each timing is the whole command as a user runs it. Phrases come from a private cache warmed
by one build first, so the figures are about rendering (layout, mix, encode, feed), not the
first-ever synthesis of each phrase; pass --cold to time that too (once). The machine is
shared and noisy: medians of --repeats runs, and ratios of medians measured in this run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMOKE = '[series]\ntitle = "Smoke"\n\n[[episode]]\ntitle = "Breathe"\ntemplate = "deep-breathing"\nminutes = 2\n'


def build(series: Path, out: Path, jobs: int, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "guided_audio", "build", str(series), "-o", str(out), "-j", str(jobs), "-q"],
                   check=True, env=env)  # fmt: skip
    return time.perf_counter() - started


def one_change(text: str) -> str:
    """The last episode one minute longer."""
    last = [m for m in re.finditer(r"^minutes = (\d+(\.\d+)?)$", text, re.M)][-1]
    return text[: last.start()] + f"minutes = {float(last.group(1)) + 1:g}" + text[last.end():]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=Path, default=ROOT / "examples" / "three-evenings.toml")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time one first build with an empty phrase cache")
    parser.add_argument("--smoke", action="store_true", help="one run of a one-episode series: checks the script works")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    env = {**os.environ, "GUIDED_AUDIO_CACHE": str(work / "cache")}
    series = work / args.series.name
    original = SMOKE if args.smoke else args.series.read_text(encoding="utf-8")
    if args.smoke:
        args.repeats, series = 1, work / "smoke.toml"
    series.write_text(original, encoding="utf-8")
    try:
        if args.cold:
            print(f"cold first build (--jobs {cores}, empty phrase cache): {build(series, work / 'cold', cores, env):.1f} s")
        else:
            build(series, work / "warm-up", cores, env)
        times: dict[tuple[int, str], list[float]] = {}
        for repeat in range(args.repeats):
            for jobs in dict.fromkeys((1, cores)):
                out = work / f"out-{jobs}-{repeat}"
                series.write_text(original, encoding="utf-8")
                times.setdefault((jobs, "first"), []).append(build(series, out, jobs, env))
                times.setdefault((jobs, "rerun"), []).append(build(series, out, jobs, env))
                series.write_text(one_change(original), encoding="utf-8")
                times.setdefault((jobs, "change"), []).append(build(series, out, jobs, env))
                shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"{series.name}, {args.repeats} runs each, medians (s), {cores} cores")
    print(f"{'':28}{'--jobs 1':>10}{f'--jobs {cores}':>10}")
    for stage, label in (("first", "first build"), ("rerun", "re-run, nothing changed"), ("change", "one episode changed")):
        print(f"{label:28}{median[(1, stage)]:>10.2f}{median[(cores, stage)]:>10.2f}")
    print(f"first build, --jobs 1 / --jobs {cores}: {median[(1, 'first')] / median[(cores, 'first')]:.2f}x")
    for jobs in dict.fromkeys((1, cores)):
        print(f"--jobs {jobs}: re-run / first build = {median[(jobs, 'rerun')] / median[(jobs, 'first')]:.3f}; "
              f"one change / first build = {median[(jobs, 'change')] / median[(jobs, 'first')]:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
