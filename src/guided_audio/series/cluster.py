"""Episodes handed to a Dask distributed cluster: `--scheduler tcp://HOST:8786`.

An existing engine rather than our own: Dask's scheduler places the tasks, retries them
when a worker is lost, and carries the results back. A task holds every file it needs and
its outcome holds every file made, so the workers need guided-audio installed but no disk
shared with the build; each renders with its own phrase cache (its user's cache folder, or
GUIDED_AUDIO_CACHE where it runs).
"""

from __future__ import annotations

import logging
import re
import socket
import urllib.parse
from typing import Iterator

from guided_audio.errors import SeriesError, option
from guided_audio.series.render import RenderOutcome, RenderTask, Report, render

log = logging.getLogger(__name__)

CONNECT_SECONDS = 15
PROBE_SECONDS = 5
INSTALL_HINT = "pip install 'guided-audio[cluster]'"


SCHEMES = ("tcp", "tls")
"""Addresses a Dask scheduler listens on across machines (inproc:// is one process's own)."""


def check_scheduler(address: str) -> str:
    """`tcp://HOST:PORT` (or `tls://`; a bare `HOST:PORT` means tcp), checked before any work:
    Dask itself takes a malformed address only after a long wait, and then a traceback."""
    text = address.strip()
    if "://" not in text:
        text = f"tcp://{text}"
    example = "give the scheduler's address like tcp://192.168.1.5:8786"
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    host_ok = parts is not None and re.fullmatch(r"[A-Za-z0-9.:_-]+", parts.hostname or "")
    if not host_ok or parts.scheme not in SCHEMES or port is None or parts.path not in ("", "/"):
        shown = address if len(address) <= 80 else address[:80] + "..."
        raise SeriesError(f"{option('scheduler')} {shown!r} is not a scheduler address; {example}")
    return f"{parts.scheme}://{parts.netloc}"


def run_on_cluster(tasks: list[RenderTask], scheduler: str, report: Report) -> Iterator[RenderOutcome]:
    """Each task's outcome as the cluster finishes it."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise SeriesError(f"{option('scheduler')} needs Dask's distributed package; install it with {INSTALL_HINT}") from None
    if not tasks:
        return
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SeriesError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with `dask scheduler` "
            f"and workers with `dask worker {scheduler}`, or build here without {option('scheduler')}"
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


def check_reachable(scheduler: str) -> None:
    """Fail at once when nothing listens there: Dask would retry for CONNECT_SECONDS, then
    leave a client whose clean-up waits 30 s more and prints a traceback."""
    parts = urllib.parse.urlsplit(scheduler)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=PROBE_SECONDS).close()
    except OSError as exc:
        raise SeriesError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc.strerror or exc}); start one with `dask scheduler` "
            f"and workers with `dask worker {scheduler}`, or build here without {option('scheduler')}"
        ) from None
