"""The files written beside each MP3: a WebVTT transcript, the JSON manifest (publish.manifest) and
JSON chapters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from guided_audio.mp3.tags import ChapterSpan
from guided_audio.publish.manifest import Manifest
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


@dataclass(frozen=True)
class SessionFiles:
    """The files of one session: the MP3 and, beside it, the transcript, manifest and chapters."""

    mp3: Path
    vtt: Path
    json: Path
    """The manifest (publish.manifest)."""
    chapters: Path
    """Podcasting 2.0 chapters (.chapters.json)."""

    @classmethod
    def beside(cls, mp3: Path) -> SessionFiles:
        mp3 = Path(mp3)
        return cls(mp3, mp3.with_suffix(".vtt"), mp3.with_suffix(".json"), mp3.with_suffix(".chapters.json"))

    def by_extension(self) -> dict[str, Path]:
        """{"mp3": ..., "vtt": ..., "json": ..., "chapters.json": ...}: the keys output.OutputFiles uses."""
        return {"mp3": self.mp3, "vtt": self.vtt, "json": self.json, "chapters.json": self.chapters}


def podcast_chapters_json(spans: list[ChapterSpan]) -> str:
    """Podcasting 2.0 chapters file: {"version": "1.2.0", "chapters": [{startTime, title}]}."""
    chapters = [{"startTime": span.start, "title": span.title} for span in spans]
    return json.dumps({"version": PODCAST_CHAPTERS_VERSION, "chapters": chapters}, indent=2, ensure_ascii=False) + "\n"


def write_sidecars(paths: Mapping[str, Path], manifest: Manifest, timeline: Timeline, spans: list[ChapterSpan]) -> None:
    """The transcript, manifest and chapters, to the paths under "vtt", "json" and "chapters.json"."""
    paths["vtt"].write_text(webvtt(timeline), encoding="utf-8")
    paths["json"].write_text(manifest.to_json(), encoding="utf-8")
    paths["chapters.json"].write_text(podcast_chapters_json(spans), encoding="utf-8")
