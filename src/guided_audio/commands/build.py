"""`guided-audio build`: a whole series (course, podcast season) from one TOML file."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("series_file", metavar="SERIES.toml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Folder for the episodes and feed [default: output/NAME for NAME.toml].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Episodes rendered at once [default: the machine's cores].")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would be rendered, writing nothing.")
@click.option("--force", is_flag=True, help="Render every episode again, changed or not.")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Render on a Dask cluster at this scheduler (pip install 'guided-audio[cluster]').")
@click.option("--quiet", "-q", is_flag=True, help="No progress line or summary table.")
def build(series_file: Path, output: Path | None, jobs: int | None, dry_run: bool, force: bool,
          scheduler: str | None, quiet: bool) -> None:  # fmt: skip
    """Build every episode of SERIES.toml, its feed and playlist; a re-run redoes only what changed.

    \b
    Example:
        guided-audio build examples/wind-down-week.toml --output wind-down
    """
    from guided_audio.errors import SeriesError
    from guided_audio.series.build import BuildOptions, build_series
    from guided_audio.commands.report import counted
    from guided_audio.series.progress import ProgressLine, summary_table

    options = BuildOptions(output=output, jobs=jobs, dry_run=dry_run, force=force, scheduler=scheduler)
    progress = ProgressLine(0, enabled=not quiet and sys.stderr.isatty())
    result = build_series(series_file, options, progress=progress)
    if not quiet:
        click.echo(summary_table(result.reports))
        rendered = sum(r.status == "rendered" for r in result.reports)
        removed = f", {len(result.removed)} removed" if result.removed else ""
        if result.dry_run:
            gone = f"; {counted(len(result.removed), 'episode')} gone from the file would be removed" if result.removed else ""
            click.echo(f"Dry run: nothing written to {result.root}{gone}")
        else:
            wrote = ", ".join(str(path) for path in result.feeds) or "no feed"
            click.echo(f"{rendered} rendered, {len(result.reports) - rendered - len(result.failed)} unchanged"
                       f"{removed} in {result.seconds:.1f} s; wrote {wrote}")  # fmt: skip
    for report in result.failed:
        click.echo(f"error: episode {report.label!r} failed: {report.error}", err=True)
    if result.failed:
        count = len(result.failed)
        raise SeriesError(
            f"{count} episode{'s' if count > 1 else ''} failed (above); the others are built and in the feed; "
            "fix the cause and run build again to render only what is missing"
        )
