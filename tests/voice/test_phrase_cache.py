"""The phrase cache shared by processes rendering at once: one recording per phrase, the first stored."""

from __future__ import annotations

import multiprocessing

import numpy as np

from guided_audio.voice.cache import PhraseCache


def test_the_first_recording_stored_is_the_one_everyone_uses(tmp_path):
    cache = PhraseCache(tmp_path)
    key = cache.key({"voice": "test"}, "Breathe in.", 24000)
    first, second = np.linspace(0, 1, 100, dtype=np.float64), np.linspace(1, 0, 90)
    kept = cache.put(key, first)
    assert kept.dtype == np.float32 and np.array_equal(kept, first.astype(np.float32))
    assert np.array_equal(cache.put(key, second), kept)  # a later speaker gets the stored one
    assert np.array_equal(cache.get(key), kept)
    assert not list(tmp_path.rglob("*.tmp"))


def _store(folder, value, out):
    cache = PhraseCache(folder)
    out.put(float(cache.put(cache.key({}, "same", 1), np.full(10, value))[0]))


def test_processes_racing_on_one_phrase_all_come_back_with_the_same_one(tmp_path):
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_store, args=(tmp_path, value, out)) for value in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    results = {out.get(timeout=5) for _ in workers}
    assert len(results) == 1, results
