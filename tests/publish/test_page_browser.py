"""The listening page in a real headless Chromium at a phone's size, served by `serve` on loopback.

Two real sessions (one titled with a `<script>`), a feed and its page: the cards and covers,
playing, jumping to a chapter, the transcript following the audio, the keyboard, the saved
place, and a session kept offline that plays (and seeks) with the server stopped.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import urllib.parse

import pytest
from browser import PHONE, Browser, missing

from guided_audio.publish.feed import FeedOptions, build_feed
from guided_audio.publish.server import start_server

pytestmark = pytest.mark.skipif(missing() is not None, reason=f"no browser to test the page in: {missing()}")

SCRIPT_TITLE = "Arriving <script>window.injected = 1</script> & </h3>"
SCRIPT_DESCRIPTION = 'A pause <img src=x onerror="window.injected = 2"> "to arrive"'


class Site:
    """The sessions with their feed and page, served in a thread on an ephemeral loopback port."""

    def __init__(self, folder, https: bool = False, name: str = "127.0.0.1") -> None:
        self.folder = folder
        self.serving = start_server(folder, "127.0.0.1", 0, https=https)
        self.url = f"{self.serving.scheme}://{name}:{self.serving.port}/"
        self.thread = threading.Thread(target=self.serving.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.serving.server.shutdown()
        self.serving.server.server_close()
        self.thread.join(timeout=5)


def publish(two_sessions, folder):
    """A copy of the two sessions, the short one retitled with markup, with feed and page."""
    sessions = two_sessions.copy_to(folder)
    manifest = sessions.manifest(sessions.arrive)
    manifest |= {"title": SCRIPT_TITLE, "description": SCRIPT_DESCRIPTION}
    sessions.arrive.with_suffix(".json").write_text(json.dumps(manifest))
    build_feed(sessions.folder, FeedOptions("http://127.0.0.1:8000"))
    return sessions


def cues(vtt_path) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue in a .vtt written by generate."""
    def seconds(stamp: str) -> float:
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    found = []
    for block in vtt_path.read_text().split("\n\n")[1:]:
        lines = block.strip().splitlines()
        if len(lines) >= 3 and "-->" in lines[1]:
            start, end = (seconds(part.strip()) for part in lines[1].split("-->"))
            found.append((start, end, " ".join(lines[2:])))
    return found


@pytest.fixture(scope="module")
def site(two_sessions, tmp_path_factory):
    sessions = publish(two_sessions, tmp_path_factory.mktemp("page") / "sessions")
    served = Site(sessions.folder)
    served.sessions = sessions
    yield served
    served.stop()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    """The tests' output folder for what the page looks like on a phone."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser(site):
    chromium = Browser()
    chromium.driver.get(site.url)
    yield chromium
    chromium.quit()


def card(browser, file: str) -> str:
    """A CSS selector for the card of the session in `file`."""
    return f'.card[data-file="{file}"]'


def click(browser, selector: str) -> None:
    browser.run("document.querySelector(arguments[0]).click()", selector)


def current_time(browser) -> float:
    return browser.run("return document.getElementById('audio').currentTime")


def assert_only_this_host(browser, *origins: str) -> None:
    """Nothing the page or its media asked for came from another host than the server's."""
    asked = browser.network_requests() + browser.run(
        "return performance.getEntries().map(e => e.name).filter(n => /^[a-z]+:/.test(n))"
    )
    web = [url for url in asked if urllib.parse.urlsplit(url).scheme in ("http", "https", "ws", "wss", "ftp")]
    assert web, "no requests were recorded at all"
    elsewhere = [url for url in web if not url.startswith(tuple(f"{origin}/" for origin in origins))]
    assert not elsewhere, f"the page asked other hosts for: {elsewhere}"


