"""The phrase cache: a re-render of the same session skips synthesis entirely.

Each entry is one phrase, already trimmed and levelled at the session rate, stored as .npy
under a key hashing everything that changes the audio. Bump FORMAT_VERSION whenever the
processing after synthesis changes, so old entries are never served.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

CACHE_ENV = "GUIDED_AUDIO_CACHE"
FORMAT_VERSION = 1


def default_cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("guided-audio")) / "phrases"


class PhraseCache:
    """Content-addressed store of processed phrase audio; misses are cheap, writes are atomic."""

    def __init__(self, folder: Path | None = None, *, enabled: bool = True) -> None:
        self.folder = folder or default_cache_dir()
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def key(self, identity: dict[str, object], text: str, rate: int) -> str:
        payload = json.dumps(
            {"identity": identity, "text": text, "rate": rate, "format": FORMAT_VERSION},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npy"

    def get(self, key: str) -> np.ndarray | None:
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            samples = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return samples

    def length(self, key: str) -> int | None:
        """Samples in an entry, reading only its header (for planning without audio)."""
        if not self.enabled:
            return None
        try:
            return len(np.load(self._path(key), mmap_mode="r", allow_pickle=False))
        except (OSError, ValueError):
            return None

    def put(self, key: str, samples: np.ndarray) -> np.ndarray:
        """Store a phrase, unless another process stored it first: then theirs is returned.

        The voice never says a phrase the same way twice, so when several sessions render at
        once and two speak the same new phrase, all must use one recording, or a re-render
        from the cache would not give back the same audio. The entry is written to a temp file
        and linked into place, which fails if it is already there.
        """
        if not self.enabled:
            return samples
        samples = samples.astype(np.float32)  # as a later get() gives it back
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                np.save(handle, samples, allow_pickle=False)
            try:
                os.link(tmp, path)
            except FileExistsError:
                stored = self.get(key)
                return samples if stored is None else stored
            except OSError:  # a file system without hard links: the last writer wins
                os.replace(tmp, path)
                tmp = None
        except OSError as exc:
            # A cache that cannot be written only costs speed; say so once and carry on.
            log.warning("phrase cache %s is not writable (%s); continuing without it", self.folder, exc)
            self.enabled = False
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
        return samples
