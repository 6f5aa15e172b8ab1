"""A podcast feed of a folder's sessions: RSS 2.0 with the iTunes and Podcasting 2.0 tags.

Written from an autoescaped Jinja2 XML template rather than feedgen, which cannot write
`itunes:explicit` as true/false and drops some attributes; tests parse the result with real
feed parsers. Rebuilding the feed over the same files gives the same bytes: guids come from
file names (the podcast's from the feed first built there), dates from the manifests (when
each session was made, so a copied folder keeps them), never from the clock.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

from guided_audio import __version__
from guided_audio.errors import FeedError, option
from guided_audio.mp3.cover import Cover, load_cover, make_cover
from guided_audio.mp3.tags import DEFAULT_ALBUM, DEFAULT_AUTHOR
from guided_audio.output import write_atomically
from guided_audio.publish.episodes import Episode, find_episodes, newest_first, shared_value
from guided_audio.publish.page import page_cover, write_page
from guided_audio.publish.playlist import write_playlist

FEED_NAME = "feed.xml"
COVER_STEM = "cover"
DEFAULT_DESCRIPTION = (
    "Voice-guided relaxation sessions to listen to at your own pace: slow breathing, "
    "gentle muscle relaxation and calm imagery."
)
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""Podcasting 2.0: podcast:guid is the UUIDv5 of the feed URL (no scheme) in this namespace."""
EPISODE_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "guided-audio:episode")
"""Ours: an episode's guid is the UUIDv5 of its file name here, so it survives a new base URL."""
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot carry even escaped."""

TEMPLATE = """\
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" \
xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:atom="http://www.w3.org/2005/Atom" \
xmlns:psc="http://podlove.org/simple-chapters">
  <channel>
    <title>{{ title }}</title>
    <link>{{ link }}</link>
    <atom:link href="{{ feed_url }}" rel="self" type="application/rss+xml"/>
    <description>{{ description }}</description>
    <language>{{ language }}</language>
    <generator>guided-audio {{ version }}</generator>
    <lastBuildDate>{{ last_build }}</lastBuildDate>
    <image>
      <url>{{ cover_url }}</url>
      <title>{{ title }}</title>
      <link>{{ link }}</link>
    </image>
    <itunes:image href="{{ cover_url }}"/>
    <itunes:author>{{ author }}</itunes:author>
    <itunes:category text="Health &amp; Fitness">
      <itunes:category text="Mental Health"/>
    </itunes:category>
    <itunes:explicit>false</itunes:explicit>
    <itunes:type>{{ "serial" if serial else "episodic" }}</itunes:type>
    <podcast:guid>{{ podcast_guid }}</podcast:guid>
    <podcast:medium>podcast</podcast:medium>
    <podcast:locked>yes</podcast:locked>
{%- if person %}
    <podcast:person role="host">{{ person }}</podcast:person>
{%- endif %}
{%- for item in items %}
    <item>
      <title>{{ item.title }}</title>
      <description>{{ item.description }}</description>
      <guid isPermaLink="false">{{ item.guid }}</guid>
      <pubDate>{{ item.published }}</pubDate>
      <enclosure url="{{ item.url }}" length="{{ item.size }}" type="audio/mpeg"/>
      <itunes:author>{{ item.author }}</itunes:author>
      <itunes:duration>{{ item.duration }}</itunes:duration>
      <itunes:explicit>false</itunes:explicit>
      <itunes:episodeType>full</itunes:episodeType>
      <itunes:image href="{{ item.image_url }}"/>
{%- if item.number %}
      <itunes:season>{{ item.season }}</itunes:season>
      <itunes:episode>{{ item.number }}</itunes:episode>
      <podcast:season>{{ item.season }}</podcast:season>
      <podcast:episode>{{ item.number }}</podcast:episode>
{%- endif %}
{%- if item.person %}
      <podcast:person role="host">{{ item.person }}</podcast:person>
{%- endif %}
{%- if item.chapters %}
      <psc:chapters version="1.2">
{%- for chapter in item.chapters %}
        <psc:chapter start="{{ chapter.start }}" title="{{ chapter.title }}"/>
{%- endfor %}
      </psc:chapters>
{%- endif %}
{%- if item.chapters_url %}
      <podcast:chapters url="{{ item.chapters_url }}" type="application/json+chapters"/>
{%- endif %}
{%- if item.transcript_url %}
      <podcast:transcript url="{{ item.transcript_url }}" type="text/vtt" language="{{ language }}" rel="captions"/>
{%- endif %}
    </item>
{%- endfor %}
  </channel>
</rss>
"""


@dataclass(frozen=True)
class FeedOptions:
    """What a user says about the podcast as a whole."""

    base_url: str
    """Where the folder is served, e.g. http://192.168.1.20:8000; file URLs start with it."""
    title: str | None = None
    """Defaults to the sessions' shared album tag, else "Guided relaxation"."""
    author: str | None = None
    description: str | None = None
    language: str = "en-us"
    cover: Path | None = None
    """Square JPEG or PNG; without one a cover naming the podcast is drawn."""


@dataclass(frozen=True)
class FeedResult:
    feed: Path
    feed_url: str
    cover: Path
    playlist: Path
    page: Path
    """The listening page (index.html) written beside the feed."""
    episodes: list[Episode]


