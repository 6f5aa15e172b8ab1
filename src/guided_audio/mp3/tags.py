"""What players show about a session: ID3v2.3 tags, cover art and chapters.

ID3v2.3 rather than 2.4 because Windows and some Android media scanners read 2.4 badly.
Chapters go inside the MP3 as CHAP frames under one ordered top-level CTOC, for players and
apps that read the file; the same spans go beside it as Podcasting 2.0 JSON (publish.sidecars).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guided_audio.mp3.cover import Cover, load_cover, make_cover
from guided_audio.script.layout import Timeline
from guided_audio.script.params import ParamSpec

GENRE = "Meditation"
DEFAULT_AUTHOR = "guided-audio"
DEFAULT_ALBUM = "Guided relaxation"
"""Also the feed's default title, so tagged files and the podcast carry one name."""
TOC_ID = "toc"


@dataclass(frozen=True)
class SessionTags:
    """Everything a player shows about one session besides its audio."""

    title: str
    author: str
    album: str
    description: str
    year: str
    cover: Cover
    genre: str = GENRE

    def manifest_fields(self) -> dict[str, Any]:
        """What the manifest keeps so a feed can be built later without reading the MP3."""
        return {"author": self.author, "album": self.album, "description": self.description}


@dataclass(frozen=True)
class ChapterSpan:
    """A chapter with both ends, in seconds: ID3 CHAP frames need the end too."""

    start: float
    end: float
    title: str


def minutes_label(minutes: float) -> str:
    return "1 minute" if minutes == 1 else f"{minutes:g} minutes"


def session_tags(
    session_title: str,
    session_description: str,
    minutes: float,
    params: dict[str, Any],
    *,
    title: str | None = None,
    author: str | None = None,
    album: str | None = None,
    cover_path: Path | None = None,
) -> SessionTags:
    """Tags from the user's options, falling back to the session's own words (its template's
    title and description, or its parts' together: script.parts.heading).

    The default title carries the length, so several sessions from one template can be
    told apart in a podcast app's list.
    """
    name = title or session_title
    cover = load_cover(cover_path) if cover_path else make_cover(name, minutes_label(minutes))
    chosen = ", ".join(f"{k} {ParamSpec.format(v)}" for k, v in params.items() if v is not None)
    about = (session_description or "A guided relaxation session").rstrip(". ")
    description = f"{about}. {minutes_label(minutes).capitalize()}" + (f"; {chosen}." if chosen else ".")
    return SessionTags(
        title=title or f"{session_title} ({minutes:g} min)",
        author=author or DEFAULT_AUTHOR,
        album=album or DEFAULT_ALBUM,
        description=description,
        year=str(datetime.date.today().year),
        cover=cover,
    )


def chapter_spans(timeline: Timeline) -> list[ChapterSpan]:
    """Each chapter runs to the next one's start (the last to the end); empty ones are dropped."""
    rate = timeline.rate
    marks = sorted(timeline.chapters, key=lambda c: c.start)
    ends = [m.start for m in marks[1:]] + [timeline.total]
    return [
        ChapterSpan(round(m.start / rate, 3), round(end / rate, 3), m.title)
        for m, end in zip(marks, ends)
        if end > m.start
    ]


def write_tags(mp3: Path, tags: SessionTags, spans: list[ChapterSpan]) -> None:
    """Write ID3v2.3 tags, front cover and chapters into the MP3, replacing any tags it had."""
    from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, CTOCFlags, PictureType

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TPE1(encoding=3, text=[tags.author]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    id3.add(TCON(encoding=3, text=[tags.genre]))
    id3.add(TDRC(encoding=3, text=[tags.year]))  # update_to_v23 turns it into TYER
    id3.add(COMM(encoding=3, lang="eng", desc="", text=[tags.description]))
    id3.add(APIC(encoding=3, mime=tags.cover.mime, type=PictureType.COVER_FRONT, desc="Cover", data=tags.cover.data))
    ids = [f"chp{number}" for number in range(len(spans))]
    for element_id, span in zip(ids, spans):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=int(round(span.start * 1000)),
                end_time=int(round(span.end * 1000)),
                sub_frames=[TIT2(encoding=3, text=[span.title])],
            )
        )
    if ids:
        id3.add(
            CTOC(
                element_id=TOC_ID,
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text=["Chapters"])],
            )
        )
    id3.update_to_v23()
    id3.save(mp3, v2_version=3)
    _chapters_in_time_order(mp3)


def embedded_cover(mp3: Path) -> bytes | None:
    """The JPEG or PNG front cover embedded in an MP3 (else its first such picture), if any."""
    from mutagen import MutagenError
    from mutagen.id3 import ID3, ID3NoHeaderError, PictureType

    try:
        pictures = ID3(mp3).getall("APIC")
    except (ID3NoHeaderError, MutagenError, OSError):
        return None
    pictures.sort(key=lambda picture: picture.type != PictureType.COVER_FRONT)
    for picture in pictures:
        if picture.mime in ("image/jpeg", "image/png") and picture.data:
            return picture.data
    return None


def _chapters_in_time_order(mp3: Path) -> None:
    """Put the CHAP frames in time order, after their CTOC, in the tag mutagen wrote.

    mutagen orders frames by size, and readers that list chapters in file order (ffmpeg,
    and players built on it) then show the closing chapter first. Only the frames move: the
    tag keeps its size and padding.
    """
    with open(mp3, "r+b") as file:
        header = file.read(10)
        if header[:3] != b"ID3" or header[3] != 3 or header[5] != 0:
            return  # not the plain ID3v2.3 tag write_tags has just written
        body = file.read(sum(byte << (7 * (3 - i)) for i, byte in enumerate(header[6:10])))
        frames, at = [], 0
        while at + 10 <= len(body) and body[at] != 0:
            end = at + 10 + int.from_bytes(body[at + 4 : at + 8], "big")
            frames.append(body[at:end])
            at = end
        chapters = [frame for frame in frames if frame[:4] in (b"CTOC", b"CHAP")]
        if not chapters:
            return
        first = frames.index(chapters[0])
        others = [frame for frame in frames if frame not in chapters]
        ordered = others[:first] + sorted(chapters, key=_chapter_start) + others[first:]
        file.seek(10)
        file.write(b"".join(ordered) + body[at:])


def _chapter_start(frame: bytes) -> int:
    """A CHAP frame's start in ms (after its null-terminated element id); a CTOC comes first."""
    if frame[:4] == b"CTOC":
        return -1
    id_end = frame.index(b"\0", 10)
    return int.from_bytes(frame[id_end + 1 : id_end + 5], "big")
