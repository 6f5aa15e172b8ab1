"""Which lengths a template can take, found by rendering and laying it out without audio.

A template adapts its content to the minutes asked for (more cycles, longer releases), so
whether a length works is only known by rendering the template at that length and laying
the script out. Phrase lengths come from the synthesis cache where a phrase was spoken
before, and from an estimate otherwise. Rendering reuses the compiled template, so a scan
over every whole minute takes a fraction of a second.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

from guided_audio.audio.samples import SESSION_RATE
from guided_audio.errors import LengthError, MarkupError, option
from guided_audio.script import markup, templates
from guided_audio.script.fitting import DEFAULT_RATE
from guided_audio.script.layout import TooShort, layout

LengthOf = Callable[[markup.Speech], int]
"""Samples a phrase takes when spoken (measured or estimated)."""

MAX_MINUTES = 180.0
"""Longer than any sane session; larger requests are almost certainly typos."""
RANGE_SECONDS = 2.0
RANGE_ITEMS = 3000
"""Preview's search of the lengths that fit stops after RANGE_SECONDS once scripts are longer
than RANGE_ITEMS items (the built-ins hold at most about 1,400 at 60 minutes)."""

ESTIMATE_CHARS_PER_SECOND = 24.0
ESTIMATE_COMMA_SECONDS = 0.32
ESTIMATE_OVERHEAD_SECONDS = 0.2
"""Fitted to 611 phrases of the built-in templates spoken by the bundled voice: at rate 1.0
about 25 characters a second plus a third of a second per comma, and a fifth of a second
for any phrase at all. Rounded so a session's estimate errs about 4 % long (per phrase,
90 % of estimates are within -10 % to +22 %)."""


SLOW_RATE_EXPONENT = 0.93
"""Below the default rate the voice slows less than in proportion (its pauses between words and
the trimmed edges stretch less): measured, a phrase at rate 0.4 is 2.18 times its length at 1.0,
not 2.5, so a plain 1/rate estimate erred 7 % long there and preview refused lengths that
generate then rendered. Slower than DEFAULT_RATE, rates count as DEFAULT_RATE * (rate /
DEFAULT_RATE) ** this, which keeps the estimate a few percent long, as it is at the default."""


def estimate_samples(phrase: markup.Speech, rate: float) -> int:
    """Planning guess of a phrase's length when it has not been synthesised yet."""
    spoken = len(phrase.text) / ESTIMATE_CHARS_PER_SECOND + ESTIMATE_COMMA_SECONDS * phrase.text.count(",")
    if rate < DEFAULT_RATE:
        rate = DEFAULT_RATE * (rate / DEFAULT_RATE) ** SLOW_RATE_EXPONENT
    return int((ESTIMATE_OVERHEAD_SECONDS + spoken / (rate * phrase.pace)) * SESSION_RATE)


class PhraseLengths:
    """Phrase lengths for planning: measured where `known` has them, estimated otherwise.

    Remembers every answer, since a length search asks about the same phrases many times.
    """

    def __init__(self, rate: float, known: Callable[[markup.Speech], int | None]) -> None:
        self.rate = rate
        self.known = known
        self.estimated: set[markup.Speech] = set()
        self._lengths: dict[markup.Speech, int] = {}

    def __call__(self, phrase: markup.Speech) -> int:
        if phrase not in self._lengths:
            measured = self.known(phrase)
            if measured is None:
                self.estimated.add(phrase)
                measured = estimate_samples(phrase, self.rate)
            self._lengths[phrase] = measured
        return self._lengths[phrase]

    def is_estimate(self, phrase: markup.Speech | None) -> bool:
        """Whether the length given for `phrase` was estimated (asked after the length)."""
        return phrase in self.estimated


def guessed_by(length_of: LengthOf):
    """What layout needs to tell an estimated overlap from a measured one (None: all measured)."""
    return length_of.is_estimate if isinstance(length_of, PhraseLengths) else None


