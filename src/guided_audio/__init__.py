"""guided-audio: turn script templates into voice-guided relaxation sessions."""

import logging

__version__ = "0.1.0"

# The library never configures logging; only the CLI does.
logging.getLogger(__name__).addHandler(logging.NullHandler())
