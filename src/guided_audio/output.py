"""All-or-nothing output: a session's MP3 and sidecars appear together, complete, or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from guided_audio.errors import OutputError

SIDECARS = ("vtt", "json", "chapters.json")


class OutputFiles:
    """The MP3 path a user asked for and the sidecars that share its stem."""

    def __init__(self, mp3: Path) -> None:
        mp3 = Path(mp3).expanduser()
        if mp3.suffix.lower() != ".mp3":
            raise OutputError(f"output {mp3} should end in .mp3, e.g. --output {mp3.with_suffix('.mp3')}")
        self.mp3 = mp3
        self.final = {"mp3": mp3, **{ext: mp3.with_suffix(f".{ext}") for ext in SIDECARS}}

    def check_writable(self) -> None:
        """Fail before any slow work if the folder cannot take the files."""
        folder = self.mp3.parent
        for path in self.final.values():
            if path.is_dir():
                raise OutputError(f"{path} is a folder; give a file name like {path / 'session.mp3'}")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".guided-audio-probe-")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise OutputError(f"cannot write to {folder}: {reason}; choose another --output") from None

    @contextlib.contextmanager
    def writing(self) -> Iterator[dict[str, Path]]:
        """Yield temporary paths; rename them into place only if the block succeeds."""
        temps: dict[str, Path] = {}
        try:
            for ext, final in self.final.items():
                fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}.", suffix=f".partial.{ext}")
                os.close(fd)
                temps[ext] = Path(name)
            yield temps
            for ext, final in self.final.items():
                os.chmod(temps[ext], 0o644)
                os.replace(temps[ext], final)
        except OSError as exc:
            raise OutputError(f"cannot write {self.mp3}: {exc.strerror or exc}; choose another --output") from None
        finally:
            for temp in temps.values():
                with contextlib.suppress(FileNotFoundError):
                    temp.unlink()


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write one file whole or not at all: a temp file beside it, then a rename.

    The temp file is made readable by its owner only, so `mode` 0o600 (a private key) is never
    readable by others, not even for a moment. A file that already holds exactly `data` (with
    that mode) is left alone: its time then says when it last really changed.
    """
    if _holds(path, data, mode):
        return
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise OutputError(f"cannot write to {path.parent}: {exc.strerror or exc}; check the folder") from None
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}; check the folder") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _holds(path: Path, data: bytes, mode: int) -> bool:
    try:
        stat = path.stat()
        if stat.st_size != len(data) or stat.st_mode & 0o777 != mode:
            return False
        return path.read_bytes() == data
    except OSError:
        return False
