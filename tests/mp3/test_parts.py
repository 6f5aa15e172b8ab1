"""Encoding one MP3 in parts on several cores: the joins must not be heard or counted.

Real LAME (through imageio's ffmpeg), real soundscape and tone audio; the spliced file is
decoded and compared with one encoded in a single pass from the same samples.
"""

from __future__ import annotations

import numpy as np
import pytest

from guided_audio.audio.ffmpeg import decode
from guided_audio.errors import AudioError
from guided_audio.mix.soundscapes import Rain
from guided_audio.mp3 import parts as mp3parts
from guided_audio.mp3.parts import FRAME, PREROLL_FRAMES, encode, frame_offsets, plan_parts

RATE = 44_100


def test_parts_cover_every_frame_once_and_start_on_frame_boundaries():
    for length in (RATE * 30, RATE * 61 + 17, RATE * 3600):
        for count in (1, 2, 3, 8):
            plan = plan_parts(length, count, RATE)
            assert 1 <= len(plan) <= count
            assert all(part.begin % FRAME == 0 for part in plan)
            assert plan[0].begin == 0 and plan[0].skip_frames == 0
            assert plan[-1].end == length and plan[-1].keep_frames is None
            frame = 0  # the global frame each part's first kept frame must be
            for part in plan:
                assert part.begin // FRAME + part.skip_frames == frame
                assert part.skip_frames == (PREROLL_FRAMES if part is not plan[0] else 0)
                if part.keep_frames is not None:
                    assert part.end >= (frame + part.keep_frames) * FRAME  # it runs on past its last frame
                    frame += part.keep_frames


def test_short_sessions_are_not_split_and_big_machines_not_overrun():
    assert len(plan_parts(RATE * 50, 8, RATE)) == 1
    assert len(plan_parts(RATE * 61, 8, RATE)) == 2
    assert len(plan_parts(RATE * 3600, 64, RATE)) == mp3parts.MAX_PARTS


def session_audio(seconds: float) -> np.ndarray:
    """Rain with a tone that swells and stops now and then: steady noise and sharp edges."""
    rain = Rain(3).read(int(seconds * RATE)) * np.float32(2.0)
    t = np.arange(len(rain)) / RATE
    tone = 0.3 * np.sin(2 * np.pi * 330 * t) * (np.sin(2 * np.pi * 0.37 * t) > 0.3)
    return (rain + tone).astype(np.float32)


def source_of(samples: np.ndarray, chunk: int = 123_457):
    def source(start: int, stop: int):
        for at in range(start, stop, chunk):
            yield samples[at : min(stop, at + chunk)]

    return source


@pytest.fixture(scope="module")
def encodings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parts")
    samples = session_audio(100.0)
    out = {}
    for count in (1, 3):
        path = folder / f"{count}.mp3"
        plan = plan_parts(len(samples), count, RATE)
        assert len(plan) == count
        encode(path, len(samples), source_of(samples), plan, rate=RATE, channels=1, bitrate_kbps=96)
        out[count] = path
    return samples, out


def error_db(decoded: np.ndarray, samples: np.ndarray, window: slice) -> float:
    return 10 * np.log10(np.mean(np.square(decoded[window] - samples[window])) + 1e-20)


def test_a_file_made_in_parts_is_as_long_and_as_large_as_one_made_whole(encodings):
    samples, paths = encodings
    whole, parts = paths[1].read_bytes(), paths[3].read_bytes()
    assert len(frame_offsets(parts)) == len(frame_offsets(whole))
    assert abs(len(parts) - len(whole)) <= 3  # only the frames' padding bytes fall differently
    assert len(decode(paths[3], RATE)) == len(decode(paths[1], RATE)) >= len(samples)


def test_the_joins_sound_like_the_rest_of_the_file(encodings):
    samples, paths = encodings
    whole = decode(paths[1], RATE)[: len(samples)]
    spliced = decode(paths[3], RATE)[: len(samples)]
    overall = error_db(whole, samples, slice(None))
    assert error_db(spliced, samples, slice(None)) == pytest.approx(overall, abs=0.1)
    for part in plan_parts(len(samples), 3, RATE)[1:]:
        join = (part.begin // FRAME + part.skip_frames) * FRAME
        near = slice(join - 2 * FRAME, join + 2 * FRAME)
        # Around the join the coding error is the single encoder's, and the two files
        # differ by less than that error: no click, no gap, no step.
        assert error_db(spliced, samples, near) <= error_db(whole, samples, near) + 1.0
        assert error_db(spliced, whole, near) <= error_db(whole, samples, near)
        assert np.max(np.abs(np.diff(spliced[near]))) <= np.max(np.abs(np.diff(samples[near]))) * 1.5


def test_a_failing_part_fails_the_whole_encode(tmp_path):
    samples = session_audio(70.0)

    def broken(start: int, stop: int):
        yield samples[start : start + 1000]
        if start > 0:
            raise RuntimeError("mixing went wrong")
        yield samples[start + 1000 : stop]

    plan = plan_parts(len(samples), 2, RATE)
    with pytest.raises(RuntimeError, match="mixing went wrong"):
        encode(tmp_path / "out.mp3", len(samples), broken, plan, rate=RATE, channels=1, bitrate_kbps=96)


def test_frames_are_read_only_from_mpeg1_layer3_streams():
    with pytest.raises(AudioError, match="no MPEG-1 Layer III frame"):
        frame_offsets(b"ID3\x04\x00" + bytes(200))
    with pytest.raises(AudioError, match="middle of a frame"):
        frame_offsets(bytes([0xFF, 0xFB, 0x70, 0xC4]) + bytes(10))


def test_usable_cores_is_at_least_one():
    assert mp3parts.usable_cores() >= 1


@pytest.mark.parametrize("background", ["none", "rain"])
def test_the_encoding_progress_reaches_the_end(tmp_path, background):
    """Without a background most of the session is left-out silence, once never counted: the
    bar stopped at 18 to 34 %."""
    from guided_audio.session import SessionRequest, generate

    seen: dict[str, list[tuple[int, int]]] = {}
    generate(
        SessionRequest("deep-breathing", 2, background=background, output=tmp_path / "s.mp3"),
        progress=lambda stage, done, total: seen.setdefault(stage, []).append((done, total)),
    )
    encoding = seen["Encoding"]
    done, total = encoding[-1]
    assert done == total > 0
    assert [d for d, _ in encoding] == sorted(d for d, _ in encoding), "it never goes back"