def script(
    template: templates.Template, minutes: float, variables: dict[str, str], *, rate: float = DEFAULT_RATE,
    session_part: str = "",
):
    """Render and parse: the items of the script and the resolved parameters. `rate` is the
    session's speaking rate, which the templates' length helpers scale their estimates by;
    `session_part` the script's place in a session of several parts (templates.render)."""
    text, params = templates.render(template, minutes, variables, rate=rate, session_part=session_part)
    try:
        items = markup.parse(text)
    except MarkupError as exc:
        raise MarkupError(_markup_error_in_file(template, minutes, variables, text, exc, rate)) from None
    if not any(isinstance(i, (markup.Speech, markup.Phase)) for i in items):
        raise LengthError(f"template {template.name} rendered no words to speak; check its text")
    return items, params


def _markup_error_in_file(template, minutes, variables, text: str, exc: MarkupError, rate: float) -> str:
    """'FILE:LINE: problem', the line counted in the template file, front matter and all."""
    line = None
    if exc.offset is not None:
        line = templates.source_line(template, minutes, variables, text, exc.offset, rate=rate)
    if line is None and exc.snippet:  # the marked render differed: find the words themselves
        source_lines = template.source.splitlines()
        holding = [number for number, source in enumerate(source_lines, start=1) if exc.snippet in source]
        line = holding[0] + template.body_line - 1 if len(holding) == 1 else None
    if line is None:
        rendered = text.count("\n", 0, exc.offset or 0) + 1
        return f"{template.path}: {exc.detail} (line {rendered} of the rendered script)"
    return f"{template.path}:{line}: {exc.detail}"


def phrases(items: list[markup.Item]) -> list[markup.Speech]:
    """Every phrase the script speaks, in order (repeats included)."""
    spoken: list[markup.Speech] = []
    for item in items:
        if isinstance(item, markup.Speech):
            spoken.append(item)
        elif isinstance(item, markup.Phase):
            spoken.extend(item.cue)
    return spoken


def fits(
    template: templates.Template, minutes: float, variables: dict[str, str], length_of: LengthOf,
    sizes: list[int] | None = None,
) -> bool:  # fmt: skip
    """Whether the script at `minutes` lays out: the one test of a length, for generate's
    checks and preview's range alike (a cue that would overlap the words before it fails it
    too, as it would fail the render, unless only estimates say so). `sizes` learns how many
    items the script held."""
    items, _ = script(template, minutes, variables, rate=rate_of(length_of))
    if sizes is not None:
        sizes.append(len(items))
    try:
        layout(items, length_of, total_seconds=minutes * 60, rate=SESSION_RATE, guessed=guessed_by(length_of))
    except LengthError:
        return False
    return True


def rate_of(length_of: LengthOf) -> float:
    """The speaking rate phrase lengths are for (PhraseLengths knows it), which templates'
    length helpers scale their estimates by."""
    return getattr(length_of, "rate", DEFAULT_RATE)


def floor_minutes(template: templates.Template) -> float:
    return template.min_minutes or 0.0


def ceiling_minutes(template: templates.Template) -> float:
    return min(template.max_minutes or MAX_MINUTES, MAX_MINUTES)


def shortest_fit(
    template: templates.Template, variables: dict[str, str], length_of: LengthOf, *, start: int
) -> int | None:
    """The first whole minute from `start` up to the template's ceiling that fits, if any."""
    for candidate in range(max(1, start), math.floor(ceiling_minutes(template)) + 1):
        if fits(template, candidate, variables, length_of):
            return candidate
    return None