def test_both_cards_with_covers_newest_first_at_phone_size(site, browser, screenshots):
    assert browser.run("return [innerWidth, innerHeight]") == [PHONE["width"], PHONE["height"]]
    browser.wait_for("document.querySelectorAll('.card .cover').length === 2 && "
                     "[...document.querySelectorAll('.card .cover')].every(i => i.complete && i.naturalWidth === 512)")
    files = browser.run("return [...document.querySelectorAll('.card')].map(c => c.dataset.file)")
    # by the feed's whole-second date, then by name (two renders can share a second)
    newest_first = sorted([site.sessions.breathing, site.sessions.arrive], key=lambda p: (site.sessions.created(p), p.name))
    assert files == [p.name for p in reversed(newest_first)]
    texts = browser.run("return [...document.querySelectorAll('.card')].map(c => "
                        "[c.querySelector('h3').textContent, c.querySelector('.meta').textContent])")
    by_file = dict(zip(files, texts))
    assert by_file["breathing.mp3"] == [site.sessions.manifest(site.sessions.breathing)["title"], "2 min · Deep breathing"]
    assert by_file["arrive.mp3"] == [SCRIPT_TITLE, "30 s · Arrive"]
    # The cards fit the phone's width: nothing sideways to scroll.
    assert browser.run("return document.documentElement.scrollWidth") <= PHONE["width"]
    browser.driver.save_screenshot(str(screenshots / "cards-390x844.png"))
    from PIL import Image

    with Image.open(screenshots / "cards-390x844.png") as shot:
        assert shot.size == (PHONE["width"] * PHONE["pixelRatio"], PHONE["height"] * PHONE["pixelRatio"])
        background = shot.getpixel((4, 4))[:3]
        assert max(background) < 40, f"the page should be dark, its corner is {background}"
    assert_only_this_host(browser, site.url.rstrip("/"))


def test_markup_in_a_title_or_description_stays_text(site, browser):
    arrive = card(browser, "arrive.mp3")
    assert browser.run("return window.injected === undefined")
    assert browser.run("return document.querySelectorAll('script').length") == 3  # player.js, pacer.js and offline.js
    assert browser.run("return document.querySelectorAll('.card img').length") == 2  # the covers only
    assert browser.run(f"return document.querySelector('{arrive} .description').textContent") == SCRIPT_DESCRIPTION
    click(browser, f"{arrive} [data-action=play]")
    browser.wait_for("document.getElementById('now-title').textContent.length > 0")
    assert browser.run("return document.getElementById('now-title').textContent") == SCRIPT_TITLE
    assert browser.run("return navigator.mediaSession.metadata.title") == SCRIPT_TITLE
    assert browser.run("return window.injected === undefined")
    browser.run("document.getElementById('audio').pause()")


def test_play_jump_to_the_second_chapter_and_the_transcript_follows(site, browser, screenshots):
    breathing = site.sessions.breathing
    chapters = json.loads(breathing.with_suffix(".chapters.json").read_text())["chapters"]
    click(browser, f"{card(browser, breathing.name)} [data-action=play]")
    browser.wait_for("!document.getElementById('audio').paused && document.getElementById('audio').currentTime > 0.3")
    browser.wait_for(f"document.querySelectorAll('#chapters button').length === {len(chapters)}")
    assert browser.run("return document.getElementById('now-chapter').textContent") == chapters[0]["title"]

    browser.run("document.querySelectorAll('#chapters button')[1].click()")
    second = chapters[1]["startTime"]
    browser.wait_for(f"document.getElementById('audio').currentTime > {second + 0.3}")
    assert second <= current_time(browser) < second + 5
    assert browser.run("return document.getElementById('now-chapter').textContent") == chapters[1]["title"]
    assert browser.run("return document.querySelectorAll('#chapters button')[1].getAttribute('aria-current')") == "true"

    # The highlighted cue is the phrase at the audio's time, and moves on with it.
    said = cues(breathing.with_suffix(".vtt"))
    later = [cue for cue in said if cue[0] > second + 2]
    first, following = later[0], later[1]
    browser.run(f"document.getElementById('audio').currentTime = {(first[0] + first[1]) / 2}")
    browser.wait_for(f"(document.querySelector('#transcript .speaking') || {{}}).textContent === {json.dumps(first[2])}")
    browser.run(f"document.getElementById('audio').currentTime = {max(first[0], first[1] - 0.4)}")
    browser.wait_for(f"(document.querySelector('#transcript .speaking') || {{}}).textContent === {json.dumps(following[2])}",
                     timeout=following[0] - first[1] + 10)
    t = current_time(browser)
    assert following[0] - 0.3 <= t <= following[1] + 0.5
    assert browser.run("return document.querySelector('#transcript .speaking .line').getAttribute('aria-current')") == "true"
    assert browser.run("return document.querySelectorAll('#transcript li').length") == len(said)
    assert browser.run(
        "const box = document.getElementById('transcript-scroll').getBoundingClientRect(), "
        "cue = document.querySelector('#transcript .speaking').getBoundingClientRect(); "
        "return cue.top >= box.top && cue.bottom <= box.bottom"
    ), "the transcript scrolls to keep the phrase being spoken in view"
    browser.run("window.scrollTo(0, document.getElementById('player').offsetTop - 8)")
    browser.driver.save_screenshot(str(screenshots / "player-390x844.png"))


