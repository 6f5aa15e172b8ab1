"""The issue's three-episode series, built once for the tests that read or copy it."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
THREE = EXAMPLES / "three-evenings.toml"


@dataclass(frozen=True)
class Built:
    series: Path
    folder: Path
    seconds: float


def build_three(root: Path, cache_dir: Path) -> Built:
    import pytest

    from guided_audio.series.build import BuildOptions, build_series

    series = root / "three.toml"
    shutil.copy(THREE, series)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUIDED_AUDIO_CACHE", str(cache_dir))
        started = time.perf_counter()
        result = build_series(series, BuildOptions(output=root / "out"))
        seconds = time.perf_counter() - started
    assert [r.status for r in result.reports] == ["rendered"] * 3, result.reports
    return Built(series, root / "out", seconds)


def copy_built(built: Built, to: Path) -> Built:
    """A copy to change, with every file's time kept."""
    shutil.copytree(built.folder, to / "out", copy_function=shutil.copy2)
    shutil.copy2(built.series, to / "three.toml")
    return Built(to / "three.toml", to / "out", built.seconds)


def times(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}