@dataclass(frozen=True)
class LengthRange:
    """The whole minutes a template fits with the chosen parameters.

    Every minute is tried: a template that adapts its content to the length may fit 4 and 8
    minutes but not 5 to 7 (at a slow --rate, say), and a range read from its ends would
    promise lengths that then fail.
    """

    minutes: tuple[int, ...]
    untried_from: int | None = None
    """The first minute not tried, when the search ran out of time (None: every one tried)."""

    @property
    def shortest(self) -> int | None:
        return self.minutes[0] if self.minutes else None

    @property
    def longest(self) -> int | None:
        return self.minutes[-1] if self.minutes else None

    def spans(self) -> list[tuple[int, int]]:
        """Runs of consecutive minutes that fit, as (first, last)."""
        runs: list[tuple[int, int]] = []
        for minute in self.minutes:
            if runs and runs[-1][1] == minute - 1:
                runs[-1] = (runs[-1][0], minute)
            else:
                runs.append((minute, minute))
        return runs

    def describe(self) -> str:
        """'any whole minute from 4 to 60', or '2 to 4 and 8 to 60' where some do not fit."""
        runs = self.spans()
        untried = (f" (from {self.untried_from} minutes on not tried: these choices make a script too long "
                   "to try every length quickly)") if self.untried_from else ""  # fmt: skip
        if len(runs) == 1:
            first, last = runs[0]
            return (f"any whole minute from {first} to {last}" if last > first else f"only {first} minutes") + untried
        parts = [f"{a} to {b}" if b > a else f"{a}" for a, b in runs]
        return "whole minutes " + ", ".join(parts[:-1]) + " and " + parts[-1] + untried


def length_range(
    template: templates.Template, variables: dict[str, str], length_of: LengthOf, *, seconds: float | None = None
) -> LengthRange:
    """Every whole minute, from the template's floor to its ceiling, that fits.

    A parameter at the end of its range (a 0.1 s breath) can make scripts of ten thousand
    items, each length then taking seconds to try, and preview must still answer soon: once
    `seconds` (RANGE_SECONDS) have passed and the last script tried held more than RANGE_ITEMS,
    the longer lengths are left untried (and said so). No built-in comes near RANGE_ITEMS with
    its usual values, so their ranges are always whole.
    """
    first = max(1, math.ceil(floor_minutes(template)))
    last = math.floor(ceiling_minutes(template))
    deadline = time.monotonic() + (seconds or RANGE_SECONDS)
    found: list[int] = []
    sizes: list[int] = []
    for minute in range(first, last + 1):
        if sizes and sizes[-1] > RANGE_ITEMS and time.monotonic() > deadline:
            return LengthRange(tuple(found), untried_from=minute)
        if fits(template, minute, variables, length_of, sizes):
            found.append(minute)
    return LengthRange(tuple(found))


def check_length(
    template: templates.Template, minutes: float, variables: dict[str, str], length_of: LengthOf
) -> None:
    """Refuse a length outside what the template is written for, naming one that works."""
    ceiling = ceiling_minutes(template)
    if minutes > ceiling:
        limit = f"{template.name} is written for at most {ceiling:g} minutes"
        if template.max_minutes is None or template.max_minutes > MAX_MINUTES:
            limit = f"{option('minutes')} {minutes:g} is too long; the most is {MAX_MINUTES:g} minutes"
        raise LengthError(f"{limit}; try {option('minutes')} {math.floor(ceiling)}")
    floor = floor_minutes(template)
    if minutes >= floor:
        return
    shortest = shortest_fit(template, variables, length_of, start=math.ceil(floor))
    choices = with_choices(variables)
    if shortest is None:
        raise LengthError(f"{template.name}{choices} fits no length up to {ceiling:g} minutes; choose other {option('vars')} values")
    raise LengthError(f"{template.name} needs at least {shortest} minutes{choices}; try {option('minutes')} {shortest}")


def with_choices(variables: dict[str, str]) -> str:
    """' with groups=16' for error messages, so a user sees which choice set the limit."""
    return " with " + ", ".join(f"{k}={v}" for k, v in variables.items()) if variables else ""


def too_short_message(
    template: templates.Template,
    minutes: float,
    variables: dict[str, str],
    length_of: LengthOf,
    error: TooShort,
) -> str:
    """Why the script does not fit in `minutes`, and the next whole minute that does."""
    shortest = shortest_fit(template, variables, length_of, start=math.floor(minutes) + 1)
    fix = f"try {option('minutes')} {shortest}" if shortest else "shorten the template or its parameters"
    return f"{template.name} does not fit in {minutes:g} min{with_choices(variables)}: {error}; {fix}"
