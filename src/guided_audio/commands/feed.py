"""`guided-audio feed`: a podcast feed (and playlist) of a folder of sessions."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-url", required=True,
              help="Address the folder is served at, e.g. http://192.168.1.20:8000 (see `guided-audio serve`).")
@click.option("--title", help="Podcast title [default: the sessions' album, else Guided relaxation].")
@click.option("--author", help="Podcast author [default: the sessions' author, else guided-audio].")
@click.option("--description", help="Podcast description.")
@click.option("--cover", type=click.Path(dir_okay=False, path_type=Path),
              help="Podcast cover (square JPEG or PNG, 1400-3000 px) [default: drawn, naming the podcast].")
@click.option("--language", default="en-us", show_default=True, help="Language code of the episodes.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but warnings and errors.")
def feed(folder: Path, quiet: bool, **options) -> None:
    """Write FOLDER/feed.xml (RSS with iTunes and Podcasting 2.0 tags) for every session in FOLDER.

    Also writes the podcast cover, FOLDER/playlist.m3u8 and the listening page
    (FOLDER/index.html, see `guided-audio page`). Episodes come from the .json manifests
    beside the MP3s; rebuilding keeps every episode's guid.

    \b
    Example:
        guided-audio feed output --base-url http://192.168.1.20:8000
    """
    from guided_audio.publish.feed import FeedOptions, build_feed

    result = build_feed(folder, FeedOptions(**options))
    if not quiet:
        count = len(result.episodes)
        click.echo(
            f"Wrote {result.feed} ({count} episode{'' if count == 1 else 's'}), {result.cover.name}, "
            f"{result.playlist.name} and {result.page.name}; subscribe at {result.feed_url}"
        )
