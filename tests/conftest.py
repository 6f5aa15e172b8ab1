"""Shared test set-up: no network, no user folders, a phrase cache shared by the whole run."""

from __future__ import annotations

import ipaddress
import socket

import pytest


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
