"""The script markup: what a rendered template means in time.

A rendered template is plain text with a few tags:

    [pause 5s]            fixed silence (units s, ms, min)
    [pause 8s+]           elastic silence, at least 8 s, grows to absorb slack
    [silence 2min+]       a silence the script intends and announces (an open sit, the
                          sleep ending): a pause that players and tests can tell from slack
    <break time="3s"/>    SSML spelling of a fixed pause
    [chapter Title]       chapter marker
    [phase inhale 4s] Breathe in.
                          timed phase; the cue after the tag starts at the phase start
    [phase inhale 4s tone] the same, with a soft generated tone at the phase start
    [pace 0.9]            speak what follows at 0.9 times the chosen rate ([pace 1] resets)
    [bell]                a struck bell (mix/bells.py): it rings BELL_SECONDS, and no words
                          start until it has faded
    [bell at 5min]        the same, struck exactly 5:00 into the session (or its part): the
                          script before it is laid out to end there

Plain text is split into sentences (one spoken phrase each). Parsing yields a flat list of
items; layout.py gives them times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union

from guided_audio.errors import MarkupError

SENTENCE_GAP = 0.5
"""Silence between sentences of one paragraph, seconds."""

PARAGRAPH_GAP = 1.2
"""Silence at a blank line between paragraphs, seconds."""

BELL_SECONDS = 9.0
"""How long a struck bell rings, strike to silence: the layout keeps words out of it."""


@dataclass(frozen=True)
class Speech:
    """One phrase to speak; text and pace together identify its audio."""

    text: str
    pace: float = 1.0
    """Multiplier on the session's speaking rate (below 1 is slower)."""
    level_db: float = field(default=0.0, repr=False)
    """Gain on the phrase's audio (the sleep ending softens its last minutes: voice.pace); not
    in the repr, which the golden script records hash."""


@dataclass(frozen=True)
class Pause:
    """Silence; an elastic pause may grow beyond `seconds` to fill the session."""

    seconds: float
    elastic: bool = False
    implicit: bool = False
    """True for the gaps between sentences and paragraphs, which no tag asked for."""
    intended: bool = False
    """A silence the script means and announces ([silence]), not slack between words."""


@dataclass(frozen=True)
class Chapter:
    title: str


@dataclass(frozen=True)
class Phase:
    """A timed exercise phase; `cue` phrases start at the phase start."""

    name: str
    seconds: float
    cue: tuple[Speech, ...] = ()
    tone: bool = False
    """Mark the phase start with a soft tone (see tones.py)."""


@dataclass(frozen=True)
class Pace:
    """Speaking-rate multiplier for the speech after it; parsing folds it into Speech.pace."""

    value: float


@dataclass(frozen=True)
class Bell:
    """A struck bell, ringing BELL_SECONDS; `at` (seconds) pins its strike to that moment."""

    at: float | None = None


Item = Union[Speech, Pause, Chapter, Phase, Bell]

_TAG = re.compile(r"\[([^\[\]\n]*)\]|<\s*(/?)\s*([a-zA-Z]+)([^<>]*?)(/?)\s*>")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?)?$")
_BREAK_TIME = re.compile(r"""time\s*=\s*["']([^"']+)["']""")
_PHASE_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
# A sentence ends at . ! ? or …, then any closing quotes or brackets, then white space.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*(?=\s)")
_MAX_PAUSE = 3600.0
PACE_RANGE = (0.5, 1.5)
"""Slower than half or faster than one and a half times the chosen rate stops sounding natural."""


def parse_duration(text: str, *, where: str) -> float:
    """Seconds from '5s', '1.5s', '500ms', '2min'; a bare number means seconds."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise MarkupError(f"{where}: cannot read duration {text!r}; write it like 5s, 1.5s, 500ms or 2min")
    value = float(match.group(1))
    unit = match.group(2) or "s"
    if unit == "ms":
        value /= 1000
    elif unit.startswith("m"):
        value *= 60
    if value > _MAX_PAUSE:
        raise MarkupError(f"{where}: {text!r} is longer than an hour; use a shorter duration")
    return value


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping punctuation; whitespace is normalised."""
    flat = " ".join(text.split())
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(flat):
        sentences.append(flat[start : end.end()])
        start = end.end()
    sentences.append(flat[start:])
    return [part.strip() for part in sentences if part.strip()]


