"""The one interface every text-to-speech engine implements, and the choice between them."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from guided_audio.errors import VoiceError, option

ENGINE_NAMES = ("hibari", "piper", "gtts")
DEFAULT_ENGINE = "hibari"
"""The engine a session speaks with when neither --engine nor --voice names one: hibari's
heart, chosen by scripts/compare_voices.py (clearer to a recogniser than joe, and far faster)."""
DEFAULT_RATES = {"hibari": 0.58, "piper": 0.5, "gtts": 0.85}
"""Each engine's default --rate (its own speed scale), the one place these are written: a
meditation pace of about 130 words a minute inside phrases (clause gaps included) for heart
and joe, measured with scripts/compare_voices.py."""
PACE_SCALE = {"hibari": 0.96, "piper": 1.0, "gtts": 1.0}
"""How fast each engine speaks at a rate, as a share of Piper joe's speed at that rate: the
script's length estimates (script.fitting) are written for joe, so they scale by rate times this."""


def default_rate(engine: str) -> float:
    return DEFAULT_RATES[engine]


def engine_for(engine: str | None, voice: str | None) -> str:
    """The engine asked for, else the one a voice name belongs to, else the default."""
    if engine:
        if engine not in ENGINE_NAMES:
            raise VoiceError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINE_NAMES)}")
        return engine
    if voice:
        from guided_audio.voice.hibari import hibari_voices

        return "hibari" if voice in hibari_voices() else "piper"
    return DEFAULT_ENGINE


@dataclass(frozen=True)
class Clip:
    """Mono audio as float32 samples in [-1, 1]."""

    samples: np.ndarray
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate


class Engine(abc.ABC):
    """Speaks one phrase at a time.

    Engines are created cheaply; anything slow (loading a model, checking the network)
    happens on first use, so that a fully cached render never pays for it.
    """

    name: ClassVar[str]
    rate: float
    """The session's speaking pace; a phrase may ask for another (markup [pace])."""
    workers: int = 1
    """Phrases this engine can speak at once from threads (one: one at a time)."""

    @property
    @abc.abstractmethod
    def voice_label(self) -> str:
        """Human-readable voice name for the manifest and feed."""

    @abc.abstractmethod
    def cache_identity(self, *, rate: float | None = None) -> dict[str, object]:
        """Everything besides the text that changes the audio this engine makes at `rate`.

        A cache keyed on less than this serves stale audio, so when in doubt add it.
        """

    @abc.abstractmethod
    def synthesize(self, text: str, *, rate: float | None = None) -> Clip:
        """Speak `text` (one phrase, no markup) at `rate` (default self.rate); untrimmed audio."""


def make_engine(
    name: str | None = None,
    *,
    voice: str | None = None,
    rate: float | None = None,
    lang: str = "en",
    tld: str = "com",
) -> Engine:
    """Build the engine a user asked for (by name, or by its voice); heavy imports happen only here."""
    name = engine_for(name, voice)
    rate = default_rate(name) if rate is None else rate
    if name == "hibari":
        from guided_audio.voice.hibari import HibariEngine

        return HibariEngine(voice=voice, rate=rate)
    if name == "piper":
        from guided_audio.voice.piper import PiperEngine

        return PiperEngine(voice=voice, rate=rate)
    if name == "gtts":
        from guided_audio.voice.gtts import GTTSEngine

        if voice:
            raise VoiceError(
                f"{option('voice')} is for the offline voices (see `guided-audio voices`); gTTS picks its voice with {option('lang')} and {option('tld')}"
            )
        return GTTSEngine(lang=lang, tld=tld, rate=rate)
    raise VoiceError(f"unknown engine {name!r}: choose one of {', '.join(ENGINE_NAMES)}")
