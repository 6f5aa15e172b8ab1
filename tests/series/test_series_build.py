"""`build` end to end with the real voice: three episodes, their feed, and re-runs that redo only what changed."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import feedparser
import pytest
from click.testing import CliRunner

from guided_audio.cli import cli
from guided_audio.series.build import BuildOptions, build_series
from series_files import build_three, copy_built, times

FILES = ["breathing-with-rain", "let-the-body-go", "a-forest-path"]


@pytest.fixture(scope="module")
def three(tmp_path_factory, phrase_cache_dir):
    return build_three(tmp_path_factory.mktemp("three"), phrase_cache_dir)


def enclosures(feed_path):
    parsed = feedparser.parse(feed_path.read_bytes())
    return {entry.title: (entry.id, entry.enclosures[0].href, int(entry.enclosures[0].length)) for entry in parsed.entries}


def test_three_episodes_and_a_feed_of_three(three):
    folder = three.folder
    for name, minutes in zip(FILES, (3, 8, 6)):
        manifest = json.loads((folder / f"{name}.json").read_text())
        assert manifest["duration"] == pytest.approx(minutes * 60, abs=0.05)
        assert (folder / f"{name}.mp3").stat().st_size == manifest["build"]["mp3_bytes"]
        assert len(manifest["build"]["fingerprint"]) == 64
    assert json.loads((folder / "breathing-with-rain.json").read_text())["background"] == "rain"
    assert json.loads((folder / "a-forest-path.json").read_text())["params"]["scene"] == "forest"
    items = enclosures(folder / "feed.xml")
    assert set(items) == {"Breathing with rain", "Let the body go", "A forest path"}
    for title, (_, url, length) in items.items():
        name = url.rsplit("/", 1)[1].split("?")[0]
        assert length == (folder / name).stat().st_size and "?v=" in url
    # newest first, in the file's order: the first episode is the oldest
    entries = ET.parse(folder / "feed.xml").getroot().findall("channel/item")
    assert [e.findtext("title") for e in entries] == ["A forest path", "Let the body go", "Breathing with rain"]
    assert "#EXTINF:180," in (folder / "playlist.m3u8").read_text()


def test_a_rerun_touches_no_file_and_takes_a_tenth_of_the_first_build(three):
    before = times(three.folder)
    started = time.perf_counter()
    result = build_series(three.series, BuildOptions(output=three.folder))
    seconds = time.perf_counter() - started
    assert [r.status for r in result.reports] == ["unchanged"] * 3
    assert times(three.folder) == before
    assert seconds <= three.seconds / 10, (seconds, three.seconds)


def test_one_changed_episode_is_rendered_alone_and_gets_a_new_enclosure(three, tmp_path):
    built = copy_built(three, tmp_path)
    before, feed_before = times(built.folder), enclosures(built.folder / "feed.xml")
    built.series.write_text(built.series.read_text().replace("minutes = 6", "minutes = 5"))
    result = build_series(built.series, BuildOptions(output=built.folder, jobs=1))
    assert [r.status for r in result.reports] == ["unchanged", "unchanged", "rendered"]
    after = times(built.folder)
    changed = {name for name in after if after[name] != before.get(name)}
    assert {n for n in changed if n.startswith(tuple(FILES))} == {
        f"a-forest-path.{ext}" for ext in ("mp3", "json", "vtt", "chapters.json")
    }
    assert json.loads((built.folder / "a-forest-path.json").read_text())["duration"] == pytest.approx(300, abs=0.05)
    feed_after = enclosures(built.folder / "feed.xml")
    assert {t: v[0] for t, v in feed_after.items()} == {t: v[0] for t, v in feed_before.items()}  # guids kept
    assert feed_after["Let the body go"] == feed_before["Let the body go"]
    assert feed_after["A forest path"][1] != feed_before["A forest path"][1]

    # an episode dropped from the file leaves the folder and the feed
    text = built.series.read_text()
    built.series.write_text(text[: text.index("[[episode]]\ntitle = \"Let the body go\"")]
                            + text[text.index("[[episode]]\ntitle = \"A forest path\""):])  # fmt: skip
    result = build_series(built.series, BuildOptions(output=built.folder))
    assert [r.status for r in result.reports] == ["unchanged", "unchanged"]
    assert [p.name for p in result.removed] == ["let-the-body-go.mp3"]
    assert not list(built.folder.glob("let-the-body-go.*"))
    assert set(enclosures(built.folder / "feed.xml")) == {"Breathing with rain", "A forest path"}


def test_cli_dry_run_says_what_would_render_and_writes_nothing(three, tmp_path):
    built = copy_built(three, tmp_path)
    before = times(built.folder)
    built.series.write_text(built.series.read_text().replace('background = "rain"', 'background = "rain"\nseed = 3'))
    result = CliRunner().invoke(cli, ["build", str(built.series), "-o", str(built.folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "would render: changed" in next(line for line in lines if line.startswith("breathing-with-rain"))
    assert "unchanged" in next(line for line in lines if line.startswith("let-the-body-go"))
    assert times(built.folder) == before


def test_an_altered_mp3_is_rendered_again(three, tmp_path):
    built = copy_built(three, tmp_path)
    mp3 = built.folder / "let-the-body-go.mp3"
    data = bytearray(mp3.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    mp3.write_bytes(bytes(data))
    plan = build_series(built.series, BuildOptions(output=built.folder, dry_run=True))
    assert [r.status for r in plan.reports] == ["unchanged", "would render: incomplete", "unchanged"]


def test_the_series_feed_numbers_its_episodes_with_their_own_images(three):
    """Season and episode numbers in the file's order, each episode's own cover (issue 22)."""
    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0"}
    channel = ET.parse(three.folder / "feed.xml").getroot().find("channel")
    assert channel.findtext("itunes:type", namespaces=ns) == "serial"
    numbers = {
        item.findtext("title"): [item.findtext(tag, namespaces=ns) for tag in
                                 ("itunes:season", "itunes:episode", "podcast:season", "podcast:episode")]
        for item in channel.findall("item")
    }  # fmt: skip
    assert numbers == {"Breathing with rain": ["1", "1", "1", "1"], "Let the body go": ["1", "2", "1", "2"],
                       "A forest path": ["1", "3", "1", "3"]}  # fmt: skip
    images = [item.find("itunes:image", ns).get("href").split("?")[0] for item in channel.findall("item")]
    assert [image.rsplit("/", 1)[1] for image in images] == [f"{name}.jpg" for name in reversed(FILES)]
    assert all((three.folder / "player" / "covers" / f"{name}.jpg").is_file() for name in FILES)
