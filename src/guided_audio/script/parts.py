"""A session is a list of parts: one template at its length, or several, each at its own.

A part is written the way a person types it, `TEMPLATE:MINUTES[:KEY=VALUE...]`:

    from guided_audio.script.parts import parse_part
    parse_part("deep-breathing:5:pattern=box")
    # SessionPart(template='deep-breathing', minutes=5.0, variables={'pattern': 'box'})

The same form names the parts of a series episode, so it is kept small: a template, its
minutes and its vars, nothing about voice or output (those belong to the whole session).

Each part is laid out on its own to exactly its minutes, so a part starts where the one
before it ends to the sample, whatever the voice measures; from the second part on, a short
spoken transition opens the part, inside its minutes. The parts' timelines are joined into
one, with one chapter per part. A single part is a plain session: no part chapter, no
transition, and errors as its template gives them (not labelled with the part).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from guided_audio.errors import GuidedAudioError, LengthError, ParameterError, option
from guided_audio.script import markup, templates
from guided_audio.audio.samples import SESSION_RATE
from guided_audio.script.lengths import LengthRange, guessed_by, too_short_message
from guided_audio.script.layout import (
    ChapterMark, PhaseSpan, Placement, SilenceSpan, Timeline, ToneMark, TooShort, layout,
)  # fmt: skip

log = logging.getLogger(__name__)

SEPARATOR = ":"
ENDS_IN_SLEEP = {"sleep-wind-down"}
"""Built-ins that end without a wake-up: only sensible as the last part."""
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class SessionPart:
    """One technique of a session: a template, its exact minutes and its vars."""

    template: str
    minutes: float
    variables: Mapping[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:  # the vars are a dict, so hashing (sets, dict keys) needs this
        return hash((self.template, self.minutes, tuple(sorted(self.variables.items()))))

    def __str__(self) -> str:
        """The string form parse_part reads back: 'deep-breathing:5:pattern=box'."""
        given = "".join(f"{SEPARATOR}{key}={value}" for key, value in self.variables.items())
        return f"{self.template}{SEPARATOR}{self.minutes:g}{given}"


def parse_part(text: str) -> SessionPart:
    """'TEMPLATE:MINUTES[:KEY=VALUE...]' as a SessionPart. A value may hold a colon (a
    path, say): a piece that is not KEY=VALUE belongs to the value before it."""
    pieces = text.strip().split(SEPARATOR)
    at = next((i for i, piece in enumerate(pieces) if i > 0 and _NUMBER.match(piece.strip())), None)
    if at is None or not SEPARATOR.join(pieces[:at]).strip():
        raise ParameterError(
            f"part {text!r} should be TEMPLATE:MINUTES, with any vars after it "
            "(like deep-breathing:5:pattern=box)"
        )
    variables: dict[str, str] = {}
    key = None
    for piece in pieces[at + 1 :]:
        if _KEY.match(piece.strip()):
            key, value = piece.strip().split("=", 1)
            if key in variables:
                raise ParameterError(f"part {text!r} sets {key} twice; give it once")
            variables[key] = value
        elif key is not None:
            variables[key] += SEPARATOR + piece
        else:
            raise ParameterError(f"in part {text!r}, {piece!r} should be KEY=VALUE (like pattern=box)")
    minutes = float(pieces[at])
    if minutes <= 0:
        raise LengthError(f"part {text!r} needs more than 0 minutes")
    return SessionPart(SEPARATOR.join(pieces[:at]).strip(), minutes, variables)


NAME = "name"
"""The parameter that carries a listener's name: said once in a session, by its start."""
ENDING = "ending"
"""The parameter that chooses a wake or a sleep ending (see ends_in_sleep)."""


@dataclass(frozen=True)
class Arranged:
    """The parts with every value they get, and what the engine itself says."""

    parts: list[SessionPart]
    name: str = ""
    """A --var name the first part cannot say, for the first transition to say instead."""