def test_keyboard_and_lock_screen(site, browser):
    breathing = site.sessions.breathing
    click(browser, f"{card(browser, breathing.name)} [data-action=play]")
    browser.run("document.getElementById('audio').currentTime = 60; document.activeElement.blur()")
    browser.wait_for("!document.getElementById('audio').paused")
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    body = browser.driver.find_element("tag name", "body")
    ActionChains(browser.driver).move_to_element(body).send_keys(Keys.SPACE).perform()
    browser.wait_for("document.getElementById('audio').paused")
    # paused turns true at once; the pause event that relabels the button is queued after it
    browser.wait_for("document.getElementById('toggle').getAttribute('aria-label') === 'Play'")
    before = current_time(browser)
    ActionChains(browser.driver).send_keys(Keys.ARROW_LEFT).perform()
    browser.wait_for(f"Math.abs(document.getElementById('audio').currentTime - {before - 15}) < 0.5")
    metadata = browser.run("const m = navigator.mediaSession.metadata; return [m.title, m.artist, m.album, m.artwork[0].src]")
    manifest = site.sessions.manifest(breathing)
    assert metadata[:3] == [manifest["title"], manifest["author"], manifest["album"]]
    assert metadata[3].startswith(site.url + "player/covers/breathing.jpg")
    for label in ("Back 15 seconds", "Play", "Next chapter", "Position in the session"):
        assert browser.run("return [...document.querySelectorAll(`#player [aria-label='${arguments[0]}']`)]"
                           ".filter(e => e.offsetParent !== null).length", label) == 1  # fmt: skip
    assert browser.run("return document.querySelectorAll('button:not([aria-label])').length") == browser.run(
        "return [...document.querySelectorAll('button:not([aria-label])')].filter(b => b.textContent.trim()).length"
    ), "every button has a name a screen reader can say"


def test_the_place_is_saved_and_resumed_after_a_reload(site, browser):
    breathing = site.sessions.breathing
    click(browser, f"{card(browser, breathing.name)} [data-action=play]")
    browser.run("document.getElementById('audio').currentTime = 47")
    browser.wait_for("document.getElementById('audio').currentTime > 47.3")
    browser.run("document.getElementById('audio').pause()")
    saved = browser.run("return JSON.parse(localStorage.getItem('guided-audio:position:breathing.mp3')).t")
    assert 47 <= saved <= 50
    browser.driver.refresh()
    browser.wait_for("document.getElementById('audio').readyState >= 1")
    assert browser.run("return document.getElementById('now-title').textContent") == site.sessions.manifest(breathing)["title"]
    assert abs(current_time(browser) - saved) < 1
    assert browser.run("return document.getElementById('message').textContent").startswith(f"Continuing from 0:{saved:02d}")
    assert f"Stopped at 0:{saved:02d} of 2:00" in browser.run(f"return document.querySelector('{card(browser, breathing.name)}').textContent")


