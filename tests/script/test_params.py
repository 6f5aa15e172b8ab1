"""Unit tests for template parameter declarations and --var checking."""

from __future__ import annotations

import pytest

from guided_audio.commands.words import say
from guided_audio.errors import ParameterError, TemplateSyntaxError
from guided_audio.script.params import PARAM_TYPES, ParamSpec, parse_var_options, resolve_params


def spec(name="x", **data):
    return ParamSpec.from_dict(name, data, source="t.txt")


# ---- declarations ----


def test_defaults_of_a_bare_declaration():
    s = spec("mood")
    assert s == ParamSpec(name="mood", type="str", default=None, choices=(), min=None, max=None, help="")


def test_choices_imply_choice_type_and_are_strings():
    s = spec("groups", choices=[16, 7, "auto"], default=7, help="how many")
    assert s.type == "choice"
    assert s.choices == ("16", "7", "auto")
    assert s.default == "7"
    assert s.help == "how many"


@pytest.mark.parametrize(
    "data, default",
    [
        ({"type": "int", "default": 5}, 5),
        ({"type": "int", "default": "7"}, 7),
        ({"type": "float", "default": 5}, 5.0),
        ({"type": "float", "default": 5.5, "min": 0, "max": 20}, 5.5),
        ({"type": "bool", "default": True}, True),
        ({"type": "bool", "default": False}, False),
        ({"type": "bool", "default": "Yes"}, True),
        ({"type": "bool", "default": "OFF"}, False),
        ({"type": "str", "default": "calm"}, "calm"),
        ({"type": "choice", "choices": ["a", "b"], "default": "b"}, "b"),
    ],
)
def test_default_is_converted(data, default):
    s = spec(**data)
    assert s.default == default
    assert type(s.default) is type(default)


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"typ": "int"}, "t.txt: parameter 'x' has unknown keys ['typ']; use type, default, choices, min, max, max_length, help"),
        ({"type": "int", "step": 1, "deflt": 2}, "has unknown keys ['deflt', 'step']"),
        ({"type": "integer"}, "t.txt: parameter 'x' has type 'integer'; use one of str, int, float, bool, choice, lines"),
        ({"type": "choice"}, "t.txt: choice parameter 'x' needs a list of choices"),
        ({"type": "choice", "choices": []}, "t.txt: choice parameter 'x' needs a list of choices"),
        ({"choices": ["a"], "default": "b"}, "t.txt: default of 'x' is invalid: x='b' is not allowed; choose one of a"),
        ({"type": "int", "default": "lots"}, "t.txt: default of 'x' is invalid: x='lots' is not a number"),
        ({"type": "int", "default": 5.5}, "t.txt: default of 'x' is invalid: x='5.5' is not a number"),
        ({"type": "int", "min": 1, "max": 3, "default": 9}, "default of 'x' is invalid: x='9' is out of range; give a int 1..3"),
        ({"type": "bool", "default": "maybe"}, "default of 'x' is invalid: x='maybe' is not a yes/no value; use true or false"),
        ({"type": "float", "default": "nan"}, "default of 'x' is invalid: x='nan' is not a finite number"),
    ],
)
def test_bad_declarations(data, fragment):
    with pytest.raises(TemplateSyntaxError) as exc:
        spec(**data)
    assert fragment in str(exc.value)


@pytest.mark.parametrize("data", [{"type": "int", "min": "0", "default": 3}, {"type": "float", "max": "20", "default": 1}])
def test_non_numeric_bounds_are_a_declaration_error(data):
    with pytest.raises(TemplateSyntaxError, match=r"^t\.txt: "):
        spec(**data)


def test_param_types():
    assert PARAM_TYPES == ("str", "int", "float", "bool", "choice", "lines")


# ---- conversion ----


@pytest.mark.parametrize("raw", ["true", "True", "YES", "on", "1", " yes "])
def test_bool_true_spellings(raw):
    assert spec(type="bool").convert(raw) is True


