"""The listening page's files: what `page` and `feed` write, escaped, relative and repeatable."""

from __future__ import annotations

import html.parser
import json
import re
import urllib.parse

import pytest
from click.testing import CliRunner
from PIL import Image

from guided_audio.cli import cli
from guided_audio.errors import FeedError
from guided_audio.publish.feed import FeedOptions, build_feed
from guided_audio.publish.page import length_label, technique, web_file, write_page

MARKUP_TITLE = '</h3><script>alert("title")</script> & calm'
MARKUP_DESCRIPTION = '"><img src=x onerror=alert(1)> \'quoted\''


class Parsed(html.parser.HTMLParser):
    """Every element with its attributes, and the text inside each card's title and description."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.texts: dict[str, list[str]] = {"h3": [], "p": []}
        self._open: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._open.append(tag)
        if tag in self.texts:
            self.texts[tag].append("")

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open and self._open[-1] in self.texts:
            self.texts[self._open[-1]][-1] += data

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.elements if name == tag]


@pytest.fixture(scope="module")
def written(two_sessions, tmp_path_factory):
    sessions = two_sessions.copy_to(tmp_path_factory.mktemp("page") / "sessions")
    result = CliRunner().invoke(cli, ["page", str(sessions.folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {sessions.folder / 'index.html'} (2 sessions)")
    return sessions


def page_of(folder) -> Parsed:
    return Parsed((folder / "index.html").read_text(encoding="utf-8"))


def test_the_page_lists_both_sessions_newest_first_with_their_files(written):
    page = page_of(written.folder)
    cards = [attrs for attrs in page.all("li") if attrs.get("class") == "card"]
    # newest first by the feed's whole-second date, then by name (two renders can share a second)
    newest_first = sorted([written.breathing, written.arrive], key=lambda p: (written.created(p), p.name), reverse=True)
    assert [card["data-file"] for card in cards] == [p.name for p in newest_first]
    for card in cards:
        mp3 = written.folder / card["data-file"]
        assert card["data-audio"] == urllib.parse.quote(mp3.name)
        assert card["data-vtt"] == mp3.with_suffix(".vtt").name
        assert card["data-chapters"] == mp3.with_suffix(".chapters.json").name
        assert card["data-manifest"] == mp3.with_suffix(".json").name
        assert float(card["data-duration"]) == written.manifest(mp3)["duration"]
        cover = written.folder / urllib.parse.urlsplit(card["data-cover"]).path
        with Image.open(cover) as image:
            assert image.size == (512, 512) and image.format == "JPEG"
    with Image.open(written.folder / "player/covers/breathing.jpg") as image:
        assert image.getpixel((256, 256)) == pytest.approx((196, 132, 96), abs=3), "the user's cover, scaled"


def test_everything_the_page_loads_is_here_and_relative(written):
    page = page_of(written.folder)
    addresses = [attrs["src"] for attrs in page.all("script") + page.all("img") if "src" in attrs]
    addresses += [attrs["href"] for attrs in page.all("link") + page.all("a")]
    addresses += [value for tag, attrs in page.elements for key, value in attrs.items() if key.startswith("data-") and value]
    files = [a for a in addresses if not a.startswith("#") and "." in a]
    assert files, "the page should refer to its files"
    for address in files:
        parts = urllib.parse.urlsplit(address)
        assert not parts.scheme and not parts.netloc and not address.startswith("/"), address
        if parts.path.endswith((".mp3", ".vtt", ".json", ".js", ".css", ".png", ".jpg", ".webmanifest")):
            assert (written.folder / urllib.parse.unquote(parts.path)).is_file(), address
    worker = (written.folder / "sw.js").read_text()
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", worker, re.S).group(1))
    for address in shell:
        path = urllib.parse.unquote(urllib.parse.urlsplit(address).path)
        assert address == "./" or (written.folder / path).is_file(), address
    for name in ("page.html", "player.js", "offline.js", "player.css", "sw.js"):
        text = web_file(name).decode()
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), f"{name} names another host"
        assert "@import" not in text and "@font-face" not in text


def test_markup_in_titles_and_descriptions_is_escaped(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "sessions")
    manifest = sessions.manifest(sessions.arrive) | {"title": MARKUP_TITLE, "description": MARKUP_DESCRIPTION}
    sessions.arrive.with_suffix(".json").write_text(json.dumps(manifest))
    write_page(sessions.folder, title="<b>Mine</b>")
    text = (sessions.folder / "index.html").read_text()
    page = Parsed(text)
    assert [script["src"].split("?")[0] for script in page.all("script")] == ["player/player.js", "player/pacer.js", "player/offline.js"]
    assert len(page.all("img")) == 3  # the player's and two covers: no injected image
    assert MARKUP_TITLE in page.texts["h3"] and MARKUP_DESCRIPTION in page.texts["p"]
    assert "<b>Mine</b>" not in text and "&lt;b&gt;Mine&lt;/b&gt;" in text
    web_manifest = json.loads((sessions.folder / "manifest.webmanifest").read_text())
    assert web_manifest["name"] == "<b>Mine</b>", "JSON carries the title as it is, for the app's name"


def test_writing_again_gives_the_same_bytes_and_a_new_session_a_new_worker(written, two_sessions, tmp_path):
    names = ["index.html", "sw.js", "manifest.webmanifest", "player/player.js", "player/covers/arrive.jpg"]
    before = {name: (written.folder / name).read_bytes() for name in names}
    write_page(written.folder)
    assert {name: (written.folder / name).read_bytes() for name in names} == before
    (written.folder / "arrive.mp3").rename(written.folder / "arriving.mp3")
    for suffix in (".json", ".vtt", ".chapters.json"):
        (written.folder / f"arrive{suffix}").rename(written.folder / f"arriving{suffix}")
    try:
        write_page(written.folder)
        assert (written.folder / "sw.js").read_bytes() != before["sw.js"], "a changed page must update the worker"
        assert not (written.folder / "player/covers/arrive.jpg").exists(), "a cover of a session gone goes too"
        assert (written.folder / "player/covers/arriving.jpg").is_file()
    finally:
        (written.folder / "arriving.mp3").rename(written.folder / "arrive.mp3")
        for suffix in (".json", ".vtt", ".chapters.json"):
            (written.folder / f"arriving{suffix}").rename(written.folder / f"arrive{suffix}")
        write_page(written.folder)


def test_the_app_can_be_installed(written):
    manifest = json.loads((written.folder / "manifest.webmanifest").read_text())
    assert manifest["start_url"] == "./" and manifest["scope"] == "./" and manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        with Image.open(written.folder / urllib.parse.urlsplit(icon["src"]).path) as image:
            assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add(image.width)
    assert sizes == {192, 512}
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}


def test_feed_writes_the_page_beside_the_feed_and_links_it(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "sessions")
    result = build_feed(sessions.folder, FeedOptions("http://127.0.0.1:8000", title="Evening <calm>"))
    assert result.page == sessions.folder / "index.html"
    page = page_of(sessions.folder)
    assert {"href": "feed.xml"} in page.all("a") and {"href": "playlist.m3u8"} in page.all("a")
    assert "<title>Evening &lt;calm&gt;</title>" in (sessions.folder / "index.html").read_text()
    for name in ("sw.js", "manifest.webmanifest", "player/player.js", "player/player.css", "player/icon-512.png"):
        assert (sessions.folder / name).is_file(), name


def test_page_command_errors_are_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["page", str(empty)])
    assert result.exit_code == 1 and result.output.startswith(f"Error: no sessions in {empty}")
    assert len(result.output.strip().splitlines()) == 1
    assert not (empty / "index.html").exists()
    with pytest.raises(FeedError, match="is not a folder"):
        write_page(tmp_path / "missing")
    result = CliRunner().invoke(cli, ["page", str(empty), "--language", "not a language"])
    assert result.exit_code == 2 and "is not a language code" in result.output


@pytest.mark.parametrize("seconds,label", [(30.0, "30 s"), (59.4, "59 s"), (120.0, "2 min"), (300.2, "5 min"),
                                           (3600.0, "1 h"), (4500.0, "1 h 15 min")])  # fmt: skip
def test_lengths_read_as_a_person_says_them(seconds, label):
    assert length_label(seconds) == label


def test_techniques_are_the_templates_titles():
    assert technique("deep-breathing") == "Deep breathing"
    assert technique("progressive-muscle-relaxation") == "Progressive muscle relaxation"
    assert technique("evening-wind_down") == "Evening wind down"
    assert technique("") == "Guided session"


def test_a_cover_is_scaled_again_only_when_its_session_changed(two_sessions, tmp_path):
    import io
    import os

    from mutagen.id3 import APIC, ID3, PictureType

    sessions = two_sessions.copy_to(tmp_path / "sessions")
    write_page(sessions.folder)
    cover = sessions.folder / "player/covers/breathing.jpg"
    assert cover.stat().st_mtime_ns == sessions.breathing.stat().st_mtime_ns
    blue = io.BytesIO()
    Image.new("RGB", (1400, 1400), (40, 60, 200)).save(blue, format="PNG")
    tags = ID3(sessions.breathing)
    tags.delall("APIC")
    tags.add(APIC(encoding=3, mime="image/png", type=PictureType.COVER_FRONT, desc="Cover", data=blue.getvalue()))
    tags.save(sessions.breathing, v2_version=3)
    stamp = sessions.breathing.stat().st_mtime_ns
    os.utime(cover, ns=(stamp, stamp))  # as if unchanged: the old picture is kept
    write_page(sessions.folder)
    with Image.open(cover) as image:
        assert image.getpixel((256, 256)) == pytest.approx((196, 132, 96), abs=3)
    os.utime(sessions.breathing, ns=(stamp + 10**9, stamp + 10**9))  # changed: made again
    write_page(sessions.folder)
    with Image.open(cover) as image:
        assert image.getpixel((256, 256)) == pytest.approx((40, 60, 200), abs=3)
