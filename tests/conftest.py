"""Shared test set-up: no network, no user folders, a phrase cache shared by the whole run."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
MARKED = {
    # Drives a headless Chromium (skipped, saying why, without chromium and chromedriver).
    "browser": ["publish/test_page_browser.py", "publish/test_page_listening.py"],
    # Renders or synthesises with the real bundled voice in at least one test: `-m "not audio"`
    # leaves the plan-level, markup, mixing and publishing checks, under a minute in all.
    "audio": [
        "mix/test_background_render.py", "mp3/test_parts.py", "mp3/test_tags.py", "publish/test_feed.py",
        "publish/test_page.py", "publish/test_page_browser.py", "publish/test_page_listening.py",
        "publish/test_publish_first_use.py", "publish/test_server.py", "publish/test_server_compression.py",
        "script/test_guidance.py::test_long_sessions_stay_guided_with_the_real_voice",
        "script/test_guidance.py::test_an_hour_says_much_more_than_ten_minutes",
        "script/test_length_model.py", "script/test_lengths.py", "series/test_series_build.py",
        "series/test_series_cluster.py", "series/test_series_listeners.py", "series/test_series_workers.py", "test_breathing_fill.py", "test_cli.py",
        "test_durability.py", "test_error_paths.py", "test_first_use.py", "test_golden.py",
        "test_hardening_inputs.py", "test_hardening_messages.py", "test_hardening_output.py",
        "test_interrupts.py", "test_mindfulness_render.py", "test_protocols.py", "test_render.py",
        "test_render_techniques.py", "test_session_parts.py", "voice/test_cache.py", "voice/test_hibari.py",
        "voice/test_meditation_pace.py", "voice/test_pace.py", "test_scripts.py::test_script_runs",
    ],
    # Over about ten seconds a test on a 2-core machine (an hour of speech, child processes, a cluster).
    "slow": [
        "script/test_guidance.py::test_long_sessions_stay_guided_with_the_real_voice",
        "script/test_guidance.py::test_an_hour_says_much_more_than_ten_minutes",
        "test_interrupts.py", "series/test_series_cluster.py", "test_render.py", "test_render_techniques.py",
        "test_golden.py", "test_scripts.py::test_script_runs", "series/test_series_listeners.py",
        "script/test_lengths.py::test_three_and_thirty_minutes_are_exact_with_the_real_voice",
    ],
}
"""Markers by file (or file::test), kept here in one list so a new test file is marked in one place;
registered in pyproject.toml. Select with `pytest -m "not slow"`, `-m browser`, `-m "not audio"`."""


def pytest_collection_modifyitems(items):
    for item in items:
        path = Path(str(item.path)).relative_to(TESTS).as_posix() if TESTS in Path(str(item.path)).parents else ""
        name = f"{path}::{item.originalname}" if hasattr(item, "originalname") else path
        for marker, places in MARKED.items():
            if path in places or name in places:
                item.add_marker(marker)


@pytest.fixture(scope="session")
def phrase_cache_dir(tmp_path_factory):
    """One cache for the run, so each phrase is synthesised once across end-to-end tests."""
    return tmp_path_factory.mktemp("phrase-cache")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, phrase_cache_dir, tmp_path):
    """Tests never read the user's folders or write into the working directory."""
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(phrase_cache_dir))
    monkeypatch.setenv("GUIDED_AUDIO_CERTS", str(tmp_path / "certificates"))
    monkeypatch.delenv("GUIDED_AUDIO_TEMPLATES", raising=False)
    monkeypatch.delenv("GUIDED_AUDIO_VOICES", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open an internet connection fails, and fails the test afterwards too.

    Loopback stays open: the server tests talk to a server of ours on 127.0.0.1.
    """
    attempts: list[object] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(real):
        def connect(self, address, *args, **kwargs):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
                attempts.append(address)
                raise OSError(f"test tried to reach the network: {address!r}")
            return real(self, address, *args, **kwargs)

        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
    yield
    assert attempts == [], f"real network connections attempted: {attempts}"


def _loopback(address) -> bool:
    try:
        return ipaddress.ip_address(address[0]).is_loopback
    except (ValueError, TypeError, IndexError):
        return False


@pytest.fixture(scope="session")
def two_sessions(tmp_path_factory, phrase_cache_dir):
    """Two real tagged sessions in one folder (see podcast_sessions.py); copy before writing."""
    from podcast_sessions import render_two

    return render_two(tmp_path_factory.mktemp("two-sessions"), phrase_cache_dir)


@pytest.fixture(scope="session")
def spoken() -> tuple[bytes, float]:
    """Real MP3 speech for the fake Google, and the source audio's length in seconds."""
    from fake_google import make_spoken

    return make_spoken()


@pytest.fixture
def google():
    """A fake Google; unregistered URLs are refused, and every call must hit a registered one."""
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps
        for call in rsps.calls:
            assert "Connection refused by Responses" not in str(call.response), call.request.url
