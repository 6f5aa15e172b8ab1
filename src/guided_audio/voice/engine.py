"""The one interface every text-to-speech engine implements, and the choice between them."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from guided_audio.errors import VoiceError

ENGINE_NAMES = ("piper", "gtts")


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
    name: str,
    *,
    voice: str | None = None,
    rate: float = 0.85,
    lang: str = "en",
    tld: str = "com",
) -> Engine:
    """Build the engine a user asked for; heavy imports happen only here."""
    if name == "piper":
        from guided_audio.voice.piper import PiperEngine

        return PiperEngine(voice=voice, rate=rate)
    if name == "gtts":
        from guided_audio.voice.gtts import GTTSEngine

        if voice:
            raise VoiceError(
                "--voice is for the piper engine; gTTS picks its voice with --lang and --tld"
            )
        return GTTSEngine(lang=lang, tld=tld, rate=rate)
    raise VoiceError(f"unknown engine {name!r}: choose one of {', '.join(ENGINE_NAMES)}")
