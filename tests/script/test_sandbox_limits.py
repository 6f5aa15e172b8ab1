"""Issue 20, item 5: a template cannot hang a command or eat the memory: sizes of strings and
sequences, format widths and render time are bounded, and refused with the file and line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from guided_audio.cli import cli
from guided_audio.errors import TemplateSyntaxError
from guided_audio.script import sandbox, templates


def _error(body: str) -> str:
    template = templates.parse_template(f"Hello.\n{body}\n", name="t", path=Path("t.txt"))
    started = time.perf_counter()
    with pytest.raises(TemplateSyntaxError) as caught:
        templates.render(template, 5, {})
    assert time.perf_counter() - started < 3, "the refusal took too long"
    return str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        "{{ 'x' * 10**9 }}",
        "{{ [1] * 10**9 }}",
        "{{ 10**9 * 'x' }}",
        "{{ '%0999999999d' % 1 }}",
        "{{ '%(a)0999999999d' % {'a': 1} }}",
        "{{ '%*d' % (10**9, 1) }}",
        "{{ '%0999999999d'|format(1) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '{:>{}}'.format(1, 10**9) }}",
        "{{ '{0:>999999999}'.format_map({}) }}",
        "{{ 'x'|center(10**9) }}",
        "{{ 'x'.center(10**9) }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ 'x'.zfill(10**9) }}",
        "{{ 'a\\tb'.expandtabs(10**9) }}",
        "{{ 'a\\nb'|indent(10**6) }}",
        "{{ 10**(10**10) }}",
        "{{ (10**50000) * (10**50000) }}",
        "{{ ('x' * 1000).replace('x', 'x' * 1000).replace('x', 'xx') }}",
        "{{ ([('x' * 900000)] * 1000)|join }}",
        "{{ ''.join([('x' * 900000)] * 1000) }}",
        "{% set ns = namespace(s='x' * 1000) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(s='x' * 1000) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "{{ lipsum(10**9) }}",
    ],
)
def test_what_a_template_may_build_is_bounded_and_refused_with_its_line(body):
    message = _error(body)
    assert message.startswith("t.txt:2: "), message
    assert "limit" in message or "passes" in message or "not allowed" in message, message


def test_a_render_that_runs_too_long_is_stopped_with_its_line(monkeypatch):
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.3)
    body = "{% for i in range(100000) %}{% for j in range(100000) %}{% set k = i %}{% endfor %}{% endfor %}"
    message = _error(body)
    assert message.startswith("t.txt:2: the template ran for over 0.3 s and was stopped"), message


def test_ordinary_formatting_still_works():
    template = templates.parse_template(
        "Hello {{ '%5.1f'|format(2.5) }} {{ '{:>4}'.format(7) }} {{ 'ab'|center(6) }} {{ 'x' * 3 }} {{ 'a' ~ 'b' }}.\n",
        name="t", path=Path("t.txt"),
    )  # fmt: skip
    text, _ = templates.render(template, 5, {})
    assert text == "Hello   2.5    7   ab   xxx ab.\n"


def test_preview_refuses_in_one_line_and_quickly(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Hello.\n{{ 'x' * 10**9 }}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["preview", str(path), "-m", "5"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {path}:2: a repeated string or list of 1,000,000,000 is over a template's limit of 1,000,000; "
        "a script never needs so much"
    ]
