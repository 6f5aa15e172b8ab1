"""Finding templates, reading their front matter, and rendering them with Jinja2.

Templates are searched in the user's folders first (--templates-dir, then the
GUIDED_AUDIO_TEMPLATES environment variable), then the built-ins shipped in the package, so
a user file of the same name overrides a built-in. A template may also be given as a path.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from guided_audio.errors import ParameterError, TemplateNotFound, TemplateSyntaxError, option
from guided_audio.script import front_matter
from guided_audio.script.fitting import DEFAULT_RATE, TEMPLATE_GLOBALS, helpers_at
from guided_audio.script.params import ParamSpec, did_you_mean, resolve_params

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

log = logging.getLogger(__name__)

TEMPLATES_ENV = "GUIDED_AUDIO_TEMPLATES"
TEMPLATE_SUFFIXES = (".txt", ".j2", ".jinja")
FRONT_MATTER_FENCE = "+++"


@dataclass(frozen=True)
class Template:
    """A template's source and what its front matter declares."""

    name: str
    path: Path
    source: str
    """Jinja2 text after the front matter."""
    body_line: int
    """Line of the file on which `source` starts, so errors point into the real file."""
    title: str
    description: str = ""
    min_minutes: float | None = None
    max_minutes: float | None = None
    params: dict[str, ParamSpec] = field(default_factory=dict)
    builtin: bool = False


