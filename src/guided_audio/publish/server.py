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
import logging
import mimetypes
import socket
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from guided_audio.errors import ServerError, option
from guided_audio.publish.certificate import CA_DOWNLOAD, Certificates
from guided_audio.publish.compression import compressed, one_date
from guided_audio.publish.page import PAGE_NAME

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
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".webmanifest": "application/manifest+json",
}
"""Set here rather than guessed: Python's mimetypes does not know .vtt or .webmanifest everywhere,
and a service worker is refused unless it comes as JavaScript."""
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
log = logging.getLogger(__name__)


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class FolderApp:
    """WSGI app answering GET and HEAD for the files in one folder, and nothing else.

    With `--https` it answers one more address, the authority's public certificate (never
    its key), so a phone can download it to trust the server.
    """

    def __init__(self, folder: Path, certificate: bytes | None = None) -> None:
        self.root = Path(folder).resolve()
        self.certificate = certificate

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
        if self.certificate and request.path == f"/{CA_DOWNLOAD}":
            return self._certificate()
        if request.path == "/":
            page = self.root / PAGE_NAME
            if not page.is_file():
                return self._index()
            path = self._inside(f"/{PAGE_NAME}")
        else:
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
        try:
            real = Path(joined).resolve()  # follows symlinks, so one pointing outside is caught
            if not real.is_relative_to(self.root) or not real.is_file():
                raise NotFound()
        except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop: nothing to serve
            log.info("404 for %s: %s", url_path[:100], getattr(exc, "strerror", None) or exc)
            raise NotFound() from None
        return real

    def _certificate(self):
        from werkzeug.wrappers import Response

        response = Response(self.certificate, mimetype="application/x-x509-ca-cert")
        response.headers["Content-Disposition"] = f'attachment; filename="{CA_DOWNLOAD}"'
        return response

    def _index(self):
        """A plain list of the files when there is no listening page (`guided-audio page`)."""
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
    certificates: Certificates | None = None
    """With --https: the server's certificate and the authority a phone must trust."""

    @property
    def loopback(self) -> bool:
        return _is_loopback(self.host)

    @property
    def scheme(self) -> str:
        return "https" if self.certificates else "http"

    def base_urls(self) -> list[str]:
        """Addresses to type on a phone: this machine's own addresses for a wildcard host."""
        hosts = _own_addresses() if self.host in WILDCARD_HOSTS else [self.host]
        return [f"{self.scheme}://{_url_host(host)}:{self.port}" for host in hosts]

    def serve_until_stopped(self) -> int:
        """Serve until Ctrl-C, SIGTERM or SIGHUP; the signal that stopped it (the exit code is
        128 + it, as for every command, so a service manager sees which one it was)."""
        import signal

        stopped_by: list[int] = []

        def stop(signum: int, frame) -> None:
            stopped_by.append(signum)
            raise KeyboardInterrupt  # werkzeug's serve_forever ends on it, and closes the socket

        names = [name for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
        previous = {name: signal.signal(getattr(signal, name), stop) for name in names}
        try:
            self.server.serve_forever()
        except KeyboardInterrupt:
            stopped_by.append(signal.SIGINT)
        finally:
            for name, handler in previous.items():
                signal.signal(getattr(signal, name), handler)
            self.server.server_close()
        return stopped_by[0] if stopped_by else signal.SIGINT

    def banner(self) -> str:
        """What to tell the user: where it is served, whether the feed fits, how to listen."""
        url = self.base_urls()[0]
        lines = [f"Serving {self.folder} read-only at {url}/ (Ctrl+C to stop)"]
        if (self.folder / PAGE_NAME).is_file():
            lines.append(f"Listen in a browser at {url}/")
        else:
            lines.append(f"No listening page yet: run  guided-audio page {self.folder}")
        lines += self._secure_origin_lines(url)
        built_for = feed_base_url(self.folder)
        rebuild = f"guided-audio feed {self.folder} {option('base_url')} {url}"
        if built_for is None:
            lines.append(f"No feed yet: run  {rebuild}")
        elif built_for not in self.base_urls():
            lines.append(self._feed_fix(built_for, rebuild))
        if not self.loopback:
            lines += [
                "Anyone on this network can download these files while this runs.",
                "On a phone, open the address above, or in a podcast app (AntennaPod, Podcast Addict,",
                "gPodder) add a podcast by URL:",
                f"    {url}/feed.xml",
                terminal_qr(f"{url}/feed.xml"),
            ]
        return "\n".join(lines)

    def _secure_origin_lines(self, url: str) -> list[str]:
        """Browsers keep sessions offline only on a secure origin: say whether this is one."""
        if self.certificates and self.loopback:  # no phone can reach 127.0.0.1: not theirs to open
            return [
                "HTTPS with your own certificate authority. Only this computer can connect: to trust it here,",
                f"open {url}/{CA_DOWNLOAD} (SHA-256 {self.certificates.fingerprint}).",
                f"For phones, serve with {option('host')} 0.0.0.0 {option('https')}; it prints the address each phone opens once.",
            ]
        if self.certificates:
            lines = [
                f"HTTPS with your own certificate authority. On each phone, once, open {url}/{CA_DOWNLOAD}",
                "and install it as a CA certificate (README: 'A secure address at home'); its SHA-256 is",
                f"    {self.certificates.fingerprint}",
            ]
            host = urllib.parse.urlsplit(url).hostname
            if host not in self.certificates.names:
                others = [name for name in self.certificates.names if not _is_loopback(name)]
                lines.append(
                    f"{host} is not a private address, so the certificate does not cover it"
                    + (f"; open https://{_url_host(others[0])}:{self.port}/ instead" if others else "")
                )
            return lines
        if self.loopback:
            return ["On this computer the page can keep sessions offline (localhost counts as a secure origin)."]
        return [
            "Phones can play the page here; to keep sessions offline, browsers need a secure origin",
            f"(https or localhost): serve with {option('https')} (README: 'A secure address at home').",
        ]

    def _feed_fix(self, built_for: str, rebuild: str) -> str:
        """What to do when feed.xml names another address than this server's.

        A feed built for the network address, served on loopback because --host was left
        out, needs --host, not a rebuild for 127.0.0.1, which no phone can reach.
        """
        parts = urllib.parse.urlsplit(built_for)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        if self.loopback and not _is_loopback(host):
            https = f" {option('https')}" if parts.scheme == "https" else ""
            return (
                f"feed.xml is for {built_for}, but only this computer can connect now; for phones "
                f"run  guided-audio serve {self.folder} {option('host')} 0.0.0.0 {option('port')} {port}{https}"
            )
        hosts = {urllib.parse.urlsplit(url).hostname for url in self.base_urls()}
        if host in hosts and parts.scheme != self.scheme:  # the flag the feed was served with
            serve_with = f"{option('port')} {port} {option('https')}" if parts.scheme == "https" else f"{option('port')} {port} without {option('https')}"
            return f"feed.xml is for {built_for}; serve with {serve_with}, or for this address run  {rebuild}"
        if host in hosts and port != self.port:
            return f"feed.xml is for port {port}; serve with {option('port')} {port}, or for this port run  {rebuild}"
        return f"feed.xml points at {built_for}; for this address run  {rebuild}"


def start_server(folder: Path, host: str = "127.0.0.1", port: int = 8000, https: bool = False) -> Serving:
    """Bind `host:port` and build the server for `folder` (port 0 picks a free one).

    With `https`, TLS with a certificate from the user's own authority (`certificate`).
    """
    from guided_audio.publish.certificate import server_certificates

    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ServerError(f"{folder} is not a folder; give the folder your sessions were written to")
    certificates = None
    context = None
    if https:
        hosts = _own_addresses() if host in WILDCARD_HOSTS else [host]
        certificates = server_certificates(hosts)
        context = _tls_context(certificates)
    sock = _bind(host, port)
    try:
        folder_app = FolderApp(folder, certificates.ca_der if certificates else None)
        app = compressed(one_date(folder_app))
        server = _guarded_server(host, port, app, folder_app.root, sock, context, certificates)
    finally:
        sock.close()  # werkzeug serves a duplicate of this descriptor
    return Serving(server, folder, host, server.port, certificates)


def _guarded_server(host: str, port: int, app, root: Path, sock: socket.socket, context, certificates):
    """The server with TLS per connection, timeouts, a cap, and the Host check (connections.py)."""
    from guided_audio.publish.connections import GuardedServer, HostCheck, allowed_hosts

    own = _own_addresses() if host in WILDCARD_HOSTS else []
    names = allowed_hosts(host, own, feed_base_url(root), certificates.names if certificates else ())
    return GuardedServer(host, port, HostCheck(app, names), fd=sock.fileno(), tls=context)


def _tls_context(certificates: Certificates):
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certificates.server_cert, certificates.server_key)
    return context


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError):
        raise ServerError(f"unknown host {host!r}; use {option('host')} 127.0.0.1, or 0.0.0.0 for every network") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServerError(f"port {port} is in use by another program; try {option('port')} {port + 1}") from None
        if exc.errno == errno.EACCES:
            raise ServerError(f"not allowed to listen on port {port}; use one above 1023, e.g. {option('port')} 8000") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ServerError(f"{host} is not an address of this computer; try {option('host')} 0.0.0.0") from None
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
