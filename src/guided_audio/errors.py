"""One error hierarchy for everything a user can get wrong or the world can break.

Every message is a single line that names the problem and, where there is one, the fix.
The CLI turns these into click errors in one place; the library only raises them.
"""

from __future__ import annotations


class GuidedAudioError(Exception):
    """Base of every error guided-audio reports to a user."""


class TemplateNotFound(GuidedAudioError):
    """No built-in or user template has that name, and it is not a file."""


class TemplateSyntaxError(GuidedAudioError):
    """The template's Jinja2 code or front matter is malformed (names file and line)."""


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
    """A --var is unknown, or its value breaks the template's declaration."""


class LengthError(GuidedAudioError):
    """The requested minutes are invalid, or the script cannot fit into them."""


class VoiceError(GuidedAudioError):
    """The voice or engine cannot be found or loaded."""


class SynthesisError(GuidedAudioError):
    """The engine failed to speak a phrase (network, rate limit, model failure)."""


class OutputError(GuidedAudioError):
    """The output cannot be written where the user asked."""


class AudioError(GuidedAudioError):
    """ffmpeg failed to decode or encode audio."""


class BackgroundError(GuidedAudioError):
    """The background soundscape or file cannot be used."""


class CoverError(GuidedAudioError):
    """The cover image is missing, unreadable or not an image."""


class FeedError(GuidedAudioError):
    """The feed or playlist cannot be built: no sessions, a bad base URL, a broken manifest."""


class ServerError(GuidedAudioError):
    """The folder cannot be served: port in use, unknown host, missing folder."""


class SeriesError(GuidedAudioError):
    """A series file is malformed, or its build cannot run (names the file's line and episode)."""
