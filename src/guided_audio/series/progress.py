"""What a build shows while it runs (one line: episodes done, the current stage) and after
(a table: episode, length, loudness, rendered or unchanged, seconds)."""

from __future__ import annotations

import shutil
import sys
import threading
from dataclasses import dataclass
from typing import TextIO


@dataclass
class EpisodeReport:
    label: str
    """FILE, or LISTENER/FILE."""
    title: str
    status: str
    """rendered, unchanged, failed, or (with --dry-run) the reason it would render."""
    seconds: float = 0.0
    duration: float | None = None
    loudness_lufs: float | None = None
    error: str | None = None
    rendered_by: str = ""
    """host:pid of the process that rendered it."""


class ProgressLine:
    """One line on a terminal, rewritten in place; silent elsewhere (logs and CI stay clean).

    Called from the thread that reads the workers' reports as well as the build's, so it locks.
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.done = 0
        self.current: dict[str, str] = {}
        self.lock = threading.Lock()

    def stage(self, label: str, stage: str, done: int, total: int) -> None:
        percent = f" {100 * done // total}%" if total > 1 else ""
        with self.lock:
            self.current[label] = f"{stage}{percent}"
            self._draw()

    def finished(self, label: str) -> None:
        with self.lock:
            self.done += 1
            self.current.pop(label, None)
            self._draw()

    def close(self) -> None:
        if self.enabled:
            with self.lock:
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled:
            return
        busy = "; ".join(f"{label}: {stage}" for label, stage in self.current.items())
        text = f"{self.done}/{self.total} episodes" + (f" | {busy}" if busy else "")
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r\x1b[K" + (text if len(text) <= width else text[: width - 1] + "…"))
        self.stream.flush()


def summary_table(reports: list[EpisodeReport]) -> str:
    """The build's episodes as a table, in the series file's order."""
    rows = [("Episode", "Length", "LUFS", "Result", "Seconds")]
    for report in reports:
        rows.append((
            report.label,
            _length(report.duration),
            f"{report.loudness_lufs:.1f}" if report.loudness_lufs is not None else "-",
            report.status,
            f"{report.seconds:.1f}" if report.status in ("rendered", "failed") else "-",
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    align = ["<", ">", ">", "<", ">"]
    return "\n".join(
        "  ".join(f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths)).rstrip() for row in rows
    )


def _length(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"
