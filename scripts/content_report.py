"""How much of a session is spoken, with the real voice: speech share, the longest silence
no one announced, announced silence, and the sentence said most often; and how a teacher
would read it (issue 18): chapters, breath cycles by pattern, spoken cues a minute and the
longest quiet inside a long pattern, wake-up words in the last fifth of a sleep ending, and
how often a session of several parts says its driving line.

    python scripts/content_report.py [TEMPLATE ...] [--minutes 10 30 45 60] [--var KEY=VALUE ...]

Synthesises every phrase at the lengths asked into the phrase cache (slow the first time),
then lays each session out with the measured lengths (the ending=sleep plans and the session
of parts use the cache where it has a phrase, and estimates otherwise). Without TEMPLATE,
every built-in.
"""

from __future__ import annotations

import argparse
import sys

from content_probe import content, cycles, driving_lines, pattern_voice, synthesise, wake_words_at_end

from guided_audio.errors import GuidedAudioError
from guided_audio.script import templates
from guided_audio.script.params import parse_var_options
from guided_audio.session import SessionRequest, preview

PARTS = ("deep-breathing:5", "progressive-muscle-relaxation:15", "guided-imagery:20")
"""The issue's session of several parts, whose driving line should be said once."""


def teaching(name: str, minutes: int, given: dict[str, str]) -> str:
    """Chapters, cycles and the voice in a long pattern, and a sleep ending's last fifth."""
    plan = preview(SessionRequest(name, minutes, variables=given), with_range=False)
    found = [f"chapters {len(plan.timeline.chapters)}"]
    counted = cycles(plan)
    if counted:
        found.append("cycles " + " ".join(f"{pattern} x{n}" for pattern, n in counted.most_common(3)))
    voice = pattern_voice(plan)
    if voice is not None and minutes >= 10:
        found.append(f"in the pattern {voice.cues_per_minute:.1f} cues/min, quiet up to {voice.longest_quiet:.0f} s")
    if "ending" in templates.find(name).params and "ending" not in given:
        try:
            asleep = preview(SessionRequest(name, minutes, variables={**given, "ending": "sleep"}), with_range=False)
            words = wake_words_at_end(asleep)
            found.append("ending=sleep: " + (f"wake words {words[:3]}" if words else "no wake words") + " in the last fifth")
        except GuidedAudioError as exc:
            found.append(f"ending=sleep: {exc}")
    return ", ".join(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--minutes", type=int, nargs="+", default=[10, 30, 45, 60])
    parser.add_argument("--var", action="append", default=[])
    args = parser.parse_args()
    given = parse_var_options(args.var)
    names = args.names or [t.name for t in templates.available() if t.builtin]
    for name in names:
        first = max(1, int(templates.find(name).min_minutes or 1))
        minutes = [m for m in args.minutes if m >= first]
        synthesise(name, minutes, given)
        for m in minutes:
            c = content(name, m, given)
            label = " ".join(f"{k}={v}" for k, v in given.items()) or "defaults"
            print(
                f"{name:30s} {label:20s} {m:3d} min: speech {c.speech_share:5.1%}, "
                f"longest unannounced quiet {c.longest_unintended:5.1f} s, announced silence "
                f"{c.intended_silence:5.0f} s, most said {c.most_repeated[1]}x "
                f"({c.most_repeated[0][:40]!r}), estimated {c.estimated_phrases}; {teaching(name, m, given)}",
                flush=True,
            )
    parts = preview(SessionRequest.of_parts(list(PARTS)), with_range=False)
    print(f"{' '.join(PARTS)}: the driving line said {driving_lines(parts)}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
