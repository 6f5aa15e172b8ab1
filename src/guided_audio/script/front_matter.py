"""A template's front matter (the TOML between its +++ lines): errors with the file's own line.

tomllib counts lines from the first line it was given, which is the line after the opening
+++; a user reads the file's lines. And TOML accepts any type for any key, while a title or
description reaches the MP3's tags and the feed as it is, so their types are checked here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from guided_audio.errors import TemplateSyntaxError

FRONT_MATTER_TYPES = {"title": str, "description": str}


def toml_error(path: Path, exc: Exception, offset: int) -> str:
    """tomllib counts lines from the front matter's first; the file's own line is `offset` more."""
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    if not found:
        return f"{path}:{offset + 1}: front matter is not valid TOML: {message}"
    line = int(found[1]) + offset
    return f"{path}:{line}: front matter is not valid TOML: {message[: found.start()].strip()} (column {found[2]})"


def check_types(meta: dict[str, Any], path: Path, lines: list[str], offset: int) -> None:
    """title and description are text (they reach the MP3's tags and the feed as they are)."""
    for key, kind in FRONT_MATTER_TYPES.items():
        if key in meta and not isinstance(meta[key], kind):
            at = next((offset + 1 + n for n, text in enumerate(lines) if re.match(rf"\s*{key}\s*=", text)), offset)
            raise TemplateSyntaxError(f'{path}:{at}: {key} must be text in quotes, like {key} = "Evening rest"')
