"""The server, over real HTTP on loopback: HEAD, byte ranges, content types, and nothing outside."""

from __future__ import annotations

import contextlib
import http.client
import io
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

from guided_audio.commands.words import say  # the banner in the command line's words
from guided_audio.errors import ServerError
from guided_audio.publish.feed import FeedOptions, build_feed
from guided_audio.publish.server import start_server


@pytest.fixture(scope="module")
def served(two_sessions, tmp_path_factory):
    """The two sessions with a feed, served on an ephemeral loopback port in a thread."""
    root = tmp_path_factory.mktemp("served")
    (root / "secret.txt").write_text("not for phones")
    sessions = two_sessions.copy_to(root / "sessions")
    (sessions.folder / "escape.txt").symlink_to(root / "secret.txt")
    (sessions.folder / ".hidden.mp3").write_bytes(b"partial")
    serving = start_server(sessions.folder, "127.0.0.1", 0)
    build_feed(sessions.folder, FeedOptions(f"http://127.0.0.1:{serving.port}"))
    thread = threading.Thread(target=serving.server.serve_forever, daemon=True)
    thread.start()
    yield sessions, serving.port
    serving.server.shutdown()
    thread.join(timeout=5)


def request(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """Send the path exactly as given (no client-side normalisation) and read the whole answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_bound_to_loopback_by_default(two_sessions):
    serving = start_server(two_sessions.folder, port=0)
    try:
        assert serving.server.socket.getsockname()[0] == "127.0.0.1" and serving.loopback
        assert serving.base_urls() == [f"http://127.0.0.1:{serving.port}"]
    finally:
        serving.server.server_close()


def test_head_gives_length_type_and_range_support_without_a_body(served):
    sessions, port = served
    status, headers, body = request(port, "HEAD", "/breathing.mp3")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == sessions.breathing.stat().st_size
    assert headers["Content-Type"] == "audio/mpeg" and headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("spec", ["bytes=100-4195", "bytes=-500", "bytes=70000-"])
def test_byte_ranges_return_exactly_those_bytes(served, spec):
    sessions, port = served
    data = sessions.breathing.read_bytes()
    first, _, last = spec.removeprefix("bytes=").partition("-")
    if not first:
        start, end = len(data) - int(last), len(data) - 1
    else:
        start, end = int(first), int(last) if last else len(data) - 1
    status, headers, body = request(port, "GET", "/breathing.mp3", {"Range": spec})
    assert status == 206
    assert headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"
    assert body == data[start : end + 1] and int(headers["Content-Length"]) == end - start + 1


def test_a_range_past_the_end_is_416(served):
    sessions, port = served
    size = sessions.arrive.stat().st_size
    status, headers, _ = request(port, "GET", "/arrive.mp3", {"Range": f"bytes={size}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("name,expected", [
    ("feed.xml", "application/rss+xml; charset=utf-8"),
    ("arrive.vtt", "text/vtt; charset=utf-8"),
    ("arrive.chapters.json", "application/json"),
    ("cover.jpg", "image/jpeg"),
    ("playlist.m3u8", "audio/x-mpegurl"),
    ("index.html", "text/html; charset=utf-8"),
    ("sw.js", "text/javascript; charset=utf-8"),
    ("player/player.css", "text/css; charset=utf-8"),
    ("manifest.webmanifest", "application/manifest+json"),
    ("player/icon-192.png", "image/png"),
])  # fmt: skip
def test_content_types(served, name, expected):
    sessions, port = served
    status, headers, body = request(port, "GET", f"/{name}")
    assert status == 200 and headers["Content-Type"] == expected
    assert body == (sessions.folder / name).read_bytes()


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/sessions/../../secret.txt",
    "/escape.txt", "/.hidden.mp3", "//etc/passwd", "/%2Fetc%2Fpasswd",
])  # fmt: skip
def test_nothing_outside_the_folder_or_hidden_is_served(served, path):
    _, port = served
    status, _, body = request(port, "GET", path)
    assert status == 404 and b"not for phones" not in body and b"root:" not in body


def test_an_absolute_path_to_a_real_file_is_refused(served):
    sessions, port = served
    outside = sessions.folder.parent / "secret.txt"
    status, _, _ = request(port, "GET", urllib.parse.quote(str(outside)))
    assert status == 404


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_read_only(served, method):
    sessions, port = served
    before = sessions.arrive.read_bytes()
    status, headers, _ = request(port, method, "/arrive.mp3", body=b"overwrite")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    assert sessions.arrive.read_bytes() == before


def test_the_listening_page_is_served_at_the_root(served):
    sessions, port = served
    status, headers, body = request(port, "GET", "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == (sessions.folder / "index.html").read_bytes()
    assert request(port, "HEAD", "/")[0] == 200


def test_without_a_page_the_root_lists_the_files(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "sessions")
    (sessions.folder / ".hidden.mp3").write_bytes(b"partial")
    serving = start_server(sessions.folder, "127.0.0.1", 0)
    thread = threading.Thread(target=serving.server.serve_forever, daemon=True)
    thread.start()
    try:
        status, headers, body = request(serving.port, "GET", "/")
    finally:
        serving.server.shutdown()
        serving.server.server_close()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'<a href="arrive.mp3">' in body and b"hidden" not in body
    assert "No listening page yet: run  guided-audio page" in say(serving.banner())


def test_a_podcast_client_subscribes_and_downloads_both_episodes_byte_for_byte(served):
    """What a podcast app does: fetch the feed over HTTP, parse it, fetch every enclosure."""
    import podcastparser

    sessions, port = served
    status, _, feed = request(port, "GET", "/feed.xml")
    assert status == 200
    parsed = podcastparser.parse(f"http://127.0.0.1:{port}/feed.xml", io.BytesIO(feed))
    downloaded = {}
    for episode in parsed["episodes"]:
        (enclosure,) = episode["enclosures"]
        url = urllib.parse.urlsplit(enclosure["url"])
        assert (url.hostname, url.port) == ("127.0.0.1", port)
        status, _, body = request(port, "GET", url.path)
        assert status == 200 and len(body) == enclosure["file_size"]
        downloaded[url.path.lstrip("/")] = body
    assert downloaded == {
        "breathing.mp3": sessions.breathing.read_bytes(),
        "arrive.mp3": sessions.arrive.read_bytes(),
    }


def test_a_busy_port_is_one_clear_error(two_sessions):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port} is in use by another program; try port {port + 1}"):
            start_server(two_sessions.folder, "127.0.0.1", port)
        result = subprocess.run(
            [sys.executable, "-m", "guided_audio", "serve", str(two_sessions.folder), "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"Error: port {port} is in use by another program; try --port {port + 1}\n"


def serve_until_interrupted(folder, *args: str) -> tuple[int, str]:
    """Run `guided-audio serve` as a user would, wait until it answers, then press Ctrl+C."""
    process = subprocess.Popen(
        [sys.executable, "-m", "guided_audio", "serve", str(folder), "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        port = int(re.search(r":(\d+)/ ", first).group(1))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if request(port, "HEAD", "/")[0] == 200:
                    break
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        rest = process.stdout.read()  # not communicate(): it would skip what readline buffered
        process.wait(timeout=15)
    return process.returncode, first + rest


def test_serve_command_on_loopback_prints_its_address_and_stops_on_ctrl_c(served):
    sessions, _ = served
    code, out = serve_until_interrupted(sessions.folder)
    assert code == 130, out  # 128 + SIGINT, as the README's exit codes say
    assert out.startswith(f"Serving {sessions.folder} read-only at http://127.0.0.1:")
    assert "Anyone on this network" not in out and out.rstrip().endswith("Stopped.")
    assert "Listen in a browser at http://127.0.0.1:" in out
    assert "localhost counts as a secure origin" in out


def test_serve_command_on_the_network_prints_the_feed_url_and_a_qr_code(served):
    sessions, _ = served
    code, out = serve_until_interrupted(sessions.folder, "--host", "0.0.0.0")
    assert code == 130, out
    assert "Anyone on this network can download these files" in out
    assert "to keep sessions offline, browsers need a secure origin\n(https or localhost)" in out
    assert "serve with --https" in out
    feed_line = next(line for line in out.splitlines() if line.startswith("    http://"))
    assert feed_line.strip().endswith("/feed.xml") and "0.0.0.0" not in feed_line
    assert "feed.xml points at http://127.0.0.1:" in out, "the feed was built for loopback"
    assert "▀" in out and "█" in out
