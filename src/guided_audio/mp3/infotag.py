"""A LAME Info tag for the whole file, so every reader knows its exact length.

Our MP3s are spliced from parts encoded side by side (mp3.parts), written by ffmpeg to a pipe
with `-write_xing 0`: no Xing/Info header at all, so ffmpeg estimates the duration from the
bitrate, phones guess, and decoders play the encoder's start-up and flush as extra audio. This
module puts in front of the frames what LAME itself writes for a CBR file, filled in for the
whole file: an "Info" frame (a silent frame whose side information is zero) holding the frame
count, byte count, a seek table (TOC) and the LAME extension with the encoder delay and padding
and both CRCs.

The encoder is fed the session MP3_CODEC_DELAY samples early, so decoding every frame gives
session sample n at decoded sample n. Readers that honour the tag drop `delay + 529` decoded
samples at the start (LAME's 576 plus the decoder's 529 is that same MP3_CODEC_DELAY), which
no delay value can make zero, so one silent frame goes in after the Info frame: decoded sample
1152 is then session sample 0, and the tag's delay is 1152 - 529. The padding makes the count
come out at exactly the session's samples. A reader that ignores the tag hears 52 ms of silence
first, no more.
"""

from __future__ import annotations

import functools
import itertools
import mmap
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guided_audio.audio.ffmpeg import MP3_BITRATES_KBPS
from guided_audio.audio.ffmpeg import MP3_FRAME as FRAME
from guided_audio.errors import AudioError
from guided_audio.output import write_chunks_atomically

Bytes = bytes | bytearray | mmap.mmap

DECODER_DELAY = 529
"""Samples an MP3 decoder (ffmpeg, LAME's mpglib) outputs before the encoder's own delay."""
ENCODER = b"LAME3.100"
"""The frames are libmp3lame 3.100's (through ffmpeg); readers look for "LAME" to trust the tag."""
XING_FLAGS = 0x0F
"""Frames, bytes, TOC and quality present: mutagen reads the LAME extension only after all four."""
XING_SIZE = 120
LAME_SIZE = 36
EYED3_CRC_AT = 190
"""eyeD3 checks the tag CRC at bytes 190-191 of the frame, where LAME puts it in a stereo frame;
a mono frame's tag ends earlier, so it gets the same CRC there too (LAME leaves those bytes zero)."""
_SAMPLE_RATES = (44_100, 48_000, 32_000)
_SOURCE_RATE = {32_000: 0, 44_100: 1, 48_000: 2}
"""The LAME tag's code for the source's sample rate (3 is above 48 kHz)."""
_LAME_STEREO_MODE = {0: 1, 1: 3, 2: 2, 3: 0}
"""Frame header channel mode (stereo, joint, dual, mono) to the LAME tag's code."""


@dataclass(frozen=True)
class InfoTag:
    """What the tag says, as readers will read it back."""

    frames: int
    """Audio frames after the Info frame (our silent frame included)."""
    size: int
    """Bytes from the Info frame's first byte to the end of the last frame."""
    delay: int
    padding: int

    def samples(self) -> int:
        return self.frames * FRAME - self.delay - self.padding


