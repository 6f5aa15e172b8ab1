"""Plain-text reports for the terminal: the planned timeline and the template list."""

from __future__ import annotations

from typing import Any

from guided_audio.script.layout import format_clock
from guided_audio.script.params import ParamSpec
from guided_audio.script.templates import Catalogue
from guided_audio.session import Plan


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 phrase', '2 phrases': a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


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
    rows += [(t.start, 1, "(bell)") for t in timeline.tones if t.name == "bell"]
    rows += [(s.start, 2, f"  {s.text}") for s in timeline.speech]
    rows.sort(key=lambda row: (row[0], row[1]))
    rows = _with_pace_changes(rows, timeline)
    speech = sum(s.end - s.start for s in timeline.speech)
    params = ", ".join(f"{k}={ParamSpec.format(v)}" for k, v in plan.params.items() if v is not None)
    lines = [
        f"{plan.heading.title} ({plan.heading.name}), {plan.minutes:g} min"
        + (f": {params}" if params else ""),
        "",
    ]
    lines += [f"{_clock(start, rate)}  {text}" for start, _, text in rows]
    lines += [
        f"{_clock(timeline.total, rate)}  (end)",
        "",
        f"Length {format_clock(timeline.seconds)} exactly; {_speech_and_silence(speech, timeline)}; "
        f"{counted(len(timeline.speech), 'phrase')}, "
        f"{counted(len(timeline.phases), 'phase')}, {counted(len(timeline.chapters), 'chapter')}.",
    ]
    if timeline.pattern_samples:
        lines.append(_pattern_line(timeline))
    if len(plan.parts) > 1:
        lines += _part_lines(plan)
    if plan.lengths is not None:
        lines.append(_length_range_line(plan))
    if timeline.uncertain_cues:
        lines.append(
            f"By the estimates, {counted(timeline.uncertain_cues, 'cue')} would start before the words ahead "
            f"of {'it' if timeline.uncertain_cues == 1 else 'them'} end, at this --rate; generate measures and "
            f"refuses if {'it really does' if timeline.uncertain_cues == 1 else 'they really do'}."
        )
    if plan.estimated_phrases:
        lines.append(
            (f"{plan.estimated_phrases} phrase lengths are estimates" if plan.estimated_phrases > 1
             else "1 phrase length is an estimate") + " (not yet synthesised); "
            "times after them may shift slightly."
        )
    return "\n".join(lines)


def _part_lines(plan: Plan) -> list[str]:
    """Each part: where it lies, its length and share, its time in a pattern, what it fits."""
    rate = plan.timeline.rate
    lines = [f"{len(plan.parts)} parts, one chapter each:"]
    for part in plan.parts:
        length = (part.end - part.start) / rate
        fit = part.lengths
        fits = "fits no whole minute with these choices" if fit is None or fit.shortest is None else f"fits {fit.describe()}"
        pattern = f", {part.pattern_share:.0%} in the pattern" if part.pattern_share else ""
        lines.append(
            f"  {part.script.index}. {part.script.part}  {format_clock(part.start / rate)}-{format_clock(part.end / rate)}"
            f"  {format_clock(length)} ({length / plan.timeline.seconds:.0%} of the session{pattern}); {fits}"
        )
    return lines


def _pattern_line(timeline) -> str:
    """How much of the session is spent in the timed pattern (the demonstration included)."""
    seconds = timeline.pattern_samples / timeline.rate
    return f"In the pattern {format_clock(seconds, round_up=False)} of {format_clock(timeline.seconds)} ({timeline.pattern_share:.0%})."


def _speech_and_silence(speech: int, timeline) -> str:
    """Speech and silence in whole seconds that add up to the length (any speech is 0:01 at least)."""
    total = round(timeline.total / timeline.rate)
    spoken = min(total, max(1, round(speech / timeline.rate))) if speech else 0
    return f"speech {format_clock(spoken)}, silence {format_clock(total - spoken)}"


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


def format_templates(found: Catalogue) -> str:
    """Each template with its limits and parameters; then plain text files and broken files."""
    blocks = []
    for template in found.templates:
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
    if not blocks:
        blocks.append("No templates found.")
    if found.plain_text:
        lines = ["Plain text, not listed as templates (no front matter, markup or Jinja):"]
        lines += [f"    {t.path}" for t in found.plain_text]
        lines.append("    A list of phrases goes to a parameter, like --var file=PATH; a plain script runs by its path.")
        blocks.append("\n".join(lines))
    if found.broken:
        lines = ["Cannot be used (fix the file, or move it out of the folder):"]
        lines += [f"    {reason if reason.startswith(str(path)) else f'{path}: {reason}'}" for path, reason in found.broken]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _param_json(spec: ParamSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "type": spec.type,
        "default": list(spec.default) if isinstance(spec.default, tuple) else spec.default,
        "choices": list(spec.choices),
        "min": spec.min,
        "max": spec.max,
        "max_length": spec.max_length,
        "help": spec.help,
    }


def templates_json(found: Catalogue) -> dict[str, Any]:
    """The stable shape of `templates --json` (documented in the README; keys are only added)."""
    return {
        "templates": [
            {
                "name": t.name,
                "title": t.title,
                "description": t.description,
                "builtin": t.builtin,
                "path": str(t.path),
                "min_minutes": t.min_minutes,
                "max_minutes": t.max_minutes,
                "params": [_param_json(spec) for spec in t.params.values()],
            }
            for t in found.templates
        ],
        "plain_text": [{"name": t.name, "path": str(t.path)} for t in found.plain_text],
        "broken": [{"name": path.stem, "path": str(path), "error": reason} for path, reason in found.broken],
    }


def backgrounds_json() -> dict[str, Any]:
    """The stable shape of `backgrounds --json` (documented in the README)."""
    from guided_audio.mix.bedmix import DEFAULT_LEVEL_DB
    from guided_audio.mix.soundscapes import SOUNDSCAPES

    return {
        "backgrounds": [
            {"name": "none", "description": NO_BACKGROUND, "channels": 1},
            *({"name": name, "description": kind.description, "channels": kind.channels} for name, kind in SOUNDSCAPES.items()),
        ],
        "default": "none",
        "default_level_db": DEFAULT_LEVEL_DB,
    }


NO_BACKGROUND = "silence between the words (the default)"


def format_backgrounds() -> str:
    """Each built-in soundscape with its line, then how to use a file of your own."""
    from guided_audio.mix.soundscapes import SOUNDSCAPES

    width = max(len(name) for name in SOUNDSCAPES)
    lines = [f"{'none':{width}}  {NO_BACKGROUND}"]
    lines += [f"{name:{width}}  {kind.description}" for name, kind in SOUNDSCAPES.items()]
    lines += ["", "Or give an audio file (MP3, WAV, OGG, FLAC, ...): --background path/to/sound.mp3",
              "It is looped with a crossfade. Set the level with --background-level (default -22 dB)."]  # fmt: skip
    return "\n".join(lines)
