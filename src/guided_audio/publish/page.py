"""The listening page: a folder of sessions as a small web player that keeps them offline.

`write_page(folder)` writes, beside the sessions: `index.html` (the sessions as cards, newest
first, and a player with chapters and the transcript), `manifest.webmanifest` and `sw.js` (so
a phone can install it and keep sessions for listening with no network), and `player/` (the
scripts and style from `web/`, the app's icons and a light copy of each cover). Every address
in it is relative, so it works wherever the folder is served, and nothing comes from another
host: no CDN, no web fonts, no build step.

The HTML comes from an autoescaped Jinja2 template, so a title holding `<script>` stays text,
and player.js only ever sets text. Writing again over the same sessions gives the same bytes:
the versions in addresses are content hashes, never the clock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import urllib.parse
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from guided_audio import __version__
from guided_audio.errors import OutputError
from guided_audio.mp3.tags import DEFAULT_ALBUM
from guided_audio.output import write_atomically
from guided_audio.publish import cards
from guided_audio.publish.artwork import ICON_BACKGROUND, ICON_SIDES, app_icon, cover_for_page
from guided_audio.publish.episodes import Episode, find_episodes, newest_first, shared_value
from guided_audio.publish.cards import short_title
from guided_audio.publish.playlist import PLAYLIST_NAME

PAGE_NAME = "index.html"
WEB_MANIFEST_NAME = "manifest.webmanifest"
WORKER_NAME = "sw.js"
"""At the top of the folder: a service worker only controls pages at or below its own address."""
ASSETS = "player"
COVERS = f"{ASSETS}/covers"
WEB_FILES = ("player.js", "pacer.js", "offline.js", "player.css")
THEME_COLOR = "#{:02x}{:02x}{:02x}".format(*ICON_BACKGROUND)


@dataclass(frozen=True)
class PageResult:
    page: Path
    written: list[Path]
    """Every file written, the page last (it is written only when all it refers to is there)."""
    episodes: list[Episode]


def write_page(
    folder: Path,
    title: str | None = None,
    *,
    episodes: list[Episode] | None = None,
    language: str = "en-us",
    feed: str | None = None,
) -> PageResult:
    """Write the listening page for the sessions in `folder` (or for `episodes` found there).

    `title` defaults to the sessions' shared album, like the feed's; `feed` is the name of a
    feed file in the folder to point podcast apps at, if there is one.
    """
    folder = Path(folder).expanduser()
    episodes = find_episodes(folder) if episodes is None else episodes
    title = title or shared_value(e.album for e in episodes) or DEFAULT_ALBUM
    assets = {f"{ASSETS}/{name}": web_file(name) for name in WEB_FILES}
    assets |= {f"{ASSETS}/icon-{side}.png": app_icon(side) for side in ICON_SIDES}
    covers = {e.mp3.name: page_cover(e) for e in episodes}
    assets |= {covers[e.mp3.name]: _cover(folder / covers[e.mp3.name], e) for e in episodes}
    urls = {path: f"{urllib.parse.quote(path)}?v={_digest(data)}" for path, data in assets.items()}
    manifest = web_manifest(title, urls)
    playlist = PLAYLIST_NAME if (folder / PLAYLIST_NAME).is_file() else None
    html = render_page(episodes, title, language, urls, covers, feed=feed, playlist=playlist)
    shell = ["./", PAGE_NAME, WEB_MANIFEST_NAME, *urls.values()]
    worker = service_worker(shell, _digest(html + manifest))
    files = {**assets, WEB_MANIFEST_NAME: manifest, WORKER_NAME: worker, PAGE_NAME: html}
    written = [_write(folder, relative, data) for relative, data in files.items()]
    for episode in episodes:
        _stamp(folder / covers[episode.mp3.name], episode.mp3)
    _remove_stale_covers(folder, set(covers.values()))
    return PageResult(folder / PAGE_NAME, written, episodes)


def page_cover(episode: Episode) -> str:
    """Where the page keeps a session's cover (512 px), relative to the folder; the feed's
    per-episode `itunes:image` points at it too."""
    return f"{COVERS}/{episode.mp3.stem}.jpg"


def render_page(
    episodes: list[Episode],
    title: str,
    language: str,
    urls: dict[str, str],
    covers: dict[str, str],
    *,
    feed: str | None = None,
    playlist: str | None = None,
) -> bytes:
    import jinja2

    sessions = [_card(e, urls[covers[e.mp3.name]]) for e in newest_first(episodes)]
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    html = environment.from_string(web_file("page.html").decode("utf-8")).render(
        title=title,
        language=language,
        version=__version__,
        theme_color=THEME_COLOR,
        manifest_url=WEB_MANIFEST_NAME,
        icon_url=urls[f"{ASSETS}/icon-192.png"],
        css_url=urls[f"{ASSETS}/player.css"],
        scripts=[urls[f"{ASSETS}/player.js"], urls[f"{ASSETS}/pacer.js"], urls[f"{ASSETS}/offline.js"]],
        description=page_description(title, len(sessions)),
        sessions=sessions,
        feed=urllib.parse.quote(feed) if feed else None,
        playlist=urllib.parse.quote(playlist) if playlist else None,
    )
    return html.encode("utf-8")


def _card(episode: Episode, cover_url: str) -> dict[str, str]:
    """What a card shows and what the player needs, as text: the template escapes all of it."""
    quote = urllib.parse.quote
    return {
        "file": episode.mp3.name,
        "audio": quote(episode.mp3.name),
        "vtt": quote(episode.transcript.name) if episode.transcript else "",
        "chapters": quote(episode.chapters_file.name) if episode.has_chapters else "",
        "manifest": quote(episode.mp3.with_suffix(".json").name),
        "cover": cover_url,
        "version": "-".join(filter(None, [f"{episode.size}-{int(episode.published.timestamp())}", episode.version])),
        "duration": f"{episode.duration:.3f}",
        "title": short_title(episode.title),
        "author": episode.author,
        "album": episode.album,
        "description": episode.description,
        "length": length_label(episode.duration),
        "technique": "" if technique(episode.template) == short_title(episode.title) else technique(episode.template),
    }


def page_description(title: str, count: int) -> str:
    """The page's meta description, for search results and link previews."""
    sessions = "one voice-guided relaxation session" if count == 1 else f"{count} voice-guided relaxation sessions"
    return f"{title}: {sessions} to listen to here, or to keep on this device for listening offline."


