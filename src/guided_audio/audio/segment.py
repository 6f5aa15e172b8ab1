"""A rendered session handed to Python code as a `pydub.AudioSegment`: pydub at the library's edge.

pydub is how much Python audio code speaks (slices in milliseconds, overlay, fades, export),
so a session can be handed over as one. It stays out of the render itself: its segments are
immutable, so building an hour by appending phrase after pause is quadratic (scripts/bench.py
measures it against our numpy mix). Here a segment is built once, from 16-bit samples.

    from guided_audio.audio.segment import to_audio_segment
    session = to_audio_segment("output/deep-breathing-5min.mp3")
    session[:30_000].export("first-half-minute.wav", format="wav")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from guided_audio.audio.ffmpeg import decode
from guided_audio.audio.samples import to_int16_bytes
from guided_audio.errors import AudioError

if TYPE_CHECKING:
    from pydub import AudioSegment


def samples_to_segment(samples: np.ndarray, sample_rate: int) -> "AudioSegment":
    """Float samples in [-1, 1], one column per channel (or one dimension for mono), as one segment."""
    from pydub import AudioSegment

    channels = 1 if samples.ndim == 1 else samples.shape[1]
    return AudioSegment(data=to_int16_bytes(samples), sample_width=2, frame_rate=sample_rate, channels=channels)


def to_audio_segment(path: Path | str) -> "AudioSegment":
    """A session's MP3 (or any audio file ffmpeg reads) decoded once, at its own rate and channels."""
    import mutagen

    path = Path(path)
    try:
        info = mutagen.File(path).info
        rate, channels = int(info.sample_rate), int(info.channels)
    except (AttributeError, OSError, mutagen.MutagenError) as exc:
        raise AudioError(f"cannot read {path} as audio: {getattr(exc, 'strerror', None) or exc}") from None
    samples = decode(path, rate, channels=channels)
    return samples_to_segment(samples.reshape(-1, channels) if channels > 1 else samples, rate)
