"""Recorded renders, so a change that should alter nothing (a refactor) can prove it did not.

Two records live in tests/golden/ (`python scripts/golden.py --update` writes them anew when a
change is meant to alter the sessions):
- scripts.json: every built-in template rendered at every whole minute of its range for every
  combination of its choices (and some values of its own), each parsed script as a short hash;
- audio.json: a short fixed session rendered three ways (no background, rain, binaural) from
  recorded phrase clips of the real voice (phrases/, since Piper itself is not repeatable from
  one process to the next), each decoded MP3 as a hash of its samples and a loudness outline.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import platform
import subprocess
from pathlib import Path

import numpy as np

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"
SCRIPTS_FILE = GOLDEN / "scripts.json"
AUDIO_FILE = GOLDEN / "audio.json"
PHRASES = GOLDEN / "phrases"
SESSION = GOLDEN / "session.txt"
RATE = 44_100
OUTLINE_BLOCK = RATE // 20
"""Samples per value of the loudness outline (50 ms)."""

EXTRA_CHOICES = {
    "deep-breathing": [{"inhale": "4", "exhale": "6"}, {"inhale": "5", "hold": "2.5", "exhale": "7", "rest": "1"}, {"hold": "7"}],
    "affirmations": [{"file": "{mine}"}, {"file": "{mine}", "twice": "true", "name": "Sam", "goal": "a calmer start to my mornings"}],
    "gratitude": [{"goal": "my new job", "name": "Ana"}],
    "body-scan": [{"name": "Jo"}],
    "self-compassion": [{"name": "Jo"}],
    "sleep-wind-down": [{"name": "Jo"}],
}
"""Values beyond the choices, each rendered as a case of its own ({mine}: a list of lines)."""
MINE = "I am here.\nI can rest now\n# a comment\nMy breath is mine.\n"

AUDIO_CASES = {
    "quiet": {"background": "none"},
    "rain": {"background": "rain", "seed": 3},
    "binaural": {"background": "binaural", "seed": 1, "bitrate_kbps": 128},
}
SESSION_SECONDS = 45
"""Under a minute, so every machine encodes it in one part whatever its cores."""
VOICE = {"voice": "joe", "rate": 0.75}
"""The recorded phrases are joe's at the rate that was the default when they were recorded."""
"""Under a minute, so every machine encodes it in one part whatever its cores."""


def _choice_cases(template, mine: Path) -> list[dict[str, str]]:
    values = {
        key: (spec.choices if spec.type == "choice" else ["true", "false"])
        for key, spec in template.params.items()
        if spec.type in ("choice", "bool")
    }
    cases = [dict(zip(values, combo)) for combo in itertools.product(*values.values())]
    extra = [{k: v.format(mine=mine) for k, v in case.items()} for case in EXTRA_CHOICES.get(template.name, [])]
    return cases + extra


def script_fingerprints(folder: Path) -> dict[str, list[list]]:
    """For every built-in template and case: [minutes, hash of the parsed script] per minute."""
    from guided_audio.script import markup, templates

    mine = folder / "mine.txt"
    mine.write_text(MINE, encoding="utf-8")
    found: dict[str, list[list]] = {}
    for template in templates.available():
        for case in _choice_cases(template, mine):
            shown = {k: ("mine.txt" if v == str(mine) else v) for k, v in sorted(case.items())}
            key = " ".join([template.name, *(f"{k}={v}" for k, v in shown.items())])
            rows = []
            for minutes in range(int(template.min_minutes or 1), 61):
                text, _ = templates.render(template, minutes, case)
                digest = hashlib.sha256(repr(markup.parse(text)).encode()).hexdigest()[:12]
                rows.append([minutes, digest])
            found[key] = rows
    return found


def load_phrases(cache_dir: Path) -> None:
    """Put the recorded clips into a phrase cache as the bundled voice's, at the default rate."""
    from guided_audio.audio.ffmpeg import decode
    from guided_audio.script.markup import Speech
    from guided_audio.session import SessionRequest
    from guided_audio.voice.cache import PhraseCache
    from guided_audio.voice.engine import make_engine
    from guided_audio.voice.speech import cache_key

    rate = SessionRequest(str(SESSION), minutes=1, **VOICE).rate
    engine, cache = make_engine("piper", rate=rate), PhraseCache(cache_dir)
    index = json.loads((PHRASES / "index.json").read_text(encoding="utf-8"))
    for text, name in index.items():
        cache.put(cache_key(engine, cache, Speech(text)), decode(PHRASES / name, RATE))


def record_phrases() -> None:
    """Speak the golden session's phrases with the real voice and keep them (16-bit FLAC)."""
    from guided_audio.audio.ffmpeg import ffmpeg_exe
    from guided_audio.script import markup, templates
    from guided_audio.script.lengths import phrases
    from guided_audio.voice.engine import make_engine
    from guided_audio.voice.speech import speak

    template = templates.load_file(SESSION)
    items = markup.parse(templates.render(template, 1, {})[0])
    from guided_audio.session import SessionRequest

    engine = make_engine("piper", rate=SessionRequest(str(SESSION), minutes=1, **VOICE).rate)
    PHRASES.mkdir(parents=True, exist_ok=True)
    index = {}
    for number, phrase in enumerate(dict.fromkeys(phrases(items))):
        samples = speak(engine, phrase.text, engine.rate)
        name = f"{number:02d}.flac"
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-y", "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
             "-compression_level", "12", str(PHRASES / name)],
            input=pcm, check=True,
        )  # fmt: skip
        index[phrase.text] = name
    (PHRASES / "index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")


def render_case(name: str, folder: Path) -> dict:
    """Render one audio case (the phrase cache must hold the recorded clips); what it sounds like."""
    from guided_audio.audio.ffmpeg import decode
    from guided_audio.session import SessionRequest, generate

    options = AUDIO_CASES[name]
    channels = 2 if options["background"] == "binaural" else 1
    mp3 = folder / f"{name}.mp3"
    result = generate(SessionRequest(str(SESSION), minutes=SESSION_SECONDS / 60, output=mp3, **VOICE, **options))
    assert result.synthesised == 0, "the golden session must come from the recorded phrases"
    samples = decode(mp3, RATE, channels=channels)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    mono = samples.mean(axis=1) if channels > 1 else samples
    blocks = mono[: len(mono) // OUTLINE_BLOCK * OUTLINE_BLOCK].reshape(-1, OUTLINE_BLOCK)
    outline = 10 * np.log10(np.mean(np.square(blocks.astype(np.float64)), axis=1) + 1e-12)
    manifest = json.loads(mp3.with_suffix(".json").read_text(encoding="utf-8"))
    return {
        "samples": int(len(samples)),
        "pcm_sha256": hashlib.sha256(pcm.tobytes()).hexdigest(),
        "outline_db": [round(float(value), 2) for value in outline],
        "segments": manifest["segments"],
        "loudness_lufs": manifest["loudness_lufs"],
    }


def environment() -> dict[str, str]:
    """What the exact samples may depend on besides our code (floating-point kernels, LAME)."""
    import imageio_ffmpeg
    import scipy

    return {
        "machine": platform.machine(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "ffmpeg": imageio_ffmpeg.get_ffmpeg_version(),
    }
