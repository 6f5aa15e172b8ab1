"""The sessions in a folder, read from their manifests: what feeds and playlists list.

A session is an MP3 with its JSON manifest beside it (as `generate` writes them). An MP3
without a manifest is not ours to describe, and one whose manifest records other audio (a
render stopped between its renames, or the MP3's audio replaced since) would be published with
the wrong length and chapters: both are skipped with a warning. Retagging is fine: only the
audio frames are compared (see mp3.fingerprint). Manifests from before the
fingerprint are trusted as they are.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path

from guided_audio.errors import FeedError
from guided_audio.mp3.tags import DEFAULT_ALBUM, DEFAULT_AUTHOR
from guided_audio.mp3.fingerprint import matches
from guided_audio.output import clear_debris
from guided_audio.publish.cards import about
from guided_audio.publish.manifest import ImpossibleDuration, Manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Episode:
    """One session as a podcast app or playlist sees it."""

    mp3: Path
    title: str
    author: str
    album: str
    description: str
    duration: float
    """Seconds, from the manifest (exact to the sample before encoding)."""
    size: int
    """Bytes of the MP3 as it is now: the feed's enclosure length must match the download."""
    published: datetime.datetime
    """When the session was made (the manifest's `created`; for a manifest older than that
    field, the MP3's modification time), in UTC to the second."""
    has_chapters: bool
    transcript: Path | None
    template: str = ""
    """The template it was rendered from: a built-in's name, or the stem of the user's file."""
    version: str = ""
    """Which rendering this is (a series build's fingerprint): a new one is a new enclosure URL."""
    chapters: tuple[tuple[float, str], ...] = ()
    """(start in seconds, title) of each chapter, from the manifest."""
    number: int | None = None
    """Its place in a series (1, 2, ...); a series build sets it, a plain folder has none."""
    season: int | None = None

    @property
    def chapters_file(self) -> Path:
        return self.mp3.with_suffix(".chapters.json")


def newest_first(episodes: list[Episode]) -> list[Episode]:
    """The order feed, page and playlist all list sessions in: newest first, then by name."""
    return sorted(episodes, key=lambda e: (e.published, e.mp3.name), reverse=True)


def find_episodes(folder: Path) -> list[Episode]:
    """Every session in `folder` (not its subfolders), in file-name order."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FeedError(f"{folder} is not a folder; give the folder your sessions were written to")
    clear_debris(folder)
    episodes = []
    for mp3 in sorted(folder.iterdir()):
        if mp3.suffix.lower() != ".mp3" or mp3.name.startswith(".") or not mp3.is_file():
            continue
        manifest = mp3.with_suffix(".json")
        if not manifest.is_file():
            log.warning("skipping %s: no %s manifest beside it", mp3.name, manifest.name)
            continue
        try:
            data = Manifest.read(manifest)
        except ImpossibleDuration as exc:
            log.warning("skipping %s: %s", mp3.name, exc)
            continue
        if data.mp3 is not None and not matches(mp3, data.mp3):
            log.warning(
                "skipping %s: its audio is not what its manifest %s describes (a render was stopped "
                "between writing them, or the audio was replaced since); generate that session again",
                mp3.name, manifest.name,
            )  # fmt: skip
            continue
        episodes.append(_episode(mp3, data))
    if not episodes:
        raise FeedError(
            f"no sessions in {folder}: no MP3 there has a .json manifest beside it; "
            f"make one with: guided-audio generate deep-breathing -m 5 -o {folder / 'breathing.mp3'}"
        )
    return episodes


def read_episode(mp3: Path) -> Episode:
    """One session, from its MP3 and the manifest beside it."""
    return _episode(mp3, Manifest.read(mp3.with_suffix(".json")))


def shared_value(values) -> str | None:
    """The one value all sessions agree on (an album, an author), if they do."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _episode(mp3: Path, manifest: Manifest) -> Episode:
    stat = mp3.stat()
    transcript = mp3.with_suffix(".vtt")
    chapters = mp3.with_suffix(".chapters.json")
    title = _text(manifest.title, mp3.stem)
    return Episode(
        mp3=mp3,
        title=title,
        author=_text(manifest.author, DEFAULT_AUTHOR),
        album=_text(manifest.album, DEFAULT_ALBUM),
        description=about(manifest.to_dict()) or _text(manifest.description, title),
        duration=manifest.duration,
        size=stat.st_size,
        published=manifest.created or datetime.datetime.fromtimestamp(int(stat.st_mtime), tz=datetime.timezone.utc),
        has_chapters=bool(manifest.chapters) and chapters.is_file(),
        transcript=transcript if transcript.is_file() else None,
        template=_text(manifest.template, ""),
        version=manifest.build.fingerprint[:12] if manifest.build else "",
        chapters=manifest.chapter_marks(),
    )


def _text(value: object, fallback: str) -> str:
    """A manifest string, or the fallback when it is missing or empty (older manifests)."""
    return value.strip() if isinstance(value, str) and value.strip() else fallback
