"""Every voice a person can use now: the offline ones first, then the online gTTS voice.

`guided-audio voices` prints this list; an engine's own checks (hibari refusing a voice it would
download, Piper finding extra voices in GUIDED_AUDIO_VOICES) agree with it by reading the same
sources.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from guided_audio.errors import option
from guided_audio.voice.engine import DEFAULT_ENGINE, default_rate


@dataclass(frozen=True)
class VoiceInfo:
    name: str
    """What --voice takes."""
    engine: str
    language: str
    sex: str
    licence: str
    network: bool
    """True when speaking needs the internet."""
    default: bool = False
    rate: float = 0.0
    """The engine's default --rate (its own speed scale)."""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _hibari() -> list[VoiceInfo]:
    from guided_audio.voice.hibari import DEFAULT_VOICE, hibari_voices, offline_voices

    voices = hibari_voices()
    return [
        VoiceInfo(name, "hibari", voices[name]["language"], voices[name]["gender"], "Apache-2.0", False,
                  DEFAULT_ENGINE == "hibari" and name == DEFAULT_VOICE, default_rate("hibari"))
        for name in offline_voices()
    ]  # fmt: skip


def _piper() -> list[VoiceInfo]:
    from guided_audio.voice.piper import DEFAULT_VOICE, VOICES_ENV

    found = [VoiceInfo("joe", "piper", "en-US", "male", "MIT", False, DEFAULT_ENGINE == "piper" and DEFAULT_VOICE == "joe",
                       default_rate("piper"))]  # fmt: skip
    for folder in filter(None, os.environ.get(VOICES_ENV, "").split(os.pathsep)):
        for model in sorted(Path(folder).glob("*.onnx")):
            if Path(f"{model}.json").is_file():
                found.append(VoiceInfo(model.stem, "piper", _piper_language(model), "unknown", "see the voice's model card",
                                       False, False, default_rate("piper")))  # fmt: skip
    return found


def _piper_language(model: Path) -> str:
    import json

    try:
        config = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))
        return str(config.get("language", {}).get("code", "unknown")).replace("_", "-")
    except (OSError, ValueError, AttributeError):
        return "unknown"


def usable_voices() -> list[VoiceInfo]:
    """Offline voices (the default first), then gTTS (online: --engine gtts --lang L --tld T)."""
    offline = sorted(_hibari() + _piper(), key=lambda voice: not voice.default)
    online = VoiceInfo("gtts", "gtts", "many (--lang)", "female", "Google's terms of service", True, False,
                       default_rate("gtts"))  # fmt: skip
    return [*offline, online]


def format_voices(voices: list[VoiceInfo]) -> str:
    """One line per voice, aligned, with how to pick it."""
    lines = []
    for voice in voices:
        pick = f"{option('engine')} gtts" if voice.engine == "gtts" else f"{option('voice')} {voice.name}"
        where = "needs the internet" if voice.network else "offline"
        mark = " (default)" if voice.default else ""
        lines.append(
            f"{voice.name:<8} {voice.engine:<7} {voice.language:<14} {voice.sex:<7} {where:<19} "
            f"{voice.licence:<26} {pick}{mark}"
        )
    return "\n".join(lines)
