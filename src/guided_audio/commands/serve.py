"""`guided-audio serve`: serve a folder of sessions to a phone, read-only."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets phones on your network connect.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
def serve(folder: Path, host: str, port: int) -> None:
    """Serve FOLDER read-only over HTTP (with byte ranges) until Ctrl+C.

    Only this computer can connect unless --host is given. With --host 0.0.0.0 a phone on
    the same network can subscribe to FOLDER/feed.xml in a podcast app (build it first
    with `guided-audio feed`); the feed address is printed with a QR code.

    \b
    Example:
        guided-audio serve output --host 0.0.0.0 --port 8000
    """
    from guided_audio.server import feed_base_url, start_server, terminal_qr

    serving = start_server(folder, host, port)
    try:
        urls = serving.base_urls()
        click.echo(f"Serving {folder} read-only at {urls[0]}/ (Ctrl+C to stop)")
        built_for = feed_base_url(folder)
        if built_for is None:
            click.echo(f"No feed yet: run  guided-audio feed {folder} --base-url {urls[0]}")
        elif built_for not in urls:
            click.echo(f"feed.xml points at {built_for}; for this address run  "
                       f"guided-audio feed {folder} --base-url {urls[0]}")  # fmt: skip
        if not serving.loopback:
            click.echo("Anyone on this network can download these files while this runs.")
            click.echo("In a podcast app (AntennaPod, Podcast Addict, gPodder), add a podcast by URL:")
            click.echo(f"    {urls[0]}/feed.xml")
            click.echo(terminal_qr(f"{urls[0]}/feed.xml"))
        serving.server.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl+C is how a user stops serving, not an error
    finally:
        serving.server.server_close()
    click.echo("Stopped.")
