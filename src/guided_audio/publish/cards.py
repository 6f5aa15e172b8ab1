"""What a session is, in words for the person about to listen: the page's cards and the feed.

The tags' description is built for the file (the template's whole blurb, every parameter as
"pattern 4-7-8, practice auto, tones false"); a listener choosing what to play wants one or two
plain sentences about this session: the practice and the choice that shapes it, no settings
and no length (the card shows that once). Built-in templates are described here from the
manifest's template and params; a template of the user's keeps the description it gave.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

Params = Mapping[str, Any]

BREATHING_PATTERNS = {
    "4-7-8": "Breathing in the 4-7-8 pattern: in for 4, hold for 7, out for 8",
    "box": "Box breathing: in, hold, out and rest, 4 counts each",
    "coherent": "Slow, even breathing, about six breaths a minute",
    "resonance": "Slow, even breathing, about six breaths a minute",
    "cyclic-sigh": "Cyclic sighing: a double breath in, then a long, slow breath out",
    "physiological-sigh": "The physiological sigh: a breath in, a short top-up, then a long breath out",
    "awake": "A brisk breathing pattern for waking up: in for 6, out for 2",
    "pranayama": "Breathing in for 7, holding for 4, out for 8 and resting for 4",
}
SCENES = {
    "beach": "a quiet beach",
    "forest": "a forest",
    "mountain-lake": "a mountain lake",
    "meadow": "a meadow",
    "night-sky": "a night sky full of stars",
    "snowy-cabin": "a warm cabin in the snow",
}
AFFIRMATION_THEMES = {"calm": "calm", "confidence": "confidence", "recovery": "recovery", "self-worth": "self-worth"}
PMR_GROUPS = {"16": "sixteen muscle groups", "7": "seven muscle groups", "4": "four muscle groups"}
LENGTH_IN_TITLE = re.compile(r"\s*\((\d+(?:\.\d+)?) min\)$")


def _breathing(params: Params) -> str:
    timing = [(params.get(k), word) for k, word in (("inhale", "in"), ("hold", "hold"), ("exhale", "out"), ("rest", "rest"))]
    own = [f"{word} for {value:g}" for value, word in timing if isinstance(value, (int, float)) and value]
    pattern = "Breathing to your own timing: " + ", ".join(own) if own else BREATHING_PATTERNS.get(params.get("pattern"))
    return f"{pattern or 'Slow, paced breathing'}, with guidance that thins out as you go."


def _body_scan(params: Params) -> str:
    if params.get("focus") == "breath":
        return "Attention rests on the breath, and comes back kindly whenever the mind wanders."
    lying = " lying down" if params.get("posture") == "lying" else ""
    return f"A body scan{lying}: attention rests on one part of the body after another, and comes back kindly."


def _imagery(params: Params) -> str:
    scene = SCENES.get(params.get("scene"), "a calm place")
    return f"Settle, count down, and rest in {scene}, explored with all five senses."


def _pmr(params: Params) -> str:
    groups = PMR_GROUPS.get(str(params.get("groups")), "area by area")
    how = f"through {groups}" if groups != "area by area" else groups
    return f"Gently tense and release the body {how}, then rest. Never to the point of pain."


def _affirmations(params: Params) -> str:
    if params.get("file"):
        return "Your own kind phrases, each spoken slowly, with quiet to repeat it."
    theme = AFFIRMATION_THEMES.get(params.get("theme"), "calm")
    return f"Kind, steady phrases about {theme}, each followed by quiet to repeat it."


def _gratitude(params: Params) -> str:
    focus = {"people": "the people who help you", "simple-things": "simple things easily overlooked"}
    return f"A gratitude reflection on {focus.get(params.get('focus'), 'small good moments from the day')}."


def _self_compassion(params: Params) -> str:
    if params.get("practice") == "difficulty":
        return "Turning with care toward a small difficulty, with a kind touch and a reminder that you are not alone."
    return "A gentle practice of kind wishes toward yourself."


def _mindfulness(params: Params) -> str:
    if params.get("guidance") == "none":
        timed = "" if str(params.get("bells") or "").strip() == "none" else ", timed by bells"
        return f"A silent sit{timed}, with only a few words to begin."
    return "Attention rests on the breath, then on sounds, thoughts and feelings, then opens into a wide, quiet awareness."


def _sleep(params: Params) -> str:
    return "A bedtime routine: the body settles, the day is let go, and it ends softly in silence."


DESCRIBE: dict[str, Callable[[Params], str]] = {
    "deep-breathing": _breathing,
    "body-scan": _body_scan,
    "guided-imagery": _imagery,
    "progressive-muscle-relaxation": _pmr,
    "affirmations": _affirmations,
    "gratitude": _gratitude,
    "self-compassion": _self_compassion,
    "mindfulness": _mindfulness,
    "sleep-wind-down": _sleep,
}


def about(manifest: Mapping[str, Any]) -> str | None:
    """One or two sentences on what this session is, or None for a template we do not know."""
    parts = manifest.get("parts")
    if isinstance(parts, list) and len(parts) > 1 and all(isinstance(p, dict) for p in parts):
        said = [_one(p.get("template"), p.get("params")) for p in parts]
        if not all(said):
            return None
        titles = [_lower_first(str(p.get("title") or "")) for p in parts]
        steps = ", then ".join(t for t in titles if t)
        count = {2: "Two", 3: "Three", 4: "Four", 5: "Five"}.get(len(parts), str(len(parts)))
        return f"{count} practices in one: {steps}. " + " ".join(said)
    text = _one(manifest.get("template"), manifest.get("params"))
    if text and (manifest.get("params") or {}).get("ending") == "sleep" and manifest.get("template") != "sleep-wind-down":
        text += " It ends softly, ready for sleep."
    return text


def _one(template: object, params: object) -> str | None:
    describe = DESCRIBE.get(template) if isinstance(template, str) else None
    return describe(params if isinstance(params, dict) else {}) if describe else None


def technique(template: str, title_of: Callable[[str], str]) -> str:
    """The practice as the card's second line: "Deep breathing", "Deep breathing, then body scan"."""
    names = [name for name in template.split("+") if name]
    titles = [title_of(name) for name in names]
    return ", then ".join(titles[:1] + [_lower_first(t) for t in titles[1:]]) if titles else "Guided session"


def short_title(title: str) -> str:
    """A title without the "(5 min)" our default titles end in: the card gives the length once."""
    return LENGTH_IN_TITLE.sub("", title) or title


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
