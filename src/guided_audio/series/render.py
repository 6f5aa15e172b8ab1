"""One episode rendered anywhere: a self-contained task in, the finished files' bytes out.

A task carries the template, cover and background file contents it needs, so a worker on
another machine renders it without a shared disk; the outcome carries every file back, and
only the machine running the build writes into the output folder (the manifest last, so an
episode whose manifest has the new fingerprint is complete).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from guided_audio.errors import GuidedAudioError, describe
from guided_audio.mix import background as backgrounds
from guided_audio.output import WRITTEN, signals_held, temp_folder, write_atomically
from guided_audio.publish.manifest import BuildRecord, Manifest
from guided_audio.series.check import file_vars
from guided_audio.series.lines import in_file_words, key_name
from guided_audio.series.plan import Planned, episode_mp3
from guided_audio.session import SessionRequest, generate

log = logging.getLogger(__name__)

Report = Callable[[str, str, int, int], None]
"""(episode label, stage, done, total): how a render tells the build where it is."""


@dataclass(frozen=True)
class RenderTask:
    label: str
    title: str
    stem: str
    request: SessionRequest
    fingerprint: str
    inputs: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """'template', 'cover', 'background': (file name, content) of the user's own files."""


@dataclass
class RenderOutcome:
    label: str
    title: str
    files: dict[str, bytes] | None = None
    """'mp3', 'json', 'vtt', 'chapters.json' -> bytes; None when it failed."""
    error: str | None = None
    seconds: float = 0.0
    duration: float = 0.0
    loudness_lufs: float | None = None
    warnings: list[str] = field(default_factory=list)
    rendered_by: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    """The machine and process that rendered it (a cluster's worker, or this build)."""

    @property
    def ok(self) -> bool:
        return self.files is not None


def make_task(planned: Planned) -> RenderTask:
    request, inputs = planned.job.request, {}
    if not planned.job.template.builtin and not request.parts:
        inputs["template"] = _file(Path(request.template))
    if request.cover is not None:
        inputs["cover"] = _file(Path(request.cover))
    if request.background not in (backgrounds.NONE, *backgrounds.names()):
        inputs["background"] = _file(Path(request.background))
    for name in file_vars(planned.job.template, request.variables) if not request.parts else ():
        inputs[f"var:{name}"] = _file(Path(request.variables[name]))
    job = planned.job
    return RenderTask(job.label, job.episode.title, job.episode.file, request, planned.fingerprint, inputs)


def render(task: RenderTask, report: Report | None = None) -> RenderOutcome:
    """Render in a private temporary folder; every failure comes back as the outcome's error."""
    started = time.perf_counter()
    originals: dict[str, str] = {}
    try:
        with temp_folder("episode") as temp:
            folder = Path(temp)
            request = _localised(task, folder, originals)
            progress = (lambda stage, done, total: report(task.label, stage, done, total)) if report else None
            result = generate(request, progress=progress)
            files = {ext: path.read_bytes() for ext, path in result.files.by_extension().items()}
            manifest = Manifest.read(result.files.json)
            with contextlib.suppress(ValueError):  # our private copy, not a file of the user's
                WRITTEN.remove(result.files.mp3)
        manifest.build = BuildRecord(task.fingerprint, len(files["mp3"]))  # marks the episode as the build's
        files["json"] = manifest.to_json().encode("utf-8")
        mastered = result.mastered
        return RenderOutcome(
            task.label, task.title, files, None, time.perf_counter() - started,
            result.plan.timeline.seconds, mastered.loudness_lufs, [in_file_words(n) for n in result.warnings],
        )  # fmt: skip
    except Exception as exc:  # an episode's failure (or a bug) must not stop the others
        if not isinstance(exc, GuidedAudioError):
            log.debug("episode %s failed:\n%s", task.label, traceback.format_exc())
        error, _ = describe(exc, key_name)  # the one line a command gives, in the series file's words
    for copy, original in originals.items():  # name the user's file, not our copy of it
        error = error.replace(copy, original)
    return RenderOutcome(task.label, task.title, None, error, time.perf_counter() - started)


def write_outcome(root: Path, planned: Planned, outcome: RenderOutcome) -> Path:
    """Put a finished episode's files in place, the manifest (with the fingerprint) last."""
    mp3 = episode_mp3(root, planned.job)
    mp3.parent.mkdir(parents=True, exist_ok=True)
    assert outcome.files is not None
    with signals_held():  # once the first file is in place, the rest follow (an interrupt waits)
        for ext, data in sorted(outcome.files.items(), key=lambda item: item[0] == "json"):
            write_atomically(mp3 if ext == "mp3" else mp3.with_suffix(f".{ext}"), data)
        WRITTEN.append(mp3)
    return mp3


def _localised(task: RenderTask, folder: Path, originals: dict[str, str]) -> SessionRequest:
    """The request with the user's files written into `folder`, and output there too;
    `originals` learns which copy stands for which of the user's files."""
    paths: dict[str, Any] = {}
    request = task.request
    given = {"template": request.template, "cover": request.cover, "background": request.background}
    given |= {f"var:{name}": value for name, value in request.variables.items()}
    for role, (name, data) in task.inputs.items():
        path = folder / "inputs" / role.replace(":", "-") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths[role] = path
        originals[str(path)] = str(given[role])
    variables = {**request.variables, **{role[4:]: str(p) for role, p in paths.items() if role.startswith("var:")}}
    request = replace(request, output=folder / f"{task.stem}.mp3", variables=variables)
    if "template" in paths:
        request = replace(request, template=str(paths["template"]))
    if "cover" in paths:
        request = replace(request, cover=paths["cover"])
    if "background" in paths:
        request = replace(request, background=str(paths["background"]))
    return request


def _file(path: Path) -> tuple[str, bytes]:
    return path.name, path.read_bytes()