def _text_items(text: str, pace: float) -> list[Item]:
    """Speech and implicit gaps for a run of plain text between tags."""
    items: list[Item] = []
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    for p_index, paragraph in enumerate(paragraphs):
        if p_index:
            items.append(Pause(PARAGRAPH_GAP, implicit=True))
        for s_index, sentence in enumerate(split_sentences(paragraph)):
            if s_index:
                items.append(Pause(SENTENCE_GAP, implicit=True))
            items.append(Speech(sentence, pace))
    return items


def _tag_item(match: re.Match[str], line: int) -> Item | Pace | None:
    where = f"line {line}"
    if match.group(1) is not None:
        body = match.group(1).strip()
        keyword, _, rest = body.partition(" ")
        keyword = keyword.lower()
        rest = rest.strip()
        if keyword in ("pause", "silence"):
            elastic = rest.endswith("+")
            seconds = parse_duration(rest.removesuffix("+"), where=f"{where}, [{body}]")
            return Pause(seconds, elastic=elastic, intended=keyword == "silence")
        if keyword == "chapter":
            if not rest:
                raise MarkupError(f"{where}: [chapter] needs a title, like [chapter Settling in]")
            return Chapter(" ".join(rest.split()))
        if keyword == "phase":
            parts = rest.split()
            tone = len(parts) == 3 and parts[2].lower() == "tone"
            if len(parts) != 2 + tone or not _PHASE_NAME.match(parts[0].lower()):
                raise MarkupError(f"{where}: [{body}] should look like [phase inhale 4s] or [phase inhale 4s tone]")
            return Phase(parts[0].lower(), parse_duration(parts[1], where=f"{where}, [{body}]"), tone=tone)
        if keyword == "pace":
            return Pace(_parse_pace(rest, where=f"{where}, [{body}]"))
        if keyword == "bell":
            return _parse_bell(rest, where=f"{where}, [{body}]")
        raise MarkupError(
            f"{where}: unknown tag [{body}]; tags are [pause 5s], [pause 8s+], [silence 2min+], "
            "[chapter Title], [phase inhale 4s], [pace 0.9] and [bell] (square brackets cannot be spoken)"
        )
    closing, name, attrs = match.group(2), match.group(3).lower(), match.group(4)
    if name == "speak":
        return None  # an SSML <speak> wrapper carries no timing
    if name == "break" and not closing:
        time_attr = _BREAK_TIME.search(attrs)
        if not time_attr:
            raise MarkupError(f'{where}: <break> needs a time, like <break time="3s"/>')
        return Pause(parse_duration(time_attr.group(1), where=f"{where}, <break>"))
    raise MarkupError(f'{where}: unsupported tag <{closing}{name}>; only <break time="3s"/> is understood')


def _parse_bell(text: str, *, where: str) -> Bell:
    if not text:
        return Bell()
    word, _, when = text.partition(" ")
    if word.lower() != "at" or not when.strip():
        raise MarkupError(f"{where}: a bell is [bell], or [bell at 5min] for one struck at a set time")
    return Bell(parse_duration(when, where=where))


def _parse_pace(text: str, *, where: str) -> float:
    low, high = PACE_RANGE
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise MarkupError(f"{where}: pace should be a number from {low:g} to {high:g}, like [pace 0.9]")
    return value


def parse(text: str) -> list[Item]:
    """Turn rendered template text into timed items (phase cues folded into their Phase).

    A MarkupError carries the offset of the fault in `text`, so a caller that knows where
    the text came from can name the template's own line (see templates.source_line).
    """
    raw: list[Item] = []
    position = 0
    pace = 1.0
    for match in _TAG.finditer(text):
        raw.extend(_plain_items(text, position, match.start(), pace))
        line = text.count("\n", 0, match.start()) + 1
        try:
            item = _tag_item(match, line)
        except MarkupError as exc:
            detail = str(exc).removeprefix(f"line {line}").lstrip(", :")
            raise MarkupError(str(exc), offset=match.start(), detail=detail, snippet=match.group(0)) from None
        if isinstance(item, Pace):
            pace = item.value
        elif item is not None:
            raw.append(item)
        position = match.end()
    raw.extend(_plain_items(text, position, len(text), pace))
    return _attach_cues(raw)


