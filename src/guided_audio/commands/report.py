"""Plain-text reports for the terminal: the planned timeline and the template list."""

from __future__ import annotations

from typing import Iterable

from guided_audio.script.layout import format_clock
from guided_audio.script.params import ParamSpec
from guided_audio.script.templates import Template
from guided_audio.session import Plan


def _clock(samples: int, rate: int) -> str:
    seconds = samples / rate
    return f"{int(seconds // 60):2d}:{seconds % 60:06.3f}"


def format_plan(plan: Plan) -> str:
    """Chapters, phases and phrases in time order, with a summary line."""
    timeline = plan.timeline
    rate = timeline.rate
    rows: list[tuple[int, int, str]] = []
    rows += [(c.start, 0, f"== {c.title} ==") for c in timeline.chapters]
    toned = {t.start for t in timeline.tones}
    rows += [
        (p.start, 1, f"[{p.name} {(p.end - p.start) / rate:g}s{' tone' if p.start in toned else ''}]")
        for p in timeline.phases
    ]
    rows += [(s.start, 2, f"  {s.text}") for s in timeline.speech]
    rows.sort(key=lambda row: (row[0], row[1]))
    rows = _with_pace_changes(rows, timeline)
    speech = sum(s.end - s.start for s in timeline.speech)
    params = ", ".join(f"{k}={ParamSpec.format(v)}" for k, v in plan.params.items() if v is not None)
    lines = [
        f"{plan.template.title} ({plan.template.name}), {plan.minutes:g} min"
        + (f": {params}" if params else ""),
        "",
    ]
    lines += [f"{_clock(start, rate)}  {text}" for start, _, text in rows]
    lines += [
        f"{_clock(timeline.total, rate)}  (end)",
        "",
        f"Length {format_clock(timeline.seconds)} exactly; speech {format_clock(speech / rate)}, "
        f"silence {format_clock((timeline.total - speech) / rate)}; {len(timeline.speech)} phrases, "
        f"{len(timeline.phases)} phases, {len(timeline.chapters)} chapters.",
    ]
    if plan.lengths is not None:
        lines.append(_length_range_line(plan))
    if plan.estimated_phrases:
        lines.append(
            f"{plan.estimated_phrases} phrase lengths are estimates (not yet synthesised); "
            "times after them may shift slightly."
        )
    return "\n".join(lines)


def _with_pace_changes(rows: list[tuple[int, int, str]], timeline) -> list[tuple[int, int, str]]:
    """A '(pace 0.9)' row wherever the speaking pace changes, so a slow-down is visible."""
    paces = {s.start: s.pace for s in timeline.speech}
    out, current = [], 1.0
    for row in rows:
        pace = paces.get(row[0]) if row[1] == 2 else None
        if pace is not None and pace != current:
            out.append((row[0], 2, f"  (pace {pace:g})"))
            current = pace
        out.append(row)
    return out


def _length_range_line(plan: Plan) -> str:
    fit = plan.lengths
    if fit.shortest is None:
        return "No whole-minute length fits these choices."
    return f"Fits {fit.describe()} with these choices."


def format_templates(found: Iterable[Template]) -> str:
    blocks = []
    for template in found:
        origin = "built-in" if template.builtin else str(template.path)
        head = f"{template.name}  ({origin})"
        if template.min_minutes:
            head += f", at least {template.min_minutes:g} min"
        if template.max_minutes:
            head += f", at most {template.max_minutes:g} min"
        lines = [head, f"    {template.title}: {template.description}".rstrip(": ")]
        for spec in template.params.values():
            lines.append(f"    --var {spec.name}=  {spec.describe()}" + (f"  {spec.help}" if spec.help else ""))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) if blocks else "No templates found."


def format_backgrounds() -> str:
    """Each built-in soundscape with its line, then how to use a file of your own."""
    from guided_audio.mix.soundscapes import SOUNDSCAPES

    width = max(len(name) for name in SOUNDSCAPES)
    lines = [f"{'none':{width}}  silence between the words (the default)"]
    lines += [f"{name:{width}}  {kind.description}" for name, kind in SOUNDSCAPES.items()]
    lines += ["", "Or give an audio file (MP3, WAV, OGG, FLAC, ...): --background path/to/sound.mp3",
              "It is looped with a crossfade. Set the level with --background-level (default -22 dB)."]  # fmt: skip
    return "\n".join(lines)
