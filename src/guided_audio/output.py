"""All-or-nothing, durable output: a session's MP3 and sidecars appear together, complete, or not at all.

The rules are the ones git and SQLite live by: write to a temporary file beside the final one,
flush and fsync it, rename it into place, then fsync the folder so the rename itself survives a
power cut. Temporary files are named for the process writing them (`.NAME.<pid>.<random>.partial.EXT`)
and locked while it writes, so whatever a killed render strands is recognised as abandoned and
removed by the next render, feed or build into that folder, and a live render's never is.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import unicodedata
from pathlib import Path
from typing import Iterable, Iterator

from guided_audio.errors import OutputError, option

try:  # POSIX; elsewhere the process id alone tells a live writer from a dead one
    import fcntl
except ImportError:  # pragma: no cover - not on Linux or macOS
    fcntl = None

log = logging.getLogger(__name__)

SIDECARS = ("vtt", "chapters.json", "json")
"""In the order they are renamed into place: the manifest last (see OutputFiles.writing)."""
PARTIAL = re.compile(r"^\..+?\.(?:(?P<pid>\d+)\.)?[A-Za-z0-9_]{6,}\.partial(?:\.[\w.]+)?$")
"""A temporary file of ours: `.NAME.<pid>.<random>.partial[.EXT]`; older versions left out the pid."""
TEMP_FOLDER = re.compile(r"^guided-audio-(?:parts|probe|episode)-(?:(?P<pid>\d+)-)?[A-Za-z0-9_]+$")
"""A temporary folder of ours in the system's temp folder: `guided-audio-parts-<pid>-<random>`
(`episode`: a series build's, see series/render.py)."""
STALE_SECONDS = 3600.0
"""A temporary file nobody holds and not touched for this long is abandoned even if its
process id now belongs to someone else (ids are reused) or it predates the pid in names."""


WRITTEN: list[Path] = []
"""The MP3s this process has put in place with their sidecars, whole: an interrupt after
that must not say nothing was written (see interrupted_message)."""
HELD_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def name_problem(stem: str) -> str | None:
    """Why a session's file stem cannot be used, or None.

    A stem ending in `.chapters` would make its manifest (`X.chapters.json`) the chapters file
    of the session named `X`, so one would silently overwrite the other. Control characters
    (a newline, a tab) would break the playlist's and the feed's lines, or inject new ones.
    """
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in stem):
        return f"{stem!r} holds a control character (a newline, a tab); use letters, digits, spaces, - _ ."
    if stem.lower().endswith(".chapters"):
        base = stem[: -len(".chapters")]
        return (f"{stem!r} ends in .chapters, the name of the chapters file of a session called {base!r}; "
                f"choose another name, e.g. {base + '-chapters'!r}")  # fmt: skip
    return None


