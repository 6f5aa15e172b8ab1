"""Laying a parsed script out in time so the session is exactly the requested length.

Everything is counted in samples at the session rate, so the length is exact to the sample
and a phase of 5.5 s is 242,550 samples every time. Two passes: first with every elastic
pause at its minimum to find the slack, then again with the slack shared among the elastic
pauses in proportion to their minimums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from guided_audio.errors import LengthError
from guided_audio.script.markup import BELL_SECONDS, SENTENCE_GAP, Bell, Chapter, Item, Pause, Phase, Speech

LEAD_IN = 1.0
"""Silence before the first words, so a player's start-up does not clip them."""
LEAD_OUT = 2.0
"""Silence after the last words before the file ends."""
BREATH_PHASES = frozenset({"inhale", "topup", "hold", "exhale", "rest"})
"""Phase names of a breathing pattern (the names tones know)."""


@dataclass(frozen=True)
class Placement:
    """A spoken phrase at its place in the session (samples)."""

    start: int
    end: int
    text: str
    pace: float = 1.0
    level_db: float = 0.0

    @property
    def key(self) -> Speech:
        """The phrase whose audio plays here."""
        return Speech(self.text, self.pace, self.level_db)


@dataclass(frozen=True)
class PhaseSpan:
    start: int
    end: int
    name: str


BELL = "bell"
"""The tone name of a struck bell ([bell]); the manifest lists it among the tones."""


@dataclass(frozen=True)
class ToneMark:
    """A soft tone marking the start of a phase, or a bell (never speech, so not in the
    transcript)."""

    start: int
    name: str

    @property
    def key(self) -> str:
        return f"tone:{self.name}"


@dataclass(frozen=True)
class ChapterMark:
    start: int
    title: str


