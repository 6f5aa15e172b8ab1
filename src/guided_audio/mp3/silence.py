"""Silence the encoder never sees: long quiet stretches left out, then written as silent frames.

Without a background, most of a session is digital silence (the pauses), and LAME takes as
long over a frame of silence as over a frame of speech. Where the layout says nothing sounds,
whole frames of input are left out of the encode, and the frames they would have made are
put back afterwards as frames that decode to silence: a header and nothing else (all side
information zero, so no coded values). A stretch is left out only with SILENCE_MARGIN_FRAMES
more of silence each side, so every frame LAME does code sees the input it would have seen,
and every frame put back lies where LAME itself would have written silence.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from guided_audio.audio.ffmpeg import MP3_BITRATES_KBPS, MP3_CODEC_DELAY
from guided_audio.audio.ffmpeg import MP3_FRAME as FRAME
from guided_audio.errors import AudioError

SILENCE_MARGIN_FRAMES = 4
"""Silence needed each side of a left-out block: more than the MDCT's overlap and the
psychoacoustic model's look-ahead together."""


def silent_blocks(sounds: Sequence[tuple[int, int]], total: int) -> np.ndarray:
    """Which FRAME-sized blocks of encoder input (input sample n is session sample
    n + MP3_CODEC_DELAY) may be left out, given the session spans [start, end) where
    anything sounds: those with nothing within SILENCE_MARGIN_FRAMES of them."""
    blocks = -(-total // FRAME)
    busy = np.zeros(blocks + 1, dtype=np.int64)  # +1 where a busy stretch begins, -1 after it
    margin = SILENCE_MARGIN_FRAMES * FRAME
    for start, end in sounds:
        first = max(0, (start - margin - MP3_CODEC_DELAY) // FRAME)
        stop = min(blocks, -(-(end + margin - MP3_CODEC_DELAY) // FRAME))
        if stop > first:
            busy[first] += 1
            busy[stop] -= 1
    return np.cumsum(busy[:-1]) == 0


def left_out(silent: np.ndarray | None, begin: int, end: int) -> np.ndarray:
    """The blocks an encoder fed input [begin, end) leaves out, as block numbers counted from
    `begin`; never within SILENCE_MARGIN_FRAMES of either end, where the encoder starts and
    flushes."""
    if silent is None:
        return np.zeros(0, dtype=np.int64)
    first, last = begin // FRAME + SILENCE_MARGIN_FRAMES, end // FRAME - SILENCE_MARGIN_FRAMES
    if last <= first:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(silent[first:last]) + SILENCE_MARGIN_FRAMES


def kept_runs(begin: int, end: int, left: np.ndarray) -> list[tuple[int, int]]:
    """Input [begin, end) less the left-out blocks, as (start, stop) runs."""
    runs, at = [], begin
    for block in left.tolist():
        start = begin + block * FRAME
        if start > at:
            runs.append((at, start))
        at = start + FRAME
    if end > at:
        runs.append((at, end))
    return runs


def restored(
    data: bytes, offsets: list[int], left: np.ndarray, first_frame: int, skip: int, keep: int | None, rate: int
) -> Iterator[memoryview | bytes]:
    """The bytes of frames [skip, skip + keep) of an encode (`data`, frames at `offsets`) as
    they would be had nothing been left out: a silent frame goes back after the frame coding
    the block before each left-out block. `first_frame` is the first frame's number in the
    whole file, which sets each silent frame's padding as a constant bitrate wants it."""
    total = len(offsets) - 1 + len(left)
    stop = total if keep is None else skip + keep
    if stop > total or skip >= stop:
        raise AudioError(f"an MP3 part came out shorter than planned ({total} frames); try again")
    silent = np.zeros(total, dtype=bool)
    silent[left + 1] = True
    coded = (~silent).astype(np.int64)
    coded_before = np.cumsum(coded) - coded  # how many coded frames come before each position
    header = int.from_bytes(data[:4], "big")
    if not (header >> 16) & 1:
        raise AudioError("the MP3 encoder wrote checksummed frames, which cannot be spliced; try again")
    edges = np.flatnonzero(np.diff(silent[skip:stop].astype(np.int8), prepend=2, append=2)) + skip
    for start, end in zip(edges[:-1].tolist(), edges[1:].tolist()):
        if silent[start]:
            yield b"".join(_silent_frame(header, first_frame + frame, rate) for frame in range(start, end))
        else:
            yield memoryview(data)[offsets[coded_before[start]] : offsets[coded_before[end - 1] + 1]]


def _silent_frame(header: int, frame: int, rate: int) -> bytes:
    """A frame of silence: the encoder's header with this frame's padding, then zeros."""
    kbps = MP3_BITRATES_KBPS[((header >> 12) & 0xF) - 1]
    size = (frame + 1) * 144_000 * kbps // rate - frame * 144_000 * kbps // rate
    padding = size - 144_000 * kbps // rate
    return ((header & ~(1 << 9)) | (padding << 9)).to_bytes(4, "big") + bytes(size - 4)

