"""Reading a bed for the two mixing passes: on its own thread, and with bookmarks.

Making a soundscape is the costliest part of mixing, and it is sequential (its filters and
drifts carry on from block to block). The first pass therefore makes it on a thread of its
own, a block or two ahead of the mixing, so two cores share the work; and it leaves a
bookmark (a snapshot of the generator) wherever an encoder's part will begin, so in the
second pass every part can be mixed again at once, each from its own start.
"""

from __future__ import annotations

import queue
import threading

import numpy as np

from guided_audio.mix.bedmix import Bed

BLOCK_SECONDS = 10.0
AHEAD_BLOCKS = 2


class Bookmarks:
    """Reads a bed through, keeping a snapshot of it at each of the given sample positions
    (so the session can later be mixed again in parts, each from its own start)."""

    channels: int

    def __init__(self, bed: Bed, positions: list[int]) -> None:
        self.bed, self.channels = bed, bed.channels
        self.pending = sorted(set(positions))
        self.position = 0
        self.saved: dict[int, Bed] = {}

    def read(self, n: int) -> np.ndarray:
        pieces, end = [], self.position + n
        while self.pending and self.pending[0] < end:
            mark = self.pending.pop(0)
            if mark > self.position:
                pieces.append(self.bed.read(mark - self.position))
                self.position = mark
            self.saved[mark] = self.bed.snapshot()
        pieces.append(self.bed.read(end - self.position))
        self.position = end
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def snapshot(self) -> Bed:
        return self.bed.snapshot()


class ReadAhead:
    """Reads `total` samples of a bed on another thread, in blocks, ahead of the caller.

    Use as a context manager, so the thread stops even if mixing does not reach the end.
    """

    def __init__(self, bed: Bed, total: int, rate: int) -> None:
        self.channels = bed.channels
        self._blocks: queue.Queue = queue.Queue(maxsize=AHEAD_BLOCKS)
        self._stopping = threading.Event()
        shape = (0, bed.channels) if bed.channels > 1 else (0,)
        self._buffer = np.zeros(shape, dtype=np.float32)
        block = max(1, int(BLOCK_SECONDS * rate))
        self._thread = threading.Thread(target=self._make, args=(bed, total, block), name="bed-ahead", daemon=True)
        self._thread.start()

    def _make(self, bed: Bed, total: int, block: int) -> None:
        made = 0
        try:
            while made < total:
                samples = bed.read(min(block, total - made))
                made += len(samples)
                if not self._put(samples):
                    return
        except BaseException as exc:  # handed to the reader, who raises it
            self._put(exc)

    def _put(self, item: object) -> bool:
        while not self._stopping.is_set():
            try:
                self._blocks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read(self, n: int) -> np.ndarray:
        parts, have = [self._buffer], len(self._buffer)
        while have < n:
            item = self._blocks.get()
            if isinstance(item, BaseException):
                raise item
            parts.append(item)
            have += len(item)
        data = parts[0] if len(parts) == 1 else np.concatenate(parts)
        self._buffer = data[n:]
        return data[:n]

    def snapshot(self) -> Bed:
        raise NotImplementedError("a bed read ahead cannot be bookmarked; bookmark the bed it reads")

    def __enter__(self) -> "ReadAhead":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._thread.join()
