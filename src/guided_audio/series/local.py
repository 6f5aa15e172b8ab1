"""Episodes rendered side by side on this machine, one process per core.

Processes, not threads: synthesis and mixing hold the GIL for much of their time. Each
worker is started fresh (spawn), so no lock or thread of the build is copied into it; they
share the phrase cache on disk, whose entries are written to a temporary file and renamed,
so two workers speaking the same phrase at once both leave a whole entry. Stages reach the
build through a queue and a thread that reads it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queues
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator

from guided_audio.series.render import RenderOutcome, RenderTask, Report, render

log = logging.getLogger(__name__)

_reports: "multiprocessing.Queue | None" = None
"""In a worker: where its stages go."""
PR_SET_PDEATHSIG = 1
"""prctl(2): the signal this process gets when the thread that made it ends."""
PARENT_CHECK_SECONDS = 1.0
STAGE_EVERY_SECONDS = 0.2
"""A worker says how far it is at most this often (and at every new stage)."""


def default_jobs() -> int:
    """The cores this process may use (a container's limit, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_local(tasks: list[RenderTask], jobs: int, report: Report) -> Iterator[RenderOutcome]:
    """Each task's outcome as it finishes; one job renders here, in this process."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield render(task, report)
        return
    context = multiprocessing.get_context("spawn")
    reports = context.Queue()
    reader = threading.Thread(target=_forward, args=(reports, report), daemon=True)
    reader.start()
    level = logging.getLogger().level
    try:
        with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=context, initializer=_start_worker,
                                 initargs=(reports, level, os.getpid())) as pool:  # fmt: skip
            futures: dict[Future, RenderTask] = {pool.submit(_render_reporting, task): task for task in tasks}
            for future in as_completed(futures):
                yield _outcome(future, futures[future])
    finally:
        reports.put(None)
        reader.join(timeout=5)
        reports.close()


def _outcome(future: Future, task: RenderTask) -> RenderOutcome:
    try:
        return future.result()
    except BrokenProcessPool:
        return RenderOutcome(task.label, task.title, error="its worker process died (out of memory?); run again")
    except Exception as exc:  # render() catches its own errors: this is the pool's, e.g. a result too big
        return RenderOutcome(task.label, task.title, error=f"{type(exc).__name__}: {exc}")


def _start_worker(reports, level: int, parent: int) -> None:
    global _reports
    _reports = reports
    logging.getLogger().setLevel(level)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """End this worker when the build that started it ends, even by SIGKILL (which runs no
    clean-up in the build): a worker holds hundreds of MB and would otherwise live on forever.

    On Linux the kernel does it (PR_SET_PDEATHSIG); elsewhere a thread watches the parent.
    """
    if _kernel_kills_us_with_parent():
        if os.getppid() != parent:  # the build died before we asked
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _kernel_kills_us_with_parent() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _render_reporting(task: RenderTask) -> RenderOutcome:
    last: dict[str, object] = {"stage": None, "at": 0.0}

    def report(label: str, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != last["stage"] or done >= total or now - float(last["at"]) >= STAGE_EVERY_SECONDS:
            last.update(stage=stage, at=now)
            assert _reports is not None
            _reports.put((label, stage, done, total))

    return render(task, report)


def _forward(reports, report: Report) -> None:
    while True:
        try:
            item = reports.get(timeout=1)
        except queues.Empty:
            continue
        except (EOFError, OSError):
            return
        if item is None:
            return
        report(*item)
