"""Unit tests for finding, parsing and rendering templates (no audio)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guided_audio.errors import ParameterError, TemplateNotFound, TemplateSyntaxError
from guided_audio.script import markup, templates

BUILTINS = [tpl.name for tpl in templates.available() if tpl.builtin]


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def parse(text: str, name: str = "t") -> templates.Template:
    return templates.parse_template(text, name=name, path=Path(f"{name}.txt"))


def render_error(text: str, minutes: float = 5) -> str:
    with pytest.raises(TemplateSyntaxError) as exc:
        templates.render(parse(text), minutes, {})
    return str(exc.value)


# ---- front matter ----


def test_plain_file_is_a_template_titled_from_its_name(tmp_path):
    path = write(tmp_path, "my-evening-wind-down.txt", "Hello.\n[pause 3s+]\n")
    tpl = templates.load_file(path)
    assert (tpl.name, tpl.path, tpl.title) == ("my-evening-wind-down", path, "My evening wind down")
    assert (tpl.source, tpl.body_line) == ("Hello.\n[pause 3s+]\n", 1)
    assert (tpl.description, tpl.min_minutes, tpl.params, tpl.builtin) == ("", None, {}, False)


def test_front_matter_is_parsed():
    tpl = parse(
        '+++\ntitle = "Calm"\ndescription = "A calm one"\nmin_minutes = 3\n\n'
        '[params.pattern]\nchoices = ["a", "b"]\ndefault = "b"\n+++\nBody {{ pattern }}\n'
    )
    assert (tpl.title, tpl.description, tpl.min_minutes) == ("Calm", "A calm one", 3.0)
    assert isinstance(tpl.min_minutes, float)
    assert list(tpl.params) == ["pattern"]
    assert (tpl.params["pattern"].type, tpl.params["pattern"].default) == ("choice", "b")
    assert (tpl.source, tpl.body_line) == ("Body {{ pattern }}\n", 10)


@pytest.mark.parametrize(
    "text, source, body_line",
    [
        ("+++\n+++\nHi.", "Hi.", 3),
        ("+++\r\ntitle = 'x'\r\n+++\r\nHi.\r\n", "Hi.\r\n", 4),
        ("  +++  \ntitle = 'x'\n+++ \nHi.", "Hi.", 4),
        ("+++\ntitle = 'x'\n+++", "", 4),
        ("\n  \n+++\ntitle = 'x'\n+++\nHi.\n", "Hi.\n", 6),
    ],
)
def test_front_matter_fences(text, source, body_line):
    tpl = parse(text)
    assert (tpl.source, tpl.body_line) == (source, body_line)


@pytest.mark.parametrize(
    "text, message",
    [
        ("+++\ntitle = 'x'\nHello.\n", "t.txt:1: front matter opened with +++ is never closed; add a +++ line after it"),
        ("+++\n", "t.txt:1: front matter opened with +++ is never closed"),
        ("\n\n+++\ntitle = 'x'\n", "t.txt:3: front matter opened with +++ is never closed"),
        ("Hi.\n+++\ntitle = 'x'\n+++\n", "t.txt:2: a +++ line in the script; front matter goes at the very top"),
        ("+++\n+++\nHi.\n\n+++\n", "t.txt:5: a +++ line in the script"),
        ("+++\nauthor = 'me'\ntitle = 'x'\n+++\n", "t.txt: unknown front matter keys ['author']; use description, max_minutes, min_minutes, params, title"),
        ("+++\nparams = 3\n+++\n", "t.txt: declare parameters as tables, like [params.pattern]"),
        ("+++\n[params]\npattern = 'box'\n+++\n", "t.txt: declare parameters as tables, like [params.pattern]"),
        ("+++\n[params.minutes]\ntype = 'int'\n+++\n", "t.txt: parameter name 'minutes' is reserved; rename it"),
        ("+++\n[params.seconds]\n+++\n", "t.txt: parameter name 'seconds' is reserved; rename it"),
        ("+++\n[params.x]\ntype = 'integer'\n+++\n", "t.txt: parameter 'x' has type 'integer'"),
        ("+++\n[params.x]\ntype = 'choice'\n+++\n", "t.txt: choice parameter 'x' needs a list of choices"),
    ],
)
def test_front_matter_errors(text, message):
    with pytest.raises(TemplateSyntaxError) as exc:
        parse(text)
    assert str(exc.value).startswith(message)


@pytest.mark.parametrize(
    "toml, line", [("title = \n", 2), ("title = 'x\n", 2), ("[params.x\n", 2), ("title = 'a'\ntitle = 'b'\n", 3)]
)
def test_invalid_toml(toml, line):
    """The file's own line (issue 20: tomllib counts from the line after the +++)."""
    with pytest.raises(TemplateSyntaxError, match=rf"^t\.txt:{line}: front matter is not valid TOML: \S"):
        parse(f"+++\n{toml}+++\nHi.\n")


