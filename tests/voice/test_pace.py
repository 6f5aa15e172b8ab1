"""[pace] with the real voice: slower speech, its own cache entries, and shown by preview."""

from __future__ import annotations

import pytest

from guided_audio.commands.report import format_plan
from guided_audio.script.markup import Speech
from guided_audio.session import SessionRequest, preview
from guided_audio.voice.cache import PhraseCache
from guided_audio.voice.engine import make_engine
from guided_audio.voice.gtts import GTTSEngine
from guided_audio.voice.speech import cache_key, synthesise_phrases

TEXT = "Let your breath slow down, softly and easily."


def test_a_slower_pace_speaks_slower_and_is_cached_apart(tmp_path):
    engine = make_engine("piper", rate=0.75)
    cache = PhraseCache(tmp_path / "cache")
    normal, slow = Speech(TEXT), Speech(TEXT, 0.8)
    bank = synthesise_phrases(engine, [normal, slow, normal], cache)
    assert (bank.synthesised, bank.cached) == (2, 0)
    # 0.8 of the rate: about 1 / 0.8 = 1.25 times as long (trimmed edges keep it inexact).
    assert 1.15 < bank.length_of(slow) / bank.length_of(normal) < 1.35
    assert cache_key(engine, cache, normal) != cache_key(engine, cache, slow)
    # The session rate times the pace is what is cached: 0.6 at pace 1 is 0.75 at pace 0.8.
    slower_engine = make_engine("piper", rate=0.6)
    assert cache_key(slower_engine, cache, normal) == cache_key(engine, cache, slow)
    again = synthesise_phrases(slower_engine, [normal], cache)
    assert (again.synthesised, again.cached) == (0, 1)
    assert len(again.clips[normal]) == bank.length_of(slow)


def test_gtts_keeps_a_paced_rate_inside_what_atempo_does_well():
    engine = GTTSEngine(rate=0.6)
    assert engine.cache_identity(rate=0.6 * 0.8)["rate"] == 0.5
    assert engine.cache_identity(rate=0.9)["rate"] == 0.9
    assert engine.cache_identity()["rate"] == 0.6


def test_preview_shows_where_the_pace_changes(tmp_path):
    script = tmp_path / "slowing.txt"
    script.write_text("Hello.\n[pace 0.85]\nSlower now.\nStill slow.\n[pace 1]\nNormal again.\n")
    text = format_plan(preview(SessionRequest(str(script), 1)))
    lines = [line.split("  ", 1)[1].strip() for line in text.splitlines() if line.startswith(" 0:")]
    assert lines == ["Hello.", "(pace 0.85)", "Slower now.", "Still slow.", "(pace 1)", "Normal again."]


@pytest.mark.parametrize("pace", [0.5, 1.5])
def test_pace_limits_are_accepted(tmp_path, pace):
    script = tmp_path / "edge.txt"
    script.write_text(f"[pace {pace}]\nHello.\n")
    plan = preview(SessionRequest(str(script), 1))
    assert plan.timeline.speech[0].pace == pace
