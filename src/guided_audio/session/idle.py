"""Options and choices that change nothing in a session: accepted in silence they look like a
bug, so they come back with the result as notices for the caller to say in its own words."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from guided_audio.errors import Notice, option
from guided_audio.mix import background as backgrounds
from guided_audio.script import templates
from guided_audio.script.choices import idle_choices, idle_message
from guided_audio.script.parts import PartScript

if TYPE_CHECKING:
    from guided_audio.session import SessionRequest


def idle_notices(request: SessionRequest, scripts: list[PartScript]) -> list[Notice]:
    """Idle options, and choices the session's parts do not use (a single part's unlabelled)."""
    if len(scripts) == 1:
        only = scripts[0]
        return _idle_options(replace(request, variables=dict(only.part.variables)), only.template, only.part.minutes)
    return _idle_options(request, scripts[0].template, request.minutes, scripts)


def _idle_options(request: SessionRequest, template: templates.Template, minutes: float, scripts=()) -> list[Notice]:
    """Which options change nothing here (accepted in silence they look like a bug), returned
    with the result for the caller to say in its own words."""
    notices = []
    if request.engine != "gtts":
        given = [option(name) for name in ("lang", "tld") if getattr(request, name) is not None]
        if given:
            verb, them = ("applies", "it") if len(given) == 1 else ("apply", "them")
            notices.append(Notice(
                f"{' and '.join(given)} only {verb} to {option('engine')} gtts; the {request.engine} voice ignores {them}",
                field="lang" if request.lang is not None else "tld",
            ))  # fmt: skip
    shaping = {"seed": request.seed is not None, "background_level": request.background_level_db is not None,
               "duck": request.duck_db is not None}  # fmt: skip
    if request.background == backgrounds.NONE:
        given = [name for name, set_ in shaping.items() if set_]
        if given:
            verb, they = ("shapes", "it changes") if len(given) == 1 else ("shape", "they change")
            notices.append(Notice(
                f"{' and '.join(map(option, given))} {verb} a background; without {option('background')} {they} nothing",
                field=given[0],
            ))  # fmt: skip
    elif request.seed is not None and request.background not in backgrounds.SOUNDSCAPES:
        notices.append(Notice(f"{option('seed')} shapes the built-in soundscapes; a background file ignores it", "seed"))
    for part in scripts:
        given = dict(part.part.variables)
        for name in idle_choices(part.template, part.part.minutes, given, rate=request.script_rate):
            notices.append(Notice(f"{part.label}: {idle_message(name, given, part.part.minutes)}", "vars", part.label))
    if scripts:
        return notices
    for name in idle_choices(template, minutes, request.variables, rate=request.script_rate):
        notices.append(Notice(idle_message(name, request.variables, minutes), "vars"))
    return notices
