"""Length arithmetic for templates: what a session of a given length has room for.

A template adapts to the minutes asked for: more cycles, finer scans, longer rests. Every
built-in once worked this out in fifteen lines of its own; these helpers, registered as
globals on the sandboxed Jinja environment, give every template (a user's too) the same
arithmetic in a line or two:

    {% set room = budget(seconds, core=90, share=content_share(minutes)) %}
    {% set cycles = room.repeats(10, group=4, between=14) %}
    {% for i in range(cycles.count) %} ... {% endfor %}

Estimates err long on purpose: the layout's elastic pauses absorb whatever a template leaves
over, but a script that overruns its length cannot be rendered at all.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Sequence

from guided_audio.script.bells import bell_minutes
from guided_audio.script.markup import BELL_SECONDS

DEFAULT_RATE = 0.75
"""The speaking rate these estimates were written for (Piper joe's speed scale), not a session's
default (each engine's is in voice.interface.DEFAULT_RATES); at another rate they scale with
it, as the voice does."""
SPEECH_CHARS_PER_SECOND = 13.0
"""Slower than the voice at the default rate (about 18 a second), so estimates err long."""
SENTENCE_SECONDS = 0.6
"""Added per sentence: the gap between sentences and the voice's pause at a full stop."""
PARAGRAPH_GAP_SECONDS = 1.2
"""The quiet the layout puts after a line that ends a paragraph (markup.PARAGRAPH_GAP)."""
MOST_REPEATS = 10_000


def speech_seconds(text: str, pace: float = 1.0, *, rate: float = DEFAULT_RATE) -> float:
    """How long saying `text` takes, on the safe side, at `pace` times the session's `rate`
    (templates see the session's own rate: a slower voice buys fewer words)."""
    seconds = len(text) / SPEECH_CHARS_PER_SECOND + SENTENCE_SECONDS * (text.count(". ") + 1)
    if rate != DEFAULT_RATE:
        seconds = seconds * DEFAULT_RATE / rate
    return seconds if pace == 1 else seconds / pace


def lines_seconds(
    lines: Sequence[str] | str, pause: float = 0.0, gap: float = PARAGRAPH_GAP_SECONDS, *, rate: float = DEFAULT_RATE
) -> float:
    """How long a list of lines takes when each is followed by `pause` seconds and a
    paragraph's `gap` (one line given alone counts as a list of one)."""
    total = 0.0
    for line in [lines] if isinstance(lines, str) else lines:
        total = total + speech_seconds(line, rate=rate) + pause + gap
    return total


def seconds_each(
    lines: Sequence[str], pause: float = 0.0, gap: float = PARAGRAPH_GAP_SECONDS, *, rate: float = DEFAULT_RATE
) -> list[float]:
    """What each line costs on its own, as `lines_seconds` counts it: for `Budget.each` and
    `Budget.prefix`, which buy lines one at a time."""
    return [speech_seconds(line, rate=rate) + pause + gap for line in lines]


def content_share(minutes: float, start: float = 0.85, per_minute: float = 0.005, floor: float = 0.55) -> float:
    """The share of the spare time to fill with guidance rather than quiet: most of it in a
    short session, less as the session grows (`start` less `per_minute` for every minute,
    never under `floor`), so longer sessions get both more words and longer silences."""
    return max(start - per_minute * minutes, floor)


@dataclass(frozen=True)
class Repeats:
    """How many repeats fit, in how many groups, and how long each rest between groups
    would be if all the time left were given to the rests."""

    count: int
    groups: int
    rest: float


class Budget:
    """Seconds a template can spend on optional content, spent as the template decides.

    Each method that buys something takes its cost from `left`; nothing ever goes under 0
    except by `spend`, which a template uses for what it must say whatever the length.
    """

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def fits(self, cost: float) -> bool:
        """Whether `cost` seconds are still free."""
        return cost <= self.left

    def buy(self, cost: float) -> bool:
        """Spend `cost` if it fits (what costs nothing always does); whether it did."""
        if cost <= 0 or cost <= self.left:
            self.left = self.left - cost
            return True
        return False

    def spend(self, cost: float) -> float:
        """Spend `cost` whether or not it fits; what is left."""
        self.left = self.left - cost
        return self.left

    def repeats(self, each: float, *, group: int = 1, between: float = 0.0, most: int | None = None) -> Repeats:
        """As many repeats of `each` seconds as fit (at most `most`), taken in groups of
        `group` with `between` seconds between groups; their time is spent."""
        most = MOST_REPEATS if most is None else most
        count = 0
        if each > 0:
            for n in range(1, most + 1):
                if n * each + ((n + group - 1) // group - 1) * between > self.left:
                    break
                count = n
        groups = (count + group - 1) // group
        used = count * each + max(groups - 1, 0) * between
        self.left = self.left - used
        rest = between + self.left / (groups - 1) if groups > 1 else between
        return Repeats(count, groups, rest)

    def each(self, costs: Sequence[float], *, most: int | None = None) -> int:
        """Buy every cost that fits, trying them in order and skipping those that do not,
        until `most` are bought; how many were."""
        bought = 0
        for cost in costs:
            if most is not None and bought >= most:
                break
            bought += self.buy(cost)
        return bought

    def prefix(self, costs: Sequence[float], *, least: int = 0) -> int:
        """Buy costs in order until one does not fit (the first `least` always); how many."""
        bought = 0
        for cost in costs:
            if bought < least:
                self.spend(cost)
            elif not self.buy(cost):
                break
            bought += 1
        return bought

    def best(self, costs: Sequence[float]) -> int:
        """Of options in rising order of richness, the richest whose cost fits the whole
        budget (the first if none does); its cost is spent and its index returned."""
        chosen = 0
        for index, cost in enumerate(costs):
            if index == 0 or cost <= self.left:
                chosen = index
        self.left = self.left - costs[chosen]
        return chosen

    def levels(self, levels: Sequence[int], costs: Sequence[float]) -> list[int]:
        """Blocks kept, by index: every level-1 block, then those of level 2, 3 and on, in
        order, each bought whole if it fits. (Level-1 costs belong in the core.)"""
        kept = []
        for level in sorted(set(levels)):
            for index, (block_level, cost) in enumerate(zip(levels, costs)):
                if block_level == level and (level == 1 or self.buy(cost)):
                    kept.append(index)
        return sorted(kept)


def budget(seconds: float, core: float = 0.0, share: float = 1.0) -> Budget:
    """What a session of `seconds` can spend on optional content: the time its core (what
    it always says, with its pauses) leaves, times the `share` given to words."""
    return Budget((seconds - core) * share)


def keep_levels(seconds: float, share: float, levels: Sequence[int], costs: Sequence[float], base: float = 0.0) -> list[int]:
    """For a script of blocks with levels (1: always said, then 2, 3 and on, as the length
    allows): the indices of the blocks a session of `seconds` keeps. The core is `base` plus
    the level-1 blocks; `share` of what it leaves buys the other levels, lowest first."""
    core = base
    for level, cost in zip(levels, costs):
        if level == 1:
            core = core + cost
    return budget(seconds, core, share).levels(levels, costs)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "bell_minutes": bell_minutes,
    "bell_seconds": BELL_SECONDS,
    "speech_seconds": speech_seconds,
    "lines_seconds": lines_seconds,
    "seconds_each": seconds_each,
    "content_share": content_share,
    "budget": budget,
    "keep_levels": keep_levels,
}
"""What every template sees besides its parameters, `minutes` and `seconds`."""


def helpers_at(rate: float) -> dict[str, Any]:
    """The speech estimates bound to a session's speaking rate (the defaults hold at DEFAULT_RATE)."""
    if rate == DEFAULT_RATE:
        return {}
    return {
        "speech_seconds": functools.partial(speech_seconds, rate=rate),
        "lines_seconds": functools.partial(lines_seconds, rate=rate),
        "seconds_each": functools.partial(seconds_each, rate=rate),
    }
