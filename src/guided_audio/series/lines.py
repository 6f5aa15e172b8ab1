"""Where each table and key of a series file starts, so every error can name its line.

tomllib parses the file (strict TOML 1.0, in the standard library) but keeps no positions,
and tomlkit only reaches them through private rendering methods. The line of a table header
or a `key =` is easy to find by reading the lines ourselves, as long as the text inside
multi-line strings and arrays is skipped; the values always come from tomllib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from guided_audio.errors import GuidedAudioError, Notice, phrased

ARRAY_HEADER = re.compile(r"^\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\s*(#.*)?$")
TABLE_HEADER = re.compile(r"^\[\s*([A-Za-z0-9_.\s-]+?)\s*\]\s*(#.*)?$")
KEY_LINE = re.compile(r"""^("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*(\.|=)""")


@dataclass
class TableLines:
    """A table's header line and the line of each key written in it."""

    line: int
    keys: dict[str, int] = field(default_factory=dict)

    def of(self, key: str | None = None) -> int:
        """The key's line, else the table's header line."""
        return self.keys.get(key, self.line) if key else self.line


@dataclass
class FileLines:
    tables: dict[str, TableLines] = field(default_factory=dict)
    arrays: dict[str, list[TableLines]] = field(default_factory=dict)

    def table(self, name: str) -> TableLines:
        return self.tables.get(name) or TableLines(1)

    def entry(self, name: str, index: int) -> TableLines:
        entries = self.arrays.get(name, [])
        return entries[index] if index < len(entries) else TableLines(1)


def locate(text: str) -> FileLines:
    """Lines of `[table]`, `[[array]]` entries and their keys (sub-tables count as the key)."""
    found = FileLines()
    current: TableLines | None = None
    closer: str | None = None  # the quote or bracket that ends a value spanning lines
    depth = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if closer is not None:
            closer, depth = _still_open(line, closer, depth)
            continue
        if not line or line.startswith("#"):
            continue
        if match := ARRAY_HEADER.match(line):
            current = TableLines(number)
            found.arrays.setdefault(match.group(1), []).append(current)
            continue
        if match := TABLE_HEADER.match(line):
            name, _, sub = match.group(1).replace(" ", "").partition(".")
            if sub:  # [episode.vars] belongs to the last [[episode]], [series.vars] to [series]
                owner = found.arrays[name][-1] if found.arrays.get(name) else found.tables.get(name)
                if owner is not None:
                    owner.keys.setdefault(sub.split(".")[0], number)
                current = None
            else:
                current = found.tables.setdefault(name, TableLines(number))
            continue
        if (match := KEY_LINE.match(line)) and current is not None:
            current.keys.setdefault(match.group(1).strip("\"'"), number)
        closer, depth = _opened(line.partition("=")[2])
    return found


def _opened(value: str) -> tuple[str | None, int]:
    """What a value left open at the end of its line: a multi-line string or an array."""
    for quote in ('"""', "'''"):
        if value.count(quote) % 2 == 1:
            return quote, 0
    depth = _bracket_depth(value)
    return ("]", depth) if depth > 0 else (None, 0)


def _still_open(line: str, closer: str, depth: int) -> tuple[str | None, int]:
    if closer in ('"""', "'''"):
        return (closer, 0) if line.count(closer) % 2 == 0 else (None, 0)
    depth += _bracket_depth(line)
    return ("]", depth) if depth > 0 else (None, 0)


def _bracket_depth(text: str) -> int:
    """Brackets opened minus closed, outside simple one-line strings and comments."""
    depth, quote = 0, None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth


def key_name(key: str) -> str:
    """A setting as a series file names it: its key (`minutes`, `vars`, `background_level`), the
    address as `base_url =`."""
    return "base_url =" if key == "base_url" else key


def in_file_words(message: str | GuidedAudioError | Notice) -> str:
    """A message from the session in the series file's words (see errors.option)."""
    if isinstance(message, (GuidedAudioError, Notice)):
        return message.phrased(key_name)
    return phrased(message, key_name)