_STRAY = re.compile(r"[\[\]<>]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain_items(text: str, start: int, end: int, pace: float) -> list[Item]:
    """The text between two tags, which may hold no bracket: one left over is a broken tag,
    and would otherwise be spoken aloud."""
    stray = _STRAY.search(text, start, end)
    if stray is not None:
        at = stray.start()
        if stray.group() in "[<":  # what follows the opening, up to the end of its line
            line_end = text.find("\n", at)
            snippet = text[at : line_end if line_end >= 0 else len(text)].strip()[:40]
        else:  # what leads up to the closing, from the start of its line
            snippet = text[text.rfind("\n", 0, at) + 1 : at + 1].strip()[-40:]
        detail = _STRAY_FIXES[stray.group()].format(snippet=snippet)
        line = text.count("\n", 0, at) + 1
        raise MarkupError(f"line {line}: {detail}", offset=at, detail=detail, snippet=snippet)
    control = _CONTROL.search(text, start, end)
    if control is not None:  # the voice cannot say it (Piper refuses a NUL), the transcript would show it
        at = control.start()
        detail = f"character U+{ord(control.group()):04X} (a control character) cannot be spoken; remove it"
        raise MarkupError(f"line {text.count(chr(10), 0, at) + 1}: {detail}", offset=at, detail=detail,
                          snippet=text[text.rfind(chr(10), 0, at) + 1 : at].strip()[-40:] or control.group())  # fmt: skip
    items = _text_items(text[start:end], pace)
    for item in items:
        if isinstance(item, Speech) and not any(c.isalnum() for c in item.text):
            at = text.find(item.text.strip()[:1], start, end) if item.text.strip() else start
            detail = f"{item.text[:40]!r} has no words to speak (the voice would make no sound); write words or remove it"
            line = text.count("\n", 0, max(at, start)) + 1
            raise MarkupError(f"line {line}: {detail}", offset=max(at, start), detail=detail, snippet=item.text.strip()[:40])
    return items


_STRAY_FIXES = {
    "[": "{snippet!r} opens a tag with [ that is never closed on its line; close it with ] "
    "(square brackets are markup and cannot be spoken)",
    "]": "{snippet!r} has a ] that closes no tag; remove it or open the tag with [ "
    "(square brackets are markup and cannot be spoken)",
    "<": "{snippet!r} has a < that starts no tag; write it in words or use <break time=\"3s\"/> "
    "(angle brackets are markup and cannot be spoken)",
    ">": "{snippet!r} has a > that ends no tag; write it in words "
    "(angle brackets are markup and cannot be spoken)",
}


def _attach_cues(raw: list[Item]) -> list[Item]:
    """Fold the speech right after a phase tag (up to the next tag) into the phase as its cue."""
    items: list[Item] = []
    index = 0
    while index < len(raw):
        item = raw[index]
        index += 1
        if not isinstance(item, Phase):
            items.append(item)
            continue
        cue: list[Speech] = []
        while index < len(raw) and isinstance(raw[index], (Speech, Pause)):
            following = raw[index]
            if isinstance(following, Pause) and not following.implicit:
                break
            if isinstance(following, Speech):
                cue.append(following)
            index += 1
        items.append(Phase(item.name, item.seconds, tuple(cue), item.tone))
    return _tidy_gaps(items)


def _tidy_gaps(items: list[Item]) -> list[Item]:
    """Drop implicit gaps at the edges and next to explicit pauses, phases or chapters.

    Sentence gaps only make sense between two spoken phrases; everywhere else the author's
    own timing rules.
    """
    tidy: list[Item] = []
    for index, item in enumerate(items):
        if isinstance(item, Pause) and item.implicit:
            before = tidy[-1] if tidy else None
            after = items[index + 1] if index + 1 < len(items) else None
            if not isinstance(before, Speech) or not isinstance(after, Speech):
                continue
        if isinstance(item, Speech):
            _separate_from_previous_speech(tidy)
        tidy.append(item)
    return tidy


def _separate_from_previous_speech(tidy: list[Item]) -> None:
    """Two phrases with only chapters between them still get a paragraph gap."""
    index = len(tidy) - 1
    while index >= 0 and isinstance(tidy[index], Chapter):
        index -= 1
    if index >= 0 and isinstance(tidy[index], Speech):
        tidy.insert(index + 1, Pause(PARAGRAPH_GAP, implicit=True))
