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
    texts = [p for m in minutes_list for p in phrases(script(template, m, variables or {}, rate=rate)[0])]
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

