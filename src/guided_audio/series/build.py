"""`build`: a series file in, every episode, feed, playlist and page out, redoing only what changed.

    from guided_audio.series.build import BuildOptions, build_series
    result = build_series("course.toml", BuildOptions(output=Path("course")))

Read and check the whole file (nothing is written when it is wrong), plan from the
fingerprints, render what changed (here in parallel, or on a Dask cluster), put each
finished episode in place whole, remove episodes gone from the file, then publish each
folder (the series', or each listener's) with only its complete episodes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from guided_audio.errors import OutputError, option
from guided_audio.output import write_atomically
from guided_audio.publish.episodes import Episode, read_episode
from guided_audio.publish.feed import FEED_NAME, FeedOptions, build_feed
from guided_audio.publish.page import PAGE_NAME, WEB_MANIFEST_NAME, WORKER_NAME, write_page
from guided_audio.publish.playlist import PLAYLIST_NAME, write_playlist
from guided_audio.series.check import check_series
from guided_audio.series.cluster import check_reachable, check_scheduler, run_on_cluster
from guided_audio.series.local import default_jobs, run_local
from guided_audio.series.plan import (
    BuildPlan, Planned, build_record, episode_mp3, plan_build, read_manifest, remove_episode,
)  # fmt: skip
from guided_audio.series.progress import EpisodeReport, ProgressLine
from guided_audio.series.render import make_task, write_outcome
from guided_audio.series.spec import SeriesSpec, read_series

log = logging.getLogger(__name__)

STATE_NAME = ".series.json"
"""In the output folder: the day the series was first built (undated episodes count from it)."""


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None
    """Default: output/ and the series file's name without .toml."""
    jobs: int | None = None
    """Episodes rendered at once here; default: the cores this process may use."""
    dry_run: bool = False
    force: bool = False
    scheduler: str | None = None
    """A Dask scheduler's address (tcp://HOST:8786): render there instead."""


@dataclass
class BuildResult:
    series: SeriesSpec
    root: Path
    reports: list[EpisodeReport]
    removed: list[Path] = field(default_factory=list)
    feeds: list[Path] = field(default_factory=list)
    """Each folder's feed.xml (or playlist, without a base_url)."""
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def failed(self) -> list[EpisodeReport]:
        return [r for r in self.reports if r.status == "failed"]


def build_series(
    path: Path | str, options: BuildOptions = BuildOptions(), *, progress: ProgressLine | None = None
) -> BuildResult:
    started = time.perf_counter()
    if options.scheduler:
        options = dataclasses.replace(options, scheduler=check_scheduler(options.scheduler))
    series = read_series(Path(path))
    checked = check_series(series)
    root = Path(options.output or Path("output") / Path(path).stem).expanduser()
    plan = plan_build(root, checked.jobs, force=options.force)
    if options.dry_run:
        reports = [_report(root, p, f"would render: {p.reason}" if p.renders else "unchanged", planned_length=True)
                   for p in plan.episodes]  # fmt: skip
        return BuildResult(series, root, reports, plan.dropped, [], time.perf_counter() - started, dry_run=True)
    if options.scheduler:
        check_reachable(options.scheduler)  # before the output folder is made
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {root}: {exc.strerror or exc}; choose another {option('output')}") from None
    progress = progress or ProgressLine(0, enabled=False)
    reports = {planned.job.label: _report(root, planned, "unchanged") for planned in plan.episodes if not planned.renders}
    reports |= _render(root, plan, options, progress, checked.warned)
    for mp3 in plan.dropped:
        remove_episode(mp3)
        log.info("removed %s: no longer in %s", mp3, series.path.name)
    _retire_folders(root, plan)
    ordered = [reports[planned.job.label] for planned in plan.episodes]
    feeds = _publish(series, root, plan, ordered)
    return BuildResult(series, root, ordered, plan.dropped, feeds, time.perf_counter() - started)


def _render(
    root: Path, plan: BuildPlan, options: BuildOptions, progress: ProgressLine, said: set[str]
) -> dict[str, EpisodeReport]:
    """Render each distinct episode once (listeners a template does not personalise share one
    rendering), put it in every folder that wants it, and report each as it finishes."""
    groups: dict[str, list[Planned]] = {}
    for planned in plan.to_render:
        groups.setdefault(planned.fingerprint, []).append(planned)
    # Longest first, so the last to finish is a short one and no worker waits long on another.
    tasks = sorted((make_task(group[0]) for group in groups.values()), key=lambda t: -t.request.minutes)
    progress.total = len(tasks)
    if options.scheduler:
        outcomes = run_on_cluster(tasks, options.scheduler, progress.stage)
    else:
        outcomes = run_local(tasks, options.jobs or default_jobs(), progress.stage)
    reports = {}
    for task, outcome in _paired(tasks, outcomes):
        for warning in outcome.warnings:
            if warning not in said:
                log.warning("%s", warning)
                said.add(warning)
        for planned in groups[task.fingerprint]:
            label = planned.job.label
            if outcome.ok:
                write_outcome(root, planned, outcome)
                reports[label] = EpisodeReport(label, outcome.title, "rendered", outcome.seconds, outcome.duration,
                                               outcome.loudness_lufs, rendered_by=outcome.rendered_by)  # fmt: skip
            else:
                reports[label] = EpisodeReport(label, outcome.title, "failed", outcome.seconds, error=outcome.error)
        progress.finished(outcome.label)
    progress.close()
    return reports


