"""`preview --json`: the plan in the manifest's shape, without synthesis, estimates marked."""

from __future__ import annotations

import json

from test_cli import run, run_main

from guided_audio.publish.manifest import Manifest
from guided_audio.script.layout import Timeline

MANIFEST_KEYS = set(Manifest.of_timeline(Timeline(44_100, 0), title="t", template="t", minutes=1, params={}, engine="piper",
                                         voice="joe", background="none").to_dict())  # fmt: skip
"""What every manifest holds before the figures only a render knows (loudness, the MP3)."""


def planned(*args: str) -> dict:
    return json.loads(run("preview", *args, "--json").output)


def test_a_plan_reads_as_a_manifest_with_its_estimates_marked(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "empty-cache"))  # nothing spoken yet, whatever ran before
    plan = planned("mindfulness", "-m", "5", "--var", "bells=every:2")
    assert MANIFEST_KEYS <= set(plan) and plan["preview"] is True
    assert plan["template"] == "mindfulness" and plan["duration"] == 300.0 and plan["params"]["bells"] == "every:2"
    segments = plan["segments"]
    assert segments[0]["start"] == 0 and segments[-1]["end"] == 300.0
    assert all(abs(a["end"] - b["start"]) < 0.0011 for a, b in zip(segments, segments[1:]))
    speech = [s for s in segments if s["kind"] == "speech"]
    assert speech and all(s.get("estimated") is True for s in speech), "nothing synthesised yet: all estimated"
    assert not any("estimated" in s for s in segments if s["kind"] == "pause")
    assert plan["estimated_phrases"] == len({s["text"] for s in speech})
    assert [t["name"] for t in plan["tones"]].count("bell") >= 3
    assert [c["title"] for c in plan["chapters"]][0] == "Arriving"


def test_a_session_of_parts_lists_its_parts_and_breathing_its_phases():
    plan = planned("deep-breathing:3:pattern=box", "mindfulness:4")
    assert [(p["template"], p["start"], p["end"]) for p in plan["parts"]] == [
        ("deep-breathing", 0.0, 180.0), ("mindfulness", 180.0, 420.0),
    ]  # fmt: skip
    assert plan["duration"] == 420.0 and plan["template"] == "deep-breathing+mindfulness"
    assert {p["name"] for p in plan["phases"]} == {"inhale", "hold", "exhale", "rest"}
    assert all(p["end"] <= 180 for p in plan["phases"])


def test_a_mistake_is_still_one_error_line():
    result = run_main("preview", "mindfulness", "-m", "5", "--var", "bells=often", "--json")
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and result.stdout == "" and len(lines) == 1, result.stderr
    assert "bells='often' is not understood" in lines[0]
