"""Reading beds ahead on a thread and bookmarking them: the audio must not change at all."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from guided_audio.mix.background import LoopedFile
from guided_audio.mix.bedstreams import Bookmarks, ReadAhead
from guided_audio.mix.soundscapes import SOUNDSCAPES

RATE = 44_100


@pytest.mark.parametrize("name", SOUNDSCAPES)
def test_a_bookmark_carries_on_exactly_as_the_stream_would(name):
    straight = SOUNDSCAPES[name](5).read(RATE * 7)
    marks = [RATE * 2 + 17, RATE * 5]
    bookmarked = Bookmarks(SOUNDSCAPES[name](5), marks)
    read = np.concatenate([bookmarked.read(size) for size in (RATE, RATE * 3 + 5, RATE * 3 - 5)])
    assert np.array_equal(read, straight)  # bookmarking does not disturb the stream
    for mark in marks:
        assert np.array_equal(bookmarked.saved[mark].read(RATE), straight[mark : mark + RATE])


def test_a_looped_file_bookmarks_without_copying_the_file():
    tone = (np.sin(np.arange(RATE * 2) * 0.05) * 8000).astype(np.int16)
    audio = LoopedFile(tone, RATE * 10, 1.0)
    straight = audio.player().read(RATE * 6)
    bookmarked = Bookmarks(audio.player(), [RATE * 3 + 11])
    bookmarked.read(RATE * 4)
    copy = bookmarked.saved[RATE * 3 + 11]
    assert copy.audio is audio
    assert np.array_equal(copy.read(RATE * 2), straight[RATE * 3 + 11 : RATE * 5 + 11])


@pytest.mark.parametrize("name", ["rain", "binaural"])
def test_reading_ahead_gives_the_same_samples(name):
    total = RATE * 23 + 5
    straight = SOUNDSCAPES[name](1).read(total)
    with ReadAhead(SOUNDSCAPES[name](1), total, RATE) as ahead:
        read = np.concatenate([ahead.read(size) for size in (RATE * 10, 7, RATE * 13 - 2)])
    assert np.array_equal(read, straight)


def test_reading_ahead_hands_over_a_failure_and_stops_its_thread():
    class Failing:
        channels = 1

        def read(self, n):
            raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        with ReadAhead(Failing(), RATE * 30, RATE) as ahead:
            ahead.read(RATE)
    assert not any(thread.name == "bed-ahead" for thread in threading.enumerate())


def test_leaving_early_stops_the_thread():
    with ReadAhead(SOUNDSCAPES["pink-noise"](0), RATE * 600, RATE) as ahead:
        ahead.read(100)
    assert not any(thread.name == "bed-ahead" for thread in threading.enumerate())
