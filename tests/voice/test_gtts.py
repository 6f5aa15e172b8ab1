"""GTTSEngine against a fake Google that serves real MP3 speech, with the network cut off.

The fake sits at the HTTP layer (responses), so gTTS's own request building and reply
parsing run for real; only the bytes on the wire are ours.
"""

from __future__ import annotations

import json
import re

import pytest
import requests
import responses
from fake_google import PHRASE, google_reply, sent_text, url

from guided_audio.commands.words import say
from guided_audio.errors import SynthesisError, VoiceError
from guided_audio.voice.gtts import GTTSEngine


class Sleeps(list):
    """A fake sleep that records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def one_line(exc: pytest.ExceptionInfo) -> str:
    """The error as the command line says it (the library names settings by key: no flags)."""
    assert "--" not in str(exc.value)
    msg = say(exc.value)
    assert "\n" not in msg and msg.strip() == msg
    return msg


def test_phrase_is_spoken_at_the_requested_rate_via_the_tld_host(google, spoken):
    mp3, source_seconds = spoken
    google.add(responses.POST, url("co.uk"), body=google_reply(mp3), status=200)

    engine = GTTSEngine(lang="en", tld="co.uk", rate=0.8, sleep=Sleeps())
    clip = engine.synthesize(PHRASE)

    assert clip.sample_rate == 24000
    assert clip.samples.size > 0 and clip.samples.dtype.name == "float32"
    assert abs(clip.samples).max() > 0.05  # speech, not silence
    expected = source_seconds / 0.8
    assert clip.seconds == pytest.approx(expected, rel=0.05, abs=0.08)

    assert len(google.calls) == 1
    request = google.calls[0].request
    assert request.url.startswith("https://translate.google.co.uk/")
    assert sent_text(request) == PHRASE


def test_rate_one_skips_atempo_and_keeps_duration(google, spoken):
    mp3, source_seconds = spoken
    google.add(responses.POST, url(), body=google_reply(mp3))
    clip = GTTSEngine(rate=1.0).synthesize(PHRASE)
    assert clip.seconds == pytest.approx(source_seconds, rel=0.05, abs=0.08)


def test_long_text_is_split_by_gtts_and_the_parts_joined(google, spoken):
    mp3, source_seconds = spoken
    google.add(responses.POST, url(), body=google_reply(mp3))
    long_text = (PHRASE + " ") * 3  # > 100 characters, so gTTS sends several requests

    clip = GTTSEngine(rate=1.0).synthesize(long_text)

    assert len(google.calls) >= 2
    parts = [sent_text(c.request) for c in google.calls]
    words = re.compile(r"\w+")  # gTTS drops the punctuation it splits on
    assert words.findall(" ".join(parts)) == words.findall(long_text)
    assert clip.seconds == pytest.approx(len(google.calls) * source_seconds, rel=0.08)


def test_rate_limit_is_retried_with_growing_backoff(google, spoken, caplog):
    mp3, _ = spoken
    google.add(responses.POST, url(), status=429)
    google.add(responses.POST, url(), status=429)
    google.add(responses.POST, url(), body=google_reply(mp3))
    sleeps = Sleeps()

    clip = GTTSEngine(backoff_seconds=2.0, sleep=sleeps).synthesize(PHRASE)

    assert clip.samples.size > 0
    assert len(google.calls) == 3
    assert sleeps == [2.0, 4.0]
    assert sum("429" in r.getMessage() for r in caplog.records) == 2


def test_rate_limit_forever_gives_up_after_the_retries(google):
    google.add(responses.POST, url(), status=429)
    sleeps = Sleeps()
    engine = GTTSEngine(retries=3, backoff_seconds=0.5, sleep=sleeps)

    with pytest.raises(SynthesisError) as exc:
        engine.synthesize(PHRASE)

    msg = one_line(exc)
    assert "429" in msg and "after 3 retries" in msg and "--engine piper" in msg
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(google.calls) == 4  # the first try plus 3 retries


def test_offline_fails_at_once_without_retrying(google):
    google.add(
        responses.POST,
        url(),
        body=requests.exceptions.ConnectionError("Failed to resolve 'translate.google.com'"),
    )
    sleeps = Sleeps()

    with pytest.raises(SynthesisError) as exc:
        GTTSEngine(sleep=sleeps).synthesize(PHRASE)

    msg = one_line(exc)
    assert "could not reach translate.google.com" in msg and "--engine piper" in msg
    assert sleeps == []
    assert len(google.calls) == 1


def test_offline_message_names_the_tld_host(google):
    google.add(responses.POST, url("com.au"), body=requests.exceptions.ConnectionError("down"))
    with pytest.raises(SynthesisError, match=r"translate\.google\.com\.au"):
        GTTSEngine(tld="com.au", sleep=Sleeps()).synthesize(PHRASE)


def test_read_timeout_is_not_retried(google):
    google.add(responses.POST, url(), body=requests.exceptions.ReadTimeout("slow"))
    sleeps = Sleeps()
    with pytest.raises(SynthesisError) as exc:
        GTTSEngine(sleep=sleeps).synthesize(PHRASE)
    assert "timed out" in one_line(exc)
    assert sleeps == [] and len(google.calls) == 1


def test_other_http_errors_report_status_and_gtts_reason(google):
    google.add(responses.POST, url(), status=503)
    sleeps = Sleeps()
    with pytest.raises(SynthesisError) as exc:
        GTTSEngine(sleep=sleeps).synthesize(PHRASE)
    msg = one_line(exc)
    assert "HTTP 503" in msg and "Upstream API error" in msg
    assert sleeps == [] and len(google.calls) == 1


@pytest.mark.parametrize(
    "body",
    ["<html>consent page</html>", '[["wrb.fr","jQ1olc",null,null,null,[3],"generic"]]'],
    ids=["no-marker", "marker-without-audio"],
)
def test_reply_without_audio_is_an_error_not_silence(google, body):
    google.add(responses.POST, url(), body=body)
    with pytest.raises(SynthesisError) as exc:
        GTTSEngine(sleep=Sleeps()).synthesize(PHRASE)
    assert "without audio" in one_line(exc)


def test_unspeakable_text_is_a_synthesis_error(google):
    with pytest.raises(SynthesisError):
        GTTSEngine().synthesize("...")
    assert len(google.calls) == 0


def test_unknown_language_is_a_voice_error():
    with pytest.raises(VoiceError) as exc:
        GTTSEngine(lang="xx")
    msg = one_line(exc)
    assert "'xx'" in msg and "en" in msg and "fr" in msg


def test_language_codes_are_case_insensitive():
    assert GTTSEngine(lang="ZH-tw").lang == "zh-TW"


@pytest.mark.parametrize("kwargs", [{"rate": 0.3}, {"rate": 2.5}, {"tld": "com/evil"}, {"tld": ""}])
def test_bad_rate_or_tld_is_a_voice_error(kwargs):
    with pytest.raises(VoiceError) as exc:
        GTTSEngine(**kwargs)
    one_line(exc)


def test_voice_label_and_cache_identity():
    base = GTTSEngine()
    assert base.name == "gtts"
    assert base.voice_label == "gtts en (com)"
    ident = base.cache_identity()
    assert ident == {"engine": "gtts", "lang": "en", "tld": "com", "rate": 0.85}
    json.dumps(ident)  # must be serialisable to key a cache
    assert GTTSEngine().cache_identity() == ident
    for other in (GTTSEngine(lang="fr"), GTTSEngine(tld="co.uk"), GTTSEngine(rate=0.9)):
        assert other.cache_identity() != ident
