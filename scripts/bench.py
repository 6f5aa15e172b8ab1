"""Speed and memory of rendering, as ratios measured side by side in one run.

    python scripts/bench.py            # everything; the 60-minute pydub run alone takes minutes
    python scripts/bench.py --quick    # skip the 60-minute pydub run
    python scripts/bench.py --runs 5   # more repetitions (medians are printed)
    python scripts/bench.py --smoke    # every step once on 2-minute sessions: checks the
                                       # benchmark runs (the tests do); its figures mean nothing

Measures, on this machine, now:
  (a) a warm (cached speech) 20-minute render through the CLI against ffmpeg encoding the
      same 20 minutes of audio at the same settings (goal: at most 1.5x);
  (b) that render against the straightforward pydub way (append each phrase and pause with
      +=, overlay a looped bed, fade, export) on the same cue-dense breathing session, at 20
      and 60 minutes (goals: at least 2.5x and 8x faster);
  (c) the peak memory of a 60-minute guided-imagery with rain (goal: under 500 MB);
  (d) for each voice (heart, joe): a cold render (empty phrase cache) of a guided-imagery with
      rain against the floor, the engine's own synthesis of the same distinct phrases on one
      core in one process; and the peak memory of that render cold and then warm (issue 19:
      under 400 MB cold, 300 MB warm at 60 minutes).
Speech for (a) to (c) is synthesised once up front (into the normal phrase cache) and is not timed.

    python scripts/bench.py --voices-only --voice-minutes 20   # only (d), on 20-minute sessions
    python scripts/bench.py --voices-only --voice-minutes 5 --runs 1   # (d) on a 5-minute imagery
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BREATHING = """+++
title = "Cue-dense breathing"
description = "Box breathing with a spoken cue on every phase, for benchmarks"
+++
[chapter Breathing]
{% for i in range((seconds // 16) | int - 1) %}
[phase inhale 4s] Breathe in. [phase hold 4s] Hold gently. [phase exhale 4s] Breathe out. [phase rest 4s] Rest.
{% endfor %}
"""


def child_env() -> dict[str, str]:
    """The children run the guided-audio this script imports: the installed one (or the caller's PYTHONPATH)."""
    return dict(os.environ)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one child process."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=child_env(), stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"failed: {' '.join(cmd)}\n{errors.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def render_cmd(template: str, minutes: int, out: Path, background: str, *options: str) -> list[str]:
    return [sys.executable, "-m", "guided_audio", "generate", template, "-m", str(minutes),
            "--background", background, "-o", str(out), "-q", *options]  # fmt: skip


def distinct_phrases(voice: str, template: str, minutes: int) -> list[str]:
    """The words of the session's distinct phrases for `voice` (the plan only: no synthesis)."""
    from guided_audio.script.lengths import phrases
    from guided_audio.session import SessionRequest, preview

    request = SessionRequest(template, minutes, voice=voice, use_cache=False)
    return [phrase.text for phrase in dict.fromkeys(phrases(preview(request, with_range=False).items))]


def floor_child(voice: str, template: str, minutes: int) -> None:
    """Print the seconds the engine takes to speak the session's distinct phrases, one at a time
    on one core: what a cold render cannot beat without more cores."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from guided_audio.script.lengths import phrases
    from guided_audio.session import SessionRequest, preview
    from guided_audio.voice.engine import make_engine
    from guided_audio.voice.speech import speak

    request = SessionRequest(template, minutes, voice=voice, use_cache=False)
    distinct = list(dict.fromkeys(phrases(preview(request, with_range=False).items)))
    engine = make_engine(voice=voice, rate=request.rate)
    engine.synthesize("Settle in.")  # the model loads outside the timing, as the render's first phrase pays it
    started = time.perf_counter()
    for phrase in distinct:
        speak(engine, phrase.text, engine.rate * phrase.pace)
    print(time.perf_counter() - started)


def voice_figures(folder: Path, voice: str, template: str, minutes: int, runs: int) -> dict[str, float]:
    """(d) for one voice: cold render and its floor (medians), peak memory cold and warm."""
    colds, peaks, floors = [], [], []
    for run in range(runs):
        cache = folder / f"cache-{voice}-{run}"
        os.environ["GUIDED_AUDIO_CACHE"] = str(cache)
        seconds, peak = timed(render_cmd(template, minutes, folder / f"{voice}.mp3", "rain", "--voice", voice))
        colds.append(seconds)
        peaks.append(peak)
        child = subprocess.run([sys.executable, __file__, "--floor-child", voice, template, str(minutes)],
                               env=child_env(), capture_output=True, text=True, check=True)  # fmt: skip
        floors.append(float(child.stdout.strip().splitlines()[-1]))
    warm_seconds, warm_peak = timed(render_cmd(template, minutes, folder / f"{voice}.mp3", "rain", "--voice", voice))
    return {"cold": statistics.median(colds), "floor": statistics.median(floors), "cold_peak": statistics.median(peaks),
            "warm": warm_seconds, "warm_peak": warm_peak}  # fmt: skip


def print_voice_figures(figures: dict[str, dict[str, float]], template: str, minutes: int, runs: int) -> None:
    load = os.getloadavg()
    print(f"(d) {minutes} min {template} with rain, cold (empty cache) then warm; medians of {runs}; "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for voice, f in figures.items():
        print(f"    {voice:6s} cold render {f['cold']:6.1f} s / floor (one core) {f['floor']:6.1f} s = "
              f"{f['cold'] / f['floor']:4.2f}x; warm {f['warm']:5.1f} s; peak memory cold {f['cold_peak']:.0f} MB "
              f"(goal < 400), warm {f['warm_peak']:.0f} MB (goal < 300)")
    if {"heart", "joe"} <= figures.keys():
        same = distinct_phrases("heart", template, minutes) == distinct_phrases("joe", template, minutes)
        script = "the same script (same distinct phrases)" if same else "NOT the same script: compare with care"
        print(f"    heart's cold render is {figures['joe']['cold'] / figures['heart']['cold']:.1f}x faster than joe's, "
              f"on {script}; issue 19's goal: at least 3x")


def median_of(runs: int, cmd: list[str]) -> float:
    return statistics.median(timed(cmd)[0] for _ in range(runs))


def encode_reference(mp3: Path, folder: Path, runs: int) -> float:
    """ffmpeg encoding the same audio (decoded from our MP3) with the same settings."""
    from guided_audio.audio.ffmpeg import ffmpeg_exe, mp3_options

    raw = folder / "reference.s16"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(mp3), "-f", "s16le", "-ac", "1",
                    "-ar", "44100", str(raw)], check=True)  # fmt: skip
    cmd = [ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "s16le", "-ar", "44100", "-ac", "1", "-i", str(raw),
           *mp3_options(96), str(folder / "reference.mp3")]  # fmt: skip
    return median_of(runs, cmd)


def pydub_way(template: str, minutes: int, out: str) -> None:
    """The straightforward way: build the session with pydub's += and overlay, then export."""
    import warnings

    import numpy as np

    with warnings.catch_warnings():  # it looks for ffmpeg on PATH; we hand it imageio's below
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment

    from guided_audio.audio.ffmpeg import ffmpeg_exe
    from guided_audio.audio.samples import SESSION_RATE
    from guided_audio.mix.soundscapes import Rain
    from guided_audio.session import SessionRequest, preview
    from guided_audio.voice.cache import PhraseCache
    from guided_audio.script.markup import Speech
    from guided_audio.voice.engine import make_engine
    from guided_audio.voice.speech import cache_key

    AudioSegment.converter = ffmpeg_exe()
    request = SessionRequest(template, minutes)
    plan = preview(request)
    assert plan.estimated_phrases == 0, "speech must be cached first"
    cache = PhraseCache()
    engine = make_engine(request.engine, voice=request.voice, rate=request.rate)

    def segment(samples: np.ndarray) -> AudioSegment:
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        return AudioSegment(pcm, frame_rate=SESSION_RATE, sample_width=2, channels=1)

    session = AudioSegment.silent(duration=0, frame_rate=SESSION_RATE)
    for part in plan.timeline.segments():
        if part.kind == "speech":
            session += segment(cache.get(cache_key(engine, cache, Speech(part.text))))
        else:
            session += AudioSegment.silent(duration=(part.end - part.start) * 1000, frame_rate=SESSION_RATE)
    loop = segment(Rain(0).read(30 * SESSION_RATE))
    bed = (loop * (len(session) // len(loop) + 1))[: len(session)]
    session = session.overlay(bed - 22).fade_in(4000).fade_out(8000)
    session.export(out, format="mp3", bitrate="96k", parameters=["-write_xing", "0"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 60-minute pydub run (minutes long)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions for each median (default 3)")
    parser.add_argument("--smoke", action="store_true", help="every step once on short sessions (figures mean nothing)")
    parser.add_argument("--voices", default="heart,joe", help="voices for (d), comma-separated (default heart,joe)")
    parser.add_argument("--voice-minutes", type=int, help="length of (d)'s sessions (default 60; smoke 2)")
    parser.add_argument("--voices-only", action="store_true", help="only (d)")
    parser.add_argument("--voice-template", help="template of (d)'s sessions (default guided-imagery; smoke deep-breathing)")
    parser.add_argument("--pydub-child", nargs=3, metavar=("TEMPLATE", "MINUTES", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--floor-child", nargs=3, metavar=("VOICE", "TEMPLATE", "MINUTES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pydub_child:
        template, minutes, out = args.pydub_child
        pydub_way(template, int(minutes), out)
        return
    if args.floor_child:
        voice, template, minutes = args.floor_child
        floor_child(voice, template, int(minutes))
        return
    voice_minutes = args.voice_minutes or (2 if args.smoke else 60)
    voice_template = args.voice_template or ("deep-breathing" if args.smoke else "guided-imagery")
    if args.voices_only:
        with tempfile.TemporaryDirectory(prefix="guided-audio-bench-") as name:
            figures = {v: voice_figures(Path(name), v, voice_template, voice_minutes, args.runs) for v in args.voices.split(",")}
        print_voice_figures(figures, voice_template, voice_minutes, args.runs)
        return
    short, long = (2, 2) if args.smoke else (20, 60)
    imagery = "deep-breathing" if args.smoke else "guided-imagery"  # the smoke run's speech is quick to make
    if args.smoke:
        args.quick, args.runs = True, 1

    with tempfile.TemporaryDirectory(prefix="guided-audio-bench-") as name:
        folder = Path(name)
        (folder / "cue-dense-breathing.txt").write_text(BREATHING)
        os.environ["GUIDED_AUDIO_TEMPLATES"] = str(folder)
        print("warming the phrase cache (synthesis is not timed)...", flush=True)
        for template, minutes in (("cue-dense-breathing", long), (imagery, long)):
            timed(render_cmd(template, minutes, folder / "warm.mp3", "none"))
        results = {}

        def ours(minutes: int, background: str) -> float:
            out = folder / f"ours-{minutes}-{background}.mp3"
            return median_of(args.runs, render_cmd("cue-dense-breathing", minutes, out, background))

        for background in ("rain", "none"):
            render = ours(short, background)
            encode = encode_reference(folder / f"ours-{short}-{background}.mp3", folder, args.runs)
            results[f"(a) {short} min render, {background}: ours / ffmpeg encode"] = (render, encode, "<=", 1.5)
        for minutes, runs in ((short, args.runs), (long, 1)):
            if minutes == long and args.quick:
                continue
            mine = ours(minutes, "rain") if minutes == long else results[f"(a) {short} min render, rain: ours / ffmpeg encode"][0]
            child = [sys.executable, __file__, "--pydub-child", "cue-dense-breathing", str(minutes), str(folder / "pydub.mp3")]
            pydub = statistics.median(timed(child)[0] for _ in range(runs))
            results[f"(b) {minutes} min, rain: pydub / ours (speed-up)"] = (pydub, mine, ">=", 2.5 if minutes == short else 8.0)
        _, peak = timed(render_cmd(imagery, long, folder / "imagery.mp3", "rain"))
        manifest = json.loads((folder / "imagery.json").read_text())
        voices = {v: voice_figures(folder, v, voice_template, voice_minutes, args.runs) for v in args.voices.split(",")}

    from guided_audio.mp3.parts import usable_cores

    cues = {m: 4 * (m * 60 // 16 - 1) for m in (short, long)}
    if args.smoke:
        print("smoke run: every step once on short sessions; these figures are not the benchmark's")
    print(f"cue-dense breathing: {cues[short]} cues at {short} min, {cues[long]} at {long}; medians of {args.runs} runs")
    print(f"{usable_cores()} cores: our render encodes that many parts at once; the reference is one ffmpeg")
    for label, (first, second, sense, goal) in results.items():
        ratio = first / second
        met = ratio <= goal if sense == "<=" else ratio >= goal
        print(f"{label:50s} {first:7.2f} s / {second:6.2f} s = {ratio:5.2f}x  goal {sense} {goal:g}  "
              f"{'met' if met else 'MISSED'}")
    print(f"(c) {long} min {imagery} with rain: peak memory {peak:.0f} MB  goal < 500  "
          f"{'met' if peak < 500 else 'MISSED'}  ({manifest['loudness_lufs']} LUFS, {manifest['true_peak_dbtp']} dBTP)")
    print_voice_figures(voices, voice_template, voice_minutes, args.runs)


if __name__ == "__main__":
    main()
