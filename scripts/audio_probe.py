"""Instruments for listening without ears: decode, find where sound starts, transcribe."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np

from guided_audio.audio.ffmpeg import decode, ffmpeg_exe
from guided_audio.session import GenerateResult, SessionRequest, generate

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


# ---- rendering a session and the checks every rendered session must pass ----


def render(tmp_path: Path, template: str, minutes: float, **options) -> tuple[Path, GenerateResult]:
    """Generate a session with the real voice into tmp_path."""
    output = tmp_path / f"{template}.mp3"
    result = generate(SessionRequest(template, minutes, output=output, **options))
    return output, result


def check_session(mp3: Path, minutes: float) -> tuple:
    """The checks every rendered session must pass; returns samples, manifest and speech."""
    samples, manifest = load(mp3)
    assert mp3.with_suffix(".vtt").is_file()
    # Exact before encoding; the decoded MP3 only adds the last frame's padding (< 27 ms).
    assert abs(manifest["duration"] - minutes * 60) <= 0.001
    assert minutes * 60 <= len(samples) / RATE < minutes * 60 + 0.05
    segments = manifest["segments"]
    assert segments[0]["start"] == 0 and abs(segments[-1]["end"] - minutes * 60) <= 0.001
    for before, after in zip(segments, segments[1:]):
        assert abs(before["end"] - after["start"]) <= 0.0011, (before, after)
    speech = [s for s in segments if s["kind"] == "speech"]
    assert speech, "no speech in the manifest"
    levels = window_levels(samples)
    for segment in speech:
        onset = onset_near(levels, segment["start"])
        assert onset is not None, f"no sound near {segment}"
        assert abs(onset - segment["start"]) <= 0.050, (segment, onset)
    for pause in (s for s in segments if s["kind"] == "pause" and s["end"] - s["start"] > 0.4):
        for start, end in unsounded(pause["start"] + 0.1, pause["end"] - 0.1, manifest["tones"]):
            assert loudest_db(samples, start, end) < -60, (pause, start, end)
    return samples, manifest, speech


def unsounded(start: float, end: float, tones: list[dict]) -> list[tuple[float, float]]:
    """The stretches of [start, end) where no tone or bell of the manifest rings."""
    from guided_audio.mix.tones import SECONDS
    from guided_audio.script.markup import BELL_SECONDS

    quiet = [(start, end)]
    for tone in tones:
        rings = (tone["start"], tone["start"] + (BELL_SECONDS if tone["name"] == "bell" else SECONDS))
        quiet = [p for s, e in quiet for p in ((s, min(e, rings[0])), (max(s, rings[1]), e)) if p[1] - p[0] > 0.2]
    return quiet


def vtt_cues(path: Path) -> list[tuple[str, str, str]]:
    blocks = path.read_text().strip().split("\n\n")
    assert blocks[0] == "WEBVTT"
    cues = []
    for block in blocks[1:]:
        _number, times, text = block.split("\n", 2)
        start, _, end = times.partition(" --> ")
        cues.append((start, end, text))
    return cues


def seconds_of(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
