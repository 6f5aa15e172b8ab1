"""One MP3 encoded in parts on several cores at once, its frames spliced into one file.

LAME works on one core and is most of a render's time, so the session is cut into as many
parts as there are cores, each part encoded by its own ffmpeg, and the frames joined in
order. With the bit reservoir off (audio.mp3_options) every frame holds all of its own
data, so frames from two encoders can follow one another. Each part after the first starts
PREROLL_FRAMES early, so its encoder has settled by the join, and each part before the last
runs OVERRUN_FRAMES on, so the last frame kept is not the encoder's flush. At a join the
two encoders have coded the same audio, so all that changes there is their rounding of it
(the tests hold it to the coding noise of the rest of the file). Long digital silences are
not fed to the encoders at all but written back as silent frames (see mp3silence).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from guided_audio.audio.ffmpeg import MP3_BITRATES_KBPS, MP3_CODEC_DELAY, Mp3Encoder
from guided_audio.audio.ffmpeg import MP3_FRAME as FRAME
from guided_audio.errors import AudioError
from guided_audio.output import temp_folder
from guided_audio.mix.mastering import Mastered
from guided_audio.mp3.infotag import add_info_tag
from guided_audio.mp3.silence import kept_runs, left_out, restored, silent_blocks

PREROLL_FRAMES = 8
OVERRUN_FRAMES = 4
MIN_PART_SECONDS = 30.0
"""Shorter parts are not worth another ffmpeg."""
MAX_PARTS = 8
"""Beyond this, the mixing threads feeding the encoders queue for Python's interpreter lock."""

Source = Callable[[int, int], Iterator[np.ndarray]]
"""The finished audio of session samples [start, stop), in order, in chunks of any size."""
Progress = Callable[[int, int], None]
"""Called as (samples encoded, total) from the thread that called `encode`."""


