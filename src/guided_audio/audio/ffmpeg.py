"""The ffmpeg bridge: decode anything, encode constant-bitrate MP3.

ffmpeg comes from imageio-ffmpeg, so no system install is needed. The MP3 encoder sits here,
below both the mixer (which test-encodes an excerpt to learn the codec's effect on loudness)
and the MP3 stage (which encodes the session in parts).
"""

from __future__ import annotations

import logging
import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np

from guided_audio.audio.samples import SESSION_RATE, to_int16_bytes
from guided_audio.errors import AudioError, option

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary bundled by imageio-ffmpeg."""
    import imageio_ffmpeg

    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:  # pragma: no cover - only on a broken install
        raise AudioError(f"ffmpeg is not available ({exc}); reinstall imageio-ffmpeg") from exc


def decode(
    source: bytes | Path,
    sample_rate: int,
    *,
    channels: int = 1,
    tempo: float | None = None,
) -> np.ndarray:
    """Decode an audio file or in-memory bytes to float32 samples at `sample_rate`.

    `tempo` changes speed without changing pitch (ffmpeg atempo), for engines that have no
    rate control of their own.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"]
    cmd += ["-i", "pipe:0" if isinstance(source, bytes) else str(source)]
    if tempo is not None and abs(tempo - 1.0) > 1e-6:
        cmd += ["-af", f"atempo={tempo:.4f}"]
    cmd += ["-f", "f32le", "-acodec", "pcm_f32le", "-ac", str(channels), "-ar", str(sample_rate)]
    cmd += ["pipe:1"]
    try:
        proc = subprocess.run(
            cmd,
            input=source if isinstance(source, bytes) else None,
            stdin=None if isinstance(source, bytes) else subprocess.DEVNULL,
            capture_output=True,
            check=False,
            start_new_session=True,  # a Ctrl-C reaches us alone; run() kills it as we unwind
        )
    except OSError as exc:
        raise AudioError(f"could not run ffmpeg: {exc}") from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit code {proc.returncode}"
        raise AudioError(f"ffmpeg could not decode the audio: {reason}")
    samples = np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)
    if channels > 1:
        samples = samples.reshape(-1, channels)
    return samples


MP3_CODEC_DELAY = 1105
"""Samples of silence an MP3 encode and decode put before the audio (LAME 576 + decoder 529).

With no Xing/LAME tag nothing tells a player to skip them, so the encoder is fed the stream
that many samples early and every sound plays exactly at its planned time."""


MP3_FRAME = 1152
"""Samples in each MPEG-1 Layer III frame."""
MP3_BITRATES_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
"""The constant bitrates an MPEG-1 Layer III frame can declare (header index 1 to 14)."""


def check_bitrate(kbps: int) -> int:
    """Refuse a bitrate no MP3 frame can carry (LAME would quietly pick another)."""
    if kbps not in MP3_BITRATES_KBPS:
        allowed = ", ".join(str(rate) for rate in MP3_BITRATES_KBPS)
        raise AudioError(f"{option('bitrate')} {kbps} is not an MP3 bitrate; use one of {allowed}", field="bitrate")
    return kbps


def mp3_options(bitrate_kbps: int) -> list[str]:
    """ffmpeg output options for every MP3 we write (the benchmark encodes with them too).

    CBR without a Xing header, because VBR and Xing-less VBR report wrong durations and seek
    badly on phones. No bit reservoir, so every frame holds its own data and a file encoded
    in parts on several cores splices cleanly (it costs 0.1 dB of signal-to-noise at 96 kbps).
    """
    return [
        "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-reservoir", "0",
        "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3",
    ]  # fmt: skip


class Mp3Encoder:
    """Streams 16-bit PCM into ffmpeg, which writes a constant-bitrate MP3 file.

    Use as a context manager; `close()` waits for ffmpeg and raises on failure. By default
    the first MP3_CODEC_DELAY samples written are dropped and as many silent ones added at
    the end; a part of a longer file (see mp3parts) is fed exactly what it should encode.
    """

    def __init__(
        self,
        path: Path,
        *,
        sample_rate: int = SESSION_RATE,
        channels: int = 1,
        bitrate_kbps: int = 96,
        skip: int = MP3_CODEC_DELAY,
        pad_end: int | None = None,
    ) -> None:
        cmd = [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "s16le", "-ar", str(sample_rate), "-ac", str(channels), "-i", "pipe:0",
            *mp3_options(bitrate_kbps), str(path),
        ]  # fmt: skip
        self.path = path
        self._channels = channels
        self._to_skip = skip
        self._pad_end = skip if pad_end is None else pad_end
        try:
            # its own session: a Ctrl-C at the terminal reaches us alone, and we stop it
            # (abort) as we unwind, rather than it dying first and us reporting its failure
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
            )
        except OSError as exc:
            raise AudioError(f"could not run ffmpeg: {exc}") from exc

    def write(self, samples: np.ndarray) -> None:
        assert self._proc.stdin is not None
        if self._to_skip:
            skipped = min(self._to_skip, len(samples))
            samples = samples[skipped:]
            self._to_skip -= skipped
        try:
            self._proc.stdin.write(to_int16_bytes(samples))
        except BrokenPipeError:
            self._fail()

    def close(self) -> None:
        assert self._proc.stdin is not None
        # Give back at the end the samples skipped at the start, so the length is unchanged.
        shape = (max(0, self._pad_end - self._to_skip),) + ((self._channels,) if self._channels > 1 else ())
        self._to_skip = 0
        self.write(np.zeros(shape, dtype=np.float32))
        try:
            self._proc.stdin.close()
        except BrokenPipeError:
            pass
        if self._proc.wait() != 0:
            self._fail()

    def abort(self) -> None:
        self._proc.kill()
        self._proc.wait()

    def _fail(self) -> None:
        self._proc.kill()
        self._proc.wait()
        stderr = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
        lines = stderr.strip().splitlines()
        raise AudioError(f"ffmpeg could not encode {self.path.name}: {lines[-1] if lines else 'unknown error'}")

    def __enter__(self) -> "Mp3Encoder":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