# ---- finding ----


def test_builtins_are_discovered():
    assert "deep-breathing" in BUILTINS
    found = templates.available()
    assert [t.name for t in found] == sorted(BUILTINS)
    assert all(t.builtin and t.path.parent == templates.builtin_dir() for t in found)
    assert templates.find("deep-breathing").builtin


@pytest.mark.parametrize("how", ["argument", "env"])
def test_user_folder_shadows_builtin(tmp_path, monkeypatch, how):
    folder = tmp_path / "mine"
    path = write(folder, "deep-breathing.txt", "Custom.\n")
    if how == "env":
        monkeypatch.setenv(templates.TEMPLATES_ENV, str(folder))
        tpl = templates.find("deep-breathing")
        listed = templates.available()
    else:
        tpl = templates.find("deep-breathing", [folder])
        listed = templates.available([folder])
    assert (tpl.path, tpl.source, tpl.builtin) == (path, "Custom.\n", False)
    (entry,) = [t for t in listed if t.name == "deep-breathing"]
    assert (entry.path, entry.builtin) == (path, False)


def test_search_order_argument_then_env_folders_in_order(tmp_path, monkeypatch):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder in (a, b, c):
        write(folder, "same.txt", f"From {folder.name}.\n")
    write(c, "only-c.j2", "C.\n")
    monkeypatch.setenv(templates.TEMPLATES_ENV, f"{b}{templates.os.pathsep}{c}")
    assert templates.find("same", [a]).source == "From a.\n"
    assert templates.find("same").source == "From b.\n"
    assert templates.find("only-c").path == c / "only-c.j2"
    assert [d for d, _ in templates.search_dirs([a])] == [a, b, c, templates.builtin_dir()]


def test_template_file_suffixes_and_hidden_files(tmp_path):
    for name in ("a.txt", "b.j2", "c.jinja", "d.md", ".e.txt", "f"):
        write(tmp_path, name, "Hi.\n")
    (tmp_path / "g.txt").mkdir()
    names = {t.name for t in templates.available([tmp_path])} - set(BUILTINS)
    assert names == {"a", "b", "c"}


def test_find_by_path(tmp_path):
    path = write(tmp_path / "sub", "mine.txt", "+++\ntitle = 'Mine'\n+++\nHi.\n")
    for given in (str(path), "sub/mine.txt"):  # the cwd is tmp_path
        tpl = templates.find(given)
        assert (tpl.name, tpl.title, tpl.builtin) == ("mine", "Mine", False)
        assert tpl.path.resolve() == path.resolve()


