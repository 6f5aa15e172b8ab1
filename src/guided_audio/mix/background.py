"""Choosing the background: none, a built-in soundscape, or the user's own audio file.

A user's file is decoded once by ffmpeg (any format it reads: MP3, WAV, OGG, FLAC, ...) to
mono 44.1 kHz, brought to the soundscapes' nominal loudness, and looped with a crossfade
placed where its end sounds most like its start, so the seam cannot be heard. It is kept as
16-bit samples and only as much of it as the session can use: 5 MB a minute at most.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from guided_audio.audio.ffmpeg import ffmpeg_exe
from guided_audio.audio.samples import SESSION_RATE
from guided_audio.errors import BackgroundError
from guided_audio.mix.bedmix import Bed
from guided_audio.mix.loudness import LoudnessMeter
from guided_audio.mix.soundscapes import NOMINAL_LUFS, SOUNDSCAPES

NONE = "none"
CROSSFADE_SECONDS = 2.0
"""Longest crossfade at the loop seam (a quarter of the file for short files)."""
MIN_FILE_SECONDS = 1.0
MEASURE_SECONDS = 300
"""A file's loudness is measured on up to its first five minutes."""


@dataclass(frozen=True)
class Background:
    """A resolved --background: what the manifest calls it and how to stream it afresh."""

    label: str
    channels: int
    open: Callable[[], Bed | None]
    """A new stream from the start; every call gives the same audio (mixing runs twice)."""


def names() -> list[str]:
    return [NONE, *SOUNDSCAPES]


def choose(spec: str, *, seed: int, seconds: float) -> Background:
    """Resolve a built-in name or a file path; raises BackgroundError with the fix."""
    if spec == NONE:
        return Background(NONE, 1, lambda: None)
    if spec in SOUNDSCAPES:
        kind = SOUNDSCAPES[spec]
        return Background(spec, kind.channels, lambda: kind(seed))
    path = Path(spec).expanduser()
    if not path.exists():
        raise BackgroundError(
            f"unknown background {spec!r}: not a built-in ({', '.join(names())}) and no such file; "
            "see `guided-audio backgrounds`"
        )
    if path.is_dir():
        raise BackgroundError(f"background {path} is a folder; give an audio file inside it")
    if not path.is_file():  # a FIFO would block the read, a device (/dev/urandom) never end
        raise BackgroundError(f"background {path} is not a regular file (a pipe or a device); give an audio file")
    audio = LoopedFile.load(path, int(seconds * SESSION_RATE))
    return Background(str(path), 1, audio.player)


