"""Listening with the page in headless Chromium at 390x844: the breathing guide in step with the
audio, axe-core with nothing serious, a transcript used from the keyboard, a resume note that
clears, the exact length in `<audio>`, and what it looks like (screenshots).

One copy of the shared sessions (the 2-minute box-breathing session has breathing phases),
one server and one browser for the whole module.
"""

from __future__ import annotations

import json
import math

import pytest
from browser import PHONE, Browser, axe_script, missing
from test_page_browser import Site, card, click, cues, publish

pytestmark = pytest.mark.skipif(missing() is not None, reason=f"no browser to test the page in: {missing()}")

PACER_LAG = 0.25
"""Seconds the breathing guide may trail the audio's currentTime (the issue's bound)."""
BREATHING = ("inhale", "hold", "exhale", "rest", "topup")


@pytest.fixture(scope="module")
def site(two_sessions, tmp_path_factory):
    sessions = publish(two_sessions, tmp_path_factory.mktemp("listening") / "sessions")
    served = Site(sessions.folder)
    served.sessions = sessions
    yield served
    served.stop()


@pytest.fixture(scope="module")
def browser(site):
    chromium = Browser()
    chromium.driver.get(site.url)
    chromium.wait_for("document.querySelectorAll('.card').length === 2")
    yield chromium
    chromium.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


def phases(site) -> list[dict]:
    return [p for p in site.sessions.manifest(site.sessions.breathing)["phases"] if p["name"] in BREATHING]


def phase_at(found: list[dict], t: float) -> str:
    return next((p["name"] for p in found if p["start"] <= t < p["end"]), "idle")


def open_breathing(site, browser, at: float | None = None) -> None:
    click(browser, f"{card(browser, site.sessions.breathing.name)} [data-action=play]")
    browser.wait_for("!document.getElementById('audio').paused && document.getElementById('audio').currentTime > 0")
    browser.wait_for("!document.getElementById('pacer').hidden")
    if at is not None:
        browser.run(f"document.getElementById('audio').currentTime = {at}")


def pacer_now(browser) -> tuple[str, float, str]:
    """What the guide shows and the audio's time, read in one go."""
    return tuple(browser.run(
        "const p = document.querySelector('[data-role=pacer]'); "
        "return [p.dataset.phase, document.getElementById('audio').currentTime, p.textContent.replace(/\\s+/g, ' ')]"
    ))  # fmt: skip


def test_the_pacer_follows_inhale_hold_and_exhale_also_after_a_seek(site, browser):
    found = phases(site)
    assert {"inhale", "hold", "exhale"} <= {p["name"] for p in found}, "box breathing has these phases"
    open_breathing(site, browser)
    seen = []
    # Half a second before each change of phase, a seek there, then the change as it plays.
    for phase in [p for p in found if p["name"] in ("inhale", "hold")][:3]:
        browser.run(f"document.getElementById('audio').currentTime = {phase['end'] - 0.6}")
        browser.wait_for(f"Math.abs(document.getElementById('audio').currentTime - {phase['end'] - 0.6}) < 0.2 && "
                         "!document.getElementById('audio').seeking")  # fmt: skip
        for _ in range(10):
            shown, t, text = pacer_now(browser)
            # Read right after a frame: what it shows is the phase at t, or at most PACER_LAG earlier.
            assert shown in (phase_at(found, t), phase_at(found, t - PACER_LAG)), (shown, t, text)
            if shown in BREATHING:
                names = {"inhale": "Breathe in", "hold": "Hold", "exhale": "Breathe out", "rest": "Rest"}
                assert text.strip().startswith(names.get(shown, "")), text
            seen.append(shown)
            browser.run_async("requestAnimationFrame(() => setTimeout(arguments[0], 90))")
    assert {"inhale", "hold", "exhale"} <= set(seen), seen
    # Paused mid-phase and sought: it shows the phase at once, with the seconds left.
    browser.run("document.getElementById('audio').pause()")
    exhale = next(p for p in found if p["name"] == "exhale")
    browser.run(f"document.getElementById('audio').currentTime = {exhale['start'] + 1.2}")
    browser.wait_for("document.querySelector('[data-role=pacer]').dataset.phase === 'exhale'", timeout=2)
    left = math.ceil(exhale["end"] - exhale["start"] - 1.2 - 0.05)  # whole seconds left, as a count says them
    assert f"{left} seconds" in pacer_now(browser)[2]
    browser.run(f"document.getElementById('audio').currentTime = {max(0.0, found[0]['start'] - 3)}")
    browser.wait_for("document.querySelector('[data-role=pacer]').dataset.phase === 'idle'", timeout=2)
    # With reduce-motion set, no moving shape: the words alone guide.
    browser.run(f"document.getElementById('audio').currentTime = {exhale['start'] + 1.2}")
    browser.wait_for("document.querySelector('[data-role=pacer]').dataset.phase === 'exhale'", timeout=2)
    assert browser.run("return getComputedStyle(document.querySelector('.pacer-stage')).display") != "none"
    features = [{"name": "prefers-reduced-motion", "value": "reduce"}]
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})
    try:
        assert browser.run("return getComputedStyle(document.querySelector('.pacer-stage')).display") == "none"
        assert pacer_now(browser)[2].strip().startswith("Breathe out")
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


