"""`guided-audio playlist`: an M3U playlist of a folder of sessions."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="Playlist title [default: the sessions' album, when they share one].")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but warnings and errors.")
def playlist(folder: Path, title: str | None, quiet: bool) -> None:
    """Write FOLDER/playlist.m3u8 listing every session in FOLDER, for players without podcasts.

    \b
    Example:
        guided-audio playlist output
    """
    from guided_audio.publish.playlist import write_playlist

    path = write_playlist(folder, title=title)
    if not quiet:
        click.echo(f"Wrote {path}")
