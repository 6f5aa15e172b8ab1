"""The files written beside each MP3: a WebVTT transcript, the JSON manifest and JSON chapters."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Hashable, Mapping

from guided_audio.mp3.tags import ChapterSpan
from guided_audio.script.layout import Timeline

PODCAST_CHAPTERS_VERSION = "1.2.0"


def _vtt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def webvtt(timeline: Timeline) -> str:
    """One cue per spoken phrase, at its true start and end in the audio."""
    lines = ["WEBVTT", ""]
    for number, phrase in enumerate(sorted(timeline.speech, key=lambda p: p.start), start=1):
        start, end = phrase.start / timeline.rate, phrase.end / timeline.rate
        text = phrase.text.replace("-->", "->")
        lines += [str(number), f"{_vtt_time(start)} --> {_vtt_time(end)}", text, ""]
    return "\n".join(lines)


@dataclass
class SessionInfo:
    """What the manifest says about a session besides its timeline."""

    title: str
    template: str
    minutes: float
    params: dict[str, Any]
    engine: str
    voice: str
    background: str
    extra: dict[str, Any] = field(default_factory=dict)
    created: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    """When the session was made: feeds, the page and the playlist date and order sessions by it,
    so a copied folder (new file times) keeps its dates and order."""


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


def _seconds(samples: int, rate: int) -> float:
    return round(samples / rate, 3)


def manifest(info: SessionInfo, timeline: Timeline, estimated: Collection[Hashable] = ()) -> dict[str, Any]:
    """The manifest's fields; a plan (preview --json) passes the phrases whose lengths are
    `estimated`, and their speech segments say so."""
    rate = timeline.rate
    placed = iter(sorted(timeline.speech, key=lambda p: p.start))
    return {
        "title": info.title,
        "created": created_stamp(info.created),
        "template": info.template,
        "minutes": info.minutes,
        "params": info.params,
        "engine": info.engine,
        "voice": info.voice,
        "background": info.background,
        "duration": _seconds(timeline.total, rate),
        "chapters": [{"start": _seconds(c.start, rate), "title": c.title} for c in timeline.chapters],
        "segments": [
            {"start": round(s.start, 3), "end": round(s.end, 3), "kind": s.kind, "text": s.text}
            | ({"purpose": s.purpose} if s.purpose else {})
            | ({"estimated": True} if s.kind == "speech" and next(placed).key in estimated else {})
            for s in timeline.segments()
        ],
        "phases": [
            {"start": _seconds(p.start, rate), "end": _seconds(p.end, rate), "name": p.name}
            for p in timeline.phases
        ],
        "tones": [{"start": _seconds(t.start, rate), "name": t.name} for t in timeline.tones],
        **info.extra,
    }


def manifest_json(info: SessionInfo, timeline: Timeline) -> str:
    return json.dumps(manifest(info, timeline), indent=2, ensure_ascii=False) + "\n"


def podcast_chapters_json(spans: list[ChapterSpan]) -> str:
    """Podcasting 2.0 chapters file: {"version": "1.2.0", "chapters": [{startTime, title}]}."""
    chapters = [{"startTime": span.start, "title": span.title} for span in spans]
    return json.dumps({"version": PODCAST_CHAPTERS_VERSION, "chapters": chapters}, indent=2, ensure_ascii=False) + "\n"


def write_sidecars(paths: Mapping[str, Path], info: SessionInfo, timeline: Timeline, spans: list[ChapterSpan]) -> None:
    """The transcript, manifest and chapters, to the paths under "vtt", "json" and "chapters.json"."""
    paths["vtt"].write_text(webvtt(timeline), encoding="utf-8")
    paths["json"].write_text(manifest_json(info, timeline), encoding="utf-8")
    paths["chapters.json"].write_text(podcast_chapters_json(spans), encoding="utf-8")
