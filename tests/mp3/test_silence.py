"""Silence left out of the encode and written back as silent frames: nothing may change but the time taken."""

from __future__ import annotations

import numpy as np
import pytest

from guided_audio.audio.ffmpeg import MP3_CODEC_DELAY, decode
from guided_audio.mix.soundscapes import Rain
from guided_audio.mp3.parts import encode, frame_offsets, plan_parts
from guided_audio.mp3.silence import FRAME, SILENCE_MARGIN_FRAMES, kept_runs, left_out, silent_blocks

RATE = 44_100


def test_only_blocks_well_clear_of_any_sound_are_silent():
    total = RATE * 20
    sound = (RATE * 5, RATE * 6)
    silent = silent_blocks([sound], total)
    assert len(silent) == -(-total // FRAME)
    for block, flag in enumerate(silent):
        start = block * FRAME + MP3_CODEC_DELAY  # the session samples this block of input holds
        clear = start + FRAME + SILENCE_MARGIN_FRAMES * FRAME <= sound[0] or start - SILENCE_MARGIN_FRAMES * FRAME >= sound[1]
        assert flag == clear, block
    assert silent_blocks([], total).all()
    assert not silent_blocks([(0, total)], total).any()


def test_left_out_blocks_keep_clear_of_an_encoders_ends_and_the_rest_is_fed():
    silent = np.ones(100, dtype=bool)
    left = left_out(silent, 10 * FRAME, 60 * FRAME + 7)
    assert left.min() == SILENCE_MARGIN_FRAMES and left.max() == 50 - SILENCE_MARGIN_FRAMES - 1
    runs = kept_runs(10 * FRAME, 60 * FRAME + 7, left)
    assert runs[0] == (10 * FRAME, (10 + SILENCE_MARGIN_FRAMES) * FRAME) and runs[-1][1] == 60 * FRAME + 7
    kept = sum(stop - start for start, stop in runs)
    assert kept + len(left) * FRAME == 50 * FRAME + 7
    assert left_out(None, 0, 10**6).size == 0


def bursts(seconds: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Rain and a tone in bursts of one to three seconds, with digital silence between."""
    rng = np.random.default_rng(8)
    samples = np.zeros(int(seconds * RATE), dtype=np.float32)
    rain, sounds, at = Rain(2).read(len(samples)) * np.float32(3.0), [], RATE
    while at < len(samples) - 4 * RATE:
        length = int(rng.uniform(1.0, 3.0) * RATE)
        t = np.arange(length) / RATE
        fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # no clicks of our own
        samples[at : at + length] = (rain[at : at + length] + 0.3 * np.sin(2 * np.pi * 220 * t)) * fade
        sounds.append((at, at + length))
        at += length + int(rng.uniform(0.5, 4.0) * RATE)
    return samples, sounds


@pytest.mark.parametrize("parts", [1, 2])
def test_a_file_with_its_silence_written_back_is_the_file_encoded_whole(tmp_path, parts):
    samples, sounds = bursts(75.0)
    silent = silent_blocks(sounds, len(samples))
    assert 0.2 < silent.mean() < 0.8

    def source(start: int, stop: int):
        for at in range(start, stop, 100_000):
            yield samples[at : min(stop, at + 100_000)]

    plan = plan_parts(len(samples), parts, RATE)
    assert len(plan) == parts
    paths = {}
    for label, marks in (("whole", None), ("silence", silent)):
        paths[label] = tmp_path / f"{label}.mp3"
        encode(paths[label], len(samples), source, plan, rate=RATE, channels=1, bitrate_kbps=96, silent=marks)
    whole, spared = (decode(paths[label], RATE) for label in ("whole", "silence"))
    assert len(spared) == len(whole)
    data = {label: path.read_bytes() for label, path in paths.items()}
    assert len(frame_offsets(data["silence"])) == len(frame_offsets(data["whole"]))
    # The same constant bitrate: only a frame's padding byte can fall differently per run.
    assert len(data["silence"]) == pytest.approx(len(data["whole"]), rel=1e-4)
    cut = whole[: len(samples)], spared[: len(samples)]
    errors = [10 * np.log10(np.mean(np.square(decoded - samples))) for decoded in cut]
    assert errors[1] == pytest.approx(errors[0], abs=0.2)
    left_out_samples = np.repeat(silent, FRAME)[: len(samples) - MP3_CODEC_DELAY]
    heard = spared[MP3_CODEC_DELAY : MP3_CODEC_DELAY + len(left_out_samples)][left_out_samples]
    assert heard.size > RATE * 10 and not heard.any()  # exact digital silence
