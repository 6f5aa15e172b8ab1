"""What a session holds, measured on its plan: speech share, the longest silence no one
announced, and how often a sentence comes round. Shared by the content tests and
scripts/content_report.py, so the note's figures and the tests' are the same arithmetic."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from guided_audio.script import markup, templates
from guided_audio.script.lengths import phrases, script
from guided_audio.session import Plan, SessionRequest, preview
from guided_audio.voice.cache import PhraseCache
from guided_audio.voice.engine import make_engine
from guided_audio.voice.pace import soften_sleep_ending
from guided_audio.voice.speech import synthesise_phrases

REPEAT_WORDS = 4
"""Sentences this long or longer count for repetition; shorter ones ("Three.", "And rest.")
are counts and cues, said as often as the practice needs them."""


@dataclass(frozen=True)
class Content:
    minutes: int
    speech_share: float
    longest_unintended: float
    """Seconds of the longest quiet between words that is not an announced [silence]."""
    intended_silence: float
    """Seconds of announced silence in all."""
    most_repeated: tuple[str, int]
    estimated_phrases: int


def synthesise(name: str, minutes_list, variables: dict[str, str] | None = None) -> int:
    """Speak every phrase the template says at these lengths into the phrase cache (the
    bundled voice, at the default rate), so the plans that follow use real lengths; how
    many phrases there are."""
    template = templates.find(name)
    rate = SessionRequest(name, 1).script_rate  # the default voice's, as preview plans with
    # the phrases as preview lays them out: a sleep ending's last minutes slowed and softened
    texts = [
        p for m in minutes_list
        for p in phrases(soften_sleep_ending(script(template, m, variables or {}, rate=rate)[0], m * 60, rate))
    ]
    bank = synthesise_phrases(make_engine(), texts, PhraseCache(enabled=True))
    return len(bank.clips)


def cue_texts(plan: Plan) -> set[str]:
    """What phase cues say: these are the practice's counts, not its guidance."""
    return {c.text for item in plan.items if isinstance(item, markup.Phase) for c in item.cue}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def repeats(plan: Plan) -> Counter:
    """How many times each sentence of four words or more is said, cues aside."""
    cues = cue_texts(plan)
    counted: Counter = Counter()
    for placed in plan.timeline.speech:
        if placed.text in cues:
            continue
        for sentence in sentences(placed.text):
            if len(sentence.split()) >= REPEAT_WORDS:
                counted[sentence.lower()] += 1
    return counted


def measure(plan: Plan) -> Content:
    timeline = plan.timeline
    rate = timeline.rate
    speech = sum(p.end - p.start for p in timeline.speech) / rate
    pauses = [s for s in timeline.segments() if s.kind == "pause"]
    unintended = [s.end - s.start for s in pauses if s.purpose != "silence"]
    intended = sum(s.end - s.start for s in pauses if s.purpose == "silence")
    counted = repeats(plan)
    top = counted.most_common(1)[0] if counted else ("", 0)
    return Content(
        minutes=int(round(plan.minutes)),
        speech_share=speech / timeline.seconds,
        longest_unintended=max(unintended, default=0.0),
        intended_silence=intended,
        most_repeated=top,
        estimated_phrases=plan.estimated_phrases,
    )


def content(name: str, minutes: int, variables: dict[str, str] | None = None) -> Content:
    return measure(preview(SessionRequest(name, minutes, variables=dict(variables or {}))))



# ---- how a teacher would read it (issue 18): cycles, cues, chapters, endings, care lines ----

BREATH = ("inhale", "topup", "hold", "exhale", "rest")
WAKE_WORDS = re.compile(
    r"\b(awake|alert|refreshed|wake|waking|stretch\w*|get up|sit up|open your eyes|let them open|"
    r"eyes open|rest of your day|back into the room|fingers and toes)\b",
    re.IGNORECASE,
)
"""What a sleep ending never says: a wake-up, a stretch, a count back into the day."""
DRIVING = re.compile(r"\bdriving\b", re.IGNORECASE)


def cycles(plan: Plan) -> Counter:
    """Breath cycles by pattern ('4-7-8', '4-4-4-4'): the phase seconds from one inhale to
    the next, each cycle counted once."""
    phases = sorted((p for p in plan.timeline.phases if p.name in BREATH), key=lambda p: p.start)
    rate = plan.timeline.rate
    found: Counter = Counter()
    current: list[str] = []
    for phase in phases:
        if phase.name == "inhale" and current:
            found["-".join(current)] += 1
            current = []
        current.append(f"{(phase.end - phase.start) / rate:g}")
    if current:
        found["-".join(current)] += 1
    return found


@dataclass(frozen=True)
class PatternVoice:
    """How much the voice says inside a long breathing pattern."""

    cues_per_minute: float
    """Phrases a minute, between the pattern's fifth minute (of the session) and its end."""
    longest_quiet: float
    """Seconds of the longest stretch inside the pattern with no word at all."""


def pattern_voice(plan: Plan, after_seconds: float = 300.0) -> PatternVoice | None:
    """The voice inside the span from the first breath phase to the last (None: no pattern)."""
    timeline, rate = plan.timeline, plan.timeline.rate
    breaths = [p for p in timeline.phases if p.name in BREATH]
    if not breaths:
        return None
    start, end = min(p.start for p in breaths), max(p.end for p in breaths)
    inside = sorted((s for s in timeline.speech if s.end > start and s.start < end), key=lambda s: s.start)
    edges = [start] + [e for s in inside for e in (s.start, s.end)] + [end]
    quiet = max((b - a for a, b in zip(edges[::2], edges[1::2])), default=end - start) / rate
    later = max(start, int(after_seconds * rate))
    counted = [s for s in inside if s.start >= later]
    minutes = (end - later) / rate / 60
    return PatternVoice(len(counted) / minutes if minutes > 0 else 0.0, quiet)


def wake_words_at_end(plan: Plan, share: float = 0.2) -> list[str]:
    """Wake-up words said in the last `share` of the session."""
    timeline = plan.timeline
    from_ = timeline.total * (1 - share)
    return [m.group(0) for s in timeline.speech if s.start >= from_ for m in WAKE_WORDS.finditer(s.text)]


def driving_lines(plan: Plan) -> int:
    """How often the session asks not to be heard while driving."""
    return sum(1 for s in plan.timeline.speech if DRIVING.search(s.text))
