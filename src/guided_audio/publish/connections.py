"""How `serve` treats connections: a bounded number, none idle for long, TLS per connection,
and only the host names it was started for.

werkzeug's server does the TLS handshake in its accept loop, with no timeout, so one client
that connects and says nothing stops every other; and each connection gets a thread that
waits forever. Here the handshake runs in the connection's own thread under a timeout, every
connection has an idle timeout, and past MAX_CONNECTIONS new ones are turned away at once.

The Host check defends a loopback server against DNS rebinding: a web page on a name the
attacker controls re-points that name at 127.0.0.1, and the browser then lets the page read
the server's answers. Such a request carries the attacker's name in Host, so any name the
server was not started for (and any name other than its addresses, this computer's names and
the feed's host) is refused; an address typed as digits cannot be rebound and is accepted.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
import urllib.parse
from typing import Any, Iterable

from werkzeug.serving import ThreadedWSGIServer

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 64
"""Connections served at once; a phone or a browser opens a handful."""
HANDSHAKE_SECONDS = 10.0
IDLE_SECONDS = 30.0
"""A connection that sends or takes nothing for this long is closed (a paused player
reconnects with a Range request, as it does after any dropped connection)."""


class GuardedServer(ThreadedWSGIServer):
    """werkzeug's threaded server with TLS, timeouts and a cap per connection (see above)."""

    def __init__(self, host: str, port: int, app: Any, *, fd: int, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(host, port, app, fd=fd)  # no ssl_context: werkzeug would wrap the listening socket
        self.ssl_context = tls  # werkzeug reads it for wsgi.url_scheme and SSL error logging
        self.tls = tls
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            log.warning("%d connections already open; turned away one from %s", MAX_CONNECTIONS, client_address[0])
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: Any) -> None:
        try:
            request.settimeout(HANDSHAKE_SECONDS if self.tls else IDLE_SECONDS)
            if self.tls is not None:
                try:
                    request = self.tls.wrap_socket(request, server_side=True)
                except (OSError, ssl.SSLError) as exc:  # a timeout, a plain-HTTP client, a scanner
                    log.info("TLS handshake with %s failed: %s", client_address[0], exc)
                    self.shutdown_request(request)
                    return
                request.settimeout(IDLE_SECONDS)
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def allowed_hosts(host: str, own: Iterable[str], feed_url: str | None, extra: Iterable[str] = ()) -> set[str]:
    """The host names (lower case) requests may carry; addresses as digits are always allowed."""
    names = {"localhost", host, *own, *extra, socket.gethostname(), f"{socket.gethostname()}.local"}
    if feed_url:
        names.add(urllib.parse.urlsplit(feed_url).hostname or "")
    return {name.lower().rstrip(".") for name in names if name}


class HostCheck:
    """WSGI middleware refusing (421) a request whose Host names a name the server is not for."""

    def __init__(self, app: Any, names: set[str]) -> None:
        self.app = app
        self.names = names

    def __call__(self, environ: dict, start_response: Any) -> Any:
        header = environ.get("HTTP_HOST", "")
        name = _host_name(header)
        if name is None or name in self.names or _is_address(name):
            return self.app(environ, start_response)
        log.warning("refused a request for host %r (not a name this server is for; DNS rebinding?)", header[:100])
        body = b"Misdirected request: this server does not answer for that host name.\n"
        start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8"),
                                                  ("Content-Length", str(len(body)))])  # fmt: skip
        return [body]


def _host_name(header: str) -> str | None:
    """The name in a Host header without its port, lower case; None for no header."""
    if not header:
        return None
    try:
        return (urllib.parse.urlsplit(f"//{header}").hostname or "").rstrip(".")
    except ValueError:
        return ""


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