def with_shared(parts: Sequence[SessionPart], shared: Mapping[str, str], user_dirs=()) -> Arranged:
    """Each part with the session-wide --var values its template declares (a part's own
    value wins); a shared value no part declares is an error, as a mistyped --var is.

    Two values are the session's more than a part's. A shared `name` is said once, at the
    start: the first part gets it if its template has the parameter, and otherwise the first
    transition says it (no later part gets it, so it is not said again). When the last part
    ends in sleep, every earlier part whose template has `ending` gets `ending=sleep`,
    unless it was set for that part or for the session.

    One part is a plain session: it gets every value, and an unknown one is its template's
    error to give."""
    if len(parts) == 1:
        return Arranged([replace(parts[0], variables={**shared, **parts[0].variables})])
    found = []
    for index, part in enumerate(parts, start=1):
        try:
            found.append(templates.find(part.template, user_dirs))
        except GuidedAudioError as exc:
            raise named(label(index, part), part, exc) from None
        if found[-1].name in ENDS_IN_SLEEP and found[-1].builtin and index < len(parts):
            log.warning("%s ends in sleep with no wake-up, so what follows it may not be heard; put it last", label(index, part))
    spoken_by_engine = {NAME} if len(parts) > 1 else set()
    unused = [key for key in shared if key not in spoken_by_engine and not any(key in t.params for t in found)]
    if unused:
        raise ParameterError(
            f"{option('vars')} {unused[0]} is not a parameter of any part ({', '.join(t.name for t in found)}); "
            "set a part's own var as TEMPLATE:MINUTES:KEY=VALUE",
            parameter=unused[0],
        )
    given = []
    for index, (part, template) in enumerate(zip(parts, found)):
        values = {k: v for k, v in shared.items() if k in template.params and (k != NAME or index == 0)}
        given.append(replace(part, variables={**values, **part.variables}))
    spoken = shared.get(NAME, "")
    name = spoken if spoken and len(parts) > 1 and NAME not in found[0].params else ""
    if ends_in_sleep(given[-1], found[-1]):
        given = [
            replace(part, variables={**part.variables, ENDING: "sleep"})
            if _can_sleep(template) and ENDING not in part.variables and at < len(given) - 1 else part
            for at, (part, template) in enumerate(zip(given, found))
        ]
    return Arranged(given, name)


def ends_in_sleep(part: SessionPart, template: templates.Template) -> bool:
    """Whether a part ends without a wake-up: the sleep wind-down, or ending=sleep."""
    return (template.builtin and template.name in ENDS_IN_SLEEP) or part.variables.get(ENDING) == "sleep"


def _can_sleep(template: templates.Template) -> bool:
    spec = template.params.get(ENDING)
    return spec is not None and (spec.type != "choice" or "sleep" in spec.choices)


TRANSITIONS = {
    "deep-breathing": "some slow, steady breathing",
    "progressive-muscle-relaxation": "relaxing the body, one group of muscles at a time",
    "guided-imagery": "a journey in the imagination, to a calm place",
    "body-scan": "a slow scan through the body",
    "affirmations": "a few kind words to say to yourself",
    "self-compassion": "some kindness towards yourself",
    "gratitude": "a few moments of gratitude",
    "sleep-wind-down": "winding down towards sleep",
    "mindfulness": "a time of mindfulness, simply noticing what is here",
}
"""What a transition calls the next part, for the built-ins; others go by their title."""
CLOSES = (
    "Let that settle for a moment.",
    "Rest here for a breath or two.",
    "Stay as you are for a moment, and let that part come to a close.",
    "Let that go now, gently.",
)
"""How a transition lets the part before it end; taken in turn, so no two joins sound alike."""
OPENS = (
    "Next, we move on to {what}.",
    "Now we turn to {what}.",
    "From here, we go on to {what}.",
    "When you're ready, we come to {what}.",
)
"""How it names what comes (in turn, offset from CLOSES so the pairs vary too)."""


def transition(index: int, template: templates.Template, name: str = "") -> str:
    """The few words that open part `index` (from the second): close the last, name the next,
    with the listener's `name` in it when the first part could not say it."""
    what = TRANSITIONS.get(template.name) if template.builtin else None
    what = what or template.title.lower()
    close = CLOSES[(index - 2) % len(CLOSES)]
    if name:
        close = f"{close[:-1]}, {name}."
    opens = OPENS[(index - 2) % len(OPENS)].format(what=what)
    return f"[pause 2s]\n{close} {opens}\n[pause 2s+]\n\n"


@dataclass
class PartScript:
    """A part with its template found and its script rendered (transition included)."""

    index: int
    """1 for the first part."""
    part: SessionPart
    template: templates.Template
    items: list[markup.Item]
    params: dict
    transition: tuple[str, ...] = ()
    """What the engine says to open the part (its first items), not the template."""

    @property
    def label(self) -> str:
        return label(self.index, self.part)


