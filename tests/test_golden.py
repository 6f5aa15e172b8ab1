"""Sessions as recorded in tests/golden: a change meant to alter nothing must alter nothing.

The records were made before the package was split into stages; these tests hold every later
refactor to them. When a change is meant to alter the sessions (new words, a new mix), run
`python scripts/golden.py --update` and say so in the commit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from golden_sessions import (
    AUDIO_CASES,
    AUDIO_FILE,
    SCRIPTS_FILE,
    environment,
    load_phrases,
    render_case,
    script_fingerprints,
)

FIX = "if the change is meant, run python scripts/golden.py --update"


def test_built_in_templates_render_the_recorded_scripts(tmp_path):
    recorded = json.loads(SCRIPTS_FILE.read_text(encoding="utf-8"))
    found = script_fingerprints(tmp_path)
    assert sorted(found) == sorted(recorded), f"the templates' choices changed; {FIX}"
    changed = [
        f"{key} at {minutes} min"
        for key, rows in recorded.items()
        for (minutes, before), (_, now) in zip(rows, found[key])
        if before != now
    ]
    assert not changed, f"{len(changed)} scripts differ from the record, first {changed[:4]}; {FIX}"
    assert sum(len(rows) for rows in found.values()) > 3000


@pytest.fixture(scope="module")
def golden_cache(tmp_path_factory):
    """A phrase cache holding only the recorded clips of the golden session."""
    folder = tmp_path_factory.mktemp("golden-cache")
    load_phrases(folder)
    return folder


@pytest.mark.parametrize("case", sorted(AUDIO_CASES))
def test_golden_session_decodes_to_the_recorded_samples(case, tmp_path, monkeypatch, golden_cache):
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(golden_cache))
    recorded = json.loads(AUDIO_FILE.read_text(encoding="utf-8"))
    expected, found = recorded["cases"][case], render_case(case, tmp_path)
    assert found["samples"] == expected["samples"]
    assert found["segments"] == expected["segments"], f"the golden session's timeline moved; {FIX}"
    assert found["loudness_lufs"] == pytest.approx(expected["loudness_lufs"], abs=0.02)
    if environment() == recorded["environment"]:
        assert found["pcm_sha256"] == expected["pcm_sha256"], f"the {case} session's samples changed; {FIX}"
    else:  # other builds of numpy, scipy or ffmpeg may round differently: nothing a listener hears may move
        drift = np.max(np.abs(np.subtract(found["outline_db"], expected["outline_db"])))
        assert drift < 0.1, f"the {case} session's loudness outline moved by {drift:.2f} dB; {FIX}"