@pytest.mark.skipif(axe_script() is None, reason="axe-core is not installed (.ci/run installs it with npm)")
def test_axe_finds_nothing_serious_on_the_list_the_player_and_the_pacer(site, browser, screenshots):
    browser.driver.get(site.url)
    browser.wait_for("document.querySelectorAll('.card').length === 2")
    checked = {"list": browser.axe()}
    open_breathing(site, browser, at=phases(site)[0]["start"] + 1)
    browser.wait_for("document.querySelector('[data-role=pacer]').dataset.phase === 'inhale'")
    browser.wait_for("document.querySelectorAll('#transcript .line').length > 0 && document.querySelectorAll('#chapters button').length > 0")
    browser.run("document.getElementById('audio').pause()")
    checked["player and pacer"] = browser.axe()
    browser.run("window.scrollTo(0, document.getElementById('player').offsetTop - 8)")
    browser.driver.save_screenshot(str(screenshots / "player-pacer-390x844.png"))
    browser.run("document.getElementById('pacer-full').click()")
    browser.wait_for("document.querySelector('[data-role=pacer]').classList.contains('full')")
    checked["full-screen pacer"] = browser.axe()
    browser.driver.save_screenshot(str(screenshots / "pacer-full-390x844.png"))
    browser.run("document.getElementById('pacer-full').click()")
    browser.run("window.scrollTo(0, document.body.scrollHeight)")
    browser.wait_for("!document.getElementById('mini').hidden")
    checked["compact player"] = browser.axe()
    browser.driver.save_screenshot(str(screenshots / "mini-player-390x844.png"))
    print("axe-core violations by impact:", {k: [(v["id"], v["impact"]) for v in found] for k, found in checked.items()})
    for where, found in checked.items():
        bad = [v for v in found if v["impact"] in ("serious", "critical")]
        assert not bad, f"{where}: {json.dumps(bad, indent=1)}"
        assert not [v for v in found if v["id"] == "heading-order"], where


def test_the_transcript_works_from_the_keyboard(site, browser):
    from selenium.webdriver.common.keys import Keys

    open_breathing(site, browser)
    browser.wait_for("document.querySelectorAll('#transcript .line').length > 0")
    box = browser.driver.find_element("id", "transcript-scroll")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region" and box.get_attribute("aria-label")
    said = cues(site.sessions.breathing.with_suffix(".vtt"))
    lines = browser.driver.find_elements("css selector", "#transcript .line")
    assert [line.tag_name for line in lines] == ["button"] * len(said)
    browser.run("document.getElementById('audio').pause()")
    lines[5].send_keys(Keys.ENTER)
    browser.wait_for(f"Math.abs(document.getElementById('audio').currentTime - {said[5][0]}) < 0.05")
    # A scroll box takes the arrow keys from the keyboard once focused.
    browser.run("arguments[0].focus(); arguments[0].scrollTop = 0", box)
    box.send_keys(Keys.PAGE_DOWN)
    browser.wait_for("document.getElementById('transcript-scroll').scrollTop > 0", timeout=3)


def test_the_resume_note_and_its_button_clear_once_the_listener_moves_on(site, browser):
    breathing = site.sessions.breathing.name
    open_breathing(site, browser)
    browser.run("document.getElementById('audio').pause(); document.getElementById('audio').currentTime = 47")
    browser.wait_for(f"JSON.parse(localStorage.getItem('guided-audio:position:{breathing}')).t === 47")
    browser.driver.refresh()
    browser.wait_for("document.getElementById('audio').readyState >= 1")
    assert browser.run("return document.getElementById('message').textContent").startswith("Continuing from 0:47")
    assert browser.run("return document.querySelector('#message button').textContent") == "Start from the beginning"
    click(browser, "#toggle")
    browser.wait_for("!document.getElementById('audio').paused")
    browser.run("document.getElementById('audio').currentTime = 70")  # the listener drags on to 1:10
    browser.wait_for("document.getElementById('message').textContent === ''", timeout=5)
    assert browser.run("return document.querySelector('#message button')") is None
    assert browser.run("return document.getElementById('audio').currentTime") >= 70  # not sent back
    # Listening on past the saved place clears it too (fast-forwarded here: 20 s in about 2).
    browser.run("document.getElementById('audio').pause(); document.getElementById('audio').currentTime = 47")
    browser.wait_for(f"JSON.parse(localStorage.getItem('guided-audio:position:{breathing}')).t === 47")
    browser.driver.refresh()
    browser.wait_for("document.getElementById('audio').readyState >= 1")
    assert browser.run("return document.getElementById('message').textContent").startswith("Continuing from 0:47")
    browser.run("document.getElementById('audio').playbackRate = 12")
    click(browser, "#toggle")
    browser.wait_for("document.getElementById('audio').currentTime > 53")
    assert browser.run("return document.getElementById('message').textContent") == "Continuing from 0:47.Start from the beginning"
    browser.wait_for("document.getElementById('message').textContent === ''", timeout=10)
    assert browser.run("return document.getElementById('audio').currentTime") > 67
    browser.run("document.getElementById('audio').pause(); document.getElementById('audio').playbackRate = 1")


def test_chromium_reads_the_exact_length(site, browser):
    """The Info tag in place, `<audio>` reports the manifest's length, not a bitrate estimate."""
    for mp3 in (site.sessions.breathing, site.sessions.arrive):
        duration = browser.run_async(
            "const [url, done] = arguments; const a = new Audio(); a.preload = 'metadata'; "
            "a.onloadedmetadata = () => done(a.duration); a.onerror = () => done(-1); a.src = url;",
            site.url + mp3.name,
        )
        assert duration == pytest.approx(site.sessions.manifest(mp3)["duration"], abs=0.001), mp3.name
    assert PHONE["width"] == browser.run("return innerWidth")
