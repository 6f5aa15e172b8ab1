"""The pace of a session: words a minute, and the sleep ending's slowing and softening.

A script that ends in an announced silence with no words after it (`[silence 3min+]`, the
sleep ending of issue 18) is spoken as a sleep-story narrator would: over its last minutes of
guidance the voice slows a little and grows softer, phrase by phrase, down to SLEEP_PACE and
SLEEP_LEVEL_DB at the last words. Both are set on the phrases before layout, so the plan
measures the slower phrases and plan and audio agree to the sample.
"""

from __future__ import annotations

import re
from dataclasses import replace

from guided_audio.script.fitting import speech_seconds
from guided_audio.script.markup import Item, Pause, Phase, Speech

SLEEP_SECONDS = 180.0
"""How long before the final silence the slowing begins (at most a quarter of the session)."""
SLEEP_PACE = 0.9
"""The last words' pace, as a share of the session's."""
SLEEP_LEVEL_DB = -4.0
"""The last words' level against the rest of the voice."""
_WORD = re.compile(r"[A-Za-z0-9’']+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def ends_in_sleep(items: list[Item]) -> int | None:
    """The index of the final announced silence when no words follow it; None otherwise."""
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if isinstance(item, (Speech, Phase)):
            return None
        if isinstance(item, Pause) and item.intended:
            return index
    return None


def soften_sleep_ending(items: list[Item], seconds: float, rate: float) -> list[Item]:
    """The items with the last minutes of speech before a final silence slowed and softened
    by a ramp (nothing changes for a script that does not end in sleep)."""
    silence = ends_in_sleep(items)
    if silence is None:
        return items
    window = min(SLEEP_SECONDS, seconds / 4)
    spent, first = 0.0, silence
    for index in range(silence - 1, -1, -1):
        item = items[index]
        if isinstance(item, Phase):
            break  # a timed practice keeps its own pace
        if isinstance(item, Speech):
            spent += speech_seconds(item.text, item.pace, rate=rate)
        elif isinstance(item, Pause):
            spent += item.seconds
        if spent > window:
            break
        first = index
    spoken = [index for index in range(first, silence) if isinstance(items[index], Speech)]
    if not spoken:
        return items
    out = list(items)
    for step, index in enumerate(spoken, start=1):
        share = step / len(spoken)  # the last phrase gets all of it
        phrase = out[index]
        out[index] = replace(
            phrase, pace=round(phrase.pace * (1 - (1 - SLEEP_PACE) * share), 3), level_db=round(SLEEP_LEVEL_DB * share, 2)
        )
    return out


def sleep_ending_summary(speech, rate: int) -> dict[str, object] | None:
    """For the manifest: where the softened phrases of a sleep ending start, how many there are,
    and what they come down to (None for a session without one)."""
    softened = [placed for placed in speech if placed.level_db < 0]
    if not softened:
        return None
    return {
        "start": round(min(placed.start for placed in softened) / rate, 3),
        "phrases": len(softened),
        "pace_to": SLEEP_PACE,
        "level_db_to": SLEEP_LEVEL_DB,
    }


def words_per_minute(speech, seconds: float, rate: int) -> dict[str, float]:
    """Words a minute inside the phrases (their clips, clause gaps included) and over the session."""
    words = sum(word_count(placed.text) for placed in speech)
    spoken = sum(placed.end - placed.start for placed in speech) / rate
    return {
        "inside_phrases": round(words / spoken * 60, 1) if spoken else 0.0,
        "overall": round(words / seconds * 60, 1) if seconds else 0.0,
    }
