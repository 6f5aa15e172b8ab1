"""Tags, cover art and chapters, read back from real MP3s by two independent tag readers."""

from __future__ import annotations

import datetime
import io
import json
import struct

import pytest
from audio_probe import load, onset_near, window_levels
from PIL import Image
from podcast_sessions import TRICKY_TITLE

from guided_audio.errors import CoverError
from guided_audio.mp3.cover import COVER_SIDE, load_cover, make_cover

MPEG1_LAYER3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]


def id3_size(data: bytes) -> int:
    """Bytes of the ID3v2 tag at the start of an MP3 (header included)."""
    assert data[:3] == b"ID3"
    syncsafe = data[6:10]
    return 10 + sum(byte << (7 * (3 - i)) for i, byte in enumerate(syncsafe))


def frame_bitrates(data: bytes) -> list[int]:
    """Walk every MPEG-1 Layer III frame header after the tag; the kbps of each frame."""
    position, rates = id3_size(data), []
    while position + 4 <= len(data):
        (header,) = struct.unpack(">I", data[position : position + 4])
        assert header >> 21 == 0x7FF, f"lost frame sync at byte {position}"
        assert (header >> 19) & 3 == 3 and (header >> 17) & 3 == 1, "not MPEG-1 Layer III"
        kbps = MPEG1_LAYER3_KBPS[(header >> 12) & 0xF]
        assert (header >> 10) & 3 == 0, "not 44.1 kHz"
        padding = (header >> 9) & 1
        rates.append(kbps)
        position += 144 * kbps * 1000 // 44_100 + padding
    assert position == len(data), "trailing bytes after the last frame"
    return rates


def test_tags_read_by_mutagen_are_id3v23_with_title_cover_and_text(two_sessions):
    from mutagen.id3 import ID3

    tags = ID3(two_sessions.breathing)
    assert tags.version == (2, 3, 0)
    assert str(tags["TIT2"]) == TRICKY_TITLE
    assert str(tags["TPE1"]) == "Sam & Ash" and str(tags["TALB"]) == "Evening calm"
    assert str(tags["TCON"]) == "Meditation"
    assert str(ID3(two_sessions.breathing, translate=False)["TYER"]) == str(datetime.date.today().year)
    assert "TDRC" not in ID3(two_sessions.breathing, translate=False), "TDRC is a 2.4 frame"
    (comment,) = tags.getall("COMM")
    assert comment.text[0].startswith("Paced breathing") and "pattern box" in comment.text[0]
    (picture,) = tags.getall("APIC")
    assert picture.type == 3 and picture.mime == "image/png"
    assert picture.data == two_sessions.cover.read_bytes()


def test_generated_cover_is_a_square_jpeg_of_at_least_1400_px(two_sessions):
    from mutagen.id3 import ID3

    (picture,) = ID3(two_sessions.arrive).getall("APIC")
    assert picture.type == 3 and picture.mime == "image/jpeg"
    image = Image.open(io.BytesIO(picture.data))
    assert image.format == "JPEG" and image.size[0] == image.size[1] >= 1400
    assert picture.data == make_cover("Arriving", "0.5 minutes").data, "the cover names the session"


def test_an_independent_reader_sees_version_title_cover_and_ordered_chapters(two_sessions):
    import eyed3

    audio = eyed3.load(str(two_sessions.arrive))
    tag = audio.tag
    assert tag.version == (2, 3, 0)
    assert tag.title == "Arriving (0.5 min)" and tag.artist == "guided-audio"
    assert tag.album == "Guided relaxation" and tag.getBestDate().year == datetime.date.today().year
    assert [image.picture_type for image in tag.images] == [3]
    (toc,) = list(tag.table_of_contents)
    assert toc.toplevel and toc.ordered
    chapters = {chapter.element_id: chapter for chapter in tag.chapters}
    ordered = [chapters[element_id] for element_id in toc.child_ids]
    manifest = two_sessions.manifest(two_sessions.arrive)
    assert [c.title for c in ordered] == [c["title"] for c in manifest["chapters"]]
    starts = [c["start"] for c in manifest["chapters"]]
    ends = starts[1:] + [manifest["duration"]]
    assert [c.times.start for c in ordered] == [round(s * 1000) for s in starts]
    assert [c.times.end for c in ordered] == [round(e * 1000) for e in ends]
    assert audio.info.bit_rate == (False, 96), "constant 96 kbps"


def test_podcast_chapters_json_matches_the_manifest(two_sessions):
    for mp3 in (two_sessions.breathing, two_sessions.arrive):
        chapters = json.loads(mp3.with_suffix(".chapters.json").read_text())
        assert chapters["version"] == "1.2.0"
        manifest = two_sessions.manifest(mp3)
        assert [(c["startTime"], c["title"]) for c in chapters["chapters"]] == [
            (c["start"], c["title"]) for c in manifest["chapters"]
        ]
        assert chapters["chapters"][0]["startTime"] == 0


def test_every_frame_has_the_same_bitrate(two_sessions):
    for mp3 in (two_sessions.breathing, two_sessions.arrive):
        rates = frame_bitrates(mp3.read_bytes())
        assert set(rates) == {96}
        assert len(rates) * 1152 / 44_100 == pytest.approx(two_sessions.manifest(mp3)["duration"], abs=0.1)


