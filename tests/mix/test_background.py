"""Your own background file: decoded by ffmpeg, levelled, looped with an inaudible seam."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from guided_audio.errors import BackgroundError
from guided_audio.mix.background import LoopedFile, choose
from guided_audio.mix.loudness import LoudnessMeter
from guided_audio.mix.soundscapes import NOMINAL_LUFS

RATE = 44_100


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def hum(seconds: float, rate: int = RATE) -> np.ndarray:
    """A tone that ends mid-cycle: a hard loop would jump by fifteen times its steepest step."""
    t = np.arange(int(seconds * rate)) / rate
    return 0.3 * np.sin(2 * np.pi * 220.3 * t + 0.4)


def test_a_short_file_loops_with_no_jump_at_the_seam(tmp_path):
    source = write_wav(tmp_path / "hum.wav", hum(7.0, rate=48_000), rate=48_000)  # resampled on the way in
    looped = choose(str(source), seed=0, seconds=60).open()
    samples = looped.read(60 * RATE)
    audio = LoopedFile.load(source, 60 * RATE)
    # Less a quarter for the crossfade, and up to a tenth of a second to join in phase.
    assert 7 * RATE * 3 / 4 - RATE / 10 <= audio.period <= 7 * RATE * 3 / 4
    steps = np.abs(np.diff(samples))
    body = steps[RATE : 4 * RATE].max()  # the tone's own steepest slope, away from any seam
    for seam in range(audio.period, len(samples) - 1, audio.period):
        around = steps[seam - 200 : seam + 200]
        assert around.max() <= body * 1.05, seam
    # Joined in phase, the tone's level holds through every seam.
    levels = np.sqrt(np.mean(samples[: 50 * RATE].reshape(-1, RATE // 10) ** 2, axis=1))
    assert 20 * np.log10(levels.max() / levels.min()) < 0.5


def test_a_file_is_brought_to_the_nominal_level(tmp_path):
    noise = np.random.default_rng(0).standard_normal(5 * RATE) * 0.01
    source = write_wav(tmp_path / "quiet.wav", noise)
    samples = choose(str(source), seed=0, seconds=20).open().read(20 * RATE)
    meter = LoudnessMeter(RATE, 1)
    meter.add(samples)
    assert meter.integrated() == pytest.approx(NOMINAL_LUFS, abs=0.5)


def test_a_long_file_plays_straight_through_and_only_what_is_needed_is_kept(tmp_path):
    ramp = np.linspace(-0.5, 0.5, 30 * RATE)
    source = write_wav(tmp_path / "long.wav", ramp)
    audio = LoopedFile.load(source, 10 * RATE)
    assert audio.fade == 0 and len(audio.samples) <= 12 * RATE + 10
    out = audio.player().read(10 * RATE)
    assert np.all(np.diff(out) >= 0) and out[-1] > out[0]  # the ramp, in order, unlooped


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "empty.mp3").write_bytes(b"")
    (tmp_path / "garbage.ogg").write_bytes(b"this is not audio at all" * 40)
    (tmp_path / "folder").mkdir()
    write_wav(tmp_path / "blip.wav", hum(0.3))
    write_wav(tmp_path / "silent.wav", np.zeros(3 * RATE))
    return {
        "missing": (tmp_path / "nowhere.mp3", "not a built-in (none, rain,"),
        "empty": (tmp_path / "empty.mp3", "cannot read background file"),
        "garbage": (tmp_path / "garbage.ogg", "use an MP3, WAV, OGG or FLAC file"),
        "folder": (tmp_path / "folder", "is a folder"),
        "too short": (tmp_path / "blip.wav", "is only 0.30 s long; use at least 1 s"),
        "silent": (tmp_path / "silent.wav", "is silent"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "garbage", "folder", "too short", "silent"])
def test_unusable_files_are_one_clear_error(tmp_path, case):
    path, message = bad_files(tmp_path)[case]
    with pytest.raises(BackgroundError) as caught:
        choose(str(path), seed=0, seconds=60)
    assert message in str(caught.value) and "\n" not in str(caught.value)