def interrupted_message() -> str:
    """What an interrupt leaves, truthfully: nothing, or the sessions already put in place whole."""
    if not WRITTEN:
        return "interrupted; nothing was written, and files already there are as they were"
    names = ", ".join(path.name for path in WRITTEN[:5]) + (", ..." if len(WRITTEN) > 5 else "")
    count = "1 session was" if len(WRITTEN) == 1 else f"{len(WRITTEN)} sessions were"
    return f"interrupted; {count} written whole ({names}), and every other file is as it was"


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP for the milliseconds a commit (its renames) runs.

    Once the first file is renamed into place, the rest follow: a signal that arrives meanwhile
    is acted on just after, so a session is never left as a new MP3 without its sidecars.
    Python runs signal handlers in the main thread only; elsewhere this holds nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {}
    for name in HELD_SIGNALS:
        number = getattr(signal, name, None)
        handler = signal.getsignal(number) if number is not None else None
        if handler is None:  # not ours to touch (installed outside Python)
            continue
        previous[number] = handler
        signal.signal(number, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if held:
            signal.raise_signal(held[0])


class OutputFiles:
    """The MP3 path a user asked for and the sidecars that share its stem."""

    def __init__(self, mp3: Path) -> None:
        mp3 = Path(mp3).expanduser()
        if mp3.suffix.lower() != ".mp3":
            raise OutputError(f"output {mp3} should end in .mp3, e.g. {option('output')} {mp3.with_suffix('.mp3')}")
        problem = name_problem(mp3.stem)
        if problem:
            raise OutputError(f"output name {problem}")
        self.mp3 = mp3
        self.final = {"mp3": mp3, **{ext: mp3.with_suffix(f".{ext}") for ext in SIDECARS}}

    def check_writable(self) -> None:
        """Fail before any slow work if the folder cannot take the files; clear what killed
        renders left there."""
        folder = self.mp3.parent
        for path in self.final.values():
            if path.is_dir():
                raise OutputError(f"{path} is a folder; give a file name like {path / 'session.mp3'}")
        existing = next(parent for parent in (folder, *folder.parents) if parent.exists())
        try:
            if not existing.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, f"{existing} is a file")
            fd, probe = tempfile.mkstemp(dir=existing, prefix=".guided-audio-probe-")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise OutputError(f"cannot write to {folder}: {reason}; choose another {option('output')}") from None
        clear_debris(folder)
        clear_temp_debris()

    def _make_folder(self) -> list[Path]:
        """Make the output folder (a new one is made only now, when there is something to put
        in it) and return the folders made, so a render that fails leaves none behind."""
        folder = self.mp3.parent
        made = [parent for parent in (folder, *folder.parents) if not parent.exists()]
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot write to {folder}: {exc.strerror or exc}; choose another {option('output')}") from None
        return made

    @contextlib.contextmanager
    def writing(self) -> Iterator[dict[str, Path]]:
        """Yield temporary paths; if the block succeeds, make each durable and rename it into place.

        The MP3 goes first and the manifest (.json) last, with a folder fsync after each, and
        the manifest records the size and SHA-256 of the MP3's audio (see mp3.fingerprint). So
        a crash at any moment leaves either the old pair, or a new MP3 beside an old manifest
        that no longer matches it (feed, playlist and page skip such an MP3 and say so), and
        never an old MP3 described by a new manifest: nothing mismatched is published unnoticed.
        """
        temps: dict[str, Partial] = {}
        made = self._make_folder()
        done = False
        try:
            for ext, final in self.final.items():
                temps[ext] = Partial(final.parent, final.stem, f".{ext}")
            yield {ext: temp.path for ext, temp in temps.items()}
            for temp in temps.values():
                temp.make_durable(0o644)
            with signals_held():
                os.replace(temps["mp3"].path, self.final["mp3"])
                sync_folder(self.mp3.parent)
                for ext in SIDECARS:
                    os.replace(temps[ext].path, self.final[ext])
                sync_folder(self.mp3.parent)
                done = True
                WRITTEN.append(self.mp3)
        except OSError as exc:
            raise OutputError(f"cannot write {self.mp3}: {exc.strerror or exc}; free some space or choose another {option('output')}") from None
        finally:
            for temp in temps.values():
                temp.discard()
            if not done:
                for folder in made:  # innermost first; one that holds something else stays
                    with contextlib.suppress(OSError):
                        folder.rmdir()


