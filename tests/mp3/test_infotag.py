"""The LAME Info tag: a 300 s session, encoded whole or in parallel parts with silence left out,
reads as exactly 300 s in ffmpeg, mutagen and eyeD3, and decodes to the very samples it held.

Real LAME (through imageio's ffmpeg), real readers; no reader is asked to trust our own parser.
"""

from __future__ import annotations

import logging
import subprocess

import numpy as np
import pytest
from test_parts import RATE, session_audio, source_of

from guided_audio.audio.ffmpeg import MP3_FRAME, decode, ffmpeg_exe
from guided_audio.mp3.infotag import add_info_tag, crc16, crc16_of, read_info_tag
from guided_audio.mp3.parts import encode, frame_offsets, plan_parts
from guided_audio.mp3.silence import silent_blocks

SECONDS = 300


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    """300 s encoded whole and in two parts (quiet stretches written as silent frames), each
    decoded before and after its tag was added."""
    folder = tmp_path_factory.mktemp("infotag")
    samples = np.tile(session_audio(SECONDS / 5), 5)  # a minute of rain and tone, five times: quicker to make
    quiet = [(RATE * 40, RATE * 70), (RATE * 200, RATE * 230)]
    for start, stop in quiet:
        samples[start:stop] = 0
    sounding = [(0, quiet[0][0]), (quiet[0][1], quiet[1][0]), (quiet[1][1], len(samples))]
    out = {}
    for count, silent in ((1, None), (2, silent_blocks(sounding, len(samples)))):
        path = folder / f"{count}.mp3"
        plan = plan_parts(len(samples), count, RATE)
        assert len(plan) == count
        encode(path, len(samples), source_of(samples), plan, rate=RATE, channels=1, bitrate_kbps=96, silent=silent)
        untagged = decode(path, RATE)
        tag = add_info_tag(path, len(samples))
        out[count] = (path, untagged, tag)
    return samples, out


def ffmpeg_decode(path) -> tuple[int, str]:
    """Samples ffmpeg decodes from `path`, and what it says while doing so."""
    run = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    return len(run.stdout) // 2, run.stderr.decode(errors="replace")


@pytest.mark.parametrize("count", [1, 2])
def test_ffmpeg_decodes_exactly_the_session_with_no_duration_estimate(tagged, count):
    samples, out = tagged
    path, untagged, tag = out[count]
    decoded, said = ffmpeg_decode(path)
    assert decoded == len(samples) == SECONDS * RATE, f"{decoded / RATE:.4f} s"
    assert "Estimating duration" not in said
    assert "Duration: 00:05:00.00" in said
    # Trimmed by the tag, every sample is where it was before: nothing moved, nothing lost.
    after = decode(path, RATE)
    np.testing.assert_array_equal(after, untagged[: len(samples)])
    assert tag.samples() == len(samples)
    assert read_info_tag(path) == tag


@pytest.mark.parametrize("count", [1, 2])
def test_mutagen_and_eyed3_read_the_length_without_a_warning(tagged, count, caplog):
    import eyed3
    import mutagen.mp3

    samples, out = tagged
    path, _, tag = out[count]
    info = mutagen.mp3.MP3(path).info
    assert info.length == pytest.approx(SECONDS, abs=0.001)
    assert info.bitrate_mode == mutagen.mp3.BitrateMode.CBR and info.encoder_info.startswith("LAME")
    with caplog.at_level(logging.DEBUG, logger="eyed3"):
        audio = eyed3.load(str(path))
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    lame = audio.info.lame_tag
    assert (lame["encoder_delay"], lame["encoder_padding"], lame["music_length"]) == (tag.delay, tag.padding, tag.size)
    frames = audio.info.xing_header.numFrames
    assert (frames * MP3_FRAME - lame["encoder_delay"] - lame["encoder_padding"]) / RATE == SECONDS
    # eyeD3's own figure for a CBR file is bytes over the first frame's length, which rounds
    # 313.47 bytes a frame down to 313: it reads 0.15 % long whatever the header says.
    assert audio.info.time_secs == pytest.approx(SECONDS, rel=0.002)


def test_the_tag_counts_every_frame_and_byte_and_checks_the_audio(tagged):
    _, out = tagged
    path, _, tag = out[2]
    data = path.read_bytes()
    offsets = frame_offsets(data)
    assert len(offsets) - 1 == tag.frames + 1  # the Info frame, then the frames it counts
    assert len(data) == tag.size
    info = data[: offsets[1]]
    assert info[21:25] == b"Info"
    assert int.from_bytes(info[21 + 120 + 32 : 21 + 120 + 34], "big") == crc16(data[offsets[1] :])
    assert int.from_bytes(info[175:177], "big") == crc16(info[:175])  # LAME's tag CRC, mono
    toc = info[21 + 16 : 21 + 116]
    assert toc[0] == 0 and list(toc) == sorted(toc) and toc[50] == pytest.approx(128, abs=2)


def test_crc16_is_the_arc_crc_lame_uses():
    assert crc16(b"123456789") == 0xBB3D  # the CRC-16/ARC check value
    assert crc16(b"") == 0
    assert crc16(bytes(5) + b"123456789") == 0xBB3D  # leading zero bytes change nothing


def test_crc16_a_block_at_a_time_is_the_crc_of_the_whole():
    """The tag's CRC is taken in 1 MiB blocks over pieces (an hour's MP3 is never held whole)."""
    rng = np.random.default_rng(19)
    data = rng.integers(0, 256, 3 * (1 << 20) + 12_345, dtype=np.uint8).tobytes()
    whole = crc16(data)
    assert crc16_of([data]) == whole
    assert crc16_of([data[:417], data[417 : 1 << 20], data[1 << 20 :]]) == whole  # pieces across block edges
    assert crc16_of([b"123456789"]) == 0xBB3D and crc16_of([]) == 0
