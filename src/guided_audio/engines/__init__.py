"""Text-to-speech engines behind one small interface (see base.Engine)."""

from __future__ import annotations

from guided_audio.engines.base import Clip, Engine
from guided_audio.errors import VoiceError

ENGINE_NAMES = ("piper", "gtts")

__all__ = ["Clip", "Engine", "ENGINE_NAMES", "make_engine"]


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
        from guided_audio.engines.piper_engine import PiperEngine

        return PiperEngine(voice=voice, rate=rate)
    if name == "gtts":
        from guided_audio.engines.gtts_engine import GTTSEngine

        if voice:
            raise VoiceError(
                "--voice is for the piper engine; gTTS picks its voice with --lang and --tld"
            )
        return GTTSEngine(lang=lang, tld=tld, rate=rate)
    raise VoiceError(f"unknown engine {name!r}: choose one of {', '.join(ENGINE_NAMES)}")
