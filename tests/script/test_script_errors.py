"""Mistakes in a template file are named by its file and its own line, and nothing broken is spoken."""

from __future__ import annotations

from pathlib import Path

import pytest

from guided_audio.errors import GuidedAudioError, MarkupError
from guided_audio.script import templates
from guided_audio.script.lengths import script
from guided_audio.script.markup import Speech, parse

FRONT = '+++\ntitle = "Mine"\n[params.n]\ntype = "int"\ndefault = 2\n+++\n'
"""Six lines of front matter: a line count that forgets them is off by six."""


def error_of(tmp_path: Path, text: str, minutes: float = 2, variables=None) -> str:
    path = tmp_path / "mine.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GuidedAudioError) as exc:
        script(templates.load_file(path), minutes, variables or {})
    return str(exc.value).replace(str(path), "mine.txt")


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("Welcome.\n[bogus tag]\n", 8, "unknown tag [bogus tag]"),
        # Jinja's loop and blank lines change the rendered line count, not the file's
        ("Welcome.\n{% for i in range(n) %}\nBreathe in. [pause 2s]\n{% endfor %}\n\nRest. [pause five]\n",
         12, "[pause five]: cannot read duration 'five'"),
        ("{% if n > 1 %}\n\n\n{% endif %}Calm {{ 'now' }} [chapter]\n", 10, "[chapter] needs a title"),
        ("One.\n{% for i in range(3) %}{{ i }} [phase in 4x]\n{% endfor %}", 8, "[phase in 4x]: cannot read duration '4x'"),
    ],
)
def test_markup_errors_name_the_file_and_its_own_line(tmp_path, body, line, message):
    assert error_of(tmp_path, FRONT + body).startswith(f"mine.txt:{line}: {message}")


def test_a_template_that_measures_its_own_text_still_gets_the_right_line(tmp_path):
    """The marks that locate a line would change `length`; the words are then found directly."""
    body = "A.\n{% set s %}[pause x]{% endset %}\n{{ s }} {{ s|length }}\n"
    assert error_of(tmp_path, FRONT + body).startswith("mine.txt:8: [pause x]: cannot read duration 'x'")


def test_a_tag_written_by_a_value_is_placed_on_the_line_that_wrote_it(tmp_path):
    body = "Hello.\n\n{{ '[pause ' ~ n ~ 'x]' }} and on.\n"
    assert error_of(tmp_path, FRONT + body).startswith("mine.txt:9: [pause 2x]: cannot read duration '2x'")


@pytest.mark.parametrize(
    "text, message",
    [
        ("Hello [pause 3s", "line 1: '[pause 3s' opens a tag with [ that is never closed on its line; close it with ]"),
        ("Hello.\n[pause 3s\n]", "line 2: '[pause 3s' opens a tag with [ that is never closed"),
        ("Rest now.] Good.", "line 1: 'Rest now.]' has a ] that closes no tag"),
        ("[pause 1s]] ok", "line 1: '[pause 1s]]' has a ] that closes no tag"),
        ("ok [pause [3s]", "line 1: '[pause [3s]' opens a tag with [ that is never closed"),
        ("Three < four.", "line 1: '< four.' has a < that starts no tag; write it in words"),
        ("Calm -> rest.", "line 1: 'Calm ->' has a > that ends no tag"),
    ],
)
def test_a_broken_tag_is_refused_not_spoken(text, message):
    with pytest.raises(MarkupError) as exc:
        parse(text)
    assert str(exc.value).startswith(message)
    assert "cannot be spoken" in str(exc.value)


def test_an_unclosed_tag_in_a_file_names_its_line(tmp_path):
    assert error_of(tmp_path, FRONT + "Welcome.\n\nHello [pause 3s\n").startswith(
        "mine.txt:9: '[pause 3s' opens a tag with [ that is never closed"
    )


def test_whole_tags_still_parse_beside_words():
    assert [i for i in parse("Hello. [pause 3s] There.") if isinstance(i, Speech)] == [Speech("Hello."), Speech("There.")]


def test_front_matter_after_blank_lines_is_read_not_spoken(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text('\n\n+++\ntitle = "Blank first"\n[params.word]\ndefault = "Hello"\n+++\n{{ word }}.\n[bogus]\n')
    template = templates.load_file(path)
    assert template.title == "Blank first" and list(template.params) == ["word"]
    with pytest.raises(MarkupError, match=r"blank.txt:9: unknown tag \[bogus\]"):
        script(template, 1, {})
    path.write_text('\n\n+++\ntitle = "Blank first"\n[params.word]\ndefault = "Hello"\n+++\n{{ word }}.\n')
    items, _ = script(templates.load_file(path), 1, {})
    assert [i.text for i in items if isinstance(i, Speech)] == ["Hello."]
