"""The one interface every text-to-speech engine implements, and each engine's default rate.

The engines (hibari, piper, gtts) import this module and nothing else of voice/'s choosing;
`voice.engine` is the registry that picks and builds one, importing them only when asked,
so nothing in voice/ imports in a circle (tests/test_layering.py checks it).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

DEFAULT_RATES = {"hibari": 0.58, "piper": 0.5, "gtts": 0.85}
"""Each engine's default rate (its own speed scale), the one place these are written: a
meditation pace of about 130 words a minute inside phrases (clause gaps included) for heart
and joe, measured with scripts/compare_voices.py."""


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