@dataclass(frozen=True)
class SilenceSpan:
    """Where a silence the script intends ([silence]) lies, in samples."""

    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A stretch of the session, speech or silence; segments cover it back to back."""

    start: float
    end: float
    kind: str
    text: str
    purpose: str = ""
    """"silence" for a pause holding a silence the script intends; "" otherwise."""


@dataclass
class Timeline:
    rate: int
    total: int
    speech: list[Placement] = field(default_factory=list)
    chapters: list[ChapterMark] = field(default_factory=list)
    phases: list[PhaseSpan] = field(default_factory=list)
    tones: list[ToneMark] = field(default_factory=list)
    silences: list[SilenceSpan] = field(default_factory=list)
    uncertain_cues: int = 0
    """Cues that, by estimated lengths, would run into the words before them (planning only)."""

    @property
    def seconds(self) -> float:
        return self.total / self.rate

    @property
    def pattern_samples(self) -> int:
        """Time covered by the phases of a breathing pattern (rests between rounds excluded;
        the tense and release of muscle relaxation are timed phases, but no breathing)."""
        return sum(phase.end - phase.start for phase in self.phases if phase.name in BREATH_PHASES)

    @property
    def pattern_share(self) -> float:
        """The share of the session spent in the pattern (0 for a session with no phases)."""
        return self.pattern_samples / self.total if self.total else 0.0

    def segments(self) -> list[Segment]:
        """Speech and the pauses between it, covering 0..total with no gap or overlap."""
        out: list[Segment] = []
        cursor = 0
        for phrase in sorted(self.speech, key=lambda p: p.start):
            if phrase.start > cursor:
                out.append(self._pause(cursor, phrase.start))
            out.append(Segment(phrase.start / self.rate, phrase.end / self.rate, "speech", phrase.text))
            cursor = phrase.end
        if cursor < self.total:
            out.append(self._pause(cursor, self.total))
        return out

    def _pause(self, start: int, end: int) -> Segment:
        intended = any(span.start < end and span.end > start for span in self.silences)
        return Segment(start / self.rate, end / self.rate, "pause", "", "silence" if intended else "")


class TooShort(LengthError):
    """The fixed content does not fit; carries how long it needs (seconds)."""

    def __init__(self, message: str, needed_seconds: float) -> None:
        super().__init__(message)
        self.needed_seconds = needed_seconds


def _samples(seconds: float, rate: int) -> int:
    return int(round(seconds * rate))


def _place(
    items: Sequence[Item],
    length_of: Callable[[Speech], int],
    rate: int,
    pause_samples: dict[int, int],
    guessed: Callable[[Speech], bool] | None = None,
) -> Timeline:
    """Place every item; `pause_samples` gives the length chosen for each pause by index.

    A cue that would start while earlier words are still spoken is an error, unless either
    length is only `guessed` (estimated, not measured): then the cue waits for the voice and
    the timeline counts it, since an estimate that errs long is no proof of an overlap.
    """
    timeline = Timeline(rate=rate, total=0)
    cursor = 0  # where the next item begins
    speech_free = 0  # when the voice is free again (a cue may outlast its phase)
    speaking: Speech | None = None  # whose words end at speech_free
    gap = _samples(SENTENCE_GAP, rate)
    for index, item in enumerate(items):
        if isinstance(item, Speech):
            start = max(cursor, speech_free)
            end = start + length_of(item)
            timeline.speech.append(Placement(start, end, item.text, item.pace, item.level_db))
            cursor = speech_free = end
            speaking = item
        elif isinstance(item, Pause):
            start = max(cursor, speech_free)
            cursor = start + pause_samples[index]
            if item.intended and cursor > start:
                timeline.silences.append(SilenceSpan(start, cursor))
        elif isinstance(item, Chapter):
            timeline.chapters.append(ChapterMark(max(cursor, speech_free), item.title))
        elif isinstance(item, Bell):  # rings out before anything else starts
            start = max(cursor, speech_free)
            timeline.tones.append(ToneMark(start, BELL))
            cursor = start + _samples(BELL_SECONDS, rate)
        elif isinstance(item, Phase):
            phase_end = cursor + _samples(item.seconds, rate)
            timeline.phases.append(PhaseSpan(cursor, phase_end, item.name))
            if item.tone:
                timeline.tones.append(ToneMark(cursor, item.name))
            start = cursor
            for phrase in item.cue:
                length = length_of(phrase)
                if start < speech_free and guessed is not None and (guessed(phrase) or guessed(speaking)):
                    timeline.uncertain_cues += 1
                    start = speech_free
                elif start < speech_free:
                    raise LengthError(
                        f"the cue {phrase.text!r} of a {item.name} phase would start while the "
                        f"previous words are still being spoken ({(speech_free - start) / rate:.2f} s "
                        "overlap); shorten the earlier cue or lengthen its phase"
                    )
                end = start + length
                timeline.speech.append(Placement(start, end, phrase.text, phrase.pace, phrase.level_db))
                speech_free, speaking = end, phrase
                start = end + gap
            cursor = phase_end
    timeline.total = max(cursor, speech_free)
    return timeline


def _with_margins(items: Sequence[Item], lead_in: float, lead_out: float) -> list[Item]:
    """Quiet margins at both ends (after any opening chapter marks, so they stay at 0:00).

    A script with no elastic pause gets one before the closing margin to absorb the slack.
    """
    items = list(items)
    opening = 0
    while opening < len(items) and isinstance(items[opening], Chapter):
        opening += 1
    items.insert(opening, Pause(lead_in, implicit=True))
    if not any(isinstance(item, Pause) and item.elastic for item in items):
        items.append(Pause(0.0, elastic=True, implicit=True))
    items.append(Pause(lead_out, implicit=True))
    return items


def layout(
    items: Sequence[Item],
    length_of: Callable[[Speech], int],
    *,
    total_seconds: float,
    rate: int,
    lead_in: float = LEAD_IN,
    lead_out: float = LEAD_OUT,
    guessed: Callable[[Speech], bool] | None = None,
) -> Timeline:
    """Lay the script out to exactly `total_seconds`, or raise TooShort with what it needs.

    `guessed` says which phrase lengths are estimates (see _place); None: all are measured.
    A bell pinned to a time ([bell at 5min]) splits the script there (see _pinned)."""
    if any(isinstance(item, Bell) and item.at is not None for item in items):
        return _pinned(items, length_of, total_seconds, rate, lead_in, lead_out, guessed)
    items = _with_margins(items, lead_in, lead_out)
    elastic = [i for i, item in enumerate(items) if isinstance(item, Pause) and item.elastic]
    minimum = {
        i: _samples(item.seconds, rate) for i, item in enumerate(items) if isinstance(item, Pause)
    }
    target = _samples(total_seconds, rate)
    shortest = _place(items, length_of, rate, minimum, guessed)
    slack = target - shortest.total
    if slack < 0:
        needed = shortest.total / rate
        raise TooShort(
            f"the script needs {format_clock(needed)} of speech and pauses but only "
            f"{format_clock(total_seconds, round_up=False)} was asked for",
            needed,
        )
    chosen = dict(minimum)
    weights = [minimum[i] for i in elastic]
    if sum(weights) == 0:
        weights = [1] * len(elastic)
    total_weight = sum(weights)
    handed_out = 0
    for i, weight in zip(elastic, weights):
        share = slack * weight // total_weight
        chosen[i] += share
        handed_out += share
    chosen[elastic[-1]] += slack - handed_out  # rounding remainder, a few samples at most
    timeline = _place(items, length_of, rate, chosen, guessed)
    if timeline.total != target:  # pragma: no cover - guards the arithmetic above
        raise AssertionError(f"layout came to {timeline.total} samples, wanted {target}")
    return timeline


def _pinned(items, length_of, total_seconds, rate, lead_in, lead_out, guessed) -> Timeline:
    """Bells struck at set times: the script between two of them is laid out on its own to
    exactly the time between them (its elastic pauses absorbing the slack), so each bell
    lands on its sample and the whole is still exactly `total_seconds`."""
    target = _samples(total_seconds, rate)
    pieces: list[list[Item]] = [[]]
    bounds = [0]
    for item in items:
        if isinstance(item, Bell) and item.at is not None:
            at = _samples(item.at, rate)
            if not bounds[-1] < at < target:
                raise LengthError(
                    f"a bell at {format_clock(item.at, round_up=False)} is not after the one before it "
                    f"and inside the {format_clock(total_seconds, round_up=False)} of the session; "
                    "give each [bell at ...] a later time, within the session"
                )
            bounds.append(at)
            pieces.append([Bell()])
        else:
            pieces[-1].append(item)
    bounds.append(target)
    joined = Timeline(rate=rate, total=0)
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        span = bounds[index + 1] - bounds[index]
        try:
            own = layout(
                piece, length_of, total_seconds=span / rate, rate=rate, guessed=guessed,
                lead_in=lead_in if index == 0 else 0.0, lead_out=lead_out if index == last else 0.0,
            )  # fmt: skip
        except TooShort as exc:
            over = exc.needed_seconds - span / rate
            where = f"before the bell at {format_clock(bounds[index + 1] / rate, round_up=False)}" if index < last else "after the last timed bell"
            raise TooShort(f"the script {where} runs {over:.1f} s too long", total_seconds + over) from None
        at = bounds[index]
        joined.speech += [Placement(p.start + at, p.end + at, p.text, p.pace) for p in own.speech]
        joined.chapters += [ChapterMark(c.start + at, c.title) for c in own.chapters]
        joined.phases += [PhaseSpan(p.start + at, p.end + at, p.name) for p in own.phases]
        joined.tones += [ToneMark(t.start + at, t.name) for t in own.tones]
        joined.silences += [SilenceSpan(s.start + at, s.end + at) for s in own.silences]
        joined.uncertain_cues += own.uncertain_cues
        joined.total = at + own.total
    return joined


def format_clock(seconds: float, *, round_up: bool = True) -> str:
    """'5:40' style minutes and seconds; rounded up by default, so a need is never understated."""
    whole = int(-(-seconds // 1)) if round_up else int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
