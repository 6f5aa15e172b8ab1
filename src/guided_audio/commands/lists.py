"""`guided-audio templates` and `backgrounds`: what there is to choose from."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="templates")
@click.option("--templates-dir", "templates_dirs", multiple=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder of your own templates.")  # fmt: skip
def list_templates(templates_dirs: tuple[Path, ...]) -> None:
    """List the templates with their descriptions and parameters.

    \b
    Example:
        guided-audio templates
    """
    from guided_audio.commands.report import format_templates
    from guided_audio.script.templates import available

    click.echo(format_templates(available(templates_dirs)))


@click.command(name="backgrounds")
def list_backgrounds() -> None:
    """List the built-in background soundscapes, one line each.

    \b
    Example:
        guided-audio backgrounds
    """
    from guided_audio.commands.report import format_backgrounds

    click.echo(format_backgrounds())
