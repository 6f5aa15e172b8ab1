"""Publishing as a new user meets it: the fix serve suggests, one podcast identity however the
feed moves, addresses that cannot work refused, counts that read right, and -q."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from test_server import request

from guided_audio.commands.words import say  # the banner in the command line's words
from guided_audio.cli import cli
from guided_audio.errors import FeedError
from guided_audio.publish.feed import FeedOptions, build_feed, podcast_guid
from guided_audio.publish.server import start_server

PODCAST = "{https://podcastindex.org/namespace/1.0}guid"


def banner_for(folder, feed_base: str, host: str = "127.0.0.1") -> tuple[str, int]:
    build_feed(folder, FeedOptions(feed_base))
    serving = start_server(folder, host, 0)
    try:
        return say(serving.banner()), serving.port
    finally:
        serving.server.server_close()


def test_a_feed_for_the_network_served_without_host_suggests_host_not_a_rebuild(two_sessions, tmp_path):
    """The old advice rebuilt the feed for 127.0.0.1, which no phone can reach."""
    sessions = two_sessions.copy_to(tmp_path / "s")
    banner, _ = banner_for(sessions.folder, "http://192.168.1.20:8000")
    assert (
        f"feed.xml is for http://192.168.1.20:8000, but only this computer can connect now; for phones "
        f"run  guided-audio serve {sessions.folder} --host 0.0.0.0 --port 8000"
    ) in banner
    assert "--base-url http://127.0.0.1" not in banner


def test_a_feed_for_another_port_suggests_that_port(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    banner, port = banner_for(sessions.folder, "http://127.0.0.1:8000")
    assert "feed.xml is for port 8000; serve with --port 8000, or for this port run  " in banner
    assert f"--base-url http://127.0.0.1:{port}" in banner


def test_a_feed_for_this_address_needs_no_advice(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    serving = start_server(sessions.folder, "127.0.0.1", 0)
    try:
        build_feed(sessions.folder, FeedOptions(f"http://127.0.0.1:{serving.port}"))
        assert "feed.xml" not in say(serving.banner()).split("\n", 1)[-1]
    finally:
        serving.server.server_close()


def test_the_podcast_guid_survives_a_new_base_url(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    feed = sessions.folder / "feed.xml"
    build_feed(sessions.folder, FeedOptions("http://192.168.1.20:8000"))
    first = ET.parse(feed).getroot().findtext(f"channel/{PODCAST}")
    assert first == podcast_guid("http://192.168.1.20:8000/feed.xml"), "made from the first feed URL"
    for base in ("http://192.168.1.31:8000", "https://calm.example.org/sessions"):
        build_feed(sessions.folder, FeedOptions(base))
        root = ET.parse(feed).getroot()
        assert root.findtext(f"channel/{PODCAST}") == first
        assert root.find("channel/item/enclosure").get("url").startswith(base + "/")
    feed.unlink()  # a folder with no feed yet starts a new identity from its URL
    build_feed(sessions.folder, FeedOptions("http://10.0.0.5:8000"))
    assert ET.parse(feed).getroot().findtext(f"channel/{PODCAST}") == podcast_guid("http://10.0.0.5:8000/feed.xml")


@pytest.mark.parametrize("url", ["http://my computer:8000", "http://192.168.1.20:8000/my sessions", " http://a b/ "])
def test_a_base_url_with_a_space_is_refused(two_sessions, tmp_path, url):
    sessions = two_sessions.copy_to(tmp_path / "s")
    with pytest.raises(FeedError, match=r"has a space in it, which no address can hold; .*a space in a path is %20"):
        build_feed(sessions.folder, FeedOptions(url))
    assert not (sessions.folder / "feed.xml").exists()


def test_multiple_ranges_in_one_request_get_416(two_sessions, tmp_path):
    """werkzeug once answered them with the whole file and a 200."""
    import threading

    sessions = two_sessions.copy_to(tmp_path / "s")
    serving = start_server(sessions.folder, "127.0.0.1", 0)
    thread = threading.Thread(target=serving.server.serve_forever, daemon=True)
    thread.start()
    try:
        size = sessions.arrive.stat().st_size
        status, headers, body = request(serving.port, "GET", "/arrive.mp3", {"Range": "bytes=0-99,200-299"})
        assert status == 416 and headers["Content-Range"] == f"bytes */{size}"
        status, _, body = request(serving.port, "GET", "/arrive.mp3", {"Range": "bytes=200-299"})
        assert status == 206 and body == sessions.arrive.read_bytes()[200:300]
    finally:
        serving.server.shutdown()
        thread.join(timeout=5)


def test_one_episode_is_one_episode_and_quiet_is_quiet(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "s")
    for extension in ("mp3", "json", "vtt", "chapters.json"):
        sessions.breathing.with_suffix(f".{extension}").unlink()
    runner = CliRunner()
    said = runner.invoke(cli, ["feed", str(sessions.folder), "--base-url", "http://127.0.0.1:8000"])
    assert said.exit_code == 0 and "(1 episode)," in said.output
    for args in (["feed", str(sessions.folder), "--base-url", "http://127.0.0.1:8000", "-q"],
                 ["playlist", str(sessions.folder), "--quiet"]):  # fmt: skip
        result = runner.invoke(cli, args)
        assert result.exit_code == 0 and result.output == "", result.output


def test_serve_quiet_prints_nothing_and_still_serves(two_sessions, tmp_path):
    import contextlib
    import signal
    import socket
    import subprocess
    import sys
    import time

    sessions = two_sessions.copy_to(tmp_path / "s")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "guided_audio", "serve", str(sessions.folder), "--port", str(port), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline, status = time.monotonic() + 30, None
        while time.monotonic() < deadline and status is None:
            with contextlib.suppress(OSError):
                status = request(port, "HEAD", "/arrive.mp3")[0]
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert status == 200
    assert out == "" and err == ""