class LoopedFile:
    """A decoded file and the crossfade that joins its end back to its start."""

    def __init__(self, samples: np.ndarray, needed: int, gain: float) -> None:
        self.samples = samples  # int16, mono
        self.gain = np.float32(gain / 32768)
        self.fade = 0
        self.period = len(samples)
        self.seam = np.zeros(0, dtype=np.float32)
        if len(samples) < needed:  # too short for the session: loop it
            self.fade = min(int(CROSSFADE_SECONDS * SESSION_RATE), len(samples) // 4)
            self.period, likeness = _best_join(samples, self.fade)
            head = samples[: self.fade].astype(np.float32)
            tail = samples[self.period : self.period + self.fade].astype(np.float32)
            # Equal power for unrelated sound, equal amplitude for sound that lines up
            # (a tone), and the blend between, so the level holds through the seam.
            turn = np.linspace(0.0, np.pi / 2, self.fade, endpoint=False, dtype=np.float32)
            rising, falling = np.sin(turn), np.cos(turn)
            norm = np.sqrt(rising**2 + falling**2 + 2 * likeness * rising * falling)
            self.seam = (head * rising + tail * falling) / norm

    @classmethod
    def load(cls, path: Path, needed: int) -> "LoopedFile":
        samples = _decode(path, needed + int(CROSSFADE_SECONDS * SESSION_RATE))
        if len(samples) == 0:
            raise BackgroundError(f"background file {path} has no audio in it; choose another file")
        if len(samples) < MIN_FILE_SECONDS * SESSION_RATE:
            raise BackgroundError(
                f"background file {path} is only {len(samples) / SESSION_RATE:.2f} s long; "
                f"use at least {MIN_FILE_SECONDS:g} s of sound so the loop is smooth"
            )
        meter = LoudnessMeter(SESSION_RATE, 1)
        for start in range(0, min(len(samples), MEASURE_SECONDS * SESSION_RATE), 10 * SESSION_RATE):
            meter.add(samples[start : start + 10 * SESSION_RATE].astype(np.float32) / 32768)
        loudness = meter.integrated()
        if not np.isfinite(loudness):
            raise BackgroundError(f"background file {path} is silent; choose a file you can hear")
        return cls(samples, needed, 10 ** ((NOMINAL_LUFS - loudness) / 20))

    def player(self) -> "LoopPlayer":
        return LoopPlayer(self)


class LoopPlayer:
    """Streams a LoopedFile from its start: seam, body, seam, body, ... (or once through)."""

    channels = 1

    def __init__(self, audio: LoopedFile) -> None:
        self.audio = audio
        self.position = 0

    def snapshot(self) -> "LoopPlayer":
        """Another player at the same place, sharing the decoded file."""
        player = LoopPlayer(self.audio)
        player.position = self.position
        return player

    def read(self, n: int) -> np.ndarray:
        audio = self.audio
        out = np.zeros(n, dtype=np.float32)
        done = 0
        while done < n:
            at = self.position % audio.period if audio.fade else self.position
            if at >= len(audio.samples):
                break  # a file long enough never loops; the bed fades out before it ends
            source = audio.seam if at < audio.fade else audio.samples
            stop = audio.fade if at < audio.fade else audio.period
            take = min(n - done, stop - at)
            out[done : done + take] = source[at : at + take]
            done += take
            self.position += take
        return out * audio.gain


def _best_join(samples: np.ndarray, fade: int) -> tuple[int, float]:
    """Where the end should start fading into the start: within the last tenth of a second
    before the latest possible point, the place whose sound is most like the opening (so a
    tone joins in phase), and how alike they are (0 to 1)."""
    head = samples[:fade].astype(np.float64)
    latest = len(samples) - fade
    earliest = max(fade, latest - SESSION_RATE // 10)
    region = samples[earliest : latest + fade].astype(np.float64)
    matches = _correlate(region, head)
    running = np.concatenate([[0.0], np.cumsum(region**2)])
    energy = np.sqrt((running[fade:] - running[:-fade]) * (head**2).sum()) + 1e-12
    likeness = matches / energy
    best = int(np.argmax(likeness))
    return earliest + best, float(np.clip(likeness[best], 0.0, 1.0))


def _correlate(region: np.ndarray, head: np.ndarray) -> np.ndarray:
    """np.correlate(region, head, "valid"), through the FFT: seconds-long windows."""
    size = 1 << int(np.ceil(np.log2(len(region) + len(head))))
    spectrum = np.fft.rfft(region, size) * np.conj(np.fft.rfft(head, size))
    return np.fft.irfft(spectrum, size)[: len(region) - len(head) + 1]


def _decode(path: Path, most: int) -> np.ndarray:
    """Up to `most` mono 16-bit samples at the session rate, read straight into one array."""
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path),
        "-t", f"{most / SESSION_RATE:.3f}", "-vn", "-f", "s16le", "-acodec", "pcm_s16le",
        "-ac", "1", "-ar", str(SESSION_RATE), "pipe:1",
    ]  # fmt: skip
    buffer = np.empty(most, dtype="<i2")  # pages are only used as they fill
    view = memoryview(buffer).cast("B")
    filled = 0
    try:
        # its own session: a Ctrl-C reaches us alone, and an interrupted read stops it as we unwind
        with subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            try:
                while filled < len(view):
                    got = proc.stdout.readinto(view[filled:])
                    if not got:
                        break
                    filled += got
                while proc.stdout.read(1 << 16):  # resampling may run a few samples over
                    pass
            except BaseException:
                proc.kill()
                raise
            errors = proc.stderr.read().decode(errors="replace").strip().splitlines()
            code = proc.wait()
    except OSError as exc:
        raise BackgroundError(f"could not run ffmpeg to read {path}: {exc}") from exc
    if code != 0:
        reason = _plain_reason(errors) or (errors[-1] if errors else f"ffmpeg exit code {code}")
        raise BackgroundError(
            f"cannot read background file {path} ({reason}); use an MP3, WAV, OGG or FLAC file"
        )
    return buffer[: filled // 2].copy() if filled < 2 * most else buffer


def _plain_reason(errors: list[str]) -> str | None:
    """ffmpeg's complaint in a user's words, for the two it gives about a file that is not sound."""
    text = " ".join(errors)
    if "does not contain any stream" in text:
        return "it holds no sound: an image, or a video without audio"
    if "Invalid data found" in text:
        return "not an audio file"
    return None
