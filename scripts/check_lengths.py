"""Check that templates fit every whole minute from their minimum to 60, with the real voice.

    python scripts/check_lengths.py [TEMPLATE ...] [--var KEY=VALUE ...] [--up-to 60]

Renders each template's script at every whole minute, synthesises every distinct phrase
with the offline voice (into the phrase cache, so a second run is quick), then lays each
minute out with the measured phrase lengths. Prints, per template and choice, the minutes
that do not fit (there should be none) and the least slack seen: the time left over once
every pause is at its minimum, which is how close a length came to not fitting. Without TEMPLATE, checks
every built-in template with its defaults and with each choice of each choice parameter.
"""

from __future__ import annotations

import argparse
import math
import sys

from guided_audio.audio.samples import SESSION_RATE
from guided_audio.errors import GuidedAudioError
from guided_audio.script import templates
from guided_audio.script.layout import TooShort, layout
from guided_audio.script.lengths import phrases, script
from guided_audio.script.params import parse_var_options
from guided_audio.voice.cache import PhraseCache
from guided_audio.voice.engine import make_engine
from guided_audio.voice.speech import synthesise_phrases


def variants(template: templates.Template, given: dict[str, str]) -> list[dict[str, str]]:
    if given:
        return [given]
    choices = [{k: c} for k, spec in template.params.items() if spec.type == "choice" for c in spec.choices]
    return [{}] + [v for v in choices if template.params[next(iter(v))].default != next(iter(v.values()))]


def check(template: templates.Template, given: dict[str, str], up_to: int, engine, cache) -> bool:
    first = max(1, math.ceil(template.min_minutes or 1))
    minutes = range(first, up_to + 1)
    scripts = {m: script(template, m, given)[0] for m in minutes}
    texts = [p for items in scripts.values() for p in phrases(items)]
    bank = synthesise_phrases(engine, texts, cache)
    failed, least = [], (math.inf, None)
    for m, items in scripts.items():
        try:  # asking for no time at all makes layout say how much the script needs
            layout(items, bank.length_of, total_seconds=0, rate=SESSION_RATE)
        except TooShort as exc:
            slack = m * 60 - exc.needed_seconds
        if slack < 0:
            failed.append(m)
        least = min(least, (slack, m))
    label = " ".join(f"{k}={v}" for k, v in given.items()) or "defaults"
    status = f"FAILS at {failed}" if failed else "fits every minute"
    print(
        f"{template.name:30s} {label:24s} {first}-{up_to} min: {status}; {len(bank.clips)} phrases; "
        f"least slack {least[0]:.0f} s at {least[1]} min"
    )
    return not failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="templates to check (default: every built-in)")
    parser.add_argument("--var", action="append", default=[], help="KEY=VALUE, as for generate")
    parser.add_argument("--up-to", type=int, default=60, help="last minute to check (default 60)")
    parser.add_argument("--rate", type=float, default=0.75, help="speaking pace (default 0.75)")
    args = parser.parse_args()
    given = parse_var_options(args.var)
    chosen = [templates.find(n) for n in args.names] or [t for t in templates.available() if t.builtin]
    engine = make_engine("piper", rate=args.rate)
    cache = PhraseCache(enabled=True)
    ok = True
    try:
        for template in chosen:
            for variant in variants(template, given):
                ok = check(template, variant, args.up_to, engine, cache) and ok
    except GuidedAudioError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