@pytest.fixture
def offline_site(two_sessions, tmp_path):
    sessions = publish(two_sessions, tmp_path / "sessions")
    served = Site(sessions.folder)
    served.sessions = sessions
    chromium = Browser(tmp_path / "profile")
    yield served, chromium
    chromium.quit()
    served.stop()


def test_a_kept_session_plays_and_seeks_with_the_server_stopped(offline_site, tmp_path):
    site, browser = offline_site
    breathing = site.sessions.breathing
    browser.driver.get(site.url)
    browser.wait_for("navigator.serviceWorker.controller !== null", timeout=30)
    status = f"{card(browser, breathing.name)} [data-role=offline]"
    click(browser, f"{card(browser, breathing.name)} [data-action=keep]")
    browser.wait_for(f"document.querySelector('{status}').textContent.startsWith('Kept on this device')", timeout=60)
    kept_bytes = sum(
        (site.folder / name).stat().st_size
        for name in ("breathing.mp3", "breathing.vtt", "breathing.chapters.json", "breathing.json",
                     "player/covers/breathing.jpg")
    )
    assert browser.run(f"return document.querySelector('{status}').textContent") == (
        f"Kept on this device · {kept_bytes / 1024 / 1024:.1f} MB"
    )
    assert browser.run("return document.getElementById('storage').textContent").startswith("1 session kept")
    assert browser.run(f"return document.querySelector('{card(browser, breathing.name)} [data-action=remove]').hidden") is False
    assert_only_this_host(browser, site.url.rstrip("/"))

    site.stop()
    with pytest.raises(OSError):
        import urllib.request

        urllib.request.urlopen(site.url, timeout=5)
    browser.driver.refresh()
    browser.wait_for("document.querySelectorAll('.card').length === 2")
    browser.wait_for(f"document.querySelector('{status}').textContent.startsWith('Kept on this device')")

    # Plays from the offline copy, and seeks in it: the worker answers byte ranges itself.
    chapters = json.loads(breathing.with_suffix(".chapters.json").read_text())["chapters"]
    click(browser, f"{card(browser, breathing.name)} [data-action=play]")
    browser.wait_for(f"document.querySelectorAll('#chapters button').length === {len(chapters)}")
    browser.run("document.querySelectorAll('#chapters button')[1].click()")
    second = chapters[1]["startTime"]
    browser.wait_for(f"!document.getElementById('audio').paused && document.getElementById('audio').currentTime > {second + 0.5}")
    assert current_time(browser) < second + 6
    assert browser.run("return document.getElementById('audio').error") is None
    browser.wait_for("document.querySelectorAll('#transcript li').length > 0")

    data = breathing.read_bytes()
    for spec, start, end in (("bytes=100-4195", 100, 4195), ("bytes=-500", len(data) - 500, len(data) - 1),
                             ("bytes=70000-", 70000, len(data) - 1)):  # fmt: skip
        status_code, content_range, digest = browser.run_async(
            "const [spec, done] = arguments; fetch('breathing.mp3', {headers: {Range: spec}}).then(async r => "
            "done([r.status, r.headers.get('Content-Range'), Array.from(new Uint8Array(await crypto.subtle.digest("
            "'SHA-256', await r.arrayBuffer()))).map(b => b.toString(16).padStart(2, '0')).join('')]))",
            spec,
        )
        assert (status_code, content_range) == (206, f"bytes {start}-{end}/{len(data)}")
        assert digest == hashlib.sha256(data[start : end + 1]).hexdigest()
    past_end = browser.run_async(
        "const [spec, done] = arguments; fetch('breathing.mp3', {headers: {Range: spec}}).then(r => "
        "done([r.status, r.headers.get('Content-Range')]))",
        f"bytes={len(data)}-",
    )
    assert past_end == [416, f"bytes */{len(data)}"]

    # The session not kept says so on its card, kindly, and offers no Play that would fail.
    arrive = card(browser, "arrive.mp3")
    browser.wait_for(f"document.querySelector('{arrive} [data-role=offline]').textContent.startsWith('Not available offline')")
    assert browser.run(f"return document.querySelector('{arrive} [data-action=play]').disabled") is True
    assert browser.run(f"return document.querySelector('{card(browser, breathing.name)} [data-action=play]').disabled") is False
    # Removing frees the space.
    click(browser, f"{card(browser, breathing.name)} [data-action=remove]")
    browser.wait_for(f"document.querySelector('{status}').textContent === 'Removed from this device.'")
    assert browser.run_async("caches.keys().then(k => arguments[0](k.filter(n => n.startsWith('guided-audio-keep:'))))") == []
    assert browser.run("return document.getElementById('storage').textContent") == "No sessions kept offline yet."
    assert_only_this_host(browser, site.url.rstrip("/"))
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_at_a_network_address_keeping_needs_https_and_works_with_it(two_sessions, tmp_path):
    """What a phone on the home network sees: a name that is not localhost, over http, then https.

    Chromium maps this computer's .local name to loopback (no traffic leaves the machine) and
    trusts the server's certificate by its key, as a phone trusts it once the authority is installed.
    """
    import base64
    import socket

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    sessions = publish(two_sessions, tmp_path / "sessions")
    name = f"{socket.gethostname().split('.')[0]}.local"
    plain = Site(sessions.folder, name=name)
    secure = Site(sessions.folder, https=True, name=name)
    leaf = x509.load_pem_x509_certificates(secure.serving.certificates.server_cert.read_bytes())[0]
    assert x509.DNSName(name) in leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    key = leaf.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    pin = base64.b64encode(hashlib.sha256(key).digest()).decode()
    browser = Browser(tmp_path / "profile", flags=[f"--host-resolver-rules=MAP {name} 127.0.0.1",
                                                   f"--ignore-certificate-errors-spki-list={pin}"])  # fmt: skip
    try:
        browser.driver.get(plain.url)
        assert browser.run("return isSecureContext") is False
        browser.wait_for("!document.getElementById('secure-note').hidden")
        assert browser.run("return [...document.querySelectorAll('[data-action=keep]')].every(b => b.hidden)")
        # Said where the button would be, in the listener's words, with the one step that fixes it.
        hints = browser.run("return [...document.querySelectorAll('[data-role=secure-hint]')].map(p => [p.hidden, p.textContent])")
        assert hints and all(not hidden and "https://" in text for hidden, text in hints)
        note = browser.run("return document.getElementById('secure-note')")
        assert "guided-audio serve --https" in note.text and note.location["y"] < browser.run(
            "return document.querySelector('.card').getBoundingClientRect().top + scrollY"
        ), "the note comes before the sessions, not at the bottom of the page"
        click(browser, f"{card(browser, 'breathing.mp3')} [data-action=play]")
        browser.wait_for("document.getElementById('audio').currentTime > 0.3")

        browser.driver.get(secure.url)
        assert browser.run("return isSecureContext") is True
        assert browser.run("return document.getElementById('secure-note').hidden") is True
        browser.wait_for("navigator.serviceWorker.controller !== null", timeout=30)
        click(browser, f"{card(browser, 'arrive.mp3')} [data-action=keep]")
        status = f"{card(browser, 'arrive.mp3')} [data-role=offline]"
        browser.wait_for(f"document.querySelector('{status}').textContent.startsWith('Kept on this device')", timeout=60)
        assert_only_this_host(browser, plain.url.rstrip("/"), secure.url.rstrip("/"))
    finally:
        browser.quit()
        plain.stop()
        secure.stop()