def _paired(tasks, outcomes):
    by_label = {task.label: task for task in tasks}
    for outcome in outcomes:
        yield by_label[outcome.label], outcome


def _retire_folders(root: Path, plan: BuildPlan) -> None:
    """A folder left with none of the series' episodes (a listener taken out of the file) stops
    offering them: its feed, playlist and page go, so no app keeps asking for removed audio."""
    wanted = {root / planned.job.folder for planned in plan.episodes}
    for folder in {mp3.parent for mp3 in plan.dropped} - wanted:
        if any(build_record(mp3) for mp3 in folder.glob("*.mp3")):
            continue
        for name in (FEED_NAME, PLAYLIST_NAME, PAGE_NAME, WEB_MANIFEST_NAME, WORKER_NAME):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
        log.info("%s has no episode of the series left: removed its feed, playlist and page", folder)


def _report(root: Path, planned: Planned, status: str, *, planned_length: bool = False) -> EpisodeReport:
    """`planned_length`: an episode that would render has the length asked for (a session is
    exactly its minutes), not the old one's, nor none for a new episode."""
    manifest = read_manifest(episode_mp3(root, planned.job))
    duration = manifest.duration if manifest else None
    if planned_length and planned.renders:
        duration = planned.job.request.minutes * 60
    loudness = manifest.loudness_lufs if manifest and not planned.renders else None
    return EpisodeReport(planned.job.label, planned.job.episode.title, status, 0.0, duration, loudness)


def release_dates(series: SeriesSpec, root: Path) -> dict[int, datetime.datetime]:
    """Each episode's date: its own, else the one before it's (the first: the series' start,
    else the day it was first built); a minute apart each, so apps list them in file order."""
    day = series.start or _first_built(root)
    dates = {}
    for episode in series.episodes:
        day = episode.date or day
        moment = datetime.datetime.combine(day, datetime.time(6, 0), tzinfo=datetime.timezone.utc)
        dates[episode.index] = moment + datetime.timedelta(minutes=episode.index)
    return dates


def _first_built(root: Path) -> datetime.date:
    state = root / STATE_NAME
    try:
        return datetime.date.fromisoformat(json.loads(state.read_text(encoding="utf-8"))["started"])
    except (OSError, ValueError, KeyError, TypeError):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        write_atomically(state, (json.dumps({"started": today.isoformat()}) + "\n").encode("utf-8"))
        return today


def _publish(series: SeriesSpec, root: Path, plan: BuildPlan, reports: list[EpisodeReport]) -> list[Path]:
    """A feed (or, without base_url, a playlist and page) per folder, of its complete episodes."""
    dates = release_dates(series, root)
    status = {report.label: report.status for report in reports}
    folders: dict[str, list[Episode]] = {}
    for planned in plan.episodes:
        job = planned.job
        mp3 = root / job.folder / f"{job.episode.file}.mp3"
        folders.setdefault(job.folder, [])
        if status[job.label] != "failed" or (mp3.is_file() and mp3.with_suffix(".json").is_file()):
            # A failed re-render leaves the episode as it was, complete: it stays listed.
            if mp3.is_file():
                folders[job.folder].append(dataclasses.replace(
                    read_episode(mp3), published=dates[job.episode.index], number=job.episode.index + 1
                ))
    written = []
    for name, episodes in folders.items():
        folder = root / name
        if not episodes:
            log.warning("no episode of %s is complete yet; its feed is not written", folder)
            continue
        if series.base_url:
            base = series.base_url.rstrip("/") + (f"/{name}" if name else "")
            options = FeedOptions(base_url=base, title=series.title, author=series.author,
                                  description=series.description, language=series.language, cover=series.cover)  # fmt: skip
            written.append(build_feed(folder, options, episodes).feed)
        else:
            written.append(write_playlist(folder, episodes, series.title))
            write_page(folder, series.title, episodes=episodes, language=series.language.lower())
    return written
