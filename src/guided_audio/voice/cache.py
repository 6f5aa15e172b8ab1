"""The phrase cache: a re-render of the same session skips synthesis entirely, and never plays a bad entry.

Each entry is one phrase, already trimmed and levelled at the session rate, under a key hashing
everything that changes the audio. Bump FORMAT_VERSION whenever the processing after synthesis
changes, so old entries are never served.

An entry is a small header (magic, sample count, SHA-256 of the samples) and the float32
samples. Reading the audio checks the checksum; planning reads only the header and checks the
file's size. An entry that fails (a truncated write from an older version, a flipped bit, a
disk gone bad) is deleted and logged, and the phrase is synthesised again. Entries are written
to a temporary file and renamed, so two processes writing one key at once each rename a whole
entry and readers only ever see whole ones. They are not fsynced: a power cut can at worst
leave an entry the checksum refuses, which costs one synthesis. The cache is kept under a size
cap (GUIDED_AUDIO_CACHE_MAX, default 2 GiB) by removing the least recently used entries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import struct
from stat import S_ISREG
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guided_audio.errors import CacheError
from guided_audio.output import Partial, clear_debris

log = logging.getLogger(__name__)

CACHE_ENV = "GUIDED_AUDIO_CACHE"
MAX_ENV = "GUIDED_AUDIO_CACHE_MAX"
DEFAULT_MAX_BYTES = 2 << 30
"""2 GiB: some forty different hour-long sessions' phrases (about 50 MB each at most)."""
FORMAT_VERSION = 1
SUFFIX = ".pcm"
LEGACY_SUFFIX = ".npy"
"""Entries before checksums; never read, counted by `cache info`, evicted first, cleared."""
HEADER = struct.Struct("<8sQ32s")
MAGIC = b"GAPHRAS1"
EVICT_TO = 0.9
"""Eviction frees down to this share of the cap, so it is not run again at the next entry."""
ENTRY_NAME = re.compile(r"^(?P<prefix>[0-9a-f]{2})[0-9a-f]{62}(?:\.pcm|\.npy)$")
"""The only files the cache counts, clears or evicts: KEY.pcm (or a legacy KEY.npy) in the
folder named for the key's first two characters. Anything else found there is not ours."""
SUB_NAME = re.compile(r"^[0-9a-f]{2}$")
MAX_SAMPLE = 8.0
"""A levelled phrase peaks near 1.0; a sample beyond this (or NaN, or infinite) marks a crafted
or corrupted entry, which would wreck the session's loudness."""
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def default_cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("guided-audio")) / "phrases"


def parse_size(text: str) -> int:
    """'500M', '2G', '1.5GiB', '0' (no cap) to bytes."""
    match = _SIZE.match(text)
    if not match:
        raise CacheError(f"{MAX_ENV}={text!r} is not a size; use a number of bytes or one like 500M or 2G (0: no cap)")
    return int(float(match[1]) * 1024 ** " kmgt".index(match[2].lower() or " "))


def max_bytes_from_env() -> int:
    text = os.environ.get(MAX_ENV, "").strip()
    return parse_size(text) if text else DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class CacheInfo:
    folder: Path
    entries: int
    bytes: int
    max_bytes: int
    legacy: int
    """Entries of an older format (not used any more) among `entries`."""


