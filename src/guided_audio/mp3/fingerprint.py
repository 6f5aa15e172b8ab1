"""What a manifest records of its MP3, so a reader can tell the pair belongs together.

The MP3 is renamed into place before its manifest (see output.OutputFiles.writing), so after a
crash between the two renames a new MP3 can sit beside the old manifest, which would publish
the wrong length and chapters. The manifest therefore names its MP3 by the size and SHA-256 of
its audio frames. The ID3 tags are left out: retagging a file (a new cover or title in a tag
editor) is the user's right and does not make the manifest wrong about the audio.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ID3V2_HEADER = 10
ID3V1_SIZE = 128


def _audio_span(handle, size: int) -> tuple[int, int]:
    """[start, end) of the bytes between a leading ID3v2 tag and a trailing ID3v1 tag."""
    start, end = 0, size
    header = handle.read(ID3V2_HEADER)
    if len(header) == ID3V2_HEADER and header[:3] == b"ID3":
        length = 0
        for byte in header[6:10]:  # syncsafe: seven bits a byte
            length = (length << 7) | (byte & 0x7F)
        start = min(size, ID3V2_HEADER + length + (ID3V2_HEADER if header[5] & 0x10 else 0))
    if end - start >= ID3V1_SIZE:
        handle.seek(end - ID3V1_SIZE)
        if handle.read(3) == b"TAG":
            end -= ID3V1_SIZE
    return start, end


def audio_fingerprint(path: Path) -> dict[str, object]:
    """{"audio_bytes": N, "audio_sha256": hex} of the MP3's audio frames."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        start, end = _audio_span(handle, os.fstat(handle.fileno()).st_size)
        handle.seek(start)
        left = end - start
        while left > 0 and (block := handle.read(min(1 << 20, left))):
            digest.update(block)
            left -= len(block)
    return {"audio_bytes": end - start, "audio_sha256": digest.hexdigest()}


def matches(path: Path, recorded: object) -> bool:
    """True if `path` holds the audio `recorded` (from audio_fingerprint) describes."""
    if not isinstance(recorded, dict):
        return False
    try:
        return audio_fingerprint(path) == {key: recorded.get(key) for key in ("audio_bytes", "audio_sha256")}
    except OSError:
        return False
