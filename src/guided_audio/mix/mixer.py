"""Mixing placed phrases into a continuous stream, chunk by chunk.

Works on NumPy arrays a few seconds at a time and hands each chunk straight to the encoder,
so memory stays flat however long the session is, and nothing is ever appended to a growing
audio object (pydub's `+` in a loop is quadratic).
"""

from __future__ import annotations

from typing import Hashable, Iterator, Mapping

import numpy as np

from guided_audio.script.layout import Timeline

CHUNK_SECONDS = 10.0


def mix_chunks(
    timeline: Timeline,
    clips: Mapping[Hashable, np.ndarray],
    *,
    start: int = 0,
    stop: int | None = None,
    chunk_seconds: float = CHUNK_SECONDS,
) -> Iterator[np.ndarray]:
    """Yield consecutive float32 chunks that together are exactly samples [start, stop) of
    the session (by default all timeline.total of them).

    `clips` holds the audio of every placed sound by its key: phrases and tones alike.
    """
    stop = timeline.total if stop is None else min(stop, timeline.total)
    placements = sorted([*timeline.speech, *timeline.tones], key=lambda p: p.start)
    chunk = max(1, int(chunk_seconds * timeline.rate))
    upcoming = 0
    active: list = []
    for chunk_start in range(start, stop, chunk):
        chunk_end = min(chunk_start + chunk, stop)
        buffer = np.zeros(chunk_end - chunk_start, dtype=np.float32)
        while upcoming < len(placements) and placements[upcoming].start < chunk_end:
            active.append(placements[upcoming])
            upcoming += 1
        still_active = []
        for phrase in active:
            samples = clips[phrase.key]
            begin = max(phrase.start, chunk_start)
            end = min(phrase.start + len(samples), chunk_end)
            if end > begin:
                buffer[begin - chunk_start : end - chunk_start] += samples[
                    begin - phrase.start : end - phrase.start
                ]
            if phrase.start + len(samples) > chunk_end:
                still_active.append(phrase)
        active = still_active
        yield buffer


def mix_all(timeline: Timeline, clips: Mapping[Hashable, np.ndarray]) -> np.ndarray:
    """The whole session in memory; for tests and short sessions only."""
    return np.concatenate(list(mix_chunks(timeline, clips))) if timeline.total else np.zeros(0, np.float32)