@dataclass
class PlannedPart:
    """Where a part lies in the joined session, and what preview says about it."""

    script: PartScript
    start: int
    end: int
    """Samples, in the whole session."""
    pattern_share: float
    """The part's time in a timed pattern (breathing), as a share of the part."""
    lengths: LengthRange | None = None
    """The whole minutes the part's template fits with its vars (preview only)."""

    def manifest(self, rate: int) -> dict:
        """The part as the session's manifest lists it (times in seconds)."""
        return {
            "template": self.script.template.name,
            "title": self.script.template.title,
            "minutes": self.script.part.minutes,
            "params": self.script.params,
            "start": round(self.start / rate, 3),
            "end": round(self.end / rate, 3),
        }


def named(label: str, part: SessionPart, exc: GuidedAudioError) -> GuidedAudioError:
    """An error of the same kind whose message names the part it is about, and whose fix,
    where it suggests a length, is the part at that length ('try deep-breathing:6')."""
    fix = re.compile(rf"try {re.escape(option('minutes'))} (\d+)")  # the library's own words, not a user's
    message = fix.sub(lambda m: f"try {replace(part, minutes=float(m.group(1)))}", str(exc.args[0] if exc.args else ""))
    return exc.restated(f"{label}: {message}", part=label)


def label(index: int, part: SessionPart) -> str:
    return f"part {index} ({part})"


def join(scripts: Sequence[PartScript], timelines: Sequence[Timeline]) -> Timeline:
    """One timeline from the parts' own, back to back, with one chapter per part (its title)."""
    rate = timelines[0].rate
    joined = Timeline(rate=rate, total=0)
    for script, timeline in zip(scripts, timelines):
        at = joined.total
        joined.chapters.append(ChapterMark(at, script.template.title))
        joined.speech += [Placement(p.start + at, p.end + at, p.text, p.pace, p.level_db) for p in timeline.speech]
        joined.phases += [PhaseSpan(p.start + at, p.end + at, p.name) for p in timeline.phases]
        joined.tones += [ToneMark(t.start + at, t.name) for t in timeline.tones]
        joined.silences += [SilenceSpan(s.start + at, s.end + at) for s in timeline.silences]
        joined.uncertain_cues += timeline.uncertain_cues
        joined.total += timeline.total
    return joined


def lay_out(scripts: Sequence[PartScript], length_of) -> tuple[Timeline, list[PlannedPart]]:
    """Each part laid out to exactly its own minutes, then joined (one part is the session as it
    is, without a part chapter); where each part lies. A script too long for its minutes names
    the shortest length that fits."""
    timelines = []
    for part in scripts:
        try:
            timelines.append(layout(
                part.items, length_of, total_seconds=part.part.minutes * 60, rate=SESSION_RATE,
                guessed=guessed_by(length_of),
            ))  # fmt: skip
        except LengthError as exc:
            if isinstance(exc, TooShort):
                exc = LengthError(too_short_message(part.template, part.part.minutes, dict(part.part.variables), length_of, exc))
            raise (named(part.label, part.part, exc) if len(scripts) > 1 else exc) from None
    planned, at = [], 0
    for part, own in zip(scripts, timelines):
        planned.append(PlannedPart(part, at, at + own.total, own.pattern_share))
        at += own.total
    return (join(scripts, timelines) if len(scripts) > 1 else timelines[0]), planned


def total_minutes(parts: Sequence[SessionPart]) -> float:
    return math.fsum(part.minutes for part in parts)


@dataclass(frozen=True)
class Heading:
    """What names a whole session in its file name, tags, manifest and reports: its template's
    own, or for several parts, all of them together."""

    name: str
    """deep-breathing, or deep-breathing+guided-imagery."""
    title: str
    description: str


def heading(scripts: Sequence[PartScript]) -> Heading:
    """One part: its template's name, title and description; several: theirs, joined."""
    if len(scripts) == 1:
        only = scripts[0].template
        return Heading(only.name, only.title, only.description)
    titles = [s.template.title for s in scripts]
    titles = titles[:1] + [title[:1].lower() + title[1:] for title in titles[1:]]
    return Heading(
        name="+".join(s.template.name for s in scripts),
        title=", ".join(titles[:-1]) + " and " + titles[-1],
        description="A session in parts: " + "; ".join(f"{s.template.title} ({s.part.minutes:g} min)" for s in scripts),
    )
