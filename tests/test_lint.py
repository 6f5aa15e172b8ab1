"""The code passes the linter configured in pyproject.toml ([tool.ruff]), as CI runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing_in_src_tests_and_scripts():
    result = ruff("check", "--no-cache", "src", "tests", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_lint_sees_a_problem(tmp_path):
    """The check can fail: an unused import under the project's own settings is reported."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "probe.py").write_text("import os\n", encoding="utf-8")
    result = ruff("check", "--no-cache", "probe.py", cwd=tmp_path)
    assert result.returncode == 1 and "F401" in result.stdout, result.stdout + result.stderr
