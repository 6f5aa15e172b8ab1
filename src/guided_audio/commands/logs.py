"""How log records reach a user: plain `warning: ...` lines, in colour only on a terminal.

The library logs through `logging` and never configures it; the command line does, here.
A record reads as a sentence to a person, not as a module path: `warning: the session
measures -21.3 LUFS, ...`, never `WARNING guided_audio.mix.mastering: ...`. Request lines
from the server's web library carry colour codes; they are kept for a terminal and taken
out when the output goes to a file or a pipe.
"""

from __future__ import annotations

import logging
import re
import sys
import warnings

import click

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
COLOURS = {"warning": "yellow", "error": "red", "critical": "red", "debug": "blue"}
WEB_LOGGER = "werkzeug"


class PlainFormatter(logging.Formatter):
    """'warning: message' (info has no prefix); colour only when stderr is a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        colour = _is_terminal(sys.stderr)
        message = record.getMessage()
        level = record.levelname.lower()
        if record.levelno != logging.INFO:
            prefix = f"{level}:"
            if colour:
                prefix = click.style(prefix, fg=COLOURS.get(level), bold=record.levelno >= logging.WARNING)
            message = f"{prefix} {message}"
        return message if colour else ANSI.sub("", message)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (a test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(PlainFormatter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure(verbosity: int) -> None:
    """Log guided-audio's warnings (-v info, -vv debug) and the server's requests to stderr."""
    root = logging.getLogger()
    if not any(isinstance(handler, StderrHandler) for handler in root.handlers):
        root.addHandler(StderrHandler())
    set_verbosity(verbosity)
    warnings.showwarning = _warning_as_one_line
    # werkzeug sets its own logger to INFO on first use; its request lines are what serve
    # shows while it runs (serve -q turns them off)
    logging.getLogger(WEB_LOGGER).setLevel(logging.INFO)


def _warning_as_one_line(message, category, filename, lineno, file=None, line=None) -> None:
    """A library's Python warning (Pillow's DecompressionBombWarning) as one `warning:` line,
    not Python's two (its file, line and source), which read as a crash to a user."""
    text = " ".join(str(message).split())
    logging.getLogger("guided_audio").warning("%s", text[:500])


def set_verbosity(verbosity: int) -> None:
    logging.getLogger().setLevel(logging.WARNING - 10 * min(max(verbosity, 0), 2))


def verbosity() -> int:
    return (logging.WARNING - logging.getLogger().level) // 10


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
