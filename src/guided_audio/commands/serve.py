"""`guided-audio serve`: serve a folder of sessions to a phone, read-only."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guided_audio.commands.words import say


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets phones on your network connect.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--https", is_flag=True,
              help="Serve over HTTPS with a certificate from your own authority, so phones can keep sessions offline.")
@click.option("--quiet", "-q", is_flag=True, help="No banner: print nothing but warnings and errors.")
def serve(folder: Path, host: str, port: int, https: bool, quiet: bool) -> None:
    """Serve FOLDER read-only over HTTP (with byte ranges) until Ctrl+C.

    Only this computer can connect unless --host is given. With --host 0.0.0.0 a phone on
    the same network can open the listening page (FOLDER/index.html, from `guided-audio
    page` or `feed`) or subscribe to FOLDER/feed.xml in a podcast app; the address is printed
    with a QR code. Browsers keep sessions offline only on https or localhost: --https makes
    a certificate authority of your own, which each phone trusts once.

    \b
    Example:
        guided-audio serve output --host 0.0.0.0 --port 8000
        guided-audio serve output --host 0.0.0.0 --https
    """
    import logging

    from guided_audio.publish.server import start_server

    if quiet:  # no request lines either; warnings and errors still show
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    serving = start_server(folder, host, port, https=https)
    try:
        if not quiet:
            click.echo(say(serving.banner()))
    except BaseException:
        serving.server.server_close()
        raise
    signum = serving.serve_until_stopped()  # Ctrl+C is how a user stops serving: no error line
    if not quiet:
        click.echo("Stopped.")
    sys.exit(128 + signum)