class PhraseCache:
    """Content-addressed store of processed phrase audio; every read checked, every write atomic."""

    def __init__(self, folder: Path | None = None, *, enabled: bool = True, max_bytes: int | None = None) -> None:
        self.folder = Path(folder) if folder else default_cache_dir()
        self.enabled = enabled
        self.max_bytes = max_bytes_from_env() if max_bytes is None else max_bytes
        self.hits = 0
        self.misses = 0
        self.damaged = 0
        self._total: int | None = None
        """Bytes the cache holds, as this process last counted them (None: not yet)."""

    def key(self, identity: dict[str, object], text: str, rate: int) -> str:
        payload = json.dumps(
            {"identity": identity, "text": text, "rate": rate, "format": FORMAT_VERSION},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> np.ndarray | None:
        """The entry's samples, or None (a miss, or a damaged entry now deleted)."""
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            read = _read_regular(path)
        except OSError:
            self.misses += 1
            return None
        samples = _decode(read[0]) if read is not None else None
        if samples is None:
            self._discard(path, "its checksum or length is wrong")
            self.misses += 1
            return None
        self.hits += 1
        _touch(path)
        return samples

    def length(self, key: str) -> int | None:
        """Samples in an entry, reading only its header (for planning without audio)."""
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            read = _read_regular(path, HEADER.size)
        except OSError:
            return None
        count = _count(*read) if read is not None else None
        if count is None:
            self._discard(path, "it is cut short or not an entry")
        return count

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
        data = _encode(samples)
        temp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = Partial(path.parent, key)
            with open(temp.fd, "wb", closefd=False) as out:
                out.write(data)
            os.chmod(temp.path, 0o644)
            try:
                os.link(temp.path, path)
            except FileExistsError:
                stored = self.get(key)
                return samples if stored is None else stored
            except OSError:  # a file system without hard links: the last writer wins
                os.replace(temp.path, path)
        except OSError as exc:
            # A cache that cannot be written only costs speed; say so once and carry on.
            log.warning("phrase cache %s is not writable (%s); continuing without it", self.folder, exc.strerror or exc)
            self.enabled = False
            return samples
        finally:
            if temp is not None:
                temp.discard()
        self._grown(len(data))
        return samples

    def info(self) -> CacheInfo:
        entries = self._entries()
        legacy = sum(1 for path, _, _ in entries if path.suffix == LEGACY_SUFFIX)
        return CacheInfo(self.folder, len(entries), sum(size for _, size, _ in entries), self.max_bytes, legacy)

    def clear(self) -> CacheInfo:
        """Delete every entry (another process's entry being written is left alone); what was removed."""
        entries = self._entries()
        removed = [(path, size) for path, size, _ in entries if _unlink(path)]
        for sub in self._subfolders():
            try:
                os.rmdir(sub)  # only when empty
            except OSError:
                pass
        self._total = None
        return CacheInfo(self.folder, len(removed), sum(size for _, size in removed), self.max_bytes, 0)

    def _discard(self, path: Path, why: str) -> None:
        self.damaged += 1
        if _unlink(path):
            log.warning("phrase cache entry %s was damaged (%s); deleted it, the phrase is synthesised again", path.name, why)

    def _grown(self, added: int) -> None:
        if self.max_bytes <= 0:
            return
        if self._total is None:
            self._total = sum(size for _, size, _ in self._entries())
        else:
            self._total += added
        if self._total > self.max_bytes:
            self._evict()

    def _evict(self) -> None:
        """Remove least recently used entries (reads touch them) until under EVICT_TO of the cap."""
        entries = sorted(self._entries(), key=lambda entry: (entry[0].suffix != LEGACY_SUFFIX, entry[2]))
        total = sum(size for _, size, _ in entries)
        goal = self.max_bytes * EVICT_TO
        removed = 0
        for path, size, _ in entries:
            if total <= goal:
                break
            if _unlink(path):
                total -= size
                removed += 1
        self._total = total
        log.info("phrase cache over %d MB: removed the %d least recently used entries", self.max_bytes >> 20, removed)

    def _entries(self) -> list[tuple[Path, int, float]]:
        """(path, bytes, last used) of every entry; clears partials killed writers left.

        Only regular files of the cache's own name shape, in real subfolders named for their
        prefix: never through a symlink, never a file of someone else's (`notes.pcm`).
        """
        found = []
        for sub in self._subfolders():
            clear_debris(sub)
            try:
                scan = list(os.scandir(sub))
            except OSError:
                continue
            for entry in scan:
                match = ENTRY_NAME.match(entry.name)
                if not match or match["prefix"] != sub.name:
                    continue
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if S_ISREG(stat.st_mode):
                    found.append((Path(entry.path), stat.st_size, stat.st_mtime))
        return found

    def _subfolders(self) -> list[Path]:
        """The real (not symlinked) two-character folders entries live in."""
        try:
            scan = list(os.scandir(self.folder))
        except OSError:
            return []
        return sorted(Path(e.path) for e in scan if SUB_NAME.match(e.name) and e.is_dir(follow_symlinks=False))


def _encode(samples: np.ndarray) -> bytes:
    body = np.ascontiguousarray(samples, dtype="<f4").tobytes()
    return HEADER.pack(MAGIC, len(body) // 4, hashlib.sha256(body).digest()) + body


def _count(header: bytes, size: int) -> int | None:
    if len(header) != HEADER.size:
        return None
    magic, count, _ = HEADER.unpack(header)
    return count if magic == MAGIC and size == HEADER.size + 4 * count else None


def _decode(data: bytes) -> np.ndarray | None:
    count = _count(data[: HEADER.size], len(data))
    if count is None:
        return None
    body = memoryview(data)[HEADER.size :]
    if hashlib.sha256(body).digest() != HEADER.unpack_from(data)[2]:
        return None
    samples = np.frombuffer(body, dtype="<f4").astype(np.float32)
    if samples.size and not (np.isfinite(samples).all() and np.abs(samples).max() <= MAX_SAMPLE):
        return None  # a checksum anyone can compute does not make NaN or 1e30 audio
    return samples


def _read_regular(path: Path, limit: int = -1) -> tuple[bytes, int] | None:
    """An entry's bytes (all, or the first `limit`) and its size; None if it is not a regular
    file (a FIFO or a device would block the read, or never end)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            return None
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(limit)
    finally:
        os.close(fd)
    return data, stat.st_size


def _touch(path: Path) -> None:
    """Mark an entry used now (its modification time is the LRU clock: access times are often off)."""
    try:
        os.utime(path)
    except OSError:
        pass


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True
