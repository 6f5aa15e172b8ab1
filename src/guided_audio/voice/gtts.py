"""Google Translate's text-to-speech (through gTTS): many languages, but needs the internet.

gTTS talks to an unofficial endpoint, so the failures users actually meet are being offline
and being rate-limited (HTTP 429). Offline fails at once with a pointer to the offline Piper
voice; a rate limit is waited out with exponential back-off before giving up.
"""

from __future__ import annotations

import io
import logging
import re
import time
from typing import Callable

from guided_audio.errors import SynthesisError, VoiceError, option
from guided_audio.voice.interface import DEFAULT_RATES, Clip, Engine

log = logging.getLogger(__name__)

SAMPLE_RATE = 24_000
"""gTTS MP3s are 24 kHz mono; decoding at the native rate avoids a needless resample."""

MIN_RATE, MAX_RATE = 0.5, 2.0
"""atempo's single-filter range, and beyond it speech stops sounding natural anyway."""

REQUEST_TIMEOUT_SECONDS = 30.0
"""gTTS waits forever by default; a hung request should fail, not freeze the render."""

_TLD_RE = re.compile(r"^[a-z]{2,}(\.[a-z]{2,})*$")

_OFFLINE_FIX = f"use the offline voice with {option('engine')} piper"


class GTTSEngine(Engine):
    """Speaks through translate.google.<tld>; the pace is set afterwards with ffmpeg atempo.

    gTTS itself only has a `slow` flag, which is far too slow for guided sessions, so every
    phrase is fetched at normal speed and stretched to `rate`.
    """

    name = "gtts"

    def __init__(
        self,
        *,
        lang: str = "en",
        tld: str = "com",
        rate: float | None = None,
        retries: int = 4,
        backoff_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from gtts.lang import tts_langs  # a static table: no network

        langs = tts_langs()
        canonical = {code.lower(): code for code in langs}
        if lang.lower() not in canonical:
            raise VoiceError(
                f"unknown gTTS language {lang!r}: try one of {', '.join(sorted(langs))}"
            )
        tld = tld.strip().lower().lstrip(".")
        if not _TLD_RE.match(tld):
            raise VoiceError(
                f"invalid gTTS {option('tld')} {tld!r}: give a Google domain ending such as com, co.uk, "
                "com.au, ca or co.in"
            )
        rate = DEFAULT_RATES[self.name] if rate is None else rate
        if not MIN_RATE <= rate <= MAX_RATE:
            raise VoiceError(
                f"speaking rate {rate} is out of range: choose a {option('rate')} between "
                f"{MIN_RATE} and {MAX_RATE}"
            )
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.lang = canonical[lang.lower()]
        self.tld = tld
        self.rate = float(rate)
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep

    @property
    def host(self) -> str:
        return f"translate.google.{self.tld}"

    @property
    def voice_label(self) -> str:
        return f"gtts {self.lang} ({self.tld})"

    def _tempo(self, rate: float | None) -> float:
        """The rate asked for, kept inside what atempo does well (a [pace] may push past it)."""
        return min(max(rate or self.rate, MIN_RATE), MAX_RATE)

    def cache_identity(self, *, rate: float | None = None) -> dict[str, object]:
        # The tld matters: different Google hosts give different accents for one language.
        return {"engine": self.name, "lang": self.lang, "tld": self.tld, "rate": self._tempo(rate)}

    def synthesize(self, text: str, *, rate: float | None = None) -> Clip:
        from guided_audio.audio.ffmpeg import decode

        data = self._fetch_mp3(text)
        samples = decode(data, SAMPLE_RATE, tempo=self._tempo(rate))
        return Clip(samples, SAMPLE_RATE)

    def _fetch_mp3(self, text: str) -> bytes:
        """Download the phrase as MP3, retrying only what waiting can fix (HTTP 429)."""
        from gtts import gTTS, gTTSError

        try:
            tts = gTTS(text, lang=self.lang, tld=self.tld, timeout=REQUEST_TIMEOUT_SECONDS)
        except AssertionError as exc:  # gTTS asserts on empty text
            raise SynthesisError(f"gTTS has nothing to speak in {text!r}: {exc}") from exc

        attempt = 0
        while True:
            buf = io.BytesIO()
            try:
                tts.write_to_fp(buf)
            except AssertionError as exc:  # only punctuation/whitespace left after cleaning
                raise SynthesisError(
                    f"gTTS found nothing speakable in {text!r}: give the phrase some words"
                ) from exc
            except gTTSError as exc:
                status = getattr(exc.rsp, "status_code", None)
                if status == 429 and attempt < self.retries:
                    delay = self.backoff_seconds * 2**attempt
                    attempt += 1
                    log.warning(
                        "Google rate-limited gTTS (HTTP 429); retry %d of %d in %.1fs",
                        attempt,
                        self.retries,
                        delay,
                    )
                    self._sleep(delay)
                    continue
                raise self._translate(exc, status, attempt) from exc
            except OSError as exc:  # requests errors that escaped gTTS's own wrapping
                raise self._offline(exc) from exc
            data = buf.getvalue()
            if not data:
                # gTTS silently yields nothing when the reply lacks its RPC marker entirely.
                raise self._no_audio()
            return data

    def _translate(self, exc: Exception, status: int | None, attempt: int) -> SynthesisError:
        """Turn a gTTSError into one actionable line."""
        if status is None:
            return self._offline(exc.__cause__ or exc.__context__ or exc)
        if status == 429:
            return SynthesisError(
                f"Google rate-limited the gTTS voice (HTTP 429) after {attempt} retries: "
                f"wait a few minutes or use {option('engine')} piper"
            )
        if status == 200:  # the marker was there but not in the shape gTTS expects
            return self._no_audio()
        detail = " ".join(str(exc).split()) or "no detail"
        return SynthesisError(
            f"gTTS request to {self.host} failed with HTTP {status} ({detail}): "
            f"try again later or use {option('engine')} piper"
        )

    def _no_audio(self) -> SynthesisError:
        return SynthesisError(
            f"{self.host} answered without audio for lang {self.lang!r} (the unofficial API "
            f"may have changed): upgrade gtts or use {option('engine')} piper"
        )

    def _offline(self, cause: BaseException) -> SynthesisError:
        """No response at all: retrying cannot help, so say how to work without the network."""
        import requests

        if isinstance(cause, requests.exceptions.Timeout) and not isinstance(
            cause, requests.exceptions.ConnectionError
        ):
            return SynthesisError(
                f"gTTS timed out after {REQUEST_TIMEOUT_SECONDS:.0f}s waiting for {self.host}: "
                f"check your connection or {_OFFLINE_FIX}"
            )
        return SynthesisError(
            f"gTTS needs the internet and could not reach {self.host}: {_OFFLINE_FIX}"
        )