def check_base_url(url: str) -> str:
    """The base URL without trailing slashes, or a FeedError saying what a good one looks like."""
    if any(c.isspace() for c in url.strip()):
        raise FeedError(
            f"{option('base_url')} {url!r} has a space in it, which no address can hold; give the address "
            f"the folder is served at, e.g. {option('base_url')} http://192.168.1.20:8000 (a space in a path is %20)"
        )
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise FeedError(
            f"{option('base_url')} {url!r} is not an http(s) address; give the address the folder is served at, "
            f"e.g. {option('base_url')} http://192.168.1.20:8000"
        )
    return url.strip().rstrip("/")


def podcast_guid(feed_url: str) -> str:
    """Podcasting 2.0 guid: UUIDv5 of the feed URL with the scheme and trailing slashes removed."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def kept_podcast_guid(folder: Path, feed_url: str) -> str:
    """The podcast:guid of the feed already in `folder`, else the one for `feed_url`.

    The namespace asks for a guid made once, from the first feed URL, and kept when the
    feed moves: a feed rebuilt for a new address (a new home network, a port) stays the same
    podcast to every app and directory.
    """
    import xml.etree.ElementTree as ET

    try:
        found = ET.parse(folder / FEED_NAME).getroot().findtext("channel/{https://podcastindex.org/namespace/1.0}guid")
    except (OSError, ET.ParseError):
        found = None
    try:
        return str(uuid.UUID((found or "").strip()))
    except ValueError:
        return podcast_guid(feed_url)


def episode_guid(episode: Episode) -> str:
    return f"urn:uuid:{uuid.uuid5(EPISODE_GUID_NAMESPACE, episode.mp3.name)}"


def build_feed(folder: Path, options: FeedOptions, episodes: list[Episode] | None = None) -> FeedResult:
    """Write feed.xml, its cover, playlist.m3u8 and the listening page into `folder`.

    `episodes` (default: every session in the folder) lets a series list only its own.
    Everything is checked before anything is written.
    """
    base = check_base_url(options.base_url)
    if not LANGUAGE.match(options.language):
        raise FeedError(f"{option('language')} {options.language!r} is not a language code; use one like en-us or de")
    folder = Path(folder).expanduser()
    episodes = find_episodes(folder) if episodes is None else episodes
    title = options.title or shared_value(e.album for e in episodes) or DEFAULT_ALBUM
    cover = load_cover(options.cover) if options.cover else make_cover(title, "Guided relaxation sessions")
    xml = render_feed(episodes, options, base, title, cover, kept_podcast_guid(folder, f"{base}/{FEED_NAME}"))
    cover_path = folder / f"{COVER_STEM}{cover.extension}"
    write_atomically(cover_path, cover.data)
    for stale in {".jpg", ".png"} - {cover.extension}:  # a new cover of the other kind replaces the old
        with contextlib.suppress(FileNotFoundError):
            (folder / f"{COVER_STEM}{stale}").unlink()
    playlist = write_playlist(folder, episodes, title)
    feed = folder / FEED_NAME
    write_atomically(feed, xml.encode("utf-8"))
    page = write_page(folder, title, episodes=episodes, language=options.language.lower(), feed=FEED_NAME)
    return FeedResult(feed, f"{base}/{FEED_NAME}", cover_path, playlist, page.page, episodes)


def render_feed(
    episodes: list[Episode], options: FeedOptions, base: str, title: str, cover: Cover, guid: str | None = None
) -> str:
    import jinja2

    def url(path: Path, version: str = "") -> str:
        """A new rendering is a new address, so apps fetch it again (the guid stays)."""
        return f"{base}/{urllib.parse.quote(path.name)}" + (f"?v={urllib.parse.quote(version)}" if version else "")

    items = [
        {
            "title": _clean(e.title),
            "description": _clean(e.description),
            "author": _clean(e.author),
            "guid": episode_guid(e),
            "published": email.utils.format_datetime(e.published),
            "url": url(e.mp3, e.version),
            "size": e.size,
            "duration": round(e.duration),
            "chapters_url": url(e.chapters_file, e.version) if e.has_chapters else None,
            "transcript_url": url(e.transcript, e.version) if e.transcript else None,
            "image_url": f"{base}/{urllib.parse.quote(page_cover(e))}" + (f"?v={urllib.parse.quote(e.version)}" if e.version else ""),
            "number": e.number,
            "season": e.season or 1,
            "person": _person(e.author),
            "chapters": [{"start": _npt(start), "title": _clean(title)} for start, title in e.chapters],
        }
        for e in newest_first(episodes)
    ]
    feed_url = f"{base}/{FEED_NAME}"
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(TEMPLATE).render(
        title=_clean(title),
        link=f"{base}/",
        feed_url=feed_url,
        description=_clean(options.description or DEFAULT_DESCRIPTION),
        language=options.language.lower(),
        version=__version__,
        last_build=items[0]["published"],
        cover_url=f"{base}/{COVER_STEM}{cover.extension}",
        author=_clean(options.author or shared_value(e.author for e in episodes) or DEFAULT_AUTHOR),
        podcast_guid=guid or podcast_guid(feed_url),
        serial=any(e.number for e in episodes),
        person=_person(options.author or shared_value(e.author for e in episodes) or DEFAULT_AUTHOR),
        items=items,
    )


def _person(name: str) -> str:
    """The host to name in `podcast:person`; none for our default author, which is no person."""
    return "" if name == DEFAULT_AUTHOR else _clean(name)


def _npt(seconds: float) -> str:
    """A Podlove Simple Chapters start: normal play time, HH:MM:SS.mmm."""
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def _clean(text: str) -> str:
    """Text safe for XML 1.0 (escaping is the template's job; this drops what cannot be escaped)."""
    return XML_UNSAFE.sub("", text)
