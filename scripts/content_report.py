"""How much of a session is spoken, with the real voice: speech share, the longest silence
no one announced, announced silence, and the sentence said most often.

    python scripts/content_report.py [TEMPLATE ...] [--minutes 10 30 45 60] [--var KEY=VALUE ...]

Synthesises every phrase at the lengths asked into the phrase cache (slow the first time),
then lays each session out with the measured lengths. Without TEMPLATE, every built-in.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from content_probe import content, synthesise  # noqa: E402

from guided_audio.script import templates  # noqa: E402
from guided_audio.script.params import parse_var_options  # noqa: E402


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
                f"({c.most_repeated[0][:40]!r}), estimated {c.estimated_phrases}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
