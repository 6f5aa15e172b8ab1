"""Instruments for listening without ears: decode, find where sound starts, transcribe."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np

from guided_audio.audio import decode, ffmpeg_exe

RATE = 44_100
WINDOW = int(RATE * 0.002)
SOUND_DB = -45.0
"""A 2 ms window louder than this (dBFS RMS) is sound; our speech sits near -20."""


def load(mp3: Path) -> tuple[np.ndarray, dict]:
    """Decoded samples and the manifest beside the MP3."""
    return decode(mp3, RATE), json.loads(mp3.with_suffix(".json").read_text())


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's own EBU R128 meter."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = proc.stderr[proc.stderr.rfind("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.inf]+) dBFS", summary).group(1))
    return integrated, peak


def window_levels(samples: np.ndarray) -> np.ndarray:
    usable = len(samples) // WINDOW * WINDOW
    frames = samples[:usable].reshape(-1, WINDOW).astype(np.float64)
    return 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-12)


def onset_near(levels: np.ndarray, seconds: float, before: float = 0.15, after: float = 0.3) -> float | None:
    """The quiet-to-sound transition nearest `seconds` within the search window, or None.

    Transitions, not the first loud window, so the tail of a preceding phrase is not taken
    for the start of this one.
    """
    first = max(1, int((seconds - before) * RATE / WINDOW))
    last = int((seconds + after) * RATE / WINDOW)
    loud = levels[first - 1 : last] > SOUND_DB
    rises = np.nonzero(~loud[:-1] & loud[1:])[0] + first
    if rises.size == 0:
        return None
    times = rises * WINDOW / RATE
    return float(times[np.argmin(np.abs(times - seconds))])


def loudest_db(samples: np.ndarray, start: float, end: float) -> float:
    part = samples[int(start * RATE) : int(end * RATE)]
    return float(window_levels(part).max()) if len(part) >= WINDOW else -120.0


def transcribe(samples: np.ndarray, start: float, end: float) -> str:
    """Words an independent recogniser (PocketSphinx, offline) hears between two times."""
    import soxr

    part = samples[max(0, int((start - 0.1) * RATE)) : int((end + 0.1) * RATE)]
    pcm = (np.clip(soxr.resample(part, RATE, 16_000), -1, 1) * 32767).astype("<i2").tobytes()
    decoder = _decoder()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp else ""


_DECODER = None


def _decoder():
    global _DECODER
    if _DECODER is None:
        from pocketsphinx import Decoder

        _DECODER = Decoder(samprate=16_000, logfn="/dev/null")
    return _DECODER


def words(text: str) -> list[str]:
    return [w.strip(".,!?;:'\"…").lower() for w in text.replace("-", " ").split() if w.strip(".,!?;:'\"…")]
