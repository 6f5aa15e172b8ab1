"""Which --var values change nothing: a choice another one overrides, or one this length leaves out.

A template decides what its parameters mean, so no declaration can say that `pattern` is
moot once `inhale` is given, or `theme` once a `file` is: the script itself says it. Each
value given is tried against the others it could have been; if every one of them renders
the very same script, the value did nothing, and the user is told rather than left to
wonder why their choice is not heard.
"""

from __future__ import annotations

from typing import Any

from guided_audio.errors import GuidedAudioError, option
from guided_audio.script import templates
from guided_audio.script.fitting import DEFAULT_RATE
from guided_audio.script.params import ParamSpec


def _alternatives(spec: ParamSpec, raw: str) -> list[str | None]:
    """What else the value could have been (None: not given at all)."""
    if spec.type == "choice":
        return [choice for choice in spec.choices if choice != raw.strip()]
    if spec.type == "bool":
        value = spec.convert(raw)
        return ["false" if value else "true"]
    if spec.default is None:
        return [None]
    return [] if spec.convert(raw) == spec.default else [None]


def idle_choices(
    template: templates.Template, minutes: float, given: dict[str, str], *, rate: float = DEFAULT_RATE
) -> list[str]:
    """The names, in the order given, of the --var values that change nothing in the script."""
    base, _ = templates.render(template, minutes, given, rate=rate)
    idle = []
    for name, raw in given.items():
        trials = _alternatives(template.params[name], raw)
        if trials and all(_renders_as(template, minutes, given, name, other, rate, base) for other in trials):
            idle.append(name)
    return idle


def _renders_as(template, minutes: float, given: dict[str, str], name: str, other, rate: float, base: str) -> bool:
    trial: dict[str, Any] = {key: value for key, value in given.items() if key != name}
    if other is not None:
        trial[name] = other
    try:
        text, _ = templates.render(template, minutes, trial, rate=rate)
    except GuidedAudioError:  # another value breaks the script: this one does something
        return False
    return text == base


def idle_message(name: str, given: dict[str, str], minutes: float) -> str:
    """'--var pattern=box makes no difference with inhale=5; it is ignored'."""
    others = ", ".join(f"{key}={value}" for key, value in given.items() if key != name)
    where = f"with {others}" if others else f"to a {minutes:g}-minute session"
    return f"{option('vars')} {name}={given[name]} makes no difference {where}; it is ignored"
