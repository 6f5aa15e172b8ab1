"""Subscribe a real podcast client (gPodder's `gpo`) to a served folder and check its downloads.

    apt-get install gpodder    # gives gpo
    python scripts/check_podcast_client.py

Renders two short sessions, builds the feed, serves the folder on loopback, then has gpo
subscribe, update and download; checks both episodes arrive byte for byte, that a second
update finds nothing new, and that rebuilding the feed adds no episode. Everything stays
on 127.0.0.1 and in a temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from guided_audio.publish.feed import FeedOptions, build_feed
from guided_audio.publish.server import start_server
from guided_audio.session import SessionRequest, generate


def gpo(home: Path, *args: str) -> str:
    """Run gpo with its data in `home`; its last line of news."""
    env = {**os.environ, "GPODDER_HOME": str(home / "home"), "GPODDER_DOWNLOAD_DIR": str(home / "downloads")}
    proc = subprocess.run(["gpo", *args], env=env, capture_output=True, text=True, timeout=300, check=True)
    said = [line.strip() for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    return [line for line in said if not line.startswith("Storing ")][-1]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    if shutil.which("gpo") is None:
        print("gpo not found: apt-get install gpodder")
        return 2
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        folder = root / "sessions"
        generate(SessionRequest("deep-breathing", 2, output=folder / "breathing.mp3", title="Breath & calm"))
        script = root / "arrive.txt"
        script.write_text("[chapter Arriving]\nWelcome. [pause 2s+]\n[chapter Resting]\nRest now. [pause 2s+]\n")
        generate(SessionRequest(str(script), 0.5, output=folder / "arrive.mp3"))
        serving = start_server(folder, "127.0.0.1", 0)
        base = f"http://127.0.0.1:{serving.port}"
        build_feed(folder, FeedOptions(base))
        thread = threading.Thread(target=serving.server.serve_forever, daemon=True)
        thread.start()
        try:
            print(gpo(root, "subscribe", f"{base}/feed.xml"))
            print(gpo(root, "update"))
            print(gpo(root, "download"))
            second = gpo(root, "update")
            build_feed(folder, FeedOptions(base))
            rebuilt = gpo(root, "update")
        finally:
            serving.server.shutdown()
            thread.join(timeout=5)
        downloads = {p.name: sha256(p) for p in (root / "downloads").rglob("*.mp3")}
        originals = {p.name: sha256(p) for p in folder.glob("*.mp3")}
        same = downloads == originals
        print(f"second update: {second}; after rebuilding the feed: {rebuilt}")
        for name, digest in sorted(originals.items()):
            print(f"{name}: {'identical' if downloads.get(name) == digest else 'DIFFERENT'} ({digest[:16]})")
        ok = same and second.startswith("0 new") and rebuilt.startswith("0 new")
        print("OK" if ok else "FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
