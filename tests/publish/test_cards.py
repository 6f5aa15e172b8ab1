"""What a card (and a feed item) says about a session: plain sentences, no settings, no length."""

from __future__ import annotations

import re

import pytest

from guided_audio.publish.cards import about, short_title
from guided_audio.publish.page import technique
from guided_audio.script.templates import builtin_dir, load_file

BUILT_INS = sorted(path.stem for path in builtin_dir().glob("*.txt"))


@pytest.mark.parametrize("name", BUILT_INS)
def test_every_built_in_is_described_in_words_not_settings(name):
    template = load_file(builtin_dir() / f"{name}.txt", builtin=True)
    params = {key: getattr(spec, "default", None) for key, spec in template.params.items()}
    text = about({"template": name, "params": params})
    assert text and text[0].isupper() and text.endswith(".")
    assert not re.search(r"\b(auto|true|false|none)\b|=|\bmin(ute)?s?\b", text, re.IGNORECASE), text
    assert len(text) < 200, text
    if name == "guided-imagery":  # the scene chosen, not every scene the template offers
        assert "beach" in text and "forest" not in text


def test_the_chosen_pattern_and_scene_are_what_is_said():
    assert about({"template": "deep-breathing", "params": {"pattern": "4-7-8", "practice": "auto", "tones": False}}) == (
        "Breathing in the 4-7-8 pattern: in for 4, hold for 7, out for 8, with guidance that thins out as you go."
    )
    own = about({"template": "deep-breathing", "params": {"inhale": 5, "exhale": 7, "hold": None}})
    assert own.startswith("Breathing to your own timing: in for 5, out for 7")
    assert "mountain lake" in about({"template": "guided-imagery", "params": {"scene": "mountain-lake"}})
    assert about({"template": "body-scan", "params": {"ending": "sleep"}}).endswith("ready for sleep.")
    assert about({"template": "my-own", "params": {}}) is None  # the user's own words are kept
    assert about({"template": "mindfulness", "params": {"guidance": "none", "bells": "every:5"}}).startswith("A silent sit, timed by bells")
    assert "bells" not in about({"template": "mindfulness", "params": {"guidance": "none", "bells": "none"}})


def test_a_session_in_parts_reads_as_one_sentence_per_practice():
    manifest = {
        "template": "deep-breathing+body-scan",
        "parts": [
            {"template": "deep-breathing", "title": "Deep breathing", "params": {"pattern": "box"}},
            {"template": "body-scan", "title": "Body scan", "params": {"focus": "body"}},
        ],
    }
    text = about(manifest)
    assert text.startswith("Two practices in one: deep breathing, then body scan. Box breathing")
    assert technique("deep-breathing+body-scan") == "Deep breathing, then body scan"
    assert short_title("Deep breathing and body scan (10 min)") == "Deep breathing and body scan"
    assert short_title("My evening (long)") == "My evening (long)"
