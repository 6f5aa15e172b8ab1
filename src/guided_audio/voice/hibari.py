"""hibari: a small offline voice distilled from Kokoro-82M, with its `heart` narrator in the wheel.

Only the voices inside the package are offered: hibari fetches its other voices from the
internet on first use, and nothing here downloads at run time. The model runs at a fixed noise
seed, so a phrase always sounds the same and its cache entry is exact.
"""

from __future__ import annotations

import functools
import gc
import logging
import os

from guided_audio.errors import SynthesisError, VoiceError, option
from guided_audio.voice.interface import DEFAULT_RATES, Clip, Engine

log = logging.getLogger(__name__)

DEFAULT_VOICE = "heart"
SAMPLE_RATE = 24_000
"""hibari's output rate; `speech.prepare` resamples it to the session's with soxr."""
MIN_SPEED, MAX_SPEED = 0.5, 2.0
"""The speeds hibari's model accepts."""
SEED = 0
"""hibari's noise seed: the same text and speed then give bit-identical audio."""
WORKERS_ENV = "GUIDED_AUDIO_WORKERS"
THREADS = 1
"""onnxruntime threads per loaded model: the model is small, so a render gains by speaking
several phrases at once (one model per worker), not by splitting one phrase over cores."""


def hibari_voices() -> dict[str, dict]:
    """hibari's registry (name -> language, gender, bundled, sha256 ...), read from the wheel."""
    from hibari.voices import VOICES

    return VOICES


def offline_voices() -> list[str]:
    """The voices inside the package: the only ones that speak with no network."""
    return [name for name, info in hibari_voices().items() if info.get("bundled")]


def check_voice(name: str) -> str:
    """`name` if hibari has it offline; one error line otherwise."""
    offline = offline_voices()
    if name in offline:
        return name
    what = f"hibari voice {name!r} downloads from the internet on first use" if name in hibari_voices() else (
        f"{name!r} is not a hibari voice")
    raise VoiceError(
        f"{what}; guided-audio speaks offline only: use {option('voice')} "
        f"{' or '.join(offline)} (or joe, the Piper voice); `guided-audio voices` lists them all"
    )


DEFAULT_WORKERS = 1
"""Measured on this 2-core machine (shared, load 3.8): two threads spoke a 60-minute imagery's
237 phrases in 14.6 s against 13.8 s for one, at twice the peak memory (486 MB against 247), so
one; GUIDED_AUDIO_WORKERS=N tries more on a machine with idle cores."""


def synthesis_workers() -> int:
    """How many phrases to speak at once (GUIDED_AUDIO_WORKERS, else DEFAULT_WORKERS), each on
    one onnxruntime thread."""
    given = os.environ.get(WORKERS_ENV, "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    return DEFAULT_WORKERS


def package_version() -> str:
    import hibari

    return hibari.__version__


class HibariEngine(Engine):
    """Offline synthesis with hibari; the model loads on first use (about half a second)."""

    name = "hibari"

    def __init__(self, *, voice: str | None = None, rate: float | None = None) -> None:
        rate = DEFAULT_RATES[self.name] if rate is None else rate
        if not MIN_SPEED <= rate <= MAX_SPEED:
            raise VoiceError(f"{option('rate')} {rate:g} is out of range for hibari; use {MIN_SPEED} (slow) to {MAX_SPEED} (fast)")
        self.voice = check_voice(voice or DEFAULT_VOICE)
        self.rate = rate
        self.workers = synthesis_workers()

    @property
    def voice_label(self) -> str:
        return self.voice

    def _speed(self, rate: float | None) -> float:
        """A [pace] may take the rate past what the model accepts: held at its edge."""
        return round(min(max(rate or self.rate, MIN_SPEED), MAX_SPEED), 4)

    def cache_identity(self, *, rate: float | None = None) -> dict[str, object]:
        info = hibari_voices()[self.voice]
        return {
            "engine": self.name,
            "voice": self.voice,
            "model": info["sha256"][:16],
            "package": package_version(),
            "seed": SEED,
            "rate": self._speed(rate),
        }

    def release(self) -> None:
        """Drop the loaded model and its phonemizer's lexicons (over 150 MB) once a session's
        phrases are spoken, so the mix that follows has that memory; the next session loads
        them again in half a second."""
        load_model.cache_clear()
        gc.collect()

    def synthesize(self, text: str, *, rate: float | None = None) -> Clip:
        model = load_model(self.voice, THREADS)
        try:
            samples = model(text, speed=self._speed(rate), seed=SEED)
        except Exception as exc:  # onnxruntime and the phonemizer raise many kinds
            raise SynthesisError(f"hibari could not speak {text[:40]!r}: {exc}") from None
        return Clip(samples.astype("float32", copy=False), SAMPLE_RATE)


@functools.lru_cache(maxsize=2)
def load_model(voice: str, threads: int):
    """A loaded voice, kept for the process (a series or a soak loads it once)."""
    from hibari import Hibari

    log.info("loading hibari voice %s", voice)
    try:
        return Hibari(voice=voice, threads=threads)
    except Exception as exc:
        raise VoiceError(f"cannot load hibari voice {voice}: {str(exc).splitlines()[0]}; reinstall hibari-tts") from None
