"""The phrase cache: checked on every read, whole under concurrent writers, capped, and shown."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from faults import child_env

from guided_audio.errors import CacheError
from guided_audio.script.markup import Speech
from guided_audio.voice.cache import HEADER, PhraseCache, parse_size
from guided_audio.voice.engine import make_engine
from guided_audio.voice.speech import cache_key, synthesise_phrases

KEY = "ab" + "0" * 62


def test_an_entry_reads_back_as_written_and_its_length_from_the_header(tmp_path):
    cache = PhraseCache(tmp_path)
    samples = np.linspace(-0.5, 0.5, 1001, dtype=np.float32)
    cache.put(KEY, samples)
    assert np.array_equal(cache.get(KEY), samples) and cache.length(KEY) == 1001
    assert (tmp_path / "ab" / f"{KEY}.pcm").stat().st_size == HEADER.size + 4 * 1001


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_a_damaged_entry_is_deleted_logged_and_never_played(tmp_path, damage, caplog):
    cache = PhraseCache(tmp_path)
    cache.put(KEY, np.full(500, 0.25, dtype=np.float32))
    path = tmp_path / "ab" / f"{KEY}.pcm"
    data = bytearray(path.read_bytes())
    damaged = {
        "flip": lambda: data[:-7] + bytes([data[-7] ^ 0x10]) + data[-6:],
        "truncate": lambda: data[: len(data) // 2],
        "empty": lambda: b"",
        "garbage": lambda: os.urandom(len(data)),
    }[damage]()
    path.write_bytes(bytes(damaged))
    with caplog.at_level(logging.WARNING):
        assert cache.get(KEY) is None
    assert not path.exists() and cache.damaged == 1
    assert f"phrase cache entry {KEY}.pcm was damaged" in caplog.text and "synthesised again" in caplog.text


def test_a_truncated_entry_is_caught_by_planning_too(tmp_path):
    cache = PhraseCache(tmp_path)
    cache.put(KEY, np.zeros(500, dtype=np.float32))
    path = tmp_path / "ab" / f"{KEY}.pcm"
    path.write_bytes(path.read_bytes()[:-4])
    assert cache.length(KEY) is None and not path.exists()


def test_a_corrupted_phrase_is_synthesised_again(tmp_path, caplog):
    engine, cache = make_engine("piper", rate=0.75), PhraseCache(tmp_path)
    phrase = Speech("Let your shoulders soften.")
    first = synthesise_phrases(engine, [phrase], cache)
    path = cache._path(cache_key(engine, cache, phrase))
    data = bytearray(path.read_bytes())
    data[HEADER.size + 100] ^= 0xFF
    path.write_bytes(bytes(data))
    again = synthesise_phrases(engine, [phrase], cache)
    assert (again.synthesised, again.cached) == (1, 0)
    # piper's voice varies a little from one synthesis to the next: the same phrase, not the same samples
    assert abs(len(again.clips[phrase]) / len(first.clips[phrase]) - 1) < 0.15
    assert "was damaged" in caplog.text
    assert synthesise_phrases(engine, [phrase], cache).cached == 1  # whole again


WRITER = """
import sys, numpy as np
from guided_audio.voice.cache import PhraseCache
cache, value = PhraseCache(sys.argv[1]), float(sys.argv[2])
samples = np.full(300_000, value, dtype=np.float32)  # 1.2 MB: a write takes a while
for _ in range(40):
    cache.put(sys.argv[3], samples)
    got = cache.get(sys.argv[3])
    assert got is not None and got[0] in (0.25, -0.5) and (got == got[0]).all(), "torn entry"