def add_info_tag(path: Path, total: int) -> InfoTag:
    """Rewrite `path` (MP3 frames only, no tags yet) with an Info frame and a silent frame in
    front, for a session of `total` samples; the file is replaced atomically.

    The frames are read through a memory map and copied in blocks: an hour's MP3 is some 60 MB,
    and holding it (and its CRC's working arrays) in memory raised a render's peak by 300 MB."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise AudioError("the encoded MP3 is empty; try again")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            offsets = _frame_offsets(data)
            header = int.from_bytes(data[:4], "big")
            rate = _SAMPLE_RATES[(header >> 10) & 0x3]
            silent = _silent_frame(header, rate)
            frames = len(offsets) - 1 + 1
            delay = FRAME - DECODER_DELAY
            padding = frames * FRAME - delay - total
            if not DECODER_DELAY <= padding < 4096:
                raise AudioError(
                    f"the encoded MP3 holds {frames} frames for {total} samples, which no Info tag can describe; try again"
                )
            audio_offsets = [0, *(len(silent) + offset for offset in offsets[:-1])]
            frame = info_frame(
                header, rate, audio=(silent, data), frames=frames, delay=delay, padding=padding,
                audio_offsets=audio_offsets,
            )  # fmt: skip
            size = len(data)
            write_atomically_from(path, [frame, silent], data)
    return InfoTag(frames, len(frame) + len(silent) + size, delay, padding)


def write_atomically_from(path: Path, heads: list[bytes], data: mmap.mmap) -> None:
    """Replace `path` with `heads` followed by `data`, copied in blocks, whole or not at all."""
    blocks = (data[start : start + _BLOCK] for start in range(0, len(data), _BLOCK))
    write_chunks_atomically(path, itertools.chain(heads, blocks))


def info_frame(
    header: int, rate: int, *, audio: Sequence[Bytes], frames: int, delay: int, padding: int,
    audio_offsets: list[int],
) -> bytes:
    """The Info frame for `audio` (the frames that follow it, in pieces, starting at each of
    `audio_offsets` of their concatenation)."""
    kbps = _tag_bitrate(header, rate)
    size = 144_000 * kbps // rate
    mono = (header >> 6) & 0x3 == 0x3
    at = 4 + (17 if mono else 32)  # after the (all-zero) side information
    tag_header = (header & ~(0xF << 12) & ~(1 << 9)) | ((MP3_BITRATES_KBPS.index(kbps) + 1) << 12)
    total_bytes = size + sum(len(piece) for piece in audio)
    frame = bytearray(size)
    frame[:4] = tag_header.to_bytes(4, "big")
    xing = b"Info" + XING_FLAGS.to_bytes(4, "big") + frames.to_bytes(4, "big") + total_bytes.to_bytes(4, "big")
    xing += bytes(_toc(size, audio_offsets, total_bytes)) + bytes(4)  # quality: LAME's CBR leaves it 0
    lame = bytearray(LAME_SIZE)
    lame[0:9] = ENCODER
    lame[9] = 0x01  # tag revision 0, method 1: constant bitrate
    lame[20] = min(255, kbps)  # for CBR LAME records the bitrate here
    lame[21:24] = ((delay << 12) | padding).to_bytes(3, "big")
    lame[24] = (_SOURCE_RATE.get(rate, 0) << 6) | (_LAME_STEREO_MODE[(header >> 6) & 0x3] << 2)
    lame[28:32] = total_bytes.to_bytes(4, "big")
    lame[32:34] = crc16_of(audio).to_bytes(2, "big")
    frame[at : at + XING_SIZE] = xing
    frame[at + XING_SIZE : at + XING_SIZE + LAME_SIZE] = lame
    crc_at = at + XING_SIZE + LAME_SIZE - 2
    frame[crc_at : crc_at + 2] = crc16(bytes(frame[:crc_at])).to_bytes(2, "big")
    if crc_at != EYED3_CRC_AT:
        frame[EYED3_CRC_AT : EYED3_CRC_AT + 2] = crc16(bytes(frame[:EYED3_CRC_AT])).to_bytes(2, "big")
    return bytes(frame)


def _tag_bitrate(header: int, rate: int) -> int:
    """The file's bitrate, or the next one whose frame holds the whole tag (LAME does the same)."""
    kbps = MP3_BITRATES_KBPS[((header >> 12) & 0xF) - 1]
    for candidate in MP3_BITRATES_KBPS:
        if candidate >= kbps and 144_000 * candidate // rate >= EYED3_CRC_AT + 2:
            return candidate
    raise AudioError("no MP3 bitrate holds an Info tag")  # never: 320 kbps frames are over 900 bytes


