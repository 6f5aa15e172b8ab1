"""The JSON manifest beside each MP3: what a session is, how it lies in time, how it measured.

`generate` writes it (`Manifest.to_json`), `preview --json` prints a plan in the same shape,
a series build adds its `build` record, and the feed, page, playlist and series builds read it
back (`Manifest.read`). Those are the only two ways in and out, so the shape is kept here:

    manifest = Manifest.read(Path("output/deep-breathing-5min.json"))
    manifest.duration, manifest.created, manifest.chapters

The shape only ever gains keys. A manifest from an older version reads with defaults (no
`created`: None, no `author`: None, ...), and keys this version does not know are kept as they
are (`unknown`) and written back; one that is not a manifest at all is one error naming the file.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Hashable

from guided_audio.errors import FeedError
from guided_audio.script.layout import Timeline

MAX_DURATION_SECONDS = 24 * 3600.0
"""Longer than any session (the longest is 180 minutes): a manifest saying more is damaged."""


class ManifestError(FeedError):
    """A file that is not a readable guided-audio manifest."""


class ImpossibleDuration(ManifestError):
    """A manifest whose duration is NaN, infinite or longer than a day: damaged or crafted."""


def created_stamp(when: datetime.datetime) -> str:
    """The manifest's `created`: UTC to the second, e.g. 2026-12-07T19:35:21Z."""
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_created(value: object) -> datetime.datetime | None:
    """A manifest's `created` as an aware UTC time, or None when it is missing or not a time."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return when.replace(tzinfo=datetime.timezone.utc)


@dataclass(frozen=True)
class BuildRecord:
    """The `build` block a series build adds: which inputs made the episode, and its MP3's size."""

    fingerprint: str
    mp3_bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "mp3_bytes": self.mp3_bytes}

    @classmethod
    def from_dict(cls, data: object) -> BuildRecord | None:
        """None unless it is a block with a fingerprint (an older or foreign manifest)."""
        if not isinstance(data, dict) or not isinstance(data.get("fingerprint"), str):
            return None
        size = data.get("mp3_bytes")
        return cls(data["fingerprint"], size if isinstance(size, int) and not isinstance(size, bool) else None)


_MEASURED = ("author", "album", "description", "loudness_lufs", "true_peak_dbtp", "channels", "bitrate_kbps",
             "words_per_minute", "sleep_ending", "background_level_db", "duck_db", "seed", "parts", "mp3")  # fmt: skip
"""The optional keys, in the order they are written; each left out while None."""


