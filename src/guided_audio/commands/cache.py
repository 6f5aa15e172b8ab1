"""`guided-audio cache info` and `cache clear`: where the phrase cache is, how big, and emptying it."""

from __future__ import annotations

import click


def _mebibytes(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


@click.group()
def cache() -> None:
    """The phrase cache: recordings of phrases spoken before, so a re-render skips the voice.

    It lives in $GUIDED_AUDIO_CACHE (default: your user cache folder) and is kept under
    $GUIDED_AUDIO_CACHE_MAX (default 2G; 0 for no cap) by removing what was used least recently.

    \b
    Example:
        guided-audio cache info
    """


@cache.command()
def info() -> None:
    """Show where the phrase cache is, how many entries it holds, and its size and cap.

    \b
    Example:
        guided-audio cache info
    """
    from guided_audio.voice.cache import PhraseCache

    found = PhraseCache().info()
    cap = "no cap" if found.max_bytes <= 0 else f"cap {_mebibytes(found.max_bytes)}"
    click.echo(f"Location: {found.folder}")
    click.echo(f"Entries:  {found.entries}" + (f" ({found.legacy} of an older format, unused)" if found.legacy else ""))
    click.echo(f"Size:     {_mebibytes(found.bytes)} ({cap}; set GUIDED_AUDIO_CACHE_MAX to change it)")


@cache.command()
def clear() -> None:
    """Delete every entry of the phrase cache (the next render speaks its phrases again).

    \b
    Example:
        guided-audio cache clear
    """
    from guided_audio.commands.report import counted
    from guided_audio.voice.cache import PhraseCache

    removed = PhraseCache().clear()
    click.echo(f"Removed {counted(removed.entries, 'entry', 'entries')} ({_mebibytes(removed.bytes)}) from {removed.folder}")