class Partial:
    """A temporary file beside `folder/name`, named for this process and locked while it lives."""

    def __init__(self, folder: Path, name: str, suffix: str = "") -> None:
        self.fd, path = tempfile.mkstemp(dir=folder, prefix=f".{name}.{os.getpid()}.", suffix=f".partial{suffix}")
        self.path = Path(path)
        if fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a filesystem without locks: the process id in the name still tells
                pass

    def make_durable(self, mode: int) -> None:
        """Its data on disk (whoever wrote it: ffmpeg, mutagen, us) before it is renamed."""
        os.fsync(self.fd)
        os.chmod(self.path, mode)

    def discard(self) -> None:
        """Remove it if it was not renamed, and let go of the lock."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def sync_folder(folder: Path) -> None:
    """fsync a folder, so the renames in it survive a power cut (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write one file whole or not at all, durably: a temp file beside it, fsync, a rename, a folder fsync.

    The temp file is made readable by its owner only, so `mode` 0o600 (a private key) is never
    readable by others, not even for a moment. A file that already holds exactly `data` (with
    that mode) is left alone: its time then says when it last really changed.
    """
    if _holds(path, data, mode):
        return
    write_chunks_atomically(path, [data], mode)


def write_chunks_atomically(path: Path, chunks: Iterable[bytes], mode: int = 0o644) -> None:
    """`write_atomically` for data given in pieces (a large file copied in blocks, never whole)."""
    clear_debris(path.parent)
    try:
        temp = Partial(path.parent, path.name)
    except OSError as exc:
        raise OutputError(f"cannot write to {path.parent}: {exc.strerror or exc}; check the folder") from None
    try:
        with open(temp.fd, "wb", closefd=False) as out:
            out.writelines(chunks)
        temp.make_durable(mode)
        os.replace(temp.path, path)
        sync_folder(path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}; free some space or check the folder") from None
    finally:
        temp.discard()


def temp_folder(kind: str) -> tempfile.TemporaryDirectory:
    """A private folder in the system's temp folder, named for this process (see clear_temp_debris)."""
    return tempfile.TemporaryDirectory(prefix=f"guided-audio-{kind}-{os.getpid()}-")


def clear_debris(folder: Path) -> list[Path]:
    """Remove the temporary files that renders, feeds or builds killed in `folder` left behind.

    Only abandoned ones: a file whose process no longer runs, or (process ids are reused)
    one nobody holds a lock on that has not changed for STALE_SECONDS. A live writer holds
    the lock on its file, so its files are never touched.
    """
    removed = []
    for entry, match in _ours(folder, PARTIAL, folders=False):
        path = Path(entry.path)
        if _abandoned(path, match["pid"]) and _remove(path):
            removed.append(path)
    if removed:
        log.info("removed %d file(s) a killed render left in %s", len(removed), folder)
    return removed


def _ours(folder: Path, pattern: re.Pattern, *, folders: bool) -> Iterator[tuple[os.DirEntry, re.Match]]:
    """The files (or folders) in `folder` whose names `pattern` recognises as ours; none if it cannot be read."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        kind_ok = entry.is_dir(follow_symlinks=False) if folders else entry.is_file(follow_symlinks=False)
        if match and kind_ok:
            yield entry, match


def clear_temp_debris(root: Path | None = None) -> list[Path]:
    """Remove `guided-audio-parts-*` folders that killed renders left in the system's temp folder."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for entry, match in _ours(root, TEMP_FOLDER, folders=True):
        pid = match["pid"]
        if pid is None:
            abandoned = _age(Path(entry.path)) > STALE_SECONDS
        else:
            abandoned = int(pid) != os.getpid() and not process_runs(int(pid))
        if abandoned:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def process_runs(pid: int) -> bool:
    """True if a process with this id exists and is not a zombie (a killed one not yet reaped)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust the signal
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _abandoned(path: Path, pid: str | None) -> bool:
    if pid is not None and int(pid) != os.getpid() and not process_runs(int(pid)):
        return True
    return not _locked(path) and _age(path) > STALE_SECONDS


def _locked(path: Path) -> bool:
    """True if a writer holds the lock on `path` (never true without fcntl)."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # gone or unreadable: leave it be
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing lets go of a lock we took
    return False


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("cannot remove %s a killed render left (%s); delete it by hand", path, exc.strerror or exc)
        return False
    return True


def _holds(path: Path, data: bytes, mode: int) -> bool:
    try:
        stat = path.stat()
        if stat.st_size != len(data) or stat.st_mode & 0o777 != mode:
            return False
        return path.read_bytes() == data
    except OSError:
        return False
