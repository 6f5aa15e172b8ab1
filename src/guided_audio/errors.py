"""One error hierarchy for everything a user can get wrong or the world can break.

Every message is a single line that names the problem and, where there is one, the fix.
The CLI turns these into click errors in one place; the library only raises them.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Callable

_OPTION = re.compile("\x1f([a-z_]+)\x1f")


def option(key: str) -> str:
    """A setting named inside a message (`minutes`, `vars`, `base_url`), for each front end to
    say in its own words: the command line `--minutes`, a series file `minutes`. The library
    never writes a command-line flag; `phrased` puts the front end's word in its place."""
    return f"\x1f{key}\x1f"


NameOf = Callable[[str], str]
"""A front end's word for a setting's key."""


def phrased(message: str, name_of: NameOf | None = None) -> str:
    """The message with each `option(key)` said as `name_of(key)` (default: the key itself)."""
    return _OPTION.sub(lambda match: (name_of or str)(match.group(1)), message)


class GuidedAudioError(Exception):
    """Base of every error guided-audio reports to a user.

    Besides its message it carries, as data, what it concerns, for a front end to place it:
    `field` (the setting's key: "minutes", "vars", "voice", ...), `parameter` (a template
    parameter's name), `part` (a part's label), `file` and `line`.
    """

    default_field: str | None = None

    def __init__(self, message: str = "", *, field: str | None = None, parameter: str | None = None,
                 part: str | None = None, file: str | None = None, line: int | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.field = field or self.default_field
        self.parameter = parameter
        self.part = part
        self.file = file
        self.line = line

    def phrased(self, name_of: NameOf | None = None) -> str:
        """The message in a front end's words (see `option`)."""
        return phrased(str(self.args[0]) if self.args else "", name_of)

    def __str__(self) -> str:
        return self.phrased()

    def restated(self, message: str, **changes) -> "GuidedAudioError":
        """The same error (kind and fields) with another message, e.g. one that names its part."""
        again = copy.copy(self)
        again.args = (message,)
        for name, value in changes.items():
            setattr(again, name, value)
        return again

    def __reduce__(self):  # the fields survive pickling (a cluster worker's error reaches the build)
        return _rebuilt, (type(self), self.args, self.__dict__)


def _rebuilt(kind: type, args: tuple, state: dict) -> GuidedAudioError:
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


@dataclass(frozen=True)
class Notice:
    """A warning returned with a result (an option that changes nothing here), not logged:
    each front end says it in its own words, in its place."""

    message: str
    """Written with `option(key)` for the settings it names."""
    field: str | None = None
    part: str | None = None
    """The label of the part it is about, if one."""

    def phrased(self, name_of: NameOf | None = None) -> str:
        return phrased(self.message, name_of)

    def __str__(self) -> str:
        return self.phrased()


class TemplateNotFound(GuidedAudioError):
    """No built-in or user template has that name, and it is not a file."""

    default_field = "template"


class TemplateSyntaxError(GuidedAudioError):
    """The template's Jinja2 code or front matter is malformed (names file and line)."""

    default_field = "template"


class MarkupError(GuidedAudioError):
    """The rendered script holds a tag guided-audio does not understand."""

    def __init__(self, message: str, *, offset: int | None = None, detail: str = "", snippet: str = "") -> None:
        super().__init__(message)
        self.offset = offset
        """Where in the rendered script the problem is (None: not known)."""
        self.detail = detail or message
        """The message without its 'line N' of the rendered script."""
        self.snippet = snippet
        """The text at fault as the script holds it, e.g. '[pause 3s'."""


class ParameterError(GuidedAudioError):
    """A template variable is unknown, or its value breaks the template's declaration."""

    default_field = "vars"


class LengthError(GuidedAudioError):
    """The requested minutes are invalid, or the script cannot fit into them."""

    default_field = "minutes"


class VoiceError(GuidedAudioError):
    """The voice or engine cannot be found or loaded."""

    default_field = "voice"


class SynthesisError(GuidedAudioError):
    """The engine failed to speak a phrase (network, rate limit, model failure)."""


class CacheError(GuidedAudioError):
    """The phrase cache's settings are unusable (e.g. a size cap that is not a size)."""


class OutputError(GuidedAudioError):
    """The output cannot be written where the user asked."""


class AudioError(GuidedAudioError):
    """ffmpeg failed to decode or encode audio."""


class BackgroundError(GuidedAudioError):
    """The background soundscape or file cannot be used."""

    default_field = "background"


class CoverError(GuidedAudioError):
    """The cover image is missing, unreadable or not an image."""

    default_field = "cover"


class FeedError(GuidedAudioError):
    """The feed or playlist cannot be built: no sessions, a bad base URL, a broken manifest."""


class ServerError(GuidedAudioError):
    """The folder cannot be served: port in use, unknown host, missing folder."""


class SeriesError(GuidedAudioError):
    """A series file is malformed, or its build cannot run (names the file's line and episode)."""


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled as Ctrl-C is: every `finally` runs, so nothing is left half-written."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


INTERRUPTED = "interrupted; nothing was written, and files already there are as they were"
BUG_REPORT = f"rerun the same command with {option('debug')} and report its output to the guided-audio developers"
"""pyproject.toml names no issue tracker yet; when it does, name its address here."""
EXIT_FAILURE = 1
"""The world or the input stopped us (exit 2 is click's, for a command line it cannot parse)."""


LONGEST_ECHO = 120
"""Characters of a value a message repeats back; a 100 KB template variable is not worth a screenful."""
_LONG_QUOTED = re.compile(r"'[^']{%d,}'|\"[^\"]{%d,}\"" % (LONGEST_ECHO, LONGEST_ECHO))


def shortened(message: str) -> str:
    """The message with any long quoted value cut to its start and its length in characters."""
    if len(message) <= 2 * LONGEST_ECHO:
        return message

    def cut(match: re.Match) -> str:
        quote, inner = match.group(0)[0], match.group(0)[1:-1]
        return f"{quote}{inner[:60]}...{quote} ({len(inner):,} characters)"

    message = _LONG_QUOTED.sub(cut, message)
    return message if len(message) <= 2000 else f"{message[:1200]} ... {message[-600:]}"


def describe(exc: BaseException, name_of: NameOf | None = None) -> tuple[str, int]:
    """The one error line (without 'Error: ') and the exit code for anything a command raised.

    Our own errors say the problem and the fix; an interrupt exits 128 + its signal, as a shell
    reports it (130 for Ctrl-C, 143 for SIGTERM); an OSError that got past the library is still
    the world's doing (a full disk, a missing permission), so it is named, not called a bug;
    anything else is a bug, and says so and where to take it, never as a raw traceback.
    `name_of` says the settings a message names in the caller's words (see `option`).
    """
    import signal

    if isinstance(exc, GuidedAudioError):
        return shortened(exc.phrased(name_of)), EXIT_FAILURE
    if isinstance(exc, KeyboardInterrupt):
        from guided_audio.output import interrupted_message  # what this process has put in place so far

        return interrupted_message(), 128 + getattr(exc, "signum", signal.SIGINT)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}; free some space or fix the permission, then try again", EXIT_FAILURE
    if isinstance(exc, MemoryError):
        return "out of memory; close other programs or render a shorter session", EXIT_FAILURE
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"an unexpected {detail}; this is a bug in guided-audio: {phrased(BUG_REPORT, name_of)}", EXIT_FAILURE