@pytest.mark.parametrize("raw", ["false", "FALSE", "no", "Off", "0", " no\t"])
def test_bool_false_spellings(raw):
    assert spec(type="bool").convert(raw) is False


@pytest.mark.parametrize("raw", ["", "y", "n", "2", "enabled", "truee"])
def test_bool_rejects(raw):
    with pytest.raises(ParameterError) as exc:
        spec("loud", type="bool").convert(raw)
    assert str(exc.value) == f"loud={raw!r} is not a yes/no value; use true or false"


@pytest.mark.parametrize("raw, value", [("5", 5), (" -3 ", -3), ("0", 0), ("+12", 12)])
def test_int_conversion(raw, value):
    result = spec(type="int").convert(raw)
    assert result == value and type(result) is int


@pytest.mark.parametrize("raw, value", [("5", 5.0), ("5.5", 5.5), (" .25", 0.25), ("1e1", 10.0), ("-0.5", -0.5)])
def test_float_conversion(raw, value):
    result = spec(type="float").convert(raw)
    assert result == value and type(result) is float


@pytest.mark.parametrize("kind, raw", [("int", "5.5"), ("int", "five"), ("int", ""), ("float", "abc"), ("float", "1,5")])
def test_not_a_number(kind, raw):
    with pytest.raises(ParameterError) as exc:
        spec("n", type=kind, min=0, max=20).convert(raw)
    assert str(exc.value) == f"n={raw!r} is not a number; give a {kind} 0..20"


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_non_finite_floats(raw):
    with pytest.raises(ParameterError) as exc:
        spec("n", type="float").convert(raw)
    assert str(exc.value) == f"n={raw!r} is not a finite number"


@pytest.mark.parametrize(
    "kind, low, high, raw, ok",
    [
        ("float", 0, 20, "0", True),
        ("float", 0, 20, "20", True),
        ("float", 0, 20, "20.0001", False),
        ("float", 0, 20, "-0.1", False),
        ("int", 1, None, "1", True),
        ("int", 1, None, "0", False),
        ("int", 1, None, "100000", True),
        ("int", None, 3, "-50", True),
        ("int", None, 3, "4", False),
        ("float", 0.5, 1.5, "0.5", True),
    ],
)
def test_ranges(kind, low, high, raw, ok):
    s = spec("n", type=kind, min=low, max=high)
    if ok:
        assert s.convert(raw) == float(raw)
    else:
        with pytest.raises(ParameterError) as exc:
            s.convert(raw)
        assert str(exc.value) == f"n={raw!r} is out of range; give a {s.describe()}"


def test_choice_conversion():
    s = spec("pattern", choices=["4-7-8", "box", "coherent"])
    assert s.convert("box") == "box"
    assert s.convert(" box ") == "box"
    for bad in ("square", ""):
        with pytest.raises(ParameterError) as exc:
            s.convert(bad)
        assert str(exc.value) == f"pattern={bad!r} is not allowed; choose one of 4-7-8, box, coherent"
    for typo in ("Box", "bx", "478"):
        with pytest.raises(ParameterError) as exc:
            s.convert(typo)
        guess = "box" if "b" in typo.lower() else "4-7-8"
        assert str(exc.value) == f"pattern={typo!r} is not allowed; did you mean pattern={guess}? choose one of 4-7-8, box, coherent"


def test_str_conversion_strips():
    assert spec(type="str").convert("  hello world ") == "hello world"


# ---- spoken text: str and lines ----


def test_str_max_length():
    s = spec("name", max_length=5)
    assert s.convert(" Robin ") == "Robin"
    with pytest.raises(ParameterError) as exc:
        s.convert("Robinson")
    assert str(exc.value) == "name='Robinson' is 8 characters long; keep it to 5"


