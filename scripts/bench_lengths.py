"""How long `preview` takes now that it also finds the lengths a template fits.

    PYTHONPATH=src python scripts/bench_lengths.py [--runs 5]

For each built-in template with its defaults, and for the longest search (16 muscle groups
twice, whose minimum is found by trying every minute from 5 up), measured side by side in one
run (medians of several runs, since the machine is shared and noisy):
  plan      preview's plan alone (render, parse, lay out once);
  preview   the whole preview, including the length search (every whole minute is tried);
  no-reuse  the length search as it would cost if every render compiled the template again;
  command   `guided-audio preview` as a user runs it (a new Python process, imports included).
Prints seconds and the ratios preview/plan and no-reuse/preview. The goal: the command under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from guided_audio.script import templates
from guided_audio.script.lengths import PhraseLengths, length_range
from guided_audio.session import SessionRequest, preview


def median_seconds(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def without_reuse(template: templates.Template, variables: dict[str, str]) -> None:
    """The length search with the compiled-template cache emptied before every render."""
    real_render = templates.render

    def render_compiling(*args, **kwargs):
        templates._compiled.cache_clear()
        return real_render(*args, **kwargs)

    templates.render = render_compiling
    try:
        length_range(template, variables, PhraseLengths(0.75, lambda phrase: None))
    finally:
        templates.render = real_render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cases = [(t, {}) for t in templates.available() if t.builtin]
    cases.append((templates.find("progressive-muscle-relaxation"), {"groups": "16", "second_round": "true"}))
    print(f"{'template':58} {'plan s':>7} {'preview s':>10} {'no-reuse s':>11} {'command s':>10} {'preview/plan':>13} {'no-reuse/preview':>17}")
    for template, variables in cases:
        request = SessionRequest(template.name, 30, variables=variables)
        full = median_seconds(lambda: preview(request), args.runs)
        plan_only = median_seconds(lambda: _plan_only(request), args.runs)
        cold = median_seconds(lambda: without_reuse(template, variables), max(1, args.runs // 2))
        command = median_seconds(lambda: _command(template.name, variables), args.runs)
        label = template.name + "".join(f" {k}={v}" for k, v in variables.items())
        print(
            f"{label:58} {plan_only:7.3f} {full:10.3f} {cold:11.3f} {command:10.3f} "
            f"{full / plan_only:13.1f} {cold / full:17.1f}"
        )


def _plan_only(request: SessionRequest) -> None:
    """preview() without the length search: the same steps up to the laid-out plan."""
    from guided_audio import session

    real = session.length_range
    session.length_range = lambda *args: None
    try:
        preview(request)
    finally:
        session.length_range = real


def _command(name: str, variables: dict[str, str]) -> None:
    env = dict(os.environ)  # the installed guided-audio (or the caller's PYTHONPATH), as this script imports
    options = [arg for key, value in variables.items() for arg in ("--var", f"{key}={value}")]
    subprocess.run(
        [sys.executable, "-m", "guided_audio", "preview", name, "-m", "30", *options],
        check=True, capture_output=True, env=env,
    )  # fmt: skip


if __name__ == "__main__":
    main()
