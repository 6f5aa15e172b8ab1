"""An M3U playlist of a folder's sessions, for players that do not do podcasts.

Extended M3U in UTF-8 (`.m3u8`) with relative paths, so it works copied to a phone beside
the MP3s or opened from the server.
"""

from __future__ import annotations

from pathlib import Path

from guided_audio.output import write_atomically
from guided_audio.publish.episodes import Episode, find_episodes, newest_first, shared_value

PLAYLIST_NAME = "playlist.m3u8"


def _one_line(text: str) -> str:
    """M3U is line based: a title must not break a line or start a comment."""
    return " ".join(text.split())


def m3u(episodes: list[Episode], title: str | None = None) -> str:
    lines = ["#EXTM3U"]
    if title:
        lines.append(f"#PLAYLIST:{_one_line(title)}")
    for episode in newest_first(episodes):
        lines.append(f"#EXTINF:{round(episode.duration)},{_one_line(episode.author)} - {_one_line(episode.title)}")
        lines.append(episode.mp3.name)
    return "\n".join(lines) + "\n"


def write_playlist(folder: Path, episodes: list[Episode] | None = None, title: str | None = None) -> Path:
    """Write `folder/playlist.m3u8` listing every session in the folder (newest first, as the feed and the page list them)."""
    folder = Path(folder).expanduser()
    episodes = find_episodes(folder) if episodes is None else episodes
    if title is None:
        title = shared_value(episode.album for episode in episodes)
    path = folder / PLAYLIST_NAME
    write_atomically(path, m3u(episodes, title).encode("utf-8"))
    return path
