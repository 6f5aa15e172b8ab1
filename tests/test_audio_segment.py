"""A session handed to Python code as a pydub.AudioSegment (audio.segment), built once from samples."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from pydub import AudioSegment

from guided_audio.audio.ffmpeg import decode, ffmpeg_exe
from guided_audio.audio.segment import samples_to_segment, to_audio_segment
from guided_audio.errors import AudioError


def tone_mp3(path, channels: int, seconds: float = 2.0):
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         "-ac", str(channels), "-ar", "44100", "-b:a", "128k", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.mark.parametrize("channels", [1, 2])
def test_an_mp3_becomes_one_segment_with_its_samples_rate_and_channels(tmp_path, channels):
    mp3 = tone_mp3(tmp_path / "tone.mp3", channels)
    segment = to_audio_segment(mp3)
    assert isinstance(segment, AudioSegment)
    assert (segment.frame_rate, segment.channels, segment.sample_width) == (44_100, channels, 2)
    decoded = decode(mp3, 44_100, channels=channels)
    assert int(segment.frame_count()) == len(decoded)
    expected = (np.clip(decoded, -1, 1) * 32767).astype(np.int16).reshape(-1)  # interleaved, as pydub holds it
    assert np.array_equal(np.array(segment.get_array_of_samples(), dtype=np.int16), expected)
    assert abs(len(segment) - 2000) <= 60  # milliseconds: the tone's two seconds, give or take MP3 framing
    assert -26 < segment.dBFS < -20  # ffmpeg's sine is 1/8 of full scale (RMS -21 dBFS, -24.5 spread to two channels)


def test_samples_keep_their_channels_in_order():
    left, right = np.full(100, 0.5, np.float32), np.full(100, -0.25, np.float32)
    segment = samples_to_segment(np.column_stack([left, right]), 44_100)
    mono = segment.split_to_mono()
    assert round(mono[0].max / 32767, 3) == 0.5 and round(-min(mono[1].get_array_of_samples()) / 32767, 3) == 0.25


def test_a_file_that_is_not_audio_is_one_clear_error(tmp_path):
    text = tmp_path / "notes.mp3"
    text.write_text("not audio", encoding="utf-8")
    with pytest.raises(AudioError, match="cannot read .*notes.mp3 as audio"):
        to_audio_segment(text)