assert cache.damaged == 0
print("ok")
"""


def test_two_processes_writing_one_key_at_once_leave_a_whole_entry(tmp_path):
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), value, KEY], env=child_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for value in ("0.25", "-0.5")
    ]  # fmt: skip
    reader, seen = PhraseCache(tmp_path), set()
    while any(writer.poll() is None for writer in writers):
        got = reader.get(KEY)
        if got is not None:
            assert (got == got[0]).all()
            seen.add(float(got[0]))
    for writer in writers:
        out, err = writer.communicate()
        assert writer.returncode == 0 and out.strip() == "ok", err
    assert reader.damaged == 0 and seen
    assert sorted(p.name for p in (tmp_path / "ab").iterdir()) == [f"{KEY}.pcm"]  # no partials


def test_the_cap_evicts_the_least_recently_used(tmp_path):
    entry = HEADER.size + 4 * 1000
    cache = PhraseCache(tmp_path, max_bytes=10 * entry)
    keys = [f"{n:02x}" + "0" * 62 for n in range(10)]
    for n, key in enumerate(keys):
        cache.put(key, np.zeros(1000, dtype=np.float32))
        os.utime(cache._path(key), (1_000_000 + n,) * 2)  # a clear order of use
    assert cache.get(keys[0]) is not None  # used now: the newest
    cache.put("ff" + "0" * 62, np.zeros(1000, dtype=np.float32))  # over the cap
    left = {key for key in keys if cache._path(key).exists()}
    assert keys[0] in left and keys[1] not in left and keys[2] not in left
    assert cache.info().bytes <= 10 * entry * 0.9


def test_sizes_parse_and_a_bad_one_is_one_error(monkeypatch):
    assert parse_size("500M") == 500 << 20 and parse_size("2G") == 2 << 30 and parse_size("1.5GiB") == 3 << 29
    assert parse_size("0") == 0 and parse_size("1234") == 1234
    monkeypatch.setenv("GUIDED_AUDIO_CACHE_MAX", "lots")
    with pytest.raises(CacheError, match="GUIDED_AUDIO_CACHE_MAX='lots' is not a size; use .* like 500M"):
        PhraseCache()


def test_cache_info_and_clear(tmp_path, monkeypatch):
    from guided_audio.cli import cli

    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("GUIDED_AUDIO_CACHE_MAX", "100M")
    cache = PhraseCache()
    for n in range(3):
        cache.put(f"{n:02x}" + "0" * 62, np.zeros(262_132, dtype=np.float32))  # 1 MiB each
    said = CliRunner().invoke(cli, ["cache", "info"])
    assert said.exit_code == 0
    assert said.output.splitlines() == [
        f"Location: {tmp_path / 'c'}",
        "Entries:  3",
        "Size:     3.0 MiB (cap 100.0 MiB; set GUIDED_AUDIO_CACHE_MAX to change it)",
    ]
    said = CliRunner().invoke(cli, ["cache", "clear"])
    assert said.output.strip() == f"Removed 3 entries (3.0 MiB) from {tmp_path / 'c'}"
    assert PhraseCache().info().entries == 0 and not list((tmp_path / "c").iterdir())


def test_two_renders_sharing_an_empty_cache_at_once_both_succeed_and_fill_it(tmp_path):
    from faults import start_cli

    cache_dir = tmp_path / "cache"
    script = tmp_path / "short.txt"
    script.write_text("Settle in. [pause 2s+] Let your breath slow down. [pause 1s+] Rest here.\n")
    renders = []
    for n in (1, 2):
        renders.append(start_cli("generate", str(script), "-m", "0.5", "-q", "-o", str(tmp_path / f"{n}.mp3"),
                                 env={"GUIDED_AUDIO_CACHE": str(cache_dir)}))  # fmt: skip
    for render in renders:
        _, err = render.communicate(timeout=300)
        assert render.returncode == 0 and err == "", err
    cache = PhraseCache(cache_dir)
    info = cache.info()
    assert info.entries == 3 and not list(cache_dir.rglob("*.partial*"))
    engine = make_engine()  # the default voice at its default rate, as the renders used
    for text in ("Settle in.", "Let your breath slow down.", "Rest here."):
        assert cache.get(cache_key(engine, cache, Speech(text))) is not None
    assert cache.damaged == 0