@pytest.mark.parametrize("raw", ["[pause 9min]", "Sam]", "<break time='9s'/>", "a > b"])
def test_str_refuses_markup_characters(raw):
    with pytest.raises(ParameterError) as exc:
        spec("name").convert(raw)
    assert str(exc.value) == f"name={raw!r} holds [ ] < or >, which are markup and cannot be spoken; use plain words"


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"max_length": 0}, "max_length of parameter 'x' must be a whole number of characters above 0"),
        ({"max_length": 2.5}, "must be a whole number"),
        ({"max_length": True}, "must be a whole number"),
        ({"type": "int", "max_length": 3}, "on a str or lines parameter"),
        ({"type": "lines", "default": "mine.txt"}, "t.txt: lines parameter 'x' cannot have a default; the user names the file"),
    ],
)
def test_bad_text_declarations(data, fragment):
    with pytest.raises(TemplateSyntaxError) as exc:
        spec(**data)
    assert fragment in str(exc.value)


def lines_file(tmp_path, content: str | bytes, name="mine.txt"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def test_lines_reads_one_phrase_per_line_skipping_blanks_and_comments(tmp_path):
    path = lines_file(
        tmp_path,
        "\ufeff# my affirmations\n\nI am steady.\r\n   I  take   my time  \n\t\n  # not this\nCafé mornings are good.\n",
    )
    assert spec("file", type="lines").convert(path) == ("I am steady.", "I take my time", "Café mornings are good.")


def test_lines_expands_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    lines_file(tmp_path, "Hello.\n")
    assert spec("file", type="lines").convert("~/mine.txt") == ("Hello.",)


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "file={path!r} has no lines to speak (blank lines and lines starting with # are skipped); add one phrase per line"),
        ("# only a comment\n\n   \n", "file={path!r} has no lines to speak"),
        ("Fine.\nSay [pause 5s] this.\n", "file={path!r} line 2 holds [ ] < or >, which are markup and cannot be spoken; use plain words"),
        ("Fine.\n<speak>Hi</speak>\n", "file={path!r} line 2 holds [ ] < or >"),
        ("Fine.\n...\n", "file={path!r} line 2 has no words to speak; remove it or add words"),
        ("x" * 301 + "\n", "file={path!r} line 1 is 301 characters long; keep it to 300"),
        ("Line.\n" * 201, "file={path!r} has 201 lines; keep it to 200"),
        ("A" * 70_000, "file={path!r} is larger than 64 KB; keep the list to at most 200 lines"),
        (b"caf\xe9\n", "file={path!r} is not UTF-8 text; save it as UTF-8"),
    ],
)
def test_lines_refuses_bad_files_with_one_clear_line(tmp_path, content, message):
    path = lines_file(tmp_path, content)
    with pytest.raises(ParameterError) as exc:
        spec("file", type="lines").convert(path)
    assert str(exc.value).startswith(message.format(path=path))


def test_lines_max_length_applies_to_each_line(tmp_path):
    path = lines_file(tmp_path, "Short.\nThis one is too long.\n")
    with pytest.raises(ParameterError, match=r"line 2 is 21 characters long; keep it to 10$"):
        spec("file", type="lines", max_length=10).convert(path)


@pytest.mark.parametrize("given", ["missing.txt", "", "."])
def test_lines_missing_or_unreadable(tmp_path, given):
    with pytest.raises(ParameterError) as exc:
        spec("file", type="lines").convert(given)
    text = str(exc.value)
    if given == ".":  # a folder is named as one (not "cannot be read", not "a pipe or a device")
        assert text.startswith("file='.' is a folder, not a file; ")
    elif given:
        assert text.startswith(f"file={given!r} cannot be read (")
    assert text.endswith("give the path of a UTF-8 text file with one phrase per line")
    assert "\n" not in text


# ---- describe / format ----


