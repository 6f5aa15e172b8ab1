"""Listen to rendered sessions with instruments: length, loudness, cue alignment, transcript.

    python scripts/measure.py output/deep-breathing-5min.mp3 [more.mp3 ...] [--transcribe]

For each MP3 (with its .json manifest beside it) prints the decoded length, ffmpeg's EBU R128
integrated loudness and true peak, how far each transcript cue is from where sound really
starts, the phase-to-phase timing, and (with --transcribe) how many of the script's words an
independent recogniser (PocketSphinx) hears. Needs the test extras for --transcribe.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from audio_probe import RATE, ebur128, load, onset_near, transcribe, window_levels, words


def phase_onset_errors(manifest: dict, levels: np.ndarray) -> list[float]:
    """For back-to-back phases both opened by a spoken cue: heard start-to-start minus planned (ms)."""
    cued = {round(s["start"], 3) for s in manifest["segments"] if s["kind"] == "speech"}
    errors = []
    for phase, following in zip(manifest["phases"], manifest["phases"][1:]):
        if following["start"] == phase["end"] and {round(phase["start"], 3), round(following["start"], 3)} <= cued:
            a, b = onset_near(levels, phase["start"]), onset_near(levels, following["start"])
            if a is not None and b is not None:
                errors.append((b - a - (following["start"] - phase["start"])) * 1000)
    return errors


def measure(mp3: Path, transcribe_words: bool) -> dict:
    samples, manifest = load(mp3)
    levels = window_levels(samples)
    speech = [s for s in manifest["segments"] if s["kind"] == "speech"]
    offsets = []
    for segment in speech:
        onset = onset_near(levels, segment["start"])
        offsets.append(float("inf") if onset is None else (onset - segment["start"]) * 1000)
    loudness, peak = ebur128(mp3)
    report = {
        "file": str(mp3),
        "planned_s": manifest["duration"],
        "decoded_s": round(len(samples) / RATE, 3),
        "phrases": len(speech),
        "cue_offset_ms": {
            "median": round(float(np.median(offsets)), 1),
            "worst": round(float(max(offsets, key=abs)), 1),
            "over_50ms": sum(abs(o) > 50 for o in offsets),
        },
        "loudness_lufs": loudness,
        "true_peak_dbtp": peak,
        "chapters": len(manifest["chapters"]),
        "phases": len(manifest["phases"]),
    }
    inhales = [p["start"] for p in manifest["phases"] if p["name"] == "inhale"]
    if len(inhales) > 1:
        periods = np.diff(inhales)
        report["inhale_periods_s"] = sorted({round(float(p), 3) for p in periods})[:6]
    errors = phase_onset_errors(manifest, levels)
    if errors:
        report["phase_to_phase_in_audio_ms"] = {"pairs": len(errors), "worst": round(max(errors, key=abs), 1)}
    if transcribe_words:
        sample = [s for s in speech if len(s["text"]) > 25][:12]
        expected = {w for s in sample for w in words(s["text"])}
        heard = {w for s in sample for w in words(transcribe(samples, s["start"], s["end"]))}
        report["word_recall"] = round(len(expected & heard) / max(1, len(expected)), 2)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mp3", nargs="+", type=Path)
    parser.add_argument("--transcribe", action="store_true")
    args = parser.parse_args()
    for mp3 in args.mp3:
        print(json.dumps(measure(mp3, args.transcribe)))


if __name__ == "__main__":
    main()
