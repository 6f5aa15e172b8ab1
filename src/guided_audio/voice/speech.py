"""Turning phrases into ready-to-place audio: synthesise, trim, level, fade, cache."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from guided_audio.audio.samples import SESSION_RATE, fade_edges, resample, trim_silence
from guided_audio.errors import SynthesisError
from guided_audio.script.markup import Speech
from guided_audio.voice.cache import PhraseCache
from guided_audio.voice.engine import Engine

log = logging.getLogger(__name__)

SPEECH_LEVEL_DB = -20.0
"""RMS level of the voiced part of every phrase, so engines and phrases sound equally loud."""
SPEECH_PEAK = 10 ** (-1.0 / 20)
"""No phrase peaks above -1 dBFS."""


def level(samples: np.ndarray, rate: int) -> np.ndarray:
    """Scale to SPEECH_LEVEL_DB RMS over the voiced 20 ms frames, peak-capped."""
    if samples.size == 0:
        return samples
    window = max(1, int(rate * 0.02))
    usable = (len(samples) // window) * window
    frames = samples[:usable].reshape(-1, window) if usable else samples.reshape(1, -1)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    voiced = rms[rms > rms.max() * 0.1] if rms.max() > 0 else rms
    current = float(np.sqrt(np.mean(voiced**2))) if voiced.size else 0.0
    if current <= 1e-9:
        return samples
    gain = 10 ** (SPEECH_LEVEL_DB / 20) / current
    peak = float(np.max(np.abs(samples))) * gain
    if peak > SPEECH_PEAK:
        gain *= SPEECH_PEAK / peak
    return (samples * gain).astype(np.float32)


def prepare(samples: np.ndarray, source_rate: int) -> np.ndarray:
    """Engine output to a phrase ready to place at the session rate."""
    trimmed = trim_silence(samples, source_rate)
    if trimmed.size == 0:
        return trimmed.astype(np.float32)
    at_rate = resample(trimmed, source_rate, SESSION_RATE)
    return fade_edges(level(at_rate, SESSION_RATE), SESSION_RATE)


@dataclass
class PhraseBank:
    """Processed audio for each distinct phrase (text and pace) of a session."""

    clips: dict[Speech, np.ndarray]
    synthesised: int
    cached: int

    def length_of(self, phrase: Speech) -> int | None:
        """Samples of a phrase of this session; None for one it does not hold."""
        clip = self.clips.get(phrase)
        return None if clip is None else len(clip)


def cache_key(engine: Engine, cache: PhraseCache, phrase: Speech) -> str:
    """The phrase's cache entry: the rate it is spoken at is part of what makes its audio."""
    rate = engine.rate * phrase.pace
    return cache.key(engine.cache_identity(rate=rate), phrase.text, SESSION_RATE)


def synthesise_phrases(
    engine: Engine,
    phrases: Iterable[Speech],
    cache: PhraseCache,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> PhraseBank:
    """Audio for every distinct phrase, from the cache where possible; `progress` is called
    as ("Synthesising", done, total) after each phrase."""
    clips: dict[Speech, np.ndarray] = {}
    synthesised = cached = 0
    distinct = list(dict.fromkeys(phrases))  # in order of first use
    for done, phrase in enumerate(distinct, start=1):
        key = cache_key(engine, cache, phrase)
        samples = cache.get(key)
        if samples is None:
            log.debug("synthesising %r at pace %g", phrase.text, phrase.pace)
            clip = engine.synthesize(phrase.text, rate=engine.rate * phrase.pace)
            samples = prepare(clip.samples, clip.sample_rate)
            if samples.size == 0:
                raise SynthesisError(
                    f"the voice produced no sound for {phrase.text!r}; check the phrase has words to speak"
                )
            samples = cache.put(key, samples)
            synthesised += 1
        else:
            cached += 1
        clips[phrase] = samples
        if progress is not None:
            progress("Synthesising", done, len(distinct))
    return PhraseBank(clips, synthesised, cached)