def _toc(info_size: int, audio_offsets: list[int], total_bytes: int) -> list[int]:
    """The Xing seek table: where each percent of the playing time starts, in 256ths of the file."""
    count = len(audio_offsets)
    toc = []
    for percent in range(100):
        offset = info_size + audio_offsets[min(count - 1, percent * count // 100)]
        toc.append(min(255, 256 * offset // total_bytes))
    return toc


def _silent_frame(header: int, rate: int) -> bytes:
    kbps = MP3_BITRATES_KBPS[((header >> 12) & 0xF) - 1]
    return (header & ~(1 << 9)).to_bytes(4, "big") + bytes(144_000 * kbps // rate - 4)


def _frame_offsets(data: Bytes) -> list[int]:
    from guided_audio.mp3.parts import frame_offsets

    return frame_offsets(data)


# ---- CRC-16/ARC (polynomial 0x8005, reflected, start 0), as LAME's tag uses ----

def _table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint16)
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table[byte] = crc
    return table


_TABLE = _table()


class _ZeroBytes:
    """The linear map "run the CRC over n zero bytes", as two 256-entry tables (low, high byte)."""

    def __init__(self, images: list[int]) -> None:
        self.images = images
        values = np.arange(256, dtype=np.uint32)
        self.low = self._apply_array(values)
        self.high = self._apply_array(values << 8)

    @classmethod
    def one(cls) -> _ZeroBytes:
        return cls([int(_TABLE[(1 << bit) & 0xFF]) ^ ((1 << bit) >> 8) for bit in range(16)])

    def _apply_array(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(len(values), dtype=np.uint16)
        for bit, image in enumerate(self.images):
            out ^= np.where((values >> bit) & 1, image, 0).astype(np.uint16)
        return out

    def apply(self, values: np.ndarray) -> np.ndarray:
        return self.low[values & 0xFF] ^ self.high[values >> 8]

    def then(self, other: _ZeroBytes) -> _ZeroBytes:
        """This map followed by `other`."""
        return _ZeroBytes([int(other.apply(np.array([image], dtype=np.uint16))[0]) for image in self.images])


def crc16(data: bytes) -> int:
    """CRC-16/ARC of `data`, in numpy: a CRC is linear, so each byte's share is combined
    pairwise, a level at a time (a byte loop in Python takes seconds on an hour's MP3)."""
    values = _TABLE[np.frombuffer(data, dtype=np.uint8)]
    step = _ZeroBytes.one()
    while len(values) > 1:
        if len(values) % 2:
            values = np.concatenate([np.zeros(1, dtype=np.uint16), values])  # leading zeros change nothing
        values = step.apply(values[0::2]) ^ values[1::2]
        step = step.then(step)
    return int(values[0]) if len(values) else 0


_BLOCK = 1 << 20
"""Bytes the CRC and the copy take at a time: a power of two, so one map shifts a block."""


@functools.cache
def _block_shift() -> _ZeroBytes:
    """The CRC map of _BLOCK zero bytes."""
    shift = _ZeroBytes.one()
    for _ in range(_BLOCK.bit_length() - 1):
        shift = shift.then(shift)
    return shift


def crc16_of(pieces: Sequence[Bytes]) -> int:
    """CRC-16/ARC of the concatenation of `pieces`, a block at a time, so memory stays small
    whatever their length. The CRC starts at 0, so leading zero bytes change nothing: the
    concatenation is taken as if zero-padded in front to whole blocks, and each block's CRC is
    combined as crc(A + B) = shift(crc(A), len(B)) ^ crc(B)."""
    shift = _block_shift()
    total = sum(len(piece) for piece in pieces)
    crc = 0
    for chunk in _blocks(pieces, total % _BLOCK or _BLOCK):
        crc = int(shift.apply(np.array([crc], dtype=np.uint16))[0]) ^ crc16(chunk)
    return crc


def _blocks(pieces: Sequence[Bytes], first: int) -> Iterator[bytes]:
    """The bytes of `pieces` in one run: `first` bytes, then _BLOCK bytes at a time."""
    want, pending = first, bytearray()
    for piece in pieces:
        view = memoryview(piece)
        at = 0
        while at < len(view):
            take = min(want - len(pending), len(view) - at)
            pending += view[at : at + take]
            at += take
            if len(pending) == want:
                yield bytes(pending)
                pending, want = bytearray(), _BLOCK
        view.release()
    if pending:
        yield bytes(pending)


def read_info_tag(path: Path) -> InfoTag | None:
    """The Info tag at the start of `path`'s audio (after an ID3v2 tag), or None."""
    from guided_audio.mp3.fingerprint import _audio_span

    with open(path, "rb") as handle:
        start, _ = _audio_span(handle, os.fstat(handle.fileno()).st_size)
        handle.seek(start)
        head = handle.read(400)
    if len(head) < 4:
        return None
    mono = (int.from_bytes(head[:4], "big") >> 6) & 0x3 == 0x3
    at = 4 + (17 if mono else 32)
    if head[at : at + 4] not in (b"Info", b"Xing"):
        return None
    frames = int.from_bytes(head[at + 8 : at + 12], "big")
    size = int.from_bytes(head[at + 12 : at + 16], "big")
    packed = int.from_bytes(head[at + XING_SIZE + 21 : at + XING_SIZE + 24], "big")
    return InfoTag(frames, size, packed >> 12, packed & 0xFFF)
