"""Turning phrases into ready-to-place audio: synthesise, trim, level, fade, cache.

A phrase (one sentence; markup puts the gaps between sentences) with several clauses is spoken
clause by clause with CLAUSE_GAP of quiet after each comma, semicolon, colon or dash, the
breath a meditation teacher takes there. The gaps are inside the phrase's clip, so the plan,
which measures clips, and the audio agree to the sample.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Callable, Iterable, Iterator, Mapping

import numpy as np

from guided_audio.audio.heap import give_back, limit_arenas
from guided_audio.audio.samples import SESSION_RATE, fade_edges, resample, trim_silence
from guided_audio.errors import SynthesisError
from guided_audio.script.markup import Speech
from guided_audio.voice.cache import PhraseCache
from guided_audio.voice.interface import Engine

log = logging.getLogger(__name__)

SPEECH_LEVEL_DB = -20.0
"""RMS level of the voiced part of every phrase, so engines and phrases sound equally loud."""
SPEECH_PEAK = 10 ** (-1.0 / 20)
"""No phrase peaks above -1 dBFS."""
CLAUSE_GAP = 0.3
"""Seconds of quiet after a clause inside a phrase (a full stop gets markup.SENTENCE_GAP)."""
_CLAUSE_END = re.compile(r"(?<=[,;:\u2014\u2013])\s+|\s+(?:-|\u2014|\u2013)\s+")
"""After a comma, semicolon, colon or dash that a space follows (not 1,250); a spaced dash."""


def clauses(text: str) -> list[str]:
    """The parts of a phrase spoken with a short gap between them."""
    return [part for part in (piece.strip() for piece in _CLAUSE_END.split(text)) if part]


def level(samples: np.ndarray, rate: int) -> np.ndarray:
    """Scale to SPEECH_LEVEL_DB RMS over the voiced 20 ms frames, peak-capped."""
    if samples.size == 0:
        return samples
    window = max(1, int(rate * 0.02))
    usable = (len(samples) // window) * window
    frames = samples[:usable].reshape(-1, window) if usable else samples.reshape(1, -1)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    voiced = rms[rms > rms.max() * 0.1] if rms.max() > 0 else rms
    current = float(np.sqrt(np.mean(voiced**2))) if voiced.size else 0.0
    if current <= 1e-9:
        return samples
    gain = 10 ** (SPEECH_LEVEL_DB / 20) / current
    peak = float(np.max(np.abs(samples))) * gain
    if peak > SPEECH_PEAK:
        gain *= SPEECH_PEAK / peak
    return (samples * gain).astype(np.float32)


def prepare(samples: np.ndarray, source_rate: int) -> np.ndarray:
    """Engine output to a phrase ready to place at the session rate."""
    trimmed = trim_silence(samples, source_rate)
    if trimmed.size == 0:
        return trimmed.astype(np.float32)
    at_rate = resample(trimmed, source_rate, SESSION_RATE)
    return fade_edges(level(at_rate, SESSION_RATE), SESSION_RATE)


def speak(engine: Engine, text: str, rate: float) -> np.ndarray:
    """A phrase ready to place: each clause trimmed and faded, CLAUSE_GAP between them, then
    levelled as one (a clause keeps its loudness relative to the others)."""
    gap = np.zeros(round(CLAUSE_GAP * SESSION_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    for clause in clauses(text):
        clip = engine.synthesize(clause, rate=rate)
        trimmed = trim_silence(clip.samples, clip.sample_rate)
        if trimmed.size:
            pieces += [gap] if pieces else []
            pieces.append(fade_edges(resample(trimmed, clip.sample_rate, SESSION_RATE), SESSION_RATE))
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return level(np.concatenate(pieces), SESSION_RATE)


@dataclass
class PhraseBank:
    """Processed audio for each distinct phrase (text and pace) of a session."""

    clips: Mapping[Speech, np.ndarray]
    synthesised: int
    cached: int
    lengths: dict[Speech, int]

    def length_of(self, phrase: Speech) -> int | None:
        """Samples of a phrase of this session; None for one it does not hold."""
        return self.lengths.get(phrase)


class StoredClips(Mapping):
    """A session's phrase audio, read back from the phrase cache as the mix places it, so a long
    session does not hold all its speech in memory (a 60-minute imagery has over 200 MB of it);
    the last few clips read are kept, for a phrase that spans several mix chunks. Audio the
    cache could not keep (disabled, not writable) is held here instead."""

    def __init__(self, cache: PhraseCache, keys: dict[Speech, str], held: dict[str, np.ndarray], keep: int = 8) -> None:
        self.cache, self.keys, self.held, self.keep = cache, keys, held, keep
        self._recent: OrderedDict[Speech, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the parts of an MP3 are mixed on threads of their own

    def __getitem__(self, phrase: Speech) -> np.ndarray:
        with self._lock:
            if phrase in self._recent:
                self._recent.move_to_end(phrase)
                return self._recent[phrase]
        key = self.keys[phrase]
        samples = self.held.get(key)
        if samples is None:
            samples = self.cache.get(key)
            if samples is None:
                raise SynthesisError(
                    f"the phrase cache lost {phrase.text[:40]!r} during the render (cleared or damaged); render again"
                )
        if phrase.level_db:
            samples = (samples * 10 ** (phrase.level_db / 20)).astype(np.float32)
        with self._lock:
            self._recent[phrase] = samples
            while len(self._recent) > self.keep:
                self._recent.popitem(last=False)
        return samples

    def __iter__(self):
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)


def cache_key(engine: Engine, cache: PhraseCache, phrase: Speech) -> str:
    """The phrase's cache entry: the rate it is spoken at is part of what makes its audio; its
    level_db is not (a softened phrase is its entry's audio, scaled when placed)."""
    rate = engine.rate * phrase.pace
    identity = {**engine.cache_identity(rate=rate), "clause_gap": CLAUSE_GAP}
    return cache.key(identity, phrase.text, SESSION_RATE)


def synthesise_phrases(
    engine: Engine,
    phrases: Iterable[Speech],
    cache: PhraseCache,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> PhraseBank:
    """Audio for every distinct phrase, from the cache where possible, the rest synthesised
    `engine.workers` at a time; `progress` is called as ("Synthesising", done, total) after
    each phrase, counting phrases."""
    limit_arenas()  # before the synthesis threads start (audio.heap)
    distinct = list(dict.fromkeys(phrases))  # in order of first use
    by_key = {phrase: cache_key(engine, cache, phrase) for phrase in distinct}
    length: dict[str, int] = {}
    held: dict[str, np.ndarray] = {}  # what the cache could not keep
    missing: list[Speech] = []
    for phrase in distinct:
        key = by_key[phrase]
        if key in length:
            continue
        samples = cache.get(key)  # read whole: its checksum is checked now, not mid-mix
        if samples is None:
            missing.append(phrase)
            length[key] = 0  # taken: a softened twin waits for it
        else:
            length[key] = len(samples)
    cached = len(distinct) - len(missing)
    done = cached
    if progress is not None and cached:
        progress("Synthesising", done, len(distinct))
    for phrase, samples in _spoken(engine, missing):
        if samples.size == 0:
            raise SynthesisError(
                f"the voice produced no sound for {phrase.text!r}; check the phrase has words to speak"
            )
        key = by_key[phrase]
        stored = cache.put(key, samples)
        length[key] = len(stored)
        if not cache.enabled or cache.length(key) != len(stored):
            held[key] = stored
        done += 1
        if progress is not None:
            progress("Synthesising", done, len(distinct))
    clips = StoredClips(cache, by_key, held)
    give_back()  # the model's and the synthesis threads' working memory
    return PhraseBank(clips, len(missing), cached, {phrase: length[by_key[phrase]] for phrase in distinct})


def _spoken(engine: Engine, phrases: list[Speech]) -> Iterator[tuple[Speech, np.ndarray]]:
    """Each phrase with its audio, as each is ready; several at once when the engine can
    (onnxruntime releases the GIL while it runs, so threads share one loaded model)."""
    def one(phrase: Speech) -> np.ndarray:
        log.debug("synthesising %r at pace %g", phrase.text, phrase.pace)
        return speak(engine, phrase.text, engine.rate * phrase.pace)

    if engine.workers <= 1 or len(phrases) <= 2:
        for phrase in phrases:
            yield phrase, one(phrase)
        return
    yield phrases[0], one(phrases[0])  # alone: it loads the model the threads then share
    with ThreadPoolExecutor(max_workers=engine.workers, thread_name_prefix="synthesis") as pool:
        futures = {pool.submit(one, phrase): phrase for phrase in phrases[1:]}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
