"""Issue 20, item 8 (and the non-audio background of item 20): a FIFO or a device given where a
regular file is wanted is refused in one line, at once, instead of blocking the command."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from guided_audio.cli import cli


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def _run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output.splitlines()


@pytest.mark.parametrize("device", ["fifo", "/dev/urandom", "/dev/zero"])
def test_a_fifo_or_device_as_background_is_refused(tmp_path, fifo, device):
    path = str(fifo) if device == "fifo" else device
    code, lines = _run("generate", "deep-breathing", "-m", "2", "-o", str(tmp_path / "s.mp3"), "--background", path)
    assert code == 1 and lines == [
        f"Error: background {path} is not a regular file (a pipe or a device); give an audio file"
    ]


def test_a_fifo_as_a_lines_file_is_refused(tmp_path, fifo):
    code, lines = _run("preview", "affirmations", "-m", "5", "--var", f"file={fifo}")
    assert code == 1 and len(lines) == 1 and "is not a regular file (a pipe or a device)" in lines[0], lines


def test_a_fifo_as_the_series_file_or_cover_is_refused(tmp_path, fifo):
    code, lines = _run("build", str(fifo), "--dry-run")
    assert code == 1 and lines == [f"Error: {fifo} is not a regular file; give the series' .toml file"]
    code, lines = _run("generate", "deep-breathing", "-m", "2", "-o", str(tmp_path / "s.mp3"), "--cover", str(fifo))
    assert code == 1 and len(lines) == 1 and "is not a regular file" in lines[0], lines


def test_a_background_with_no_sound_says_so_in_plain_words(tmp_path):
    from PIL import Image

    image = tmp_path / "photo.png"
    Image.new("RGB", (8, 8)).save(image)
    text = tmp_path / "notes.mp3"
    text.write_text("not sound")
    from guided_audio.errors import BackgroundError
    from guided_audio.mix.background import choose

    with pytest.raises(BackgroundError, match=r"\(it holds no sound: an image, or a video without audio\)"):
        choose(str(image), seed=1, seconds=10)
    with pytest.raises(BackgroundError, match=r"\(not an audio file\)"):
        choose(str(text), seed=1, seconds=10)
