"""`guided-audio page`: the listening page of a folder of sessions, on its own."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="Page title [default: the sessions' album, else Guided relaxation].")
@click.option("--language", default="en-us", show_default=True, help="Language code of the sessions.")
def page(folder: Path, title: str | None, language: str) -> None:
    """Write FOLDER/index.html: the sessions as a web player that also works offline.

    Beside it go manifest.webmanifest, sw.js and the player/ folder. Open it through
    `guided-audio serve FOLDER`; `guided-audio feed` writes it too.

    \b
    Example:
        guided-audio page output
    """
    from guided_audio.publish.feed import FEED_NAME, LANGUAGE
    from guided_audio.commands.report import counted
    from guided_audio.publish.page import write_page

    if not LANGUAGE.match(language):
        raise click.BadParameter(f"{language!r} is not a language code; use one like en-us or de", param_hint="--language")
    feed = FEED_NAME if (folder.expanduser() / FEED_NAME).is_file() else None
    result = write_page(folder, title, language=language.lower(), feed=feed)
    click.echo(
        f"Wrote {result.page} ({counted(len(result.episodes), 'session')}) with its service worker and player/; "
        f"open it with: guided-audio serve {folder}"
    )
