"""`guided-audio templates` and `backgrounds`: what there is to choose from, as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from guided_audio.commands.words import say

JSON_HELP = "Print JSON (the shape is in the README) instead of text."


@click.command(name="templates")
@click.option("--templates-dir", "templates_dirs", multiple=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder of your own templates.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def list_templates(templates_dirs: tuple[Path, ...], as_json: bool) -> None:
    """List the templates with their descriptions and parameters.

    Files in a templates folder that cannot be used are listed after them, with the reason.

    \b
    Example:
        guided-audio templates
        guided-audio templates --json
    """
    from guided_audio.commands.report import format_templates, templates_json
    from guided_audio.script.templates import catalogue

    found = catalogue(templates_dirs)
    click.echo(json.dumps(templates_json(found), indent=2, ensure_ascii=False) if as_json else format_templates(found))


@click.command(name="backgrounds")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def list_backgrounds(as_json: bool) -> None:
    """List the built-in background soundscapes, one line each.

    \b
    Example:
        guided-audio backgrounds
        guided-audio backgrounds --json
    """
    from guided_audio.commands.report import backgrounds_json, format_backgrounds

    click.echo(json.dumps(backgrounds_json(), indent=2, ensure_ascii=False) if as_json else format_backgrounds())


@click.command(name="voices")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def list_voices(as_json: bool) -> None:
    """List every voice you can use now: engine, language, sex, licence, network needed.

    \b
    Example:
        guided-audio voices
        guided-audio generate deep-breathing -m 5 --voice joe
    """
    from guided_audio.voice.voices import format_voices, usable_voices

    voices = usable_voices()
    click.echo(json.dumps([v.to_dict() for v in voices], indent=2) if as_json else say(format_voices(voices)))