@dataclass
class Manifest:
    """One session's manifest (a plan's, for preview --json: `preview` and the estimates)."""

    title: str
    template: str
    """A built-in's name or the user's file stem; parts joined by '+' (deep-breathing+body-scan)."""
    minutes: float
    params: dict[str, Any]
    engine: str
    voice: str
    background: str
    duration: float
    """Seconds, exact to the sample before encoding."""
    created: datetime.datetime | None = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    """When the session was made: feeds, the page and the playlist date and order sessions by it,
    so a copied folder (new file times) keeps its dates and order. None in older manifests."""
    chapters: list[dict[str, Any]] = field(default_factory=list)
    """{"start": seconds, "title"} each."""
    segments: list[dict[str, Any]] = field(default_factory=list)
    phases: list[dict[str, Any]] = field(default_factory=list)
    tones: list[dict[str, Any]] = field(default_factory=list)
    author: str | None = None
    album: str | None = None
    description: str | None = None
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None
    channels: int | None = None
    bitrate_kbps: int | None = None
    words_per_minute: float | None = None
    sleep_ending: dict[str, Any] | None = None
    background_level_db: float | None = None
    duck_db: float | None = None
    seed: int | None = None
    parts: list[dict[str, Any]] | None = None
    """A session of several parts: each part's template, title, minutes, params, start and end."""
    mp3: dict[str, Any] | None = None
    """The fingerprint of the MP3's audio it describes (mp3.fingerprint)."""
    build: BuildRecord | None = None
    preview: bool = False
    """A plan, not a render: segments of estimated length say so, and `estimated_phrases` counts them."""
    estimated_phrases: int | None = None
    unknown: dict[str, Any] = field(default_factory=dict)
    """Keys this version does not know (a newer version's): kept, and written back."""

    @classmethod
    def of_timeline(cls, timeline: Timeline, estimated: Collection[Hashable] = (), **fields: Any) -> Manifest:
        """The manifest of a laid-out session; a plan passes the phrases whose lengths are
        `estimated`, and their speech segments say so."""
        rate = timeline.rate
        placed = iter(sorted(timeline.speech, key=lambda p: p.start))
        return cls(
            duration=_seconds(timeline.total, rate),
            chapters=[{"start": _seconds(c.start, rate), "title": c.title} for c in timeline.chapters],
            segments=[
                {"start": round(s.start, 3), "end": round(s.end, 3), "kind": s.kind, "text": s.text}
                | ({"purpose": s.purpose} if s.purpose else {})
                | ({"estimated": True} if s.kind == "speech" and next(placed).key in estimated else {})
                for s in timeline.segments()
            ],
            phases=[
                {"start": _seconds(p.start, rate), "end": _seconds(p.end, rate), "name": p.name}
                for p in timeline.phases
            ],
            tones=[{"start": _seconds(t.start, rate), "name": t.name} for t in timeline.tones],
            **fields,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"preview": True} if self.preview else {}
        data |= {
            "title": self.title,
            **({"created": created_stamp(self.created)} if self.created is not None else {}),
            "template": self.template,
            "minutes": self.minutes,
            "params": self.params,
            "engine": self.engine,
            "voice": self.voice,
            "background": self.background,
            "duration": self.duration,
            "chapters": self.chapters,
            "segments": self.segments,
            "phases": self.phases,
            "tones": self.tones,
        }
        data |= {key: getattr(self, key) for key in _MEASURED if getattr(self, key) is not None}
        if self.build is not None:
            data["build"] = self.build.to_dict()
        if self.estimated_phrases is not None:
            data["estimated_phrases"] = self.estimated_phrases
        return data | {key: value for key, value in self.unknown.items() if key not in data}

    def chapter_marks(self) -> tuple[tuple[float, str], ...]:
        """(start in seconds, title) of each well-formed chapter (a damaged one is left out)."""
        return tuple(
            (float(c["start"]), c["title"]) for c in self.chapters
            if isinstance(c.get("start"), (int, float)) and isinstance(c.get("title"), str)
        )  # fmt: skip

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: object, source: str = "the manifest") -> Manifest:
        """A manifest as any version wrote it; ManifestError when it is none (`source` names the file)."""
        duration = data.get("duration") if isinstance(data, dict) else None
        if not isinstance(duration, (int, float)) or isinstance(duration, bool) or duration <= 0:
            raise ManifestError(f"{source} is not a guided-audio manifest (no duration); move it out or generate again")
        if not math.isfinite(duration) or duration > MAX_DURATION_SECONDS:
            raise ImpossibleDuration(f"its manifest {Path(source).name} gives an impossible duration "
                                     f"({str(duration)[:20]}); generate that session again")  # fmt: skip
        assert isinstance(data, dict)
        known = {"title", "created", "template", "minutes", "params", "engine", "voice", "background", "duration",
                 "chapters", "segments", "phases", "tones", "build", "preview", "estimated_phrases", *_MEASURED}  # fmt: skip
        return cls(
            title=_text(data.get("title")),
            template=_text(data.get("template")),
            minutes=_number(data.get("minutes"), duration / 60),
            params=data.get("params") if isinstance(data.get("params"), dict) else {},
            engine=_text(data.get("engine")),
            voice=_text(data.get("voice")),
            background=_text(data.get("background")),
            duration=float(duration),
            created=read_created(data.get("created")),
            chapters=_records(data.get("chapters")),
            segments=_records(data.get("segments")),
            phases=_records(data.get("phases")),
            tones=_records(data.get("tones")),
            **{key: data[key] for key in _MEASURED if data.get(key) is not None},
            build=BuildRecord.from_dict(data.get("build")),
            preview=data.get("preview") is True,
            estimated_phrases=data.get("estimated_phrases") if isinstance(data.get("estimated_phrases"), int) else None,
            unknown={key: value for key, value in data.items() if key not in known},
        )

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest at `path` (the .json beside an MP3); ManifestError naming it otherwise."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestError(f"cannot read the manifest {path}: {exc}; generate that session again") from None
        return cls.from_dict(data, str(path))


def _seconds(samples: int, rate: int) -> float:
    return round(samples / rate, 3)


def _text(value: object) -> str:
    """A manifest string as written; "" when it is missing or not a string (older manifests)."""
    return value if isinstance(value, str) else ""


def _number(value: object, fallback: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else fallback


def _records(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


