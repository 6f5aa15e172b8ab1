"""Serving a folder of sessions to a phone: read-only, HEAD and byte ranges, nothing outside it.

Built on werkzeug: its `send_file` answers conditional and Range requests (206 with
Content-Range, 416 when a range cannot be met) as podcast apps need to seek and resume, and
its threaded WSGI server comes in the same small, well-kept package, with no async stack.
The socket is bound here first, because werkzeug's own bind prints and exits on failure.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import mimetypes
import socket
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from guided_audio.errors import ServerError

CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".xml": "application/rss+xml",
    ".vtt": "text/vtt",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".m3u8": "audio/x-mpegurl",
    ".m3u": "audio/x-mpegurl",
}
"""Set here rather than guessed: Python's mimetypes does not know .vtt everywhere."""
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class FolderApp:
    """WSGI app answering GET and HEAD for the files in one folder, and nothing else."""

    def __init__(self, folder: Path) -> None:
        self.root = Path(folder).resolve()

    def __call__(self, environ, start_response):
        from werkzeug.exceptions import HTTPException
        from werkzeug.wrappers import Request

        request = Request(environ)
        try:
            response = self._respond(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)

    def _respond(self, request):
        from werkzeug.exceptions import MethodNotAllowed
        from werkzeug.utils import send_file

        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(valid_methods=["GET", "HEAD"])
        if request.path == "/":
            return self._index()
        path = self._inside(request.path)
        if request.range is not None and len(request.range.ranges) > 1:
            # werkzeug would answer 200 with the whole file; a client asking for several
            # ranges at once gets the refusal the standard gives, and asks again for one
            from werkzeug.exceptions import RequestedRangeNotSatisfiable

            raise RequestedRangeNotSatisfiable(length=path.stat().st_size)
        return send_file(path, request.environ, mimetype=content_type(path), max_age=0)

    def _inside(self, url_path: str) -> Path:
        """The real file a decoded URL path names, if it lies inside the folder; else 404.

        Hidden names are refused too: they include the `.partial` files of a render in progress.
        """
        from werkzeug.exceptions import NotFound
        from werkzeug.security import safe_join

        relative = url_path.lstrip("/")
        parts = relative.split("/")
        if any(not part or part.startswith(".") for part in parts) or "\\" in relative or "\0" in relative:
            raise NotFound()
        joined = safe_join(str(self.root), relative)
        if joined is None:
            raise NotFound()
        real = Path(joined).resolve()  # follows symlinks, so one pointing outside is caught
        if not real.is_relative_to(self.root) or not real.is_file():
            raise NotFound()
        return real

    def _index(self):
        """A plain list of the files, so a phone's browser can check the connection."""
        from markupsafe import escape
        from werkzeug.wrappers import Response

        names = sorted(p.name for p in self.root.iterdir() if p.is_file() and not p.name.startswith("."))
        links = "\n".join(f'<li><a href="{escape(urllib.parse.quote(n))}">{escape(n)}</a></li>' for n in names)
        page = (
            '<!doctype html>\n<html lang="en"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>guided-audio</title>\n<h1>Sessions</h1>\n<ul>\n{links}\n</ul>\n</html>\n"
        )
        return Response(page, mimetype="text/html")


@dataclass
class Serving:
    """A bound server, not yet answering: call `server.serve_forever()`."""

    server: object
    """werkzeug's ThreadedWSGIServer."""
    folder: Path
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        return _is_loopback(self.host)

    def base_urls(self) -> list[str]:
        """Addresses to type on a phone: this machine's own addresses for a wildcard host."""
        hosts = _own_addresses() if self.host in WILDCARD_HOSTS else [self.host]
        return [f"http://{_url_host(host)}:{self.port}" for host in hosts]

    def banner(self) -> str:
        """What to tell the user: where it is served, whether the feed fits, how to subscribe."""
        url = self.base_urls()[0]
        lines = [f"Serving {self.folder} read-only at {url}/ (Ctrl+C to stop)"]
        built_for = feed_base_url(self.folder)
        rebuild = f"guided-audio feed {self.folder} --base-url {url}"
        if built_for is None:
            lines.append(f"No feed yet: run  {rebuild}")
        elif built_for not in self.base_urls():
            lines.append(self._feed_fix(built_for, rebuild))
        if not self.loopback:
            lines += [
                "Anyone on this network can download these files while this runs.",
                "In a podcast app (AntennaPod, Podcast Addict, gPodder), add a podcast by URL:",
                f"    {url}/feed.xml",
                terminal_qr(f"{url}/feed.xml"),
            ]
        return "\n".join(lines)


    def _feed_fix(self, built_for: str, rebuild: str) -> str:
        """What to do when feed.xml names another address than this server's.

        A feed built for the network address, served on loopback because --host was left
        out, needs --host, not a rebuild for 127.0.0.1, which no phone can reach.
        """
        parts = urllib.parse.urlsplit(built_for)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        if self.loopback and not _is_loopback(host):
            return (
                f"feed.xml is for {built_for}, but only this computer can connect now; for phones "
                f"run  guided-audio serve {self.folder} --host 0.0.0.0 --port {port}"
            )
        hosts = {urllib.parse.urlsplit(url).hostname for url in self.base_urls()}
        if host in hosts and port != self.port:
            return f"feed.xml is for port {port}; serve with --port {port}, or for this port run  {rebuild}"
        return f"feed.xml points at {built_for}; for this address run  {rebuild}"


def start_server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> Serving:
    """Bind `host:port` and build the server for `folder` (port 0 picks a free one)."""
    from werkzeug.serving import make_server

    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ServerError(f"{folder} is not a folder; give the folder your sessions were written to")
    sock = _bind(host, port)
    try:
        server = make_server(host, port, FolderApp(folder), threaded=True, fd=sock.fileno())
    finally:
        sock.close()  # werkzeug serves a duplicate of this descriptor
    return Serving(server, folder, host, server.port)


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError):
        raise ServerError(f"unknown host {host!r}; use --host 127.0.0.1, or 0.0.0.0 for every network") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServerError(f"port {port} is in use by another program; try --port {port + 1}") from None
        if exc.errno == errno.EACCES:
            raise ServerError(f"not allowed to listen on port {port}; use one above 1023, e.g. --port 8000") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ServerError(f"{host} is not an address of this computer; try --host 0.0.0.0") from None
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _own_addresses() -> list[str]:
    """This machine's address on its network, as a phone there would reach it.

    Asking the kernel which source address it would use towards an outside address: a UDP
    connect only looks up the route and sends nothing. The host name is the fallback (on
    many Linux systems it resolves to 127.0.1.1, which is why it is not the first choice).
    """
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1, a documentation address
        found.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_STREAM)
        found += [info[4][0] for info in infos]
    usable = [address for address in dict.fromkeys(found) if not _is_loopback(address)]
    return usable or [socket.gethostname()]


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def feed_base_url(folder: Path) -> str | None:
    """The address feed.xml in `folder` was built for (its self link), if there is a feed."""
    import xml.etree.ElementTree as ET

    from guided_audio.publish.feed import FEED_NAME

    try:
        root = ET.parse(Path(folder) / FEED_NAME).getroot()
    except (OSError, ET.ParseError):
        return None
    link = root.find("channel/{http://www.w3.org/2005/Atom}link[@rel='self']")
    href = link.get("href", "") if link is not None else ""
    return href.rsplit("/", 1)[0] if href.endswith(f"/{FEED_NAME}") else None


def terminal_qr(text: str) -> str:
    """A QR code drawn with block characters, for a phone's camera to read off the screen."""
    import io

    import segno

    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True)
    return out.getvalue()
