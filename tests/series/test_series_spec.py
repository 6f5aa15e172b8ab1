"""A series file is checked whole before any synthesis: every error names the line and the episode."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from guided_audio.cli import cli
from guided_audio.errors import SeriesError
from guided_audio.series.check import check_series
from guided_audio.series.lines import locate
from guided_audio.series.spec import read_series, slug

GOOD = """\
[series]
title = "Evenings"
author = "Sam"
vars = { name = "Ana" }

[[episode]]
title = "Breathe"
template = "deep-breathing"
minutes = 3
background = "rain"

[[episode]]
title = "A forest"
template = "guided-imagery"
minutes = 6
vars = { scene = "forest" }

[[episode]]
title = "Kind words"
template = "affirmations"
minutes = 4
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "course.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SeriesError) as caught:
        check_series(read_series(path))
    return str(caught.value)


def test_a_good_file_gives_one_checked_request_per_episode(tmp_path):
    jobs = check_series(read_series(write(tmp_path, GOOD))).jobs
    assert [job.episode.file for job in jobs] == ["breathe", "a-forest", "kind-words"]
    breathe, forest, kind = (job.request for job in jobs)
    assert (breathe.minutes, breathe.background, breathe.title, breathe.album, breathe.author) == (3, "rain", "Breathe", "Evenings", "Sam")
    assert forest.variables == {"scene": "forest"}
    # the series' var goes only where the template takes it
    assert kind.variables == {"name": "Ana"} and "name" not in breathe.variables


@pytest.mark.parametrize(
    "change, line, expected",
    [
        (("minutes = 6\n", "minuts = 6\n"), 15, "episode 'A forest': unknown key 'minuts' in [[episode]]; did you mean 'minutes'?"),
        (('template = "guided-imagery"', 'template = "guided-imagry"'), 14, "episode 'A forest': "),
        (("minutes = 3\n", "minutes = 1\n"), 9, "episode 'Breathe': "),
        (('scene = "forest"', 'scene = "moon"'), 16, "episode 'A forest': "),
        (('title = "Kind words"', 'title = "Kind words"\nfile = "breathe"'), 20, "file name 'breathe' is used twice"),
        (("minutes = 4\n", "minutes = \"four\"\n"), 21, "episode 'Kind words': minutes should be a number"),
        (('author = "Sam"', 'author = "Sam'), 3, ""),
    ],
)
def test_errors_name_the_line_and_the_episode(tmp_path, change, line, expected):
    message = error_of(tmp_path, GOOD.replace(*change))
    assert message.startswith(f"course.toml:{line}: "), message
    assert expected in message
    assert "\n" not in message


def test_the_template_lengths_var_and_background_messages_say_the_fix(tmp_path):
    assert "guided-imagery" in error_of(tmp_path, GOOD.replace('"guided-imagery"', '"guided-imagry"'))
    short = error_of(tmp_path, GOOD.replace("minutes = 3\n", "minutes = 1\n"))
    assert "minutes" in short and "--minutes" not in short
    assert "forest" in error_of(tmp_path, GOOD.replace('scene = "forest"', 'scene = "moon"'))
    assert "rain" in error_of(tmp_path, GOOD.replace('"rain"', '"rainn"'))


def test_a_var_no_template_takes_and_a_listener_var_that_breaks_a_template(tmp_path):
    assert error_of(tmp_path, GOOD.replace('name = "Ana"', 'nmae = "Ana"')).startswith("course.toml:4: [series] sets var 'nmae'")
    too_long = GOOD + '\n[[listener]]\nname = "Ana"\n\n[[listener]]\nname = "' + "B" * 60 + '"\n'
    message = error_of(tmp_path, too_long)
    assert message.startswith("course.toml:27: episode 'Kind words' for listener 'BBBB"), message


