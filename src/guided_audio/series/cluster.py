"""Episodes handed to a Dask distributed cluster: `--scheduler tcp://HOST:8786`.

An existing engine rather than our own: Dask's scheduler places the tasks, retries them
when a worker is lost, and carries the results back. A task holds every file it needs and
its outcome holds every file made, so the workers need guided-audio installed but no disk
shared with the build; each renders with its own phrase cache (its user's cache folder, or
GUIDED_AUDIO_CACHE where it runs).
"""

from __future__ import annotations

import logging
from typing import Iterator

from guided_audio.errors import SeriesError
from guided_audio.series.render import RenderOutcome, RenderTask, Report, render

log = logging.getLogger(__name__)

CONNECT_SECONDS = 15
INSTALL_HINT = "pip install 'guided-audio[cluster]'"


def run_on_cluster(tasks: list[RenderTask], scheduler: str, report: Report) -> Iterator[RenderOutcome]:
    """Each task's outcome as the cluster finishes it."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise SeriesError(f"--scheduler needs Dask's distributed package; install it with {INSTALL_HINT}") from None
    if not tasks:
        return
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SeriesError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with `dask scheduler` "
            f"and workers with `dask worker {scheduler}`, or build here without --scheduler"
        ) from None
    with client:
        workers = len(client.scheduler_info().get("workers", {}))
        log.info("rendering %d episodes on %d Dask workers at %s", len(tasks), workers, scheduler)
        futures = {client.submit(render, task, pure=False, key=f"guided-audio-{task.label}-{task.fingerprint[:12]}"): task
                   for task in tasks}  # fmt: skip
        for task in tasks:
            report(task.label, "Queued on the cluster", 0, 1)
        for future in as_completed(futures, loop=client.loop):
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # the cluster's failure (a worker lost too often), not the render's
                outcome = RenderOutcome(task.label, task.title, error=f"the cluster could not render it: {exc}")
            report(task.label, "Done", 1, 1)
            yield outcome
