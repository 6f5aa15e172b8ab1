"""Two real sessions in one folder, rendered once per test run for tags, feed and server tests."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from guided_audio.session import SessionRequest, generate

TRICKY_TITLE = "Evening breath & \"calm\" <slow> 'rest'"
"""Every character XML and ID3 writers must escape or encode with care."""

ARRIVE = """+++
title = "Arriving"
description = "A short pause to arrive & settle"
+++
[chapter Arriving]
Welcome. Let your shoulders soften. [pause 2s+]
[chapter Breathing]
Breathe in slowly, and let the breath go. [pause 2s+]
[chapter Returning]
When you are ready, open your eyes. [pause 1s+]
"""


@dataclass(frozen=True)
class TwoSessions:
    folder: Path
    breathing: Path
    """deep-breathing, 2 min, box: user title, author, album and a PNG cover."""
    arrive: Path
    """A custom 0.5 min template with three chapters and every default."""
    cover: Path

    def manifest(self, mp3: Path) -> dict:
        return json.loads(mp3.with_suffix(".json").read_text())

    def created(self, mp3: Path) -> int:
        """When the session was made, as the manifest records it (UTC seconds since the epoch)."""
        import datetime

        stamp = datetime.datetime.strptime(self.manifest(mp3)["created"], "%Y-%m-%dT%H:%M:%SZ")
        return int(stamp.replace(tzinfo=datetime.timezone.utc).timestamp())

    def copy_to(self, folder: Path) -> "TwoSessions":
        """A private copy (file times kept) for tests that write feeds into the folder."""
        shutil.copytree(self.folder, folder, copy_function=shutil.copy2)
        return TwoSessions(folder, folder / self.breathing.name, folder / self.arrive.name, self.cover)


def render_two(root: Path, cache_dir: Path) -> TwoSessions:
    from PIL import Image

    folder = root / "sessions"
    cover = root / "my-cover.png"
    Image.new("RGB", (1500, 1500), (196, 132, 96)).save(cover)
    script = root / "arrive.txt"
    script.write_text(ARRIVE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUIDED_AUDIO_CACHE", str(cache_dir))
        breathing = folder / "breathing.mp3"
        generate(SessionRequest(
            "deep-breathing", 2, variables={"pattern": "box"}, output=breathing,
            title=TRICKY_TITLE, author="Sam & Ash", album="Evening calm", cover=cover,
        ))  # fmt: skip
        arrive = folder / "arrive.mp3"
        generate(SessionRequest(str(script), 0.5, output=arrive))
    return TwoSessions(folder, breathing, arrive, cover)