def length_label(seconds: float) -> str:
    """How long a session is, the way a person says it: 30 s, 5 min, 1 h 15 min."""
    if seconds < 59.5:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def technique(template: str) -> str:
    """A built-in template's title ("Deep breathing"), each part's for a session in parts
    ("Deep breathing, then body scan"); a template of the user's by its name."""
    return cards.technique(template, _template_title)


def _template_title(template: str) -> str:
    from guided_audio.errors import GuidedAudioError
    from guided_audio.script.templates import builtin_dir, load_file

    path = builtin_dir() / f"{template}.txt"
    if template and path.is_file():
        with contextlib.suppress(GuidedAudioError, OSError):
            return load_file(path, builtin=True).title
    words = template.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Guided session"


def web_manifest(title: str, urls: dict[str, str]) -> bytes:
    """The installable app's description: it opens on this folder, dark, standing alone."""
    icons = [
        {"src": urls[f"{ASSETS}/icon-{side}.png"], "sizes": f"{side}x{side}", "type": "image/png", "purpose": purpose}
        for purpose in ("any", "maskable")
        for side in ICON_SIDES
    ]
    manifest = {
        "name": title,
        "short_name": title if len(title) <= 24 else title[:23].rstrip() + "…",
        "description": "Voice-guided relaxation sessions to listen to here, or kept for listening offline.",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": THEME_COLOR,
        "theme_color": THEME_COLOR,
        "icons": icons,
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def service_worker(shell: list[str], version: str) -> bytes:
    """sw.js: web/sw.js under its two constants. A new page gives a new version, so phones update."""
    head = f"\"use strict\";\nvar VERSION = {json.dumps(version)};\nvar SHELL = {json.dumps(shell, indent=1)};\n"
    return head.encode("utf-8") + web_file("sw.js")


def web_file(name: str) -> bytes:
    """One of the page's own files, shipped inside the package (guided_audio/publish/web/)."""
    return resources.files("guided_audio.publish").joinpath("web", name).read_bytes()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _write(folder: Path, relative: str, data: bytes) -> Path:
    path = folder / relative
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make {path.parent}: {exc.strerror or exc}; check the folder") from None
    write_atomically(path, data)
    return path


def _cover(path: Path, episode: Episode) -> bytes:
    """The page's copy of a session's cover, made again only when its MP3 has changed.

    Scaling a cover takes a good part of a second: a copy carries its MP3's modification time
    (`_stamp`), and one that still does is the same picture, so rewriting the page is quick.
    """
    with contextlib.suppress(OSError):
        if path.stat().st_mtime_ns == episode.mp3.stat().st_mtime_ns:
            return path.read_bytes()
    return cover_for_page(episode.mp3, episode.title)


def _stamp(cover: Path, mp3: Path) -> None:
    with contextlib.suppress(OSError):
        mtime = mp3.stat().st_mtime_ns
        os.utime(cover, ns=(mtime, mtime))


def _remove_stale_covers(folder: Path, wanted: set[str]) -> None:
    """Covers of sessions no longer in the folder go: player/covers/ is the page's own."""
    for path in (folder / COVERS).glob("*.jpg"):
        if f"{COVERS}/{path.name}" not in wanted:
            with contextlib.suppress(OSError):
                path.unlink()