@pytest.mark.parametrize(
    "data, text",
    [
        ({}, "str"),
        ({"default": "calm"}, "str, default calm"),
        ({"type": "int"}, "int"),
        ({"type": "int", "default": 3}, "int, default 3"),
        ({"type": "int", "min": 1, "max": 10}, "int 1..10"),
        ({"type": "int", "min": 1}, "int 1.."),
        ({"type": "float", "max": 20}, "float ..20"),
        ({"type": "float", "min": 0, "max": 2.5, "default": 1.0}, "float 0..2.5, default 1"),
        ({"type": "float", "min": 0, "default": 5.5}, "float 0.., default 5.5"),
        ({"type": "bool"}, "true|false"),
        ({"type": "bool", "default": False}, "true|false, default false"),
        ({"type": "bool", "default": True}, "true|false, default true"),
        ({"choices": ["4-7-8", "box"], "default": "box"}, "4-7-8|box, default box"),
        ({"choices": ["a", "b", "c"]}, "a|b|c"),
        ({"max_length": 40}, "str up to 40 characters"),
        ({"type": "lines"}, "FILE (UTF-8 text, one per line)"),
    ],
)
def test_describe(data, text):
    assert spec(**data).describe() == text


@pytest.mark.parametrize("value, text", [(True, "true"), (False, "false"), (5.0, "5"), (0.25, "0.25"), (7, "7"), ("x", "x"), (("a", "b"), "2 lines")])
def test_format(value, text):
    assert ParamSpec.format(value) == text


# ---- resolve_params ----

SPECS = {
    "pattern": spec("pattern", choices=["4-7-8", "box"], default="4-7-8"),
    "inhale": spec("inhale", type="float", min=0, max=20),
    "loud": spec("loud", type="bool", default=False),
}


def test_resolve_applies_defaults():
    assert resolve_params(SPECS, {}, template="deep") == {"pattern": "4-7-8", "inhale": None, "loud": False}


def test_resolve_converts_given_values():
    assert resolve_params(SPECS, {"inhale": "5.5", "loud": "yes", "pattern": "box"}, template="deep") == {
        "pattern": "box",
        "inhale": 5.5,
        "loud": True,
    }


def test_resolve_unknown_lists_known_parameters():
    with pytest.raises(ParameterError) as exc:
        resolve_params(SPECS, {"zeta": "1", "exhale": "4", "inhale": "4"}, template="deep")
    assert str(exc.value) == (
        "deep has no parameter 'exhale'; its parameters are: inhale, loud, pattern "
        "(see `guided-audio templates`)"
    )


def test_resolve_unknown_when_template_has_none():
    with pytest.raises(ParameterError, match=r"^plain has no parameter 'x'; its parameters are: none "):
        resolve_params({}, {"x": "1"}, template="plain")


def test_resolve_reports_bad_value():
    with pytest.raises(ParameterError, match=r"^inhale='25' is out of range; give a float 0\.\.20$"):
        resolve_params(SPECS, {"inhale": "25"}, template="deep")


# ---- --var parsing ----


@pytest.mark.parametrize(
    "pairs, result",
    [
        ([], {}),
        (["pattern=box"], {"pattern": "box"}),
        (["a=1", "b=2"], {"a": "1", "b": "2"}),
        (["a=1", "a=2"], {"a": "2"}),
        (["empty="], {"empty": ""}),
        (["expr=a=b"], {"expr": "a=b"}),
        ([" key =  spaced value "], {"key": "  spaced value "}),
        (("t=1",), {"t": "1"}),
    ],
)
def test_parse_var_options(pairs, result):
    assert parse_var_options(pairs) == result


@pytest.mark.parametrize("pair", ["pattern", "=box", " =x", "", "pattern:box"])
def test_parse_var_options_rejects(pair):
    with pytest.raises(ParameterError) as exc:
        parse_var_options(["ok=1", pair])
    assert say(exc.value) == f"--var {pair!r} should look like key=value, e.g. --var pattern=box"
    assert "--" not in str(exc.value) and exc.value.field == "vars"  # the library names no flag
