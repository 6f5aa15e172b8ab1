"""Template parameters: their declarations in front matter and the checking of --var values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from guided_audio.errors import ParameterError, TemplateSyntaxError

PARAM_TYPES = ("str", "int", "float", "bool", "choice")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


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
    help: str = ""

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any], *, source: str) -> "ParamSpec":
        unknown = set(data) - {"type", "default", "choices", "min", "max", "help"}
        if unknown:
            raise TemplateSyntaxError(
                f"{source}: parameter {name!r} has unknown keys {sorted(unknown)}; "
                "use type, default, choices, min, max, help"
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
        choices = tuple(str(c) for c in data.get("choices", ()))
        if kind == "choice" and not choices:
            raise TemplateSyntaxError(f"{source}: choice parameter {name!r} needs a list of choices")
        spec = cls(
            name=name,
            type=kind,
            choices=choices,
            min=data.get("min"),
            max=data.get("max"),
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
        return str(value)

    def convert(self, raw: str) -> Any:
        """Parse and check one value given on the command line."""
        text = raw.strip()
        if self.type == "choice":
            if text not in self.choices:
                raise ParameterError(f"{self.name}={raw!r} is not allowed; choose one of {', '.join(self.choices)}")
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
        return text


def resolve_params(
    specs: Mapping[str, ParamSpec], given: Mapping[str, str], *, template: str
) -> dict[str, Any]:
    """Defaults overlaid with checked user values; unknown names are refused."""
    unknown = sorted(set(given) - set(specs))
    if unknown:
        known = ", ".join(sorted(specs)) or "none"
        raise ParameterError(
            f"{template} has no parameter {unknown[0]!r}; its parameters are: {known} "
            f"(see `guided-audio templates`)"
        )
    values = {name: spec.default for name, spec in specs.items()}
    for name, raw in given.items():
        values[name] = specs[name].convert(raw)
    return values


def parse_var_options(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """KEY=VALUE strings from repeated --var options."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"--var {pair!r} should look like key=value, e.g. --var pattern=box")
        result[key] = value
    return result
