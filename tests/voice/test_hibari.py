"""The hibari engine and its bundled `heart` voice: offline, cached exactly, listed, and the
voices it would download refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from guided_audio.cli import cli
from guided_audio.errors import VoiceError
from guided_audio.script.markup import Speech
from guided_audio.session import SessionRequest
from guided_audio.voice import hibari
from guided_audio.voice.cache import PhraseCache
from guided_audio.voice.engine import DEFAULT_RATES, make_engine
from guided_audio.voice.speech import cache_key, synthesise_phrases

TEXT = "Let your shoulders soften, and let the breath find its own pace."


def test_heart_speaks_offline_the_same_every_time_and_is_cached(tmp_path):
    engine = make_engine(voice="heart")
    assert (engine.name, engine.voice_label, engine.rate) == ("hibari", "heart", DEFAULT_RATES["hibari"])
    first, second = engine.synthesize(TEXT), engine.synthesize(TEXT)
    assert first.sample_rate == hibari.SAMPLE_RATE and first.seconds > 2
    assert np.array_equal(first.samples, second.samples)  # a fixed seed: the cache entry is exact
    cache = PhraseCache(tmp_path / "cache")
    plain = "Let the breath find its own pace."  # one clause: spoken in one piece
    bank = synthesise_phrases(engine, [Speech(plain)], cache)
    # Resampled to 44.1 kHz: the seconds hibari made, less the quiet it leaves at both ends
    # (over a second in all at a slow pace), which is trimmed.
    assert 0.5 < bank.length_of(Speech(plain)) / 44_100 / engine.synthesize(plain).seconds <= 1.0
    again = synthesise_phrases(engine, [Speech(plain)], cache)
    assert (again.synthesised, again.cached) == (0, 1)


def test_heart_cache_key_holds_everything_that_changes_its_audio(tmp_path, monkeypatch):
    cache = PhraseCache(tmp_path)
    engine = make_engine("hibari", voice="heart", rate=0.7)
    identity = engine.cache_identity()
    assert {"engine", "voice", "model", "package", "seed", "rate"} <= identity.keys()
    key = cache_key(engine, cache, Speech(TEXT))
    assert key != cache_key(engine, cache, Speech(TEXT + " Now."))
    assert key != cache_key(engine, cache, Speech(TEXT, 0.9))
    assert key != cache_key(make_engine("hibari", rate=0.8), cache, Speech(TEXT))
    assert key != cache_key(make_engine("piper", rate=0.7), cache, Speech(TEXT))
    monkeypatch.setattr(hibari, "SEED", 1)
    assert key != cache_key(engine, cache, Speech(TEXT))
    monkeypatch.setattr(hibari, "SEED", 0)
    monkeypatch.setattr(hibari, "package_version", lambda: "9.9.9")
    assert key != cache_key(engine, cache, Speech(TEXT))


def test_a_voice_hibari_would_download_is_refused_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "deep-breathing", "-m", "3", "--voice", "emma"])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert lines == [
        "Error: hibari voice 'emma' downloads from the internet on first use; guided-audio speaks offline "
        "only: use --voice heart (or joe, the Piper voice); `guided-audio voices` lists them all"
    ]
    assert not list(tmp_path.rglob("*.mp3"))
    with pytest.raises(VoiceError, match="'nobody' is not a hibari voice"):
        make_engine("hibari", voice="nobody")


def test_a_voice_name_picks_its_engine_and_rate():
    assert (SessionRequest("x", 5, voice="heart").engine, SessionRequest("x", 5, voice="joe").engine) == ("hibari", "piper")
    assert SessionRequest("x", 5, voice="joe").rate == DEFAULT_RATES["piper"]
    assert SessionRequest("x", 5, voice="heart", rate=0.9).rate == 0.9


def test_voices_lists_every_voice_usable_now():
    text = CliRunner().invoke(cli, ["voices"], catch_exceptions=False).output
    listed = json.loads(CliRunner().invoke(cli, ["voices", "--json"], catch_exceptions=False).output)
    by_name = {voice["name"]: voice for voice in listed}
    assert by_name["heart"] | {"default": None, "rate": None} == {
        "name": "heart", "engine": "hibari", "language": "en-US", "sex": "female", "licence": "Apache-2.0",
        "network": False, "default": None, "rate": None,
    }  # fmt: skip
    assert (by_name["joe"]["engine"], by_name["joe"]["sex"], by_name["joe"]["network"]) == ("piper", "male", False)
    assert by_name["gtts"]["network"] is True
    assert sum(voice["default"] for voice in listed) == 1 and listed[0]["default"]
    assert "emma" not in by_name  # hibari would download it
    assert [line.split()[0] for line in text.splitlines()] == [voice["name"] for voice in listed]


@pytest.mark.parametrize("voice", ["heart", "joe"])
def test_a_five_minute_session_is_exact_loud_enough_and_on_the_beat_with_either_voice(tmp_path, voice):
    from audio_probe import check_session, ebur128, onset_near, render, window_levels

    mp3, _ = render(tmp_path, "deep-breathing", 5, voice=voice)
    samples, manifest, speech = check_session(mp3, 5)  # 300 s, every phrase heard where the plan puts it
    assert voice in manifest["voice"]  # joe is labelled by its file, en_US-joe-medium
    loudness, peak = ebur128(mp3)
    assert loudness == pytest.approx(-19, abs=0.5) and peak <= -1.0
    levels = window_levels(samples)
    starts = {round(s["start"], 3) for s in speech}
    cued = [p for p in manifest["phases"] if round(p["start"], 3) in starts]
    assert len(cued) >= 4
    for phase in cued:
        assert abs(onset_near(levels, phase["start"]) - phase["start"]) <= 0.050


def test_phrases_spoken_on_several_threads_are_the_ones_spoken_one_at_a_time(tmp_path, monkeypatch):
    texts = [Speech(f"Breathe in slowly, and count to {n}.") for n in range(2, 8)]
    banks = []
    for workers in ("1", "3"):
        monkeypatch.setenv(hibari.WORKERS_ENV, workers)
        engine = make_engine(voice="heart")
        assert engine.workers == int(workers)
        seen = []
        banks.append(synthesise_phrases(engine, texts, PhraseCache(tmp_path / workers), progress=lambda *a: seen.append(a)))
        assert seen[-1] == ("Synthesising", 6, 6) and len(seen) == 6
    assert all(np.array_equal(banks[0].clips[t], banks[1].clips[t]) for t in texts)


def test_a_series_names_a_voice_and_a_duck_per_episode(tmp_path):
    from guided_audio.series.check import check_series
    from guided_audio.series.spec import read_series

    course = tmp_path / "course.toml"
    course.write_text(
        '[series]\ntitle = "Evenings"\nduck = 3\n\n'
        '[[episode]]\ntitle = "Joe breathes"\ntemplate = "deep-breathing"\nminutes = 3\nvoice = "joe"\nbackground = "rain"\n\n'
        '[[episode]]\ntitle = "Heart breathes"\ntemplate = "deep-breathing"\nminutes = 3\nbackground = "rain"\nduck = 5\n\n'
        '[[episode]]\ntitle = "Heart again"\ntemplate = "deep-breathing"\nminutes = 3\nvoice = "heart"\nrate = 0.7\n'
    )
    joe, default, heart = (job.request for job in check_series(read_series(course)).jobs)
    assert (joe.engine, joe.voice, joe.rate, joe.duck_db) == ("piper", "joe", DEFAULT_RATES["piper"], 3)
    assert (default.engine, default.rate, default.duck_db) == ("hibari", DEFAULT_RATES["hibari"], 5)
    assert (heart.engine, heart.voice, heart.rate) == ("hibari", "heart", 0.7)
    course.write_text(course.read_text().replace('voice = "heart"', 'voice = "emma"'))
    with pytest.raises(Exception, match="course.toml:.*'Heart again'.*downloads from the internet"):
        check_series(read_series(course))
