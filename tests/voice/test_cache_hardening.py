"""Issue 20, items 2, 8 and 15: `cache clear` and eviction touch only the cache's own regular
files, never through a symlink; a FIFO where an entry should be never blocks; crafted entries
with NaN or huge samples (and a valid checksum) are refused like any damaged entry."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

from guided_audio.voice.cache import HEADER, MAGIC, PhraseCache

KEY = "ab" + "0" * 62


def _crafted(samples: np.ndarray) -> bytes:
    body = samples.astype("<f4").tobytes()
    return HEADER.pack(MAGIC, samples.size, hashlib.sha256(body).digest()) + body


def _outside(tmp_path):
    """A folder of someone else's files, and a cache whose subfolder and entry point into it."""
    other = tmp_path / "documents"
    other.mkdir()
    (other / f"{KEY}.pcm").write_bytes(b"not yours")
    (other / "notes.pcm").write_bytes(b"my notes")
    cache = PhraseCache(tmp_path / "cache")
    cache.put("cd" + "1" * 62, np.zeros(1000, dtype=np.float32))
    (tmp_path / "cache" / "ab").symlink_to(other)  # a symlinked subfolder
    (tmp_path / "cache" / "cd" / "notes.pcm").write_bytes(b"a file of the cache's suffix, not its shape")
    (tmp_path / "cache" / "cd" / ("cd" + "2" * 62 + ".pcm")).symlink_to(other / "notes.pcm")
    (tmp_path / "cache" / "cd" / ("ef" + "3" * 62 + ".pcm")).write_bytes(b"a key in the wrong folder")
    return cache, other


def test_clear_removes_only_its_own_regular_entries_and_never_follows_a_symlink(tmp_path):
    cache, other = _outside(tmp_path)
    assert cache.info().entries == 1
    assert cache.clear().entries == 1
    assert sorted(p.name for p in other.iterdir()) == sorted([f"{KEY}.pcm", "notes.pcm"])
    assert (other / "notes.pcm").read_bytes() == b"my notes"
    left = sorted(p.name for p in (tmp_path / "cache" / "cd").iterdir())
    assert left == sorted(["notes.pcm", "cd" + "2" * 62 + ".pcm", "ef" + "3" * 62 + ".pcm"])


def test_eviction_walks_the_same_list(tmp_path):
    cache, other = _outside(tmp_path)
    cache.max_bytes = 1  # every put evicts
    cache.put("cd" + "4" * 62, np.zeros(1000, dtype=np.float32))
    assert (other / "notes.pcm").read_bytes() == b"my notes" and (other / f"{KEY}.pcm").exists()
    assert (tmp_path / "cache" / "cd" / "notes.pcm").exists()


def test_a_fifo_in_place_of_an_entry_is_a_miss_not_a_hang(tmp_path):
    cache = PhraseCache(tmp_path)
    (tmp_path / "ab").mkdir()
    os.mkfifo(tmp_path / "ab" / f"{KEY}.pcm")
    assert cache.length(KEY) is None
    assert cache.get(KEY) is None
    assert cache.info().entries == 0


@pytest.mark.parametrize("poison", [np.nan, np.inf, 1e30])
def test_a_crafted_entry_with_nan_or_huge_samples_is_damaged_not_played(tmp_path, poison):
    cache = PhraseCache(tmp_path)
    samples = np.full(100, 0.1, dtype=np.float32)
    samples[50] = poison
    (tmp_path / "ab").mkdir()
    path = tmp_path / "ab" / f"{KEY}.pcm"
    path.write_bytes(_crafted(samples))
    assert cache.get(KEY) is None and cache.damaged == 1 and not path.exists()
