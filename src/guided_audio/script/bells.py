"""When a session's bells ring: the `bells` value a template takes, read and checked.

    none           no bells
    start-end      a bell to begin and one to end (what most timers ring)
    every:5        those, and one every five minutes between
    5,10,15        those, and one at each minute listed

Templates call `bell_minutes(bells, minutes)` and place the bells themselves (a pinned
`[bell at 5min]` where the minute must be exact); a value that cannot be read is one
ParameterError naming the fix, raised while the template renders.
"""

from __future__ import annotations

import math
import re

from guided_audio.errors import ParameterError

FORMS = "none, start-end, every:5 (a bell every five minutes) or whole minutes like 5,10,15"
_EVERY = re.compile(r"^every:(\d+)$")
_LIST = re.compile(r"^\d+(?:,\d+)*$")


def bell_minutes(value: str, minutes: float) -> list[float]:
    """The minutes between start and end at which a bell rings (empty for none and
    start-end), in order; ParameterError for a value that is not one of FORMS, or a minute
    outside the session."""
    text = "".join(str(value).split()).lower()
    if text in ("none", "start-end"):
        return []
    every = _EVERY.match(text)
    if every:
        step = int(every.group(1))
        if step < 1:
            raise ParameterError(f"bells={value!r}: ring at most once a minute; try bells=every:5")
        return [float(m) for m in range(step, math.ceil(minutes), step) if m < minutes]
    if _LIST.match(text):
        chosen = sorted({float(piece) for piece in text.split(",")})  # whole minutes, in order
        outside = [m for m in chosen if not 0 < m < minutes]
        if outside:
            inside = ",".join(f"{m:g}" for m in chosen if 0 < m < minutes) or f"{minutes / 2:g}"
            raise ParameterError(
                f"bells={value!r}: minute {outside[0]:g} is not inside this {minutes:g}-minute session; "
                f"give minutes after 0 and before {minutes:g}, like bells={inside}"
            )
        return chosen
    raise ParameterError(f"bells={value!r} is not understood; write {FORMS}")

