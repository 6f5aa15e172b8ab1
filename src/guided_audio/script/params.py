"""Template parameters: their declarations in front matter and the checking of --var values."""

from __future__ import annotations

import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from guided_audio.errors import ParameterError, TemplateSyntaxError, option

PARAM_TYPES = ("str", "int", "float", "bool", "choice", "lines")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_SPEC_KEYS = ("type", "default", "choices", "min", "max", "max_length", "help")
MARKUP_CHARACTERS = "[]<>"
"""Text values end up in the script, where these would be read as tags, not spoken."""
LINES_MAX_BYTES = 64 * 1024
LINES_MAX_COUNT = 200
LINE_MAX_CHARS = 300
"""Limits for a `lines` file: a list of phrases to speak, not a book."""


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter, as written under [params.NAME] in a template's front matter."""

    name: str
    type: str = "str"
    default: Any = None
    """None means the template sees `none` unless the user sets it."""
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    """Longest text allowed: the whole value of a str, each line of a lines file."""
    help: str = ""

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any], *, source: str) -> "ParamSpec":
        unknown = set(data) - set(_SPEC_KEYS)
        if unknown:
            raise TemplateSyntaxError(
                f"{source}: parameter {name!r} has unknown keys {sorted(unknown)}; "
                f"use {', '.join(_SPEC_KEYS)}"
            )
        kind = str(data.get("type", "choice" if "choices" in data else "str"))
        if kind not in PARAM_TYPES:
            raise TemplateSyntaxError(
                f"{source}: parameter {name!r} has type {kind!r}; use one of {', '.join(PARAM_TYPES)}"
            )
        for bound in ("min", "max"):
            value = data.get(bound)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise TemplateSyntaxError(f"{source}: {bound} of parameter {name!r} must be a number, not {value!r}")
        raw_choices = data.get("choices", ())
        if not isinstance(raw_choices, (list, tuple)) or not all(
            isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in raw_choices
        ):  # a bare string or number would be taken apart character by character, or not at all
            raise TemplateSyntaxError(
                f'{source}: choices of parameter {name!r} must be a list of words, like choices = ["box", "4-7-8"]'
            )
        choices = tuple(str(c) for c in raw_choices)
        if kind == "choice" and not choices:
            raise TemplateSyntaxError(f"{source}: choice parameter {name!r} needs a list of choices")
        max_length = data.get("max_length")
        if max_length is not None and (
            kind not in ("str", "lines") or isinstance(max_length, bool)
            or not isinstance(max_length, int) or max_length < 1
        ):  # fmt: skip
            raise TemplateSyntaxError(
                f"{source}: max_length of parameter {name!r} must be a whole number of characters "
                "above 0, on a str or lines parameter"
            )
        if kind == "lines" and "default" in data:
            raise TemplateSyntaxError(
                f"{source}: lines parameter {name!r} cannot have a default; the user names the file"
            )
        spec = cls(
            name=name,
            type=kind,
            choices=choices,
            min=data.get("min"),
            max=data.get("max"),
            max_length=max_length,
            help=str(data.get("help", "")),
        )
        if "default" in data:
            try:
                default = spec.convert(str(data["default"]).lower() if kind == "bool" else str(data["default"]))
            except ParameterError as exc:
                raise TemplateSyntaxError(f"{source}: default of {name!r} is invalid: {exc}") from None
            spec = cls(**{**spec.__dict__, "default": default})
        return spec

    def describe(self) -> str:
        """Short summary of what values are allowed, for `templates` and error messages."""
        if self.type == "choice":
            allowed = "|".join(self.choices)
        elif self.type in ("int", "float") and (self.min is not None or self.max is not None):
            low = "" if self.min is None else f"{self.min:g}"
            high = "" if self.max is None else f"{self.max:g}"
            allowed = f"{self.type} {low}..{high}"
        elif self.type == "bool":
            allowed = "true|false"
        elif self.type == "lines":
            allowed = "FILE (UTF-8 text, one per line)"
        elif self.max_length:
            allowed = f"{self.type} up to {self.max_length} characters"
        else:
            allowed = self.type
        default = "" if self.default is None else f", default {self.format(self.default)}"
        return f"{allowed}{default}"

    @staticmethod
    def format(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return f"{value:g}"
        if isinstance(value, tuple):
            return f"{len(value)} lines"
        return str(value)

    def convert(self, raw: str) -> Any:
        """Parse and check one value given on the command line."""
        text = raw.strip()
        if self.type == "choice":
            if text not in self.choices:
                guess = did_you_mean(text, self.choices)
                hint = f"did you mean {self.name}={guess}? " if guess else ""
                raise ParameterError(
                    f"{self.name}={raw!r} is not allowed; {hint}choose one of {', '.join(self.choices)}"
                )
            return text
        if self.type == "bool":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ParameterError(f"{self.name}={raw!r} is not a yes/no value; use true or false")
        if self.type in ("int", "float"):
            try:
                value: float = int(text) if self.type == "int" else float(text)
            except ValueError:
                raise ParameterError(f"{self.name}={raw!r} is not a number; give a {self.describe()}") from None
            if value != value or value in (float("inf"), float("-inf")):
                raise ParameterError(f"{self.name}={raw!r} is not a finite number")
            if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
                raise ParameterError(f"{self.name}={raw!r} is out of range; give a {self.describe()}")
            return value
        if self.type == "lines":
            return self._read_lines(text)
        _check_speakable(text, f"{self.name}={raw!r}", self.max_length)
        return text

    def _read_lines(self, raw: str) -> tuple[str, ...]:
        """The non-blank, non-comment lines of a UTF-8 file, each checked as spoken text."""
        fix = "give the path of a UTF-8 text file with one phrase per line"
        if not raw:
            raise ParameterError(f"{self.name} needs a file; {fix}")
        try:
            path = Path(raw).expanduser()
        except RuntimeError:  # ~name of no such user, or no home folder at all
            raise ParameterError(f"{self.name}={raw!r}: no home folder for its ~; {fix}") from None
        try:
            mode = path.stat().st_mode
            if stat.S_ISDIR(mode):
                raise ParameterError(f"{self.name}={raw!r} is a folder, not a file; {fix}")
            if not stat.S_ISREG(mode):  # a FIFO would block the read, a device never end
                raise ParameterError(f"{self.name}={raw!r} is not a regular file (a pipe or a device); {fix}")
            with path.open("rb") as file:
                data = file.read(LINES_MAX_BYTES + 1)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ParameterError(f"{self.name}={raw!r} cannot be read ({reason}); {fix}") from None
        if len(data) > LINES_MAX_BYTES:
            raise ParameterError(
                f"{self.name}={raw!r} is larger than {LINES_MAX_BYTES // 1024} KB; "
                f"keep the list to at most {LINES_MAX_COUNT} lines"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ParameterError(f"{self.name}={raw!r} is not UTF-8 text; save it as UTF-8") from None
        lines: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = " ".join(line.split())
            if not line or line.startswith("#"):
                continue
            where = f"{self.name}={raw!r} line {number}"
            _check_speakable(line, where, self.max_length or LINE_MAX_CHARS)
            if not any(c.isalnum() for c in line):
                raise ParameterError(f"{where} has no words to speak; remove it or add words")
            lines.append(line)
        if not lines:
            raise ParameterError(
                f"{self.name}={raw!r} has no lines to speak (blank lines and lines starting "
                "with # are skipped); add one phrase per line"
            )
        if len(lines) > LINES_MAX_COUNT:
            raise ParameterError(
                f"{self.name}={raw!r} has {len(lines)} lines; keep it to {LINES_MAX_COUNT}"
            )
        return tuple(lines)


def _check_speakable(text: str, what: str, max_length: int | None) -> None:
    """Text a template will speak: not too long, and free of markup characters."""
    if max_length is not None and len(text) > max_length:
        raise ParameterError(f"{what} is {len(text)} characters long; keep it to {max_length}")
    if any(c in text for c in MARKUP_CHARACTERS):
        raise ParameterError(
            f"{what} holds [ ] < or >, which are markup and cannot be spoken; use plain words"
        )
    odd = next((c for c in text if _unsayable(c)), None)
    if odd is not None:
        name = unicodedata.name(odd, f"U+{ord(odd):04X}").lower()
        shown = f"{odd} ({name})" if odd.isprintable() else name  # a raw newline would break the one line
        raise ParameterError(
            f"{what} holds {shown}, which the voice cannot say and the transcript would "
            "show; use words instead"
        )


SAYABLE_SYMBOLS = "°"
"""Symbols (Unicode's 'other symbol' class, where emoji live) the voice reads as words."""


def _unsayable(character: str) -> bool:
    """Emoji and pictographs, control and private-use characters, the joiners and variation
    selectors emoji are built from: nothing the voice can speak."""
    if character in SAYABLE_SYMBOLS:
        return False
    category = unicodedata.category(character)
    return category in ("So", "Cc", "Cs", "Co", "Cn") or character in "\u200d\ufe0e\ufe0f\u20e3"


def did_you_mean(given: str, known: Iterable[str]) -> str | None:
    """The known name closest to a mistyped one, if one is close ('deep-breath' → 'deep-breathing')."""
    import difflib

    known = list(known)
    lowered = {name.lower(): name for name in known}
    close = difflib.get_close_matches(given.lower(), list(lowered), n=1, cutoff=0.75)
    if not close:  # a prefix is as good a guess: 'deep' for deep-breathing
        close = [name for name in lowered if given and name.startswith(given.lower())][:1]
    return lowered[close[0]] if close else None


def resolve_params(
    specs: Mapping[str, ParamSpec], given: Mapping[str, str], *, template: str
) -> dict[str, Any]:
    """Defaults overlaid with checked user values; unknown names are refused."""
    unknown = sorted(set(given) - set(specs))
    if unknown:
        known = ", ".join(sorted(specs)) or "none"
        guess = did_you_mean(unknown[0], specs)
        raise ParameterError(
            f"{template} has no parameter {unknown[0]!r}; "
            + (f"did you mean {guess}? " if guess else "")
            + f"its parameters are: {known} (see `guided-audio templates`)",
            parameter=unknown[0],
        )
    values = {name: spec.default for name, spec in specs.items()}
    for name, raw in given.items():
        try:
            values[name] = specs[name].convert(raw)
        except ParameterError as exc:
            exc.parameter = exc.parameter or name  # the value at fault, for a caller to place it
            raise
    return values


def parse_var_options(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """KEY=VALUE strings from repeated --var options."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"{option('vars')} {pair!r} should look like key=value, e.g. {option('vars')} pattern=box")
        result[key] = value
    return result
