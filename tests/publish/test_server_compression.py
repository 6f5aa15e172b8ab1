"""The server's text goes gzipped to clients that take it; audio and ranges never; one Date."""

from __future__ import annotations

import gzip
import http.client
import threading

import pytest

from guided_audio.publish.feed import FeedOptions, build_feed
from guided_audio.publish.server import start_server

TEXT = ["/", "/player/player.js", "/player/player.css", "/feed.xml", "/breathing.vtt", "/breathing.json",
        "/playlist.m3u8", "/manifest.webmanifest", "/sw.js"]  # fmt: skip


@pytest.fixture(scope="module")
def served(two_sessions, tmp_path_factory):
    sessions = two_sessions.copy_to(tmp_path_factory.mktemp("gzip") / "sessions")
    serving = start_server(sessions.folder, "127.0.0.1", 0)
    build_feed(sessions.folder, FeedOptions(f"http://127.0.0.1:{serving.port}"))
    thread = threading.Thread(target=serving.server.serve_forever, daemon=True)
    thread.start()
    yield sessions, serving.port
    serving.server.shutdown()
    thread.join(timeout=5)


def request(port: int, method: str, path: str, headers: dict | None = None):
    """The status, every header as a list of (name, value), and the body as sent."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def header(headers, name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


def test_text_is_gzipped_and_decodes_to_the_file(served):
    sessions, port = served
    ratios = {}
    for path in TEXT:
        status, headers, body = request(port, "GET", path, {"Accept-Encoding": "gzip, deflate, br"})
        assert status == 200, path
        assert header(headers, "Content-Encoding") == ["gzip"], path
        assert header(headers, "Vary") == ["Accept-Encoding"]
        assert header(headers, "Content-Length") == [str(len(body))]
        file = sessions.folder / ("index.html" if path == "/" else path.lstrip("/"))
        assert gzip.decompress(body) == file.read_bytes(), path
        ratios[path] = len(body) / file.stat().st_size
        etag = header(headers, "ETag")[0]
        assert etag.endswith('-gzip"')
        again = request(port, "GET", path, {"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again[0] == 304, path
    print("gzip ratios:", {path: round(r, 2) for path, r in ratios.items()})
    assert ratios["/"] < 0.5 and ratios["/player/player.js"] < 0.4 and ratios["/breathing.vtt"] < 0.5
    # Without Accept-Encoding: the file as it is.
    status, headers, body = request(port, "GET", "/player/player.js")
    assert header(headers, "Content-Encoding") == [] and body == (sessions.folder / "player/player.js").read_bytes()


def test_audio_ranges_and_head_are_never_gzipped(served):
    sessions, port = served
    data = sessions.breathing.read_bytes()
    status, headers, body = request(port, "GET", "/breathing.mp3", {"Accept-Encoding": "gzip"})
    assert status == 200 and header(headers, "Content-Encoding") == [] and body == data
    status, headers, body = request(port, "GET", "/breathing.vtt", {"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    assert status == 206 and header(headers, "Content-Encoding") == []
    assert body == sessions.breathing.with_suffix(".vtt").read_bytes()[:10]
    status, headers, body = request(port, "HEAD", "/breathing.vtt", {"Accept-Encoding": "gzip"})
    assert header(headers, "Content-Length") == [str(sessions.breathing.with_suffix(".vtt").stat().st_size)]


def test_every_answer_carries_one_date(served):
    _, port = served
    for method, path in (("GET", "/"), ("GET", "/breathing.mp3"), ("HEAD", "/breathing.mp3"), ("GET", "/missing"),
                         ("POST", "/")):  # fmt: skip
        _, headers, _ = request(port, method, path, {"Accept-Encoding": "gzip"})
        assert len(header(headers, "Date")) == 1, (method, path, header(headers, "Date"))