def test_tags_do_not_move_the_audio(two_sessions):
    """Decoders skip the tag: every phrase is still heard where the manifest says."""
    samples, manifest = load(two_sessions.arrive)
    assert len(samples) / 44_100 == pytest.approx(30, abs=0.05)
    levels = window_levels(samples)
    for segment in (s for s in manifest["segments"] if s["kind"] == "speech"):
        assert abs(onset_near(levels, segment["start"]) - segment["start"]) <= 0.05


def test_manifest_records_what_the_feed_needs(two_sessions):
    manifest = two_sessions.manifest(two_sessions.breathing)
    assert manifest["title"] == TRICKY_TITLE and manifest["author"] == "Sam & Ash"
    assert manifest["album"] == "Evening calm" and manifest["template"] == "deep-breathing"
    assert manifest["description"].startswith("Paced breathing")


def test_generated_covers_are_deterministic_and_differ_by_title():
    first = make_cover("Evening calm", "5 minutes")
    assert make_cover("Evening calm", "5 minutes").data == first.data
    assert make_cover("Morning calm", "5 minutes").data != first.data
    image = Image.open(io.BytesIO(first.data))
    assert image.size == (COVER_SIDE, COVER_SIDE)
    # Light ink on a darker sky: the title band holds near-white pixels, the corners none.
    band = image.crop((100, 760, 1300, 940)).convert("L")
    corner = image.crop((0, 0, 100, 100)).convert("L")
    assert band.getextrema()[1] > 220 and corner.getextrema()[1] < 120


def test_a_long_title_still_fits_on_the_cover():
    image = Image.open(io.BytesIO(make_cover("breathe " * 60, "").data)).convert("L")
    assert image.crop((0, 700, 120, 1400)).getextrema()[1] < 200, "text ran into the left margin"
    assert image.crop((200, 700, 1200, 1000)).getextrema()[1] > 220, "no title drawn"


def test_other_image_formats_become_png_and_bad_covers_are_refused(tmp_path):
    Image.new("RGB", (1400, 1400), (10, 20, 30)).save(tmp_path / "c.gif")
    cover = load_cover(tmp_path / "c.gif")
    assert cover.mime == "image/png" and Image.open(io.BytesIO(cover.data)).format == "PNG"
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(CoverError, match="cannot use .*notes.png as a cover: not an image"):
        load_cover(tmp_path / "notes.png")
    with pytest.raises(CoverError, match="does not exist"):
        load_cover(tmp_path / "missing.jpg")


def test_a_chosen_bitrate_is_the_bitrate_of_every_frame(tmp_path):
    from guided_audio.session import SessionRequest, generate

    mp3 = tmp_path / "low.mp3"
    result = generate(SessionRequest("deep-breathing", 2, output=mp3, bitrate_kbps=64))
    assert set(frame_bitrates(mp3.read_bytes())) == {64}
    assert result.mastered.bitrate_kbps == 64 and json.loads(mp3.with_suffix(".json").read_text())["bitrate_kbps"] == 64


def ffmpeg_chapters(mp3) -> list[tuple[float, str]]:
    """(start, title) of each chapter in the order ffmpeg's demuxer lists them, as players built
    on it do. (Its `-f ffmetadata` output is the command line's remuxed view, which shifts them
    by the Info tag's start trim, 1152 samples here, as it would for any LAME file.)"""
    import re
    import subprocess

    from guided_audio.audio.ffmpeg import ffmpeg_exe

    said = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(mp3)], capture_output=True, text=True).stderr
    chapters, start = [], None
    for line in said.splitlines():
        found = re.match(r"\s*Chapter #\d+:\d+: start (\d+\.\d+), end", line)
        if found:
            start = float(found.group(1))
        elif start is not None and line.strip().startswith("title"):
            chapters.append((round(start, 3), line.split(":", 1)[1].strip()))
            start = None
    return chapters


def test_ffmpeg_lists_a_real_sessions_chapters_in_time_order(two_sessions):
    for mp3 in (two_sessions.breathing, two_sessions.arrive):
        manifest = two_sessions.manifest(mp3)
        assert ffmpeg_chapters(mp3) == [(round(c["start"], 3), c["title"]) for c in manifest["chapters"]]


def test_chapter_frames_are_written_in_time_order_whatever_their_size(tmp_path):
    """mutagen writes frames by size: titles of falling length once came out backwards."""
    import subprocess

    from mutagen.id3 import ID3

    from guided_audio.audio.ffmpeg import ffmpeg_exe
    from guided_audio.mp3.tags import ChapterSpan, SessionTags, write_tags

    mp3 = tmp_path / "quiet.mp3"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "24",
         "-b:a", "96k", str(mp3)], check=True,
    )  # fmt: skip
    spans = [ChapterSpan(2.0 * k, 2.0 * (k + 1), "Part " + "long " * (12 - k) + str(k)) for k in range(12)]
    tags = SessionTags("Quiet", "guided-audio", "Guided relaxation", "", "2025", make_cover("Quiet"))
    write_tags(mp3, tags, spans)
    listed = ffmpeg_chapters(mp3)  # ffmpeg shifts them by its encoder's 25 ms priming
    assert [title for _, title in listed] == [span.title for span in spans]
    assert [start for start, _ in listed] == pytest.approx([span.start for span in spans], abs=0.05)
    keys = [key for key in ID3(mp3).keys() if key.startswith(("CHAP", "CTOC"))]
    assert keys == ["CTOC:toc"] + [f"CHAP:chp{k}" for k in range(12)]
    (toc,) = ID3(mp3).getall("CTOC")
    assert toc.child_element_ids == [f"chp{k}" for k in range(12)]
