"""Issue 20, items 7, 10, 17 and 20 (serve): real sockets on 127.0.0.1. An idle client blocks
nobody (TLS handshake per connection, with a timeout), idle sockets are bounded and closed,
odd paths are 404 not 500, a DNS-rebound Host is refused, the hints keep --https, and
Ctrl-C or SIGTERM end serve with 128 + the signal."""

from __future__ import annotations

import contextlib
import http.client
import logging
import signal
import socket
import ssl
import subprocess
import sys
import threading

import pytest
from faults import wait_for

from guided_audio.commands.words import say  # the banner in the command line's words
from guided_audio.publish import connections
from guided_audio.publish.server import start_server


@contextlib.contextmanager
def serving(folder, https: bool = False, host: str = "127.0.0.1"):
    served = start_server(folder, host, 0, https=https)
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()
        thread.join(timeout=5)


def get(port: int, path: str = "/a.txt", headers: dict | None = None, context=None):
    if context is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    else:
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.txt").write_text("hello")
    return tmp_path


def test_an_idle_client_does_not_block_an_https_server(folder):
    with serving(folder, https=True) as served:
        context = ssl.create_default_context(cafile=str(served.certificates.ca_cert))
        with socket.create_connection(("127.0.0.1", served.port)):  # connects, says nothing
            assert get(served.port, context=context) == (200, b"hello")


def test_a_stalled_handshake_is_dropped_after_its_timeout(folder, monkeypatch):
    monkeypatch.setattr(connections, "HANDSHAKE_SECONDS", 0.2)
    with serving(folder, https=True) as served, socket.create_connection(("127.0.0.1", served.port)) as idle:
        idle.settimeout(5)
        assert idle.recv(100) == b""  # closed by the server, well before our own timeout


def test_idle_sockets_are_bounded_and_closed(folder, monkeypatch, caplog):
    monkeypatch.setattr(connections, "MAX_CONNECTIONS", 4)
    monkeypatch.setattr(connections, "IDLE_SECONDS", 0.3)
    with serving(folder) as served:
        idle = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(4)]
        try:
            with caplog.at_level(logging.WARNING), socket.create_connection(("127.0.0.1", served.port)) as extra:
                extra.settimeout(5)
                assert extra.recv(100) == b"", "a fifth connection was held open"
            for sock in idle:  # each is closed once idle for IDLE_SECONDS
                sock.settimeout(5)
                assert sock.recv(100) == b""
        finally:
            for sock in idle:
                sock.close()
        assert "4 connections already open; turned away one from 127.0.0.1" in caplog.text
        assert get(served.port) == (200, b"hello")  # the slots came back


def test_a_long_path_and_a_symlink_loop_are_404_not_500(folder, caplog):
    (folder / "loop").symlink_to(folder / "loop")
    with serving(folder) as served, caplog.at_level(logging.INFO, logger="guided_audio.publish.server"):
        assert get(served.port, "/" + "x" * 300)[0] == 404
        assert get(served.port, "/" + "/".join(["y" * 250] * 20))[0] == 404
        assert get(served.port, "/loop")[0] == 404
        assert get(served.port, "/loop/a.txt")[0] == 404
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "host, status",
    [("evil.example", 421), ("evil.example:80", 421), ("127.0.0.1.nip.io", 421), ("localhost", 200),
     ("LOCALHOST:1234", 200), ("127.0.0.1", 200), ("[::1]:8000", 200), ("192.168.1.20:8000", 200),
     ("sessions.home", 200)],
)  # fmt: skip
def test_a_host_the_server_is_not_for_is_refused(folder, host, status):
    """DNS rebinding: the attacker's name, now pointing at 127.0.0.1, is in Host; the feed's own
    host (sessions.home) is one this server is for."""
    _feed_for(folder, "http://sessions.home:8000")
    with serving(folder) as served:
        assert get(served.port, headers={"Host": host})[0] == status


def _feed_for(folder, base: str) -> None:
    """A feed.xml whose self link names `base` (all the banner reads of it)."""
    (folder / "feed.xml").write_text(
        f'<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f'<atom:link rel="self" href="{base}/feed.xml"/></channel></rss>'
    )


def test_a_feed_for_https_served_over_http_keeps_https_in_the_hint(folder):
    _feed_for(folder, "https://192.168.1.20:8443")
    served = start_server(folder, "127.0.0.1", 0)
    try:
        assert "--host 0.0.0.0 --port 8443 --https" in say(served.banner())
    finally:
        served.server.server_close()
    _feed_for(folder, f"https://127.0.0.1:{served.port}")
    served = start_server(folder, "127.0.0.1", served.port)
    try:
        assert f"serve with --port {served.port} --https" in say(served.banner())
    finally:
        served.server.server_close()


def test_https_on_loopback_does_not_send_phones_to_127_0_0_1(folder):
    served = start_server(folder, "127.0.0.1", 0, https=True)
    try:
        banner = say(served.banner())
    finally:
        served.server.server_close()
    assert "On each phone" not in banner and "For phones, serve with --host 0.0.0.0 --https" in banner


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError):
        return get(port)[0] == 200
    return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_exits_with_128_plus_the_signal(folder, sig):
    process = subprocess.Popen([sys.executable, "-m", "guided_audio", "serve", str(folder), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        first = process.stdout.readline()
        port = int(first.split("read-only at http://127.0.0.1:")[1].split("/")[0])
        wait_for(lambda: _answers(port), timeout=30, process=process)  # serving, its handlers in place
    finally:
        process.send_signal(sig)
        out = process.stdout.read()  # not communicate(): it would skip what readline buffered
        err = process.stderr.read()
        process.wait(timeout=15)
    assert process.returncode == 128 + sig, err
    assert out.rstrip().endswith("Stopped.") and "Error" not in err and "Traceback" not in err