@dataclass(frozen=True)
class Part:
    """One encoder's share of the session, in samples of the encoder's input (the session
    less its first MP3_CODEC_DELAY samples, with as many silent ones added at the end)."""

    begin: int
    """First input sample it is fed (a frame boundary)."""
    end: int
    """Where its input stops."""
    skip_frames: int
    """Frames at its start that the previous part already holds."""
    keep_frames: int | None
    """Frames kept after those (None: all the rest)."""

    @property
    def session_start(self) -> int:
        """The session sample its input starts at."""
        return self.begin + MP3_CODEC_DELAY


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plan_parts(length: int, count: int, rate: int) -> list[Part]:
    """`length` input samples cut into at most `count` parts of about as many frames each."""
    frames = -(-length // FRAME)
    count = max(1, min(count, MAX_PARTS, int(length / (MIN_PART_SECONDS * rate))))
    bounds = [round(k * frames / count) for k in range(count + 1)]
    parts = []
    for k in range(count):
        first = max(0, bounds[k] - PREROLL_FRAMES) if k else 0
        last = k == count - 1
        end = length if last else min(length, (bounds[k + 1] + OVERRUN_FRAMES) * FRAME)
        keep = None if last else bounds[k + 1] - bounds[k]
        parts.append(Part(first * FRAME, end, bounds[k] - first, keep))
    return parts


def session_parts(total: int, rate: int) -> list[Part]:
    """The parts a session of `total` samples is encoded in on this machine."""
    return plan_parts(total, usable_cores(), rate)


def resume_points(parts: list[Part]) -> list[int]:
    """The session samples the mastered source is asked to start at, one per part."""
    return [part.session_start for part in parts]


def write_mp3(path: Path, mastered: Mastered, parts: list[Part], *, progress: Progress | None = None) -> None:
    """Encode the mastered session to `path` in the given parts (from session_parts); where
    nothing sounds, the silence is written as silent frames rather than encoded. The file then
    gets a LAME Info tag for the whole of it (mp3.infotag), so readers know its exact length."""
    if mastered.source is None:
        raise ValueError("a Mastered without a source cannot be encoded")
    silent = silent_blocks(mastered.sounding, mastered.total) if mastered.sounding is not None else None
    encode(
        path, mastered.total, mastered.source, parts, rate=mastered.rate, channels=mastered.channels,
        bitrate_kbps=mastered.bitrate_kbps, silent=silent, progress=progress,
    )  # fmt: skip
    add_info_tag(path, mastered.total)


def encode(
    path: Path,
    total: int,
    source: Source,
    plan: list[Part],
    *,
    rate: int,
    channels: int,
    bitrate_kbps: int,
    silent: np.ndarray | None = None,
    progress: Progress | None = None,
) -> None:
    """Write the `total`-sample session from `source` to `path` as one CBR MP3, encoding
    the parts of `plan` (from plan_parts) side by side; blocks of input that `silent` (from
    mp3silence.silent_blocks) marks are not encoded but written as silent frames."""
    lefts = [left_out(silent, part.begin, part.end) for part in plan]
    done = [0] * len(plan)
    cancelled = threading.Event()
    frame_shape = (channels,) if channels > 1 else ()

    def feed(index: int, part: Part, target: Path) -> None:
        with Mp3Encoder(
            target, sample_rate=rate, channels=channels, bitrate_kbps=bitrate_kbps, skip=0, pad_end=0
        ) as encoder:
            cursor = part.begin
            for begin, end in kept_runs(part.begin, part.end, lefts[index]):
                done[index] += begin - cursor  # silence left out is done as soon as it is reached
                cursor = end
                start, stop = begin + MP3_CODEC_DELAY, min(end + MP3_CODEC_DELAY, total)
                for chunk in source(start, stop) if stop > start else ():
                    if cancelled.is_set():
                        raise _Cancelled
                    encoder.write(chunk)
                    done[index] += len(chunk)
                beyond = end - max(begin, total - MP3_CODEC_DELAY)  # past the session's end
                if beyond > 0:
                    encoder.write(np.zeros((beyond, *frame_shape), dtype=np.float32))
            done[index] += part.end - cursor

    direct = len(plan) == 1 and not lefts[0].size
    with temp_folder("parts") as folder:
        targets = [path] if direct else [Path(folder) / f"part{k}.mp3" for k in range(len(plan))]
        with ThreadPoolExecutor(max_workers=len(plan), thread_name_prefix="mp3-part") as pool:
            futures = [pool.submit(feed, k, part, targets[k]) for k, part in enumerate(plan)]
            try:
                pending = set(futures)
                while pending:
                    finished, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
                    for future in finished:
                        future.result()  # raises the first failure
                    if progress is not None:
                        progress(min(sum(done), total), total)
            except BaseException:
                cancelled.set()
                raise
        if not direct:
            splice(plan, targets, lefts, path, rate)


class _Cancelled(Exception):
    """Another part failed or the user interrupted; this one stops quietly."""


def splice(plan: list[Part], parts: list[Path], lefts: list[np.ndarray], path: Path, rate: int) -> None:
    """Join the kept frames of each part file into `path`, silent frames back in place."""
    with open(path, "wb") as out:
        for part, part_path, left in zip(plan, parts, lefts):
            data = part_path.read_bytes()
            first_frame = part.begin // FRAME
            for piece in restored(data, frame_offsets(data), left, first_frame, part.skip_frames, part.keep_frames, rate):
                out.write(piece)


_BITRATES_KBPS = (0, *MP3_BITRATES_KBPS)
"""By the frame header's bitrate index (0 is free format, which we never write)."""
_SAMPLE_RATES = (44_100, 48_000, 32_000)


def frame_offsets(data: bytes) -> list[int]:
    """Where each MPEG-1 Layer III frame of `data` starts, and where the last one ends
    (what ffmpeg writes with our options: frames and nothing else)."""
    offsets, at = [], 0
    while at + 4 <= len(data):
        header = int.from_bytes(data[at : at + 4], "big")
        if header >> 21 != 0x7FF or (header >> 17) & 0xF != 0b1101:
            raise AudioError(f"an MP3 part has no MPEG-1 Layer III frame at byte {at}; try again")
        bitrate, rate = (header >> 12) & 0xF, (header >> 10) & 0x3
        if not 0 < bitrate < len(_BITRATES_KBPS) or rate >= len(_SAMPLE_RATES):
            raise AudioError(f"an MP3 part has a frame of unknown bitrate or rate at byte {at}; try again")
        offsets.append(at)
        kbps, rate = _BITRATES_KBPS[bitrate], _SAMPLE_RATES[rate]
        at += 144_000 * kbps // rate + ((header >> 9) & 1)
    if at != len(data):
        raise AudioError("an MP3 part ends in the middle of a frame; try again")
    return offsets + [at]
