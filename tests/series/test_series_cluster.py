"""The same series on a real Dask cluster (two worker processes, no shared state but the disk we don't use)."""

from __future__ import annotations

import os
import shutil
import socket

import numpy as np
import pytest

from audio_probe import load
from guided_audio.series.build import BuildOptions, build_series
from series_files import build_three

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def three(tmp_path_factory, phrase_cache_dir):
    return build_three(tmp_path_factory.mktemp("three-here"), phrase_cache_dir)


def test_a_local_cluster_builds_the_same_episodes(three, tmp_path, monkeypatch, phrase_cache_dir):
    """Piper speaks a phrase a little differently each time, so the same samples need the same
    recordings: the workers' own cache starts as a copy of this one (as a warmed cache would be
    handed to a cluster), and the build's own cache stays unused."""
    worker_cache = tmp_path / "worker-cache"
    shutil.copytree(phrase_cache_dir, worker_cache)
    monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(worker_cache))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        monkeypatch.setenv("GUIDED_AUDIO_CACHE", str(tmp_path / "unused-build-cache"))
        result = build_series(three.series, BuildOptions(output=tmp_path / "out", scheduler=cluster.scheduler_address))
    assert [r.status for r in result.reports] == ["rendered"] * 3, result.reports
    assert not (tmp_path / "unused-build-cache").exists()
    workers = {report.rendered_by for report in result.reports}
    assert f"{socket.gethostname()}:{os.getpid()}" not in workers and all(workers), workers
    for name in ("breathing-with-rain", "let-the-body-go", "a-forest-path"):
        here, _ = load(three.folder / f"{name}.mp3")
        there, _ = load(tmp_path / "out" / f"{name}.mp3")
        assert here.shape == there.shape and np.array_equal(here, there), name
    assert (tmp_path / "out" / "feed.xml").read_text().count("<item>") == 3


def test_an_unreachable_scheduler_is_one_error_line(tmp_path):
    from click.testing import CliRunner

    from guided_audio.cli import cli

    series = tmp_path / "one.toml"
    series.write_text('[series]\ntitle = "One"\n\n[[episode]]\ntitle = "Breathe"\ntemplate = "deep-breathing"\nminutes = 2\n')
    result = CliRunner().invoke(cli, ["build", str(series), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code != 0
    assert result.output.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9"), result.output
    assert len(result.output.strip().splitlines()) == 1
