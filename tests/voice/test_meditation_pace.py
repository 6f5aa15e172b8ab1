"""The meditation pace: short gaps between clauses inside a phrase (counted in the plan), words
a minute in the manifest, and a sleep ending that slows and softens its last minutes."""

from __future__ import annotations


import numpy as np
import pytest
from click.testing import CliRunner

from guided_audio.cli import cli
from guided_audio.script.markup import Speech
from guided_audio.session import SessionRequest, preview
from guided_audio.voice.cache import PhraseCache
from guided_audio.voice.engine import make_engine
from guided_audio.voice.pace import SLEEP_LEVEL_DB, SLEEP_PACE
from guided_audio.voice.speech import CLAUSE_GAP, clauses, synthesise_phrases

CLAUSED = "Let your shoulders soften, let your hands grow heavy, and rest."


def quiet_runs(samples: np.ndarray, rate: int = 44_100, window: float = 0.01) -> list[float]:
    """Seconds of each run of exact silence inside a clip (the gaps we put there)."""
    step = int(rate * window)
    silent = np.abs(samples[: len(samples) // step * step].reshape(-1, step)).max(axis=1) == 0
    runs, count = [], 0
    for flag in silent:
        if flag:
            count += 1
        elif count:
            runs.append(count * window)
            count = 0
    return runs


def test_clauses_split_at_commas_and_dashes_not_inside_numbers():
    assert clauses(CLAUSED) == ["Let your shoulders soften,", "let your hands grow heavy,", "and rest."]
    assert clauses("Count 1,250 breaths - slowly; then rest.") == ["Count 1,250 breaths", "slowly;", "then rest."]


def test_a_phrase_with_clauses_holds_a_short_gap_after_each(tmp_path):
    bank = synthesise_phrases(make_engine(voice="heart"), [Speech(CLAUSED)], PhraseCache(tmp_path))
    gaps = [run for run in quiet_runs(bank.clips[Speech(CLAUSED)]) if run >= 0.2]
    assert len(gaps) == 2 and all(CLAUSE_GAP - 0.02 <= gap <= CLAUSE_GAP + 0.06 for gap in gaps), gaps


def test_clause_gaps_are_in_the_plan_and_the_audio_to_the_sample(tmp_path):
    from audio_probe import check_session

    script = tmp_path / "clauses.txt"
    script.write_text(f"{CLAUSED} [pause 3s+] Breathe in, and out. [pause 2s+] Rest.\n")
    mp3 = tmp_path / "clauses.mp3"
    result = CliRunner().invoke(cli, ["generate", str(script), "-m", "0.5", "-q", "-o", str(mp3)], catch_exceptions=False)
    assert result.exit_code == 0
    samples, manifest, speech = check_session(mp3, 0.5)  # every phrase heard where the plan puts it
    plan = preview(SessionRequest(str(script), 0.5))  # measured lengths, from the cache
    placed = [(p.start / 44_100, p.end / 44_100) for p in plan.timeline.speech]
    assert [(s["start"], s["end"]) for s in speech] == [pytest.approx(p, abs=1e-3) for p in placed]
    first = samples[int(speech[0]["start"] * 44_100) : int(speech[0]["end"] * 44_100)]
    levels = 20 * np.log10(np.sqrt(np.mean(first[: len(first) // 441 * 441].reshape(-1, 441) ** 2, axis=1)) + 1e-12)
    quiet = np.flatnonzero(levels < -60)
    assert len(quiet) >= 2 * 20  # the two clause gaps, 0.3 s each, inside the phrase's planned span
    wpm = manifest["words_per_minute"]
    assert 60 < wpm["inside_phrases"] < 200 and wpm["overall"] < wpm["inside_phrases"]


def test_the_default_voice_speaks_at_a_meditation_pace(tmp_path):
    # Words a minute inside phrases (clips as placed, clause gaps included) on a few lines of
    # the built-in scripts: 120 to 140 is the aim; compare_voices.py measures 40 phrases.
    texts = [
        "Let your eyes close, or rest your gaze softly on the floor in front of you.",
        "Notice the weight of your body, supported by whatever is beneath you.",
        "There is nothing you need to do right now, nowhere you need to be.",
        "With each breath out, let your shoulders soften a little more.",
    ]
    bank = synthesise_phrases(make_engine(), [Speech(t) for t in texts], PhraseCache(tmp_path))
    seconds = sum(len(clip) for clip in bank.clips.values()) / 44_100
    words = sum(len(t.split()) for t in texts)
    assert 110 <= words / seconds * 60 <= 150


def test_a_sleep_ending_slows_and_softens_its_last_minutes_in_the_plan():
    plan = preview(SessionRequest("sleep-wind-down", 10), with_range=False)
    speech = plan.timeline.speech
    softened = [p for p in speech if p.level_db < 0]
    assert len(softened) >= 4 and softened[-1] == speech[-1]
    assert (speech[-1].pace, speech[-1].level_db) == (pytest.approx(SLEEP_PACE), SLEEP_LEVEL_DB)
    # gradual: each softened phrase a little slower and softer than the one before
    assert all(b.pace <= a.pace and b.level_db < a.level_db for a, b in zip(softened, softened[1:]))
    assert speech[-1].end / 44_100 < 600 - 60  # then the announced silence, with no words after it
    awake = preview(SessionRequest("guided-imagery", 10), with_range=False)
    assert all(p.level_db == 0 for p in awake.timeline.speech)


def test_a_duck_out_of_range_is_refused_in_one_line(tmp_path):
    said = CliRunner().invoke(cli, ["generate", "deep-breathing", "-m", "3", "--background", "rain", "--duck", "30"])
    assert said.exit_code != 0
    assert said.output.strip().splitlines() == [
        "Error: --duck 30 dB is out of range; use 0 (no dip) to 20 (dB the background dips under speech, default 4)"
    ]
