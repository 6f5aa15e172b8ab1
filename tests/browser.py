"""A real headless Chromium for the listening page's tests: Debian's chromium and its driver.

`.ci/run` installs them when they are missing; where they cannot be had, the browser tests
skip with the reason. Chromium starts with a fresh profile and without the background
services that would try to reach the internet (this machine has none), at a phone's size.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE = {"width": 390, "height": 844, "pixelRatio": 2}
"""A common phone's viewport in CSS pixels; screenshots come out at twice that."""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
    f"--window-size={PHONE['width']},{PHONE['height']}",
]


AXE_VERSION = "4.14"
"""The axe-core release line the accessibility tests run (from the npm registry, via .ci/run)."""


def axe_script() -> Path | None:
    """axe-core's axe.min.js where .ci/run installs it (npm install --prefix <this folder>), or None."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = Path(os.environ.get("GUIDED_AUDIO_TEST_NODE", cache / "guided-audio-tests"))
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    return script if script.is_file() else None


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists() and not shutil.which(Path(path).name):
            return f"{path} is missing: apt-get install -y chromium chromium-driver (.ci/run does this)"
    return None


class Browser:
    """A Chromium driven by selenium, with its profile in a folder of its own."""

    def __init__(self, profile: Path | None = None, flags: list[str] = ()) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = Path(profile or tempfile.mkdtemp(prefix="chromium-profile-"))
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        for flag in [*FLAGS, *flags]:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        driver_path = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
        self.driver = webdriver.Chrome(options=options, service=Service(driver_path))
        self.driver.set_script_timeout(60)
        self.requested: list[str] = []

    def run(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def run_async(self, script: str, *args):
        """Run `script`, whose last argument is the callback to call with its result."""
        return self.driver.execute_async_script(script, *args)

    def wait_for(self, condition: str, timeout: float = 20, *args):
        """Wait until the JavaScript expression is truthy; return its value."""
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
            lambda driver: driver.execute_script(f"return ({condition});", *args),
            message=f"waited {timeout} s for: {condition}",
        )

    def network_requests(self) -> list[str]:
        """Every URL the browser asked for since the last call (page, workers, fetches, media)."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])
        return self.requested

    def axe(self, include: str = "html") -> list[dict]:
        """axe-core's violations on the page as it is now (`include`: a CSS selector to check)."""
        script = axe_script()
        if script is None:
            raise RuntimeError("axe-core is not installed; .ci/run installs it")
        if not self.run("return typeof window.axe === 'object'"):
            self.run(script.read_text(encoding="utf-8"))
        return self.run_async(
            "const [include, done] = arguments; axe.run(document.querySelector(include), "
            "{resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, "
            "help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))), "
            "e => done([{id: 'axe-failed', impact: 'critical', help: String(e), nodes: []}]))",
            include,
        )

    def console_errors(self) -> list[str]:
        return [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