def test_cli_refuses_a_wrong_file_in_one_line_and_writes_nothing(tmp_path):
    path = write(tmp_path, GOOD.replace("minutes = 6\n", "minuts = 6\n"))
    result = CliRunner().invoke(cli, ["build", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == ["Error: course.toml:15: episode 'A forest': unknown key 'minuts' "
                                                  "in [[episode]]; did you mean 'minutes'?"]
    assert not (tmp_path / "out").exists()


def test_lines_skip_text_inside_multiline_strings_and_arrays():
    text = textwrap.dedent('''\
        [series]
        title = "x"
        description = """
        [[episode]]
        minutes = 3
        """

        [[episode]]  # first
        title = "One"
        vars = [
          "a",
        ]
        minutes = 2

        [[episode]]
        title = "Two"
        [episode.vars]
        scene = "forest"
        ''')
    lines = locate(text)
    assert lines.table("series").of("description") == 3
    first, second = lines.arrays["episode"]
    assert (first.line, first.of("minutes"), first.of("vars")) == (8, 13, 10)
    assert (second.line, second.of("title"), second.of("vars")) == (15, 16, 17)


def test_slugs():
    assert slug("Evening 2: Let go") == "evening-2-let-go"
    assert slug("Café & calm") == "cafe-calm"


def test_the_readme_example_and_the_shipped_examples_pass_the_checks(tmp_path):
    from PIL import Image

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    example = readme.split("### The series file", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "art").mkdir()
    for name in ("cover.png", "body.png"):
        Image.new("RGB", (1400, 1400), (40, 60, 90)).save(tmp_path / "art" / name)
    (tmp_path / "forest-birds.ogg").write_bytes(b"only its presence is checked before the build")
    jobs = check_series(read_series(write(tmp_path, example))).jobs
    assert [job.label for job in jobs] == [f"{who}/{file}" for who in ("ana", "ben")
                                           for file in ("evening-1", "let-the-body-go", "kind-words-then-sleep",
                                                        "a-forest-path")]  # fmt: skip
    ana, ben = jobs[0].request, jobs[4].request
    assert ana.variables == {"tones": "true"} and ben.variables == {"tones": "true", "pattern": "coherent"}
    assert jobs[1].request.cover == tmp_path / "art" / "body.png" and ana.cover == tmp_path / "art" / "cover.png"
    assert jobs[3].request.seed == 3 and jobs[1].request.seed is None  # no background: the seed shapes nothing
    assert jobs[2].request.variables == {"name": "Ana"} and len(jobs[2].request.parts) == 2
    for path in sorted((root / "examples").glob("*.toml")):
        assert check_series(read_series(path)).jobs, path


def test_a_var_naming_a_file_is_found_beside_the_series_and_its_content_is_in_the_fingerprint(tmp_path):
    import os

    from guided_audio.series.plan import fingerprint

    (tmp_path / "mine.txt").write_text("I am allowed to rest.\nI am doing my best.\n")
    text = GOOD.replace('minutes = 4\n', 'minutes = 4\nvars = { file = "mine.txt" }\n')
    job = check_series(read_series(write(tmp_path, text))).jobs[2]
    assert job.request.variables["file"] == str(tmp_path / "mine.txt")
    before = fingerprint(job)
    (tmp_path / "mine.txt").write_text("I am allowed to rest.\nI can go slowly.\n")
    os.utime(tmp_path / "mine.txt", ns=(1, 1))
    assert fingerprint(job) != before


def test_an_episode_of_several_parts(tmp_path):
    text = GOOD.replace('template = "guided-imagery"\nminutes = 6\nvars = { scene = "forest" }',
                        'parts = ["deep-breathing:2:pattern=box", "guided-imagery:4:scene=forest"]')
    job = check_series(read_series(write(tmp_path, text))).jobs[1]
    assert [str(part) for part in job.request.parts] == ["deep-breathing:2:pattern=box", "guided-imagery:4:scene=forest"]
    assert job.request.minutes == 6 and [t.name for t in job.templates] == ["deep-breathing", "guided-imagery"]
    short = error_of(tmp_path, text.replace("guided-imagery:4", "guided-imagery:1"))
    assert short.startswith("course.toml:14: episode 'A forest': part 2 (guided-imagery:1:scene=forest): "), short
    both = error_of(tmp_path, text.replace('parts = [', 'minutes = 6\nparts = ['))
    assert "either parts or template and minutes" in both
