"""A soak: many varied sessions rendered in one process, each checked, memory watched.

    python scripts/soak.py              # 50 sessions: every template, some backgrounds (minutes)
    python scripts/soak.py --count 6    # a short soak (the tests run this)

Every session is rendered through the library (as `generate` does) into one folder and then
checked as a listener's player would find it: the decoded MP3 is exactly the length asked
for (plus the last frame's padding), its loudness by ffmpeg's EBU R128 meter is the one the
manifest reports, the manifest names this very MP3's audio (size and SHA-256), and the transcript
and chapters beside it are whole. Memory: the peak resident size of the process, and the
growth of the resident size (after a garbage collection) from the 5th render to the last,
which a leak would show (goal: under 10 %); the voice is loaded and its memory arena grown
before the first render, so those one-time costs are not counted (the line before the first
render shows them). Prints one line per session and a summary.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BACKGROUNDS = ["none", "rain", "none", "ocean", "pink-noise", "none", "wind", "drone", "binaural", "brown-noise"]
"""Cycled through: about half the sessions with a bed, half without."""
GROWTH_GOAL = 0.10
WARM_UP = " ".join(["Let your attention rest for a while on the soles of your feet, noticing warmth or coolness,"
                    " the touch of the floor, and whatever else is here, without needing to change anything."] * 3)
"""Longer than any phrase of the built-in templates, so the voice's arena is grown to its full size."""
LOUDNESS_TOLERANCE_LU = 1.0
PADDING_SECONDS = 0.05
"""The decoded MP3 may run past the exact length by its last frame's padding (< 27 ms)."""


def sessions(count: int, seed: int = 10) -> list[tuple[str, float, dict[str, str], str]]:
    """(template, minutes, --vars, background) for `count` sessions: every built-in template in
    turn, at its shortest lengths, with choices and backgrounds varied."""
    from guided_audio.script.fitting import DEFAULT_RATE
    from guided_audio.script.lengths import PhraseLengths, length_range
    from guided_audio.script.templates import available

    chooser = random.Random(seed)
    builtins = [template for template in available() if template.builtin]
    estimates = PhraseLengths(DEFAULT_RATE, lambda phrase: None)
    plan = []
    for index in range(count):
        template = builtins[index % len(builtins)]
        variables = {}
        if index >= len(builtins):  # the first round at the defaults, which the tests' cache holds
            for name, spec in sorted(template.params.items()):
                if spec.choices and chooser.random() < 0.6:
                    variables[name] = chooser.choice(spec.choices)
        shortest = length_range(template, variables, estimates).shortest
        minutes = float(shortest + 1 + chooser.choice([0, 0, 1]))  # a minute's margin for estimates
        plan.append((template.name, minutes, variables, BACKGROUNDS[index % len(BACKGROUNDS)]))
    return plan


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_mp3(path: Path, channels: int) -> tuple[float, float]:
    """Seconds of decoded audio and integrated loudness (LUFS), by ffmpeg in one pass."""
    from guided_audio.audio.ffmpeg import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128", "-f", "s16le", "-ac",
           str(channels), "-ar", "44100", "pipe:1"]  # fmt: skip
    with tempfile.TemporaryFile() as log:  # the meter logs every 100 ms: a pipe would fill and stall ffmpeg
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log) as proc:
            decoded = 0
            while block := proc.stdout.read(1 << 20):
                decoded += len(block)
        log.seek(0)
        errors = log.read().decode(errors="replace")
    summary = errors[errors.rfind("Summary:") :]
    found = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    if proc.returncode != 0 or found is None:
        raise AssertionError(f"ffmpeg could not measure {path.name}: {errors.strip()[-300:]}")
    return decoded / 2 / channels / 44100, float(found.group(1))


def check(mp3: Path, minutes: float) -> str:
    """Every check a session must pass; returns a short account, raises AssertionError on a failure."""
    from guided_audio.mp3.fingerprint import matches

    manifest = json.loads(mp3.with_suffix(".json").read_text(encoding="utf-8"))
    assert abs(manifest["duration"] - minutes * 60) <= 0.001, f"manifest says {manifest['duration']} s"
    assert matches(mp3, manifest.get("mp3")), "the manifest does not name this MP3's audio"
    seconds, lufs = measure_mp3(mp3, manifest["channels"])
    assert minutes * 60 <= seconds < minutes * 60 + PADDING_SECONDS, f"decoded {seconds:.3f} s"
    assert abs(lufs - manifest["loudness_lufs"]) <= LOUDNESS_TOLERANCE_LU, f"{lufs} LUFS, manifest {manifest['loudness_lufs']}"
    vtt = mp3.with_suffix(".vtt").read_text(encoding="utf-8")
    cues = vtt.count(" --> ")
    assert vtt.startswith("WEBVTT") and cues == sum(1 for s in manifest["segments"] if s["kind"] == "speech")
    chapters = json.loads(mp3.with_suffix(".chapters.json").read_text(encoding="utf-8"))["chapters"]
    assert [c["title"] for c in chapters] == [c["title"] for c in manifest["chapters"]]
    return f"{seconds:.3f} s, {lufs:+.1f} LUFS, {cues} cues, {len(chapters)} chapters"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50, help="sessions to render (default 50)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")

    from guided_audio.session import SessionRequest, generate
    from guided_audio.voice.engine import make_engine

    # One-time costs are paid before the first render, so that growth is what a leak would add:
    # the voice is loaded once per process (about 150 MB), and onnxruntime's memory arena grows
    # to fit the longest phrase it has spoken and keeps that size (up to about 300 MB more).
    make_engine("piper", rate=0.75).synthesize(WARM_UP)
    print(f"resident memory with the voice loaded and its arena grown: {resident_mb():.0f} MB", flush=True)
    resident: list[float] = []
    failures = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="guided-audio-soak-") as folder:
        for number, (name, minutes, variables, background) in enumerate(sessions(args.count), start=1):
            mp3 = Path(folder) / f"{number:02d}-{name}.mp3"
            choices = " ".join(f"{k}={v}" for k, v in variables.items())
            label = f"{number:2d}. {name} {minutes:g} min{' ' + choices if choices else ''}, background {background}"
            result = account = None
            try:
                request = SessionRequest(name, minutes, variables=variables, background=background, output=mp3, seed=number)
                result = generate(request)
                account = check(mp3, minutes)
            except Exception as exc:  # every failure is counted and shown, the soak goes on
                failures += 1
                print(f"{label}: FAILED: {type(exc).__name__}: {exc}", flush=True)
            else:
                made = f"{result.synthesised} phrases synthesised" if result.synthesised else "all phrases cached"
                account += f", rendered in {result.seconds_taken:.1f} s ({made})"
            del result
            gc.collect()
            resident.append(resident_mb())
            if account is not None:
                print(f"{label}: {account}; resident {resident[-1]:.0f} MB", flush=True)
            for path in Path(folder).iterdir():  # keep the disk flat: each session is checked once
                path.unlink()

    base = resident[min(4, len(resident) - 1)]
    growth = (resident[-1] - base) / base
    print(f"\n{args.count} sessions in {time.perf_counter() - started:.0f} s; peak memory {peak_mb():.0f} MB")
    print(
        f"resident memory after render {min(5, len(resident))}: {base:.0f} MB, after render {len(resident)}: "
        f"{resident[-1]:.0f} MB: growth {growth:+.1%} (goal under {GROWTH_GOAL:.0%})"
    )
    if failures:
        print(f"soak FAILED: {failures} of {args.count} sessions failed their checks")
        return 1
    print(f"soak: {args.count} sessions, all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
