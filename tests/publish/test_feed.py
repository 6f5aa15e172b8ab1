"""The podcast feed and playlist, parsed by independent feed parsers (feedparser, podcastparser)."""

from __future__ import annotations

import email.utils
import io
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from PIL import Image
from podcast_sessions import TRICKY_TITLE

from guided_audio.cli import cli
from guided_audio.errors import FeedError
from guided_audio.publish.cards import about
from guided_audio.publish.feed import FeedOptions, build_feed, podcast_guid

BASE = "http://127.0.0.1:8000"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}


@pytest.fixture(scope="module")
def published(two_sessions, tmp_path_factory):
    """A copy of the two sessions with a feed built by the command line, as a user would."""
    sessions = two_sessions.copy_to(tmp_path_factory.mktemp("feed") / "sessions")
    result = CliRunner().invoke(
        cli, ["feed", str(sessions.folder), "--base-url", BASE + "/", "--author", "Kind & Co"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"subscribe at {BASE}/feed.xml" in result.output
    return sessions


def test_feedparser_reads_every_episode_with_exact_enclosure_lengths(published):
    import feedparser

    parsed = feedparser.parse((published.folder / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Guided relaxation" and parsed.feed.author == "Kind & Co"
    assert parsed.feed.language == "en-us" and parsed.feed.image.href == f"{BASE}/cover.jpg"
    assert not parsed.feed.itunes_explicit  # feedparser knows only yes/clean: "false" reads as None
    by_title = {entry.title: entry for entry in parsed.entries}
    assert set(by_title) == {TRICKY_TITLE, "Arriving (0.5 min)"}
    for mp3 in (published.breathing, published.arrive):
        entry = by_title[published.manifest(mp3)["title"]]
        (enclosure,) = entry.enclosures
        assert enclosure.href == f"{BASE}/{mp3.name}" and enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == mp3.stat().st_size
        assert entry.itunes_duration == str(round(published.manifest(mp3)["duration"]))
        assert entry.summary == (about(published.manifest(mp3)) or published.manifest(mp3)["description"])
        assert email.utils.parsedate_to_datetime(entry.published).timestamp() == published.created(mp3)


def test_podcastparser_reads_titles_sizes_durations_and_guids(published):
    import podcastparser

    with open(published.folder / "feed.xml", "rb") as stream:
        parsed = podcastparser.parse(f"{BASE}/feed.xml", stream)
    assert parsed["title"] == "Guided relaxation" and parsed["cover_url"] == f"{BASE}/cover.jpg"
    episodes = {episode["title"]: episode for episode in parsed["episodes"]}
    assert set(episodes) == {TRICKY_TITLE, "Arriving (0.5 min)"}
    for mp3 in (published.breathing, published.arrive):
        episode = episodes[published.manifest(mp3)["title"]]
        (enclosure,) = episode["enclosures"]
        assert enclosure["file_size"] == mp3.stat().st_size and enclosure["mime_type"] == "audio/mpeg"
        assert episode["total_time"] == round(published.manifest(mp3)["duration"])
        assert episode["guid"].startswith("urn:uuid:")
    assert len({e["guid"] for e in parsed["episodes"]}) == 2


def test_channel_and_items_carry_itunes_and_podcasting_20_tags(published):
    channel = ET.parse(published.folder / "feed.xml").getroot().find("channel")
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "Health & Fitness"
    assert category.find("itunes:category", NS).get("text") == "Mental Health"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.find("atom:link", NS).get("href") == f"{BASE}/feed.xml"
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(f"{BASE}/feed.xml")
    for item in channel.findall("item"):
        stem = item.find("enclosure").get("url").rsplit("/", 1)[1].removesuffix(".mp3")
        assert item.findtext("itunes:explicit", namespaces=NS) == "false"
        chapters = item.find("podcast:chapters", NS)
        assert chapters.get("url") == f"{BASE}/{stem}.chapters.json"
        assert chapters.get("type") == "application/json+chapters"
        transcript = item.find("podcast:transcript", NS)
        assert transcript.get("url") == f"{BASE}/{stem}.vtt" and transcript.get("type") == "text/vtt"
        assert item.find("guid").get("isPermaLink") == "false"


def test_podcast_guid_follows_the_specification():
    """The examples in the Podcasting 2.0 namespace's guid documentation."""
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("podnews.net/rss////") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_rebuilding_keeps_guids_and_bytes_even_at_a_new_address(published, tmp_path):
    sessions = published.copy_to(tmp_path / "again")
    first = (sessions.folder / "feed.xml").read_bytes()
    build_feed(sessions.folder, FeedOptions(BASE, author="Kind & Co"))
    assert (sessions.folder / "feed.xml").read_bytes() == first
    guids = [g.text for g in ET.fromstring(first).iter("guid")]
    build_feed(sessions.folder, FeedOptions("https://calm.example.org/sessions"))
    moved = ET.parse(sessions.folder / "feed.xml").getroot()
    assert [g.text for g in moved.iter("guid")] == guids
    assert moved.find("channel/item/enclosure").get("url").startswith("https://calm.example.org/sessions/")


def test_feed_writes_a_square_cover_and_a_playlist(published):
    cover = Image.open(published.folder / "cover.jpg")
    assert cover.format == "JPEG" and cover.size[0] == cover.size[1] >= 1400
    lines = (published.folder / "playlist.m3u8").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U" and lines[1] == "#PLAYLIST:Guided relaxation"
    entries = list(zip(lines[2::2], lines[3::2]))
    newest_first = sorted([published.breathing, published.arrive], key=lambda p: (published.created(p), p.name), reverse=True)
    assert [name for _, name in entries] == [p.name for p in newest_first]  # as the feed and page list them
    for info, name in entries:
        manifest = published.manifest(published.folder / name)
        assert info == f"#EXTINF:{round(manifest['duration'])},{manifest['author']} - {manifest['title']}"


def test_a_given_cover_is_published_beside_the_feed(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    result = build_feed(sessions.folder, FeedOptions(BASE, cover=two_sessions.cover, title="Evening calm"))
    assert result.cover.name == "cover.png" and result.cover.read_bytes() == two_sessions.cover.read_bytes()
    channel = ET.parse(result.feed).getroot().find("channel")
    assert channel.find("itunes:image", NS).get("href") == f"{BASE}/cover.png"
    assert channel.findtext("title") == "Evening calm"


def test_playlist_command_and_its_title(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    result = CliRunner().invoke(cli, ["playlist", str(sessions.folder), "--title", "Night & day"])
    assert result.exit_code == 0 and result.output == f"Wrote {sessions.folder / 'playlist.m3u8'}\n"
    text = (sessions.folder / "playlist.m3u8").read_text(encoding="utf-8")
    assert text.startswith("#EXTM3U\n#PLAYLIST:Night & day\n#EXTINF:30,guided-audio - Arriving (0.5 min)\n")
    assert not (sessions.folder / "feed.xml").exists()


def test_broken_manifest_and_bad_options_write_nothing(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    before = sorted(p.name for p in sessions.folder.iterdir())
    with pytest.raises(FeedError, match="is not an http"):
        build_feed(sessions.folder, FeedOptions("file:///etc"))
    with pytest.raises(FeedError, match="not a language code"):
        build_feed(sessions.folder, FeedOptions(BASE, language="plain english"))
    with pytest.raises(Exception, match="cover image .* does not exist"):
        build_feed(sessions.folder, FeedOptions(BASE, cover=tmp_path / "gone.png"))
    sessions.arrive.with_suffix(".json").write_text("{not json")
    with pytest.raises(FeedError, match="cannot read the manifest .*arrive.json"):
        build_feed(sessions.folder, FeedOptions(BASE))
    assert sorted(p.name for p in sessions.folder.iterdir()) == before


def test_an_mp3_without_manifest_is_skipped_and_an_empty_folder_is_an_error(two_sessions, tmp_path, caplog):
    sessions = two_sessions.copy_to(tmp_path / "s")
    (sessions.folder / "stray.mp3").write_bytes(b"\xff\xfb")
    result = build_feed(sessions.folder, FeedOptions(BASE))
    assert len(result.episodes) == 2 and "skipping stray.mp3" in caplog.text
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FeedError, match="no sessions in .*empty"):
        build_feed(empty, FeedOptions(BASE))
    assert list(empty.iterdir()) == []


def test_text_that_xml_cannot_carry_is_dropped_not_written(two_sessions, tmp_path):
    import feedparser

    sessions = two_sessions.copy_to(tmp_path / "s")
    result = build_feed(sessions.folder, FeedOptions(BASE, description="Calm\x00 \x1b nights"))
    parsed = feedparser.parse(result.feed.read_bytes())
    assert not parsed.bozo and parsed.feed.description == "Calm  nights"
    assert Image.open(io.BytesIO(result.cover.read_bytes())).size == (1400, 1400)


def test_podcastparser_reads_chapters_images_and_the_feed_names_its_host(published):
    import podcastparser

    with open(published.folder / "feed.xml", "rb") as stream:
        parsed = podcastparser.parse(f"{BASE}/feed.xml", stream)
    episodes = {episode["title"]: episode for episode in parsed["episodes"]}
    for mp3 in (published.breathing, published.arrive):
        manifest = published.manifest(mp3)
        episode = episodes[manifest["title"]]
        assert [(c["start"], c["title"]) for c in episode["chapters"]] == [
            (int(c["start"]), c["title"]) for c in manifest["chapters"]
        ]  # podcastparser keeps whole seconds (it drops the milliseconds)
        assert episode["episode_art_url"] == f"{BASE}/player/covers/{mp3.stem}.jpg"
        assert (published.folder / "player" / "covers" / f"{mp3.stem}.jpg").is_file()
    channel = ET.parse(published.folder / "feed.xml").getroot().find("channel")
    assert channel.findtext("podcast:medium", namespaces=NS) == "podcast"
    assert channel.findtext("podcast:locked", namespaces=NS) == "yes"
    assert channel.find("podcast:person", NS).text == "Kind & Co"
    assert channel.find("podcast:person", NS).get("role") == "host"
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    for item in channel.findall("item"):
        assert item.find("itunes:season", NS) is None  # not a series: no numbers


def test_a_series_feed_numbers_its_episodes(published, tmp_path):
    import dataclasses

    import feedparser

    from guided_audio.publish.episodes import find_episodes

    sessions = published.copy_to(tmp_path / "series")
    episodes = sorted(find_episodes(sessions.folder), key=lambda e: e.mp3.name)
    numbered = [dataclasses.replace(e, number=n) for n, e in enumerate(episodes, start=1)]
    build_feed(sessions.folder, FeedOptions(BASE), numbered)
    channel = ET.parse(sessions.folder / "feed.xml").getroot().find("channel")
    assert channel.findtext("itunes:type", namespaces=NS) == "serial"
    found = {
        item.find("enclosure").get("url").rsplit("/", 1)[1]: [
            item.findtext(tag, namespaces=NS) for tag in ("itunes:season", "itunes:episode", "podcast:season", "podcast:episode")
        ]
        for item in channel.findall("item")
    }
    assert found == {"arrive.mp3": ["1", "1", "1", "1"], "breathing.mp3": ["1", "2", "1", "2"]}
    parsed = feedparser.parse((sessions.folder / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert {e.itunes_episode for e in parsed.entries} == {"1", "2"}
    assert all(e.image.href.startswith(f"{BASE}/player/covers/") for e in parsed.entries)


def test_a_copied_folder_keeps_its_dates_and_order(published, tmp_path):
    """Copied without its file times (as a phone or a cloud drive copies), rebuilt: same dates."""
    import os
    import shutil

    def dated(folder):
        items = ET.parse(folder / "feed.xml").getroot().iter("item")
        return [(item.find("enclosure").get("url"), item.findtext("pubDate")) for item in items]

    copy = tmp_path / "copy"
    shutil.copytree(published.folder, copy, copy_function=shutil.copyfile)
    for mp3 in copy.glob("*.mp3"):  # the copies are all made now, in reverse order of making
        os.utime(mp3, (1_900_000_000 - published.created(published.folder / mp3.name),) * 2)
    build_feed(copy, FeedOptions(BASE, author="Kind & Co"))
    assert dated(copy) == dated(published.folder)
    playlist = (copy / "playlist.m3u8").read_text(encoding="utf-8")
    assert playlist == (published.folder / "playlist.m3u8").read_text(encoding="utf-8")
    # A manifest from before `created` falls back to its MP3's time.
    manifest = published.manifest(copy / "arrive.mp3")
    del manifest["created"]
    (copy / "arrive.json").write_text(__import__("json").dumps(manifest))
    build_feed(copy, FeedOptions(BASE))
    when = dict(dated(copy))[f"{BASE}/arrive.mp3"]
    assert email.utils.parsedate_to_datetime(when).timestamp() == int((copy / "arrive.mp3").stat().st_mtime)
