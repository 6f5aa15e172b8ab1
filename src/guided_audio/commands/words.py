"""The command line's words for the settings the library names (`errors.option`): `--minutes`.

The library writes no flag; an error, a warning or a banner it hands back names a setting by
its key, and the commands say it as the option a user types here.
"""

from __future__ import annotations

from guided_audio.errors import GuidedAudioError, Notice, phrased

FLAGS = {"vars": "--var"}
"""Keys whose option is not simply the key with dashes (`background_level`: --background-level)."""


def flag(key: str) -> str:
    """`minutes` -> `--minutes`, `base_url` -> `--base-url`, `vars` -> `--var`."""
    return FLAGS.get(key, "--" + key.replace("_", "-"))


def say(message: str | GuidedAudioError | Notice) -> str:
    """A message from the library in the command line's words."""
    if isinstance(message, (GuidedAudioError, Notice)):
        return message.phrased(flag)
    return phrased(message, flag)