def builtin_dir() -> Path:
    """Built-in templates: packaged in the wheel, or the repository folder when run from source."""
    packaged = Path(str(resources.files("guided_audio"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


def search_dirs(user_dirs: Iterable[Path] = ()) -> list[tuple[Path, bool]]:
    """Folders to search, user folders first; each with whether it is the built-in one.

    A folder of the user's that is not there is said once, not passed over in silence: a
    typo in --templates-dir would otherwise look like templates gone missing.
    """
    dirs = [(Path(d).expanduser(), False) for d in user_dirs]
    env = os.environ.get(TEMPLATES_ENV, "")
    dirs += [(Path(d).expanduser(), False) for d in env.split(os.pathsep) if d]
    for folder, _ in dirs:
        if not folder.is_dir():
            _say_missing(str(folder), "is not a folder" if folder.exists() else "does not exist")
    dirs.append((builtin_dir(), True))
    return dirs


@functools.lru_cache(maxsize=None)
def _say_missing(folder: str, problem: str) -> None:
    log.warning("templates folder %s %s; using the templates found elsewhere", folder, problem)


def _template_files(folder: Path) -> Iterable[Path]:
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES and not path.name.startswith("."):
                yield path


@dataclass(frozen=True)
class Catalogue:
    """What the template folders hold: templates, plain text files, and files that fail."""

    templates: list[Template]
    plain_text: list[Template]
    """Files with no front matter and no markup or Jinja at all: spoken as written if given
    as TEMPLATE, but most likely a list for a `lines` parameter (mantras.txt)."""
    broken: list[tuple[Path, str]]
    """A file that cannot be read as a template, and why."""


def catalogue(user_dirs: Iterable[Path] = ()) -> Catalogue:
    """Every file by name (a user's shadowing a built-in of the same name), sorted into
    templates, plain text and broken files; one broken file hides nothing else."""
    found: dict[str, Template | tuple[Path, str]] = {}
    for folder, builtin in search_dirs(user_dirs):
        for path in _template_files(folder):
            if path.stem not in found:
                try:
                    found[path.stem] = load_file(path, builtin=builtin)
                except (TemplateNotFound, TemplateSyntaxError) as exc:
                    found[path.stem] = (path, str(exc))
    from guided_audio.script import usable

    for name, template in list(found.items()):  # one that would fail at its first render is broken
        if isinstance(template, Template) and not template.builtin and (why := usable.problem(template)):
            found[name] = (template.path, why)
    loaded = sorted((t for t in found.values() if isinstance(t, Template)), key=lambda t: t.name)
    return Catalogue(
        templates=[t for t in loaded if not is_plain_text(t)],
        plain_text=[t for t in loaded if is_plain_text(t)],
        broken=sorted((t for t in found.values() if not isinstance(t, Template)), key=lambda b: b[0].name),
    )


_TEMPLATE_SYNTAX = re.compile(r"\{[{%#]|\[\s*(pause|silence|chapter|phase|pace|bell)\b|<\s*(break|speak)\b", re.IGNORECASE)


def is_plain_text(template: Template) -> bool:
    """No front matter and no markup or Jinja: text, not a template written as one."""
    return template.body_line == 1 and not template.builtin and not _TEMPLATE_SYNTAX.search(template.source)


def available(user_dirs: Iterable[Path] = ()) -> list[Template]:
    """Every file by name that loads as a template (plain text too: it is spoken as written),
    a user's shadowing a built-in of the same name."""
    found = catalogue(user_dirs)
    return sorted(found.templates + found.plain_text, key=lambda t: t.name)


def find(name_or_path: str, user_dirs: Iterable[Path] = ()) -> Template:
    """Resolve TEMPLATE as given on the command line: a name, else a file path."""
    for folder, builtin in search_dirs(user_dirs):
        for path in _template_files(folder):
            if path.stem == name_or_path:
                return load_file(path, builtin=builtin)
    candidate = Path(name_or_path).expanduser()
    if candidate.is_file():
        return load_file(candidate)
    known = [t.name for t in available(user_dirs)]
    guess = did_you_mean(name_or_path, known)
    raise TemplateNotFound(
        f"no template named {name_or_path!r} and no such file; "
        + (f"did you mean {guess}? " if guess else "")
        + f"built-in and user templates: {', '.join(known)}"
    )


def load_file(path: Path, *, builtin: bool = False) -> Template:
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a Windows BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateNotFound(f"cannot read template {path}: {exc}") from None
    return parse_template(text, name=path.stem, path=path, builtin=builtin)


def parse_template(text: str, *, name: str, path: Path, builtin: bool = False) -> Template:
    """Split optional TOML front matter (between +++ lines) from the Jinja2 body."""
    meta: dict[str, Any] = {}
    body, body_line = text, 1
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)  # blank lines may lead
    if lines and lines[first].strip() == FRONT_MATTER_FENCE:
        try:
            end = next(i for i in range(first + 1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
        except StopIteration:
            raise TemplateSyntaxError(
                f"{path}:{first + 1}: front matter opened with +++ is never closed; add a +++ line after it"
            ) from None
        try:
            meta = tomllib.loads("".join(lines[first + 1 : end]))
        except tomllib.TOMLDecodeError as exc:
            raise TemplateSyntaxError(front_matter.toml_error(path, exc, first + 1)) from None
        front_matter.check_types(meta, path, lines[first + 1 : end], first + 1)
        body = "".join(lines[end + 1 :])
        body_line = end + 2
    stray = next((i for i in range(body_line - 1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE), None)
    if stray is not None:  # it would be spoken aloud, and whatever follows it too
        raise TemplateSyntaxError(
            f"{path}:{stray + 1}: a +++ line in the script; front matter goes at the very top, "
            "between two +++ lines, before any words"
        )
    source = str(path)
    known = {"title", "description", "min_minutes", "max_minutes", "params"}
    if set(meta) - known:
        raise TemplateSyntaxError(
            f"{source}: unknown front matter keys {sorted(set(meta) - known)}; use {', '.join(sorted(known))}"
        )
    raw_params = meta.get("params", {})
    if not isinstance(raw_params, dict) or not all(isinstance(v, dict) for v in raw_params.values()):
        raise TemplateSyntaxError(f"{source}: declare parameters as tables, like [params.pattern]")
    reserved = {"minutes", "seconds"}
    clash = reserved & set(raw_params)
    if clash:
        raise TemplateSyntaxError(f"{source}: parameter name {sorted(clash)[0]!r} is reserved; rename it")
    params = {key: ParamSpec.from_dict(key, value, source=source) for key, value in raw_params.items()}
    bounds = {key: _minutes_bound(meta, key, source) for key in ("min_minutes", "max_minutes")}
    if None not in bounds.values() and bounds["min_minutes"] > bounds["max_minutes"]:
        raise TemplateSyntaxError(f"{source}: min_minutes is more than max_minutes; swap them")
    return Template(
        name=name,
        path=path,
        source=body,
        body_line=body_line,
        title=str(meta.get("title", name.replace("-", " ").capitalize())),
        description=str(meta.get("description", "")),
        **bounds,
        params=params,
        builtin=builtin,
    )


def _minutes_bound(meta: dict[str, Any], key: str, source: str) -> float | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise TemplateSyntaxError(f"{source}: {key} must be a positive number of minutes, not {value!r}")
    return float(value)


@functools.lru_cache(maxsize=64)
def _compiled(source: str):
    """Compiling takes tens of milliseconds; finding a template's lengths renders it many times."""
    return _environment().from_string(source)


def _environment(*, marking_lines: bool = False):
    from jinja2 import StrictUndefined

    from guided_audio.script.sandbox import BoundedEnvironment

    environment = BoundedEnvironment(
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        extensions=[_line_marks()] if marking_lines else [],
    )
    environment.globals.update(TEMPLATE_GLOBALS)
    return environment


_MARK_OPEN, _MARK_CLOSE = "\x1e", "\x1f"
"""Around a source line number in a marked render; no template or value holds either."""


def _line_marks():
    """A Jinja extension marking every line of literal text with its source line number."""
    from jinja2.ext import Extension
    from jinja2.lexer import Token

    class LineMarks(Extension):
        def filter_stream(self, stream):
            for token in stream:
                if token.type != "data":
                    yield token
                    continue
                lines = token.value.split("\n")
                marked = "\n".join(
                    f"{_MARK_OPEN}{token.lineno + number}{_MARK_CLOSE}{line}" for number, line in enumerate(lines)
                )
                yield Token(token.lineno, "data", marked)

    return LineMarks


def _context(values: dict[str, Any], minutes: float, rate: float, session_part: str = "") -> dict[str, Any]:
    """`session_part` tells a template its place in a session of several parts ("first",
    "middle" or "last"; "" for a session of its own), so it can skip a welcome or a goodbye."""
    return {**helpers_at(rate), "session_part": session_part, **values, "minutes": minutes, "seconds": minutes * 60}


def source_line(
    template: Template, minutes: float, given: dict[str, str], text: str, offset: int, *, rate: float = DEFAULT_RATE
) -> int | None:
    """The template file's line that wrote `text[offset]`, where `text` is its render.

    Renders once more with every line of literal text marked with its source line; only
    errors need it. None when the marked render differs (a template measuring its own
    literal text with `length` would see the marks) or the offset has no mark before it.
    """
    values = resolve_params(template.params, given, template=template.name)
    context = _context(values, minutes, rate)
    from guided_audio.script.sandbox import RenderTimeout, render_bounded, with_deadline

    try:
        marked = with_deadline(render_bounded, _environment(marking_lines=True).from_string(template.source), context)
    except (Exception, RenderTimeout):  # the plain render worked; a marked one that fails tells nothing
        return None
    mark = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")
    clean, line, at, found, length = [], None, 0, None, 0
    for match in mark.finditer(marked):
        clean.append(marked[at : match.start()])  # written by the line of the mark before it
        length += len(clean[-1])
        if found is None and length > offset:
            found = line
        line, at = int(match.group(1)), match.end()
    clean.append(marked[at:])
    if "".join(clean) != text:
        return None
    if found is None:
        found = line
    return None if found is None else found + template.body_line - 1


def render(
    template: Template, minutes: float, given: dict[str, str], *, rate: float = DEFAULT_RATE, session_part: str = ""
) -> tuple[str, dict[str, Any]]:
    """Render to script text; returns the text and the resolved parameter values. The length
    helpers the template calls estimate speech at `rate`, the session's speaking rate."""
    import jinja2

    from guided_audio.script.sandbox import RENDER_SECONDS, RenderTimeout, render_bounded, with_deadline

    values = resolve_params(template.params, given, template=template.name)
    context = _context(values, minutes, rate, session_part)
    try:
        text = with_deadline(render_bounded, _compiled(template.source), context)
    except RenderTimeout as exc:  # not an Exception, so Jinja left its traceback in Python's lines
        raise TemplateSyntaxError(
            f"{template.path}{_error_line(exc, template, _compiled(template.source))}: the template ran for over {RENDER_SECONDS:g} s "
            "and was stopped; look for a loop that runs far more often than the script needs"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        line = (exc.lineno or 1) + template.body_line - 1
        raise TemplateSyntaxError(f"{template.path}:{line}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        line = _error_line(exc, template)
        raise TemplateSyntaxError(f"{template.path}{line}: {exc.message}; declare it in the front matter") from None
    except jinja2.TemplateError as exc:
        raise TemplateSyntaxError(f"{template.path}{_error_line(exc, template)}: {exc}") from None
    except ParameterError:  # a helper checking a value (bell_minutes): the user's to fix, not the file's
        raise
    except Exception as exc:  # any failure of the template's own code (pop on [], recursion...)
        detail = _unset_parameter(template, values, given, exc) or str(exc) or type(exc).__name__
        raise TemplateSyntaxError(f"{template.path}{_error_line(exc, template)}: {detail}") from None
    return text, values


def _unset_parameter(template: Template, values: dict[str, Any], given: dict[str, str], exc: Exception) -> str | None:
    """For Python's 'NoneType' complaints, the parameter behind them: one with no default
    that the user did not set, which the template then used as a number or text."""
    if "NoneType" not in str(exc):
        return None
    unset = [name for name, value in values.items() if value is None and name not in given]
    if not unset:
        return None
    name, spec = unset[0], template.params[unset[0]]
    example = {"int": f"{spec.min:g}" if spec.min is not None else "3", "float": "1.5", "bool": "true"}.get(
        spec.type, spec.choices[0] if spec.choices else "..."
    )
    also = f" (nor {', '.join(unset[1:])})" if len(unset) > 1 else ""
    return (
        f"parameter {name} has no value: it has no default and none was given{also}; "
        f"set it with {option('vars')} {name}={example}, or give it a default in the front matter"
    )


def _error_line(exc: BaseException, template: Template, compiled: Any = None) -> str:
    """':LINE' of the innermost template frame in a render-time traceback, if any (`compiled`:
    the Jinja template whose Python lines the traceback holds, when Jinja did not rewrite it)."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = compiled.get_corresponding_lineno(tb.tb_lineno) if compiled else tb.tb_lineno
        tb = tb.tb_next
    return f":{line + template.body_line - 1}" if line else ""