def test_unknown_name_lists_available(tmp_path):
    write(tmp_path, "zz-mine.txt", "Hi.\n")
    with pytest.raises(TemplateNotFound) as exc:
        templates.find("nope", [tmp_path])
    names = ", ".join(sorted(BUILTINS + ["zz-mine"]))
    assert str(exc.value) == (
        f"no template named 'nope' and no such file; built-in and user templates: {names}"
    )
    assert "deep-breathing" in str(exc.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(TemplateNotFound, match=r"^cannot read template .*missing\.txt: "):
        templates.load_file(tmp_path / "missing.txt")
    bad = tmp_path / "latin.txt"
    bad.write_bytes(b"caf\xe9\n")
    with pytest.raises(TemplateNotFound, match=r"^cannot read template .*latin\.txt: "):
        templates.find(str(bad))


# ---- rendering ----


def test_minutes_and_seconds_in_context():
    text, values = templates.render(parse("{{ minutes }}|{{ seconds }}|{{ seconds|int }}"), 2.5, {})
    assert (text, values) == ("2.5|150.0|150", {})


def test_params_reach_the_template():
    tpl = parse("+++\n[params.n]\ntype = 'int'\ndefault = 2\n[params.p]\nchoices = ['a', 'b']\n+++\n{{ n * 2 }} {{ p }}")
    assert templates.render(tpl, 5, {}) == ("4 None", {"n": 2, "p": None})
    assert templates.render(tpl, 5, {"n": "5", "p": "b"}) == ("10 b", {"n": 5, "p": "b"})
    with pytest.raises(ParameterError, match=r"^t has no parameter 'q'; its parameters are: n, p "):
        templates.render(tpl, 5, {"q": "1"})


def test_block_whitespace_is_trimmed_and_no_autoescape():
    text, _ = templates.render(parse("  {% if true %}\nA\n  {% endif %}\n{{ '<break time=\"1s\"/> & ok' }}\n"), 5, {})
    assert text == 'A\n<break time="1s"/> & ok\n'


def test_syntax_error_reports_line_in_real_file(tmp_path):
    path = write(
        tmp_path,
        "broken.txt",
        '+++\ntitle = "T"\n[params.a]\ntype = "int"\ndefault = 1\n+++\nHello.\n{{ a }}\n{% if %}\n',
    )
    tpl = templates.load_file(path)
    assert tpl.body_line == 7
    with pytest.raises(TemplateSyntaxError) as exc:
        templates.render(tpl, 5, {})
    assert str(exc.value) == f"{path}:9: Expected an expression, got 'end of statement block'"


@pytest.mark.parametrize(
    "text, line",
    [
        ("{% if %}", 1),
        ("ok\n\n{% for x in [] %}", 3),
        ("+++\n+++\nok\n{% endif %}", 4),
        ("+++\ntitle = 'x'\n\n+++\n\n\n{{ }}", 7),
    ],
)
def test_syntax_error_line_numbers(text, line):
    assert render_error(text).startswith(f"t.txt:{line}: ")


@pytest.mark.parametrize(
    "text, message",
    [
        ("{{ foo }}", "t.txt:1: 'foo' is undefined; declare it in the front matter"),
        ("+++\ntitle = 'x'\n+++\nHi.\n\n{{ breath_count }}\n", "t.txt:6: 'breath_count' is undefined; declare it in the front matter"),
        ("a\n{% for x in missing %}{% endfor %}", "t.txt:2: 'missing' is undefined;"),
        ("{{ 'x'.nothing }}", "t.txt:1: 'str object' has no attribute 'nothing'; declare it in the front matter"),
        ("+++\n+++\na\n{{ 1 / 0 }}", "t.txt:4: division by zero"),
        ("{{ 'a' + 1 }}", 't.txt:1: can only concatenate str (not "int") to str'),
        ("{{ range(10 ** 7)|list }}", "t.txt:1: Range too big."),
    ],
)
def test_render_time_errors(text, message):
    assert render_error(text).startswith(message)


@pytest.mark.parametrize(
    "expr",
    [
        "''.__class__.__mro__",
        "cycler.__init__.__globals__",
        "minutes.__class__.__subclasses__()",
        "'{0.__class__}'.format('')",
        "lipsum.__globals__",
    ],
)
def test_sandbox_blocks_unsafe_access(expr):
    message = render_error(f"Hi.\n{{{{ {expr} }}}}\n")
    assert message.startswith("t.txt:2: ")
    assert "is unsafe" in message


@pytest.mark.parametrize(
    "text",
    ["a\n{{ [].pop() }}", "a\n{{ {}.pop('k') }}", "a\n{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"],
)
def test_every_template_code_error_is_a_template_syntax_error(text):
    assert render_error(text).startswith("t.txt:2: ")


# ---- built-in templates ----


def _cases():
    for name in BUILTINS:
        tpl = templates.find(name)
        combos = [{}] + [{p: c} for p, spec in tpl.params.items() if spec.type == "choice" for c in spec.choices]
        for minutes in sorted({tpl.min_minutes or 5.0, 20.0}):
            for given in combos:
                yield pytest.param(name, minutes, given, id=f"{name}-{minutes:g}min-{given or 'defaults'}")


@pytest.mark.parametrize("name, minutes, given", list(_cases()))
def test_builtin_renders_to_valid_markup(name, minutes, given):
    tpl = templates.find(name)
    assert tpl.builtin and tpl.title
    text, values = templates.render(tpl, minutes, dict(given))
    assert set(values) == set(tpl.params)
    for key, spec in tpl.params.items():
        assert values[key] == (spec.convert(given[key]) if key in given else spec.default)
    items = markup.parse(text)
    assert any(isinstance(i, markup.Speech) for i in items)
    assert any(isinstance(i, markup.Pause) and i.elastic for i in items)
    assert "{{" not in text and "{%" not in text and "+++" not in text


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_params_describe(name):
    for spec in templates.find(name).params.values():
        text = spec.describe()
        if spec.type == "choice":
            assert text.startswith("|".join(spec.choices))
        if spec.default is not None:
            assert text.endswith(f", default {spec.format(spec.default)}")
            assert spec.convert(spec.format(spec.default)) == spec.default


def test_front_matter_is_read_after_a_windows_byte_order_mark(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff+++\ntitle = \"With BOM\"\n+++\nHello.\n".encode("utf-8"))
    template = templates.load_file(path)
    assert template.title == "With BOM" and template.source == "Hello.\n"
