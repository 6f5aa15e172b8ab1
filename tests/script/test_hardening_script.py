"""Issue 20, items 13, 15 and 19: front matter types and TOML errors with the file's own line;
phrases preview accepts but the voice cannot say are refused by preview too; a template that
would fail at its first render is not listed as usable; long values are not echoed whole; a
library's Python warning is one `warning:` line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from faults import child_env

from guided_audio.cli import cli
from guided_audio.errors import ParameterError, TemplateSyntaxError, describe
from guided_audio.script import templates


def _write(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "front, line, key",
    [('title = ["a", 1]', 3, "title"), ("description = { x = 1 }", 3, "description"), ("title = 5", 3, "title")],
)
def test_front_matter_of_the_wrong_type_is_refused_with_its_line(tmp_path, front, line, key):
    path = _write(tmp_path, "t.txt", f"+++\n# a comment\n{front}\n+++\nHello.\n")
    with pytest.raises(TemplateSyntaxError) as caught:
        templates.load_file(path)
    assert str(caught.value) == f'{path}:{line}: {key} must be text in quotes, like {key} = "Evening rest"'


def test_a_toml_error_names_the_files_own_line(tmp_path):
    path = _write(tmp_path, "t.txt", '\n+++\ntitle = "x"\n\n\n\nbad = = 1\n+++\nHello.\n')
    with pytest.raises(TemplateSyntaxError) as caught:
        templates.load_file(path)
    assert str(caught.value).startswith(f"{path}:7: front matter is not valid TOML: Invalid value")


@pytest.mark.parametrize("phrase, detail", [("Hi\0", "U+0000 (a control character)"),
                                             ("\u200b\u200b", "has no words to speak")])  # fmt: skip
def test_preview_refuses_a_phrase_the_voice_cannot_say(tmp_path, phrase, detail):
    path = _write(tmp_path, "t.txt", f"Hello there.\n{phrase}\n[pause 3s+]\n")
    result = CliRunner().invoke(cli, ["preview", str(path), "-m", "1"])
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith(f"Error: {path}:2: ") and detail in result.output


def test_templates_lists_a_file_with_a_jinja_or_tag_error_as_unusable(tmp_path):
    _write(tmp_path, "syntax.txt", "+++\ntitle = 'S'\n+++\nHello {{ x \n")
    _write(tmp_path, "tag.txt", "+++\ntitle = 'T'\n+++\nHello.\n[pouse 3s]\n")
    _write(tmp_path, "fine.txt", "+++\ntitle = 'F'\n+++\nHello.\n[pause 3s+]\n")
    found = templates.catalogue([tmp_path])
    assert "fine" in [t.name for t in found.templates]
    broken = {path.name: reason for path, reason in found.broken}
    assert set(broken) == {"syntax.txt", "tag.txt"}
    assert broken["syntax.txt"].startswith(f"{tmp_path / 'syntax.txt'}:4: ")
    assert broken["tag.txt"].startswith(f"{tmp_path / 'tag.txt'}:5: unknown tag [pouse 3s]")


def test_a_long_value_is_not_echoed_whole():
    message, _ = describe(ParameterError(f"name={'x' * 100_000!r} is 100000 characters long; keep it to 40"))
    assert len(message) < 200 and "(100,000 characters)" in message and message.endswith("keep it to 40")


def test_a_python_warning_from_a_library_is_one_warning_line(tmp_path):
    code = ("import warnings, sys\nfrom guided_audio.commands import logs\nlogs.configure(0)\n"
            "from PIL import Image\nwarnings.warn('Image size (90250000 pixels) exceeds limit', "
            "Image.DecompressionBombWarning)\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env())
    assert done.stderr.splitlines() == ["warning: Image size (90250000 pixels) exceeds limit"], done.stderr
