"""The engine registry: which engines there are, the choice between them, and building one.

The interface every engine implements (Engine, Clip) and their default rates live in
`voice.interface`, which the engines import; this module imports an engine only when one
is built, so a fully cached render never pays for loading a model.
"""

from __future__ import annotations

from guided_audio.errors import VoiceError, option
from guided_audio.voice.interface import DEFAULT_RATES, Clip, Engine

__all__ = ["DEFAULT_ENGINE", "DEFAULT_RATES", "ENGINE_NAMES", "PACE_SCALE", "Clip", "Engine", "default_rate",
           "engine_for", "make_engine"]  # fmt: skip

ENGINE_NAMES = ("hibari", "piper", "gtts")
DEFAULT_ENGINE = "hibari"
"""The engine a session speaks with when neither --engine nor --voice names one: hibari's
heart, chosen by scripts/compare_voices.py (clearer to a recogniser than joe, and far faster)."""
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
