"""The series file: `[series]`, `[[episode]]` and `[[listener]]` tables, read and checked.

Only the file's own shape is checked here (known keys, types, file names); whether each
episode's template, length and vars work is `check.py`'s job, through the session API.
Every error names the file, the line and the episode: `course.toml:14: episode 'Evening 2': ...`.
"""

from __future__ import annotations

import datetime
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guided_audio.errors import GuidedAudioError, SeriesError
from guided_audio.output import name_problem
from guided_audio.publish.feed import LANGUAGE, check_base_url
from guided_audio.script.params import did_you_mean
from guided_audio.script.parts import SessionPart, parse_part
from guided_audio.series.lines import FileLines, TableLines, in_file_words, locate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SHAPING_KEYS = ("engine", "voice", "rate", "background", "background_level", "duck", "bitrate", "seed", "vars")
"""What `[series]` sets for every episode and an episode may set for itself."""
SERIES_KEYS = ("title", "author", "description", "cover", "language", "base_url", "start", *SHAPING_KEYS)
EPISODE_KEYS = ("title", "template", "minutes", "parts", "cover", "date", "file", *SHAPING_KEYS)
LISTENER_KEYS = ("name", "vars", "folder")
TOP_KEYS = ("series", "episode", "listener")
TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,), "author": (str,), "description": (str,), "cover": (str,), "language": (str,),
    "base_url": (str,), "start": (datetime.date,), "engine": (str,), "voice": (str,), "rate": (int, float),
    "background": (str,), "background_level": (int, float), "duck": (int, float), "bitrate": (int,), "seed": (int,), "vars": (dict,),
    "template": (str,), "minutes": (int, float), "date": (datetime.date,), "file": (str,), "name": (str,),
    "folder": (str,), "parts": (list,),
}  # fmt: skip
TYPE_NAMES = {str: "text in quotes", int: "a whole number", float: "a number", dict: "a table like { name = \"Ana\" }",
              datetime.date: "a date like 2026-01-05", list: 'a list like ["deep-breathing:5", "body-scan:10"]'}  # fmt: skip
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Shaping:
    """The choices that shape an episode's sound; None: the session's own default."""

    engine: str | None = None
    voice: str | None = None
    rate: float | None = None
    background: str | None = None
    background_level: float | None = None
    duck: float | None = None
    bitrate: int | None = None
    seed: int | None = None
    vars: dict[str, str] = field(default_factory=dict)

    def over(self, base: "Shaping") -> "Shaping":
        """These choices where made, `base`'s elsewhere; vars merge key by key."""
        chosen = {k: getattr(self, k) if getattr(self, k) is not None else getattr(base, k) for k in SHAPING_KEYS[:-1]}
        return Shaping(**chosen, vars={**base.vars, **self.vars})


@dataclass(frozen=True)
class EpisodeSpec:
    index: int
    title: str
    template: str
    minutes: float
    file: str
    """The stem of the episode's files: FILE.mp3, FILE.json, ..."""
    shaping: Shaping
    """Its own choices over the series' (vars: the series' and its own)."""
    own_vars: dict[str, str]
    """The vars the episode itself sets: these every template must know."""
    cover: Path | None
    date: datetime.date | None
    lines: TableLines
    parts: tuple[SessionPart, ...] = ()
    """A session of several techniques ('deep-breathing:5', ...); template and minutes then sum them up."""


@dataclass(frozen=True)
class ListenerSpec:
    name: str
    folder: str
    vars: dict[str, str]
    lines: TableLines


@dataclass(frozen=True)
class SeriesSpec:
    path: Path
    title: str
    author: str | None
    description: str | None
    cover: Path | None
    language: str
    base_url: str | None
    start: datetime.date | None
    defaults: Shaping
    episodes: list[EpisodeSpec]
    listeners: list[ListenerSpec]
    lines: FileLines

    def where(self, line: int, episode: EpisodeSpec | None = None, listener: ListenerSpec | None = None) -> str:
        """`course.toml:14: episode 'Evening 2' (for Ana)` — the start of every error line."""
        place = f"{self.path.name}:{line}"
        if episode is not None:
            place += f": episode {episode.title!r}"
        if listener is not None:
            place += f" for listener {listener.name!r}"
        return place


def slug(text: str) -> str:
    """A file name from a title: 'Evening 2: Let go' -> 'evening-2-let-go'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].rstrip("-")


def read_series(path: Path) -> SeriesSpec:
    """Parse and check the file's shape; raises SeriesError naming the line at fault."""
    path = Path(path).expanduser()
    if path.exists() and not path.is_file():  # a folder, or a FIFO whose read would block
        raise SeriesError(f"{path} is not a regular file; give the series' .toml file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeriesError(f"no series file {path}; see examples/ for one to start from") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SeriesError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}; check the file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        reason = re.sub(r"\s*\(at (line|end of document).*\)$", "", str(exc))
        raise SeriesError(f"{path.name}:{line.group(1) if line else 1}: {reason}; fix the TOML there") from None
    return _Reader(path, locate(text)).series(data)


class _Reader:
    def __init__(self, path: Path, lines: FileLines) -> None:
        self.path, self.lines = path, lines
        self.folder = path.parent

    def fail(self, line: int, message: str, episode: str | None = None) -> SeriesError:
        place = f"{self.path.name}:{line}" + (f": episode {episode!r}" if episode else "")
        return SeriesError(f"{place}: {message}")

    def series(self, data: dict[str, Any]) -> SeriesSpec:
        for key in data:
            if key not in TOP_KEYS:
                raise self.fail(1, self._unknown(key, TOP_KEYS, "at the top of the file"))
        table = data.get("series")
        where = self.lines.table("series")
        if not isinstance(table, dict):
            raise self.fail(1, "no [series] table; start the file with [series] and title = \"...\"")
        self._check_keys(table, SERIES_KEYS, where, "in [series]")
        title = self._required(table, "title", where, None, "[series]")
        raw_episodes = data.get("episode")
        if not isinstance(raw_episodes, list) or not raw_episodes:
            raise self.fail(where.line, "no [[episode]] tables; add one with title, template and minutes")
        defaults = self._shaping(table, where, None)
        episodes = [self._episode(i, raw, defaults) for i, raw in enumerate(raw_episodes)]
        self._unique([(e.file, e.lines.of("file"), e.title) for e in episodes], "file name", "file = \"...\"")
        listeners = [self._listener(i, raw) for i, raw in enumerate(data.get("listener") or [])]
        self._unique([(each.folder, each.lines.of("folder"), None) for each in listeners], "listener folder", "folder = \"...\"")
        language = table.get("language", "en-us")
        if not LANGUAGE.match(language):
            raise self.fail(where.of("language"), f"language = {language[:40]!r} is not a language code; "
                            "use one like \"en-us\" or \"de\"")  # fmt: skip
        base_url = table.get("base_url")
        if base_url is not None:  # checked now, not after every episode has rendered
            try:
                base_url = check_base_url(base_url)
            except GuidedAudioError as exc:
                raise self.fail(where.of("base_url"), in_file_words(exc)) from None
        return SeriesSpec(
            path=self.path, title=title, author=table.get("author"), description=table.get("description"),
            cover=self._path(table, "cover", where, None), language=language, base_url=base_url,
            start=table.get("start"), defaults=defaults, episodes=episodes, listeners=listeners, lines=self.lines,
        )  # fmt: skip

    def _episode(self, index: int, raw: Any, defaults: Shaping) -> EpisodeSpec:
        where = self.lines.entry("episode", index)
        if not isinstance(raw, dict):
            raise self.fail(where.line, "an [[episode]] must be a table of keys")
        label = raw.get("title") if isinstance(raw.get("title"), str) else f"number {index + 1}"
        self._check_keys(raw, EPISODE_KEYS, where, "in [[episode]]", label)
        title = self._required(raw, "title", where, label, "[[episode]]")
        parts = self._parts(raw, where, title)
        if parts:
            raw = {**raw, "template": "+".join(p.template for p in parts), "minutes": sum(p.minutes for p in parts)}
        template = self._required(raw, "template", where, title, "[[episode]]")
        minutes = self._required(raw, "minutes", where, title, "[[episode]]")
        if isinstance(minutes, float) and not math.isfinite(minutes) or minutes <= 0:
            raise self.fail(where.of("minutes"), f"minutes = {minutes} should be a positive number, e.g. 5", title)
        if not parts and (template.endswith((".txt", ".j2", ".jinja")) or "/" in template):
            template = str((self.folder / template).expanduser())
        file = raw.get("file") or slug(title) or f"episode-{index + 1}"
        if not SAFE_NAME.match(file) or file.lower().endswith(".mp3"):
            raise self.fail(where.of("file"), f"file = {file!r} should be a plain name without .mp3, "
                            "like \"evening-1\" (letters, digits, - _ .)", title)  # fmt: skip
        if name_problem(file):
            raise self.fail(where.of("file"), f"file = {name_problem(file)}", title)
        own = self._shaping(raw, where, title)
        return EpisodeSpec(
            index=index, title=title, template=template, minutes=float(minutes), file=file,
            shaping=own.over(defaults), own_vars=own.vars, cover=self._path(raw, "cover", where, title),
            date=raw.get("date"), lines=where, parts=parts,
        )  # fmt: skip

    def _parts(self, raw: dict, where: TableLines, title: str) -> tuple[SessionPart, ...]:
        """`parts = ["deep-breathing:5:pattern=box", "body-scan:10"]`: instead of template and minutes."""
        if "parts" not in raw:
            return ()
        if "template" in raw or "minutes" in raw:
            raise self.fail(where.of("parts"), "give either parts or template and minutes, not both", title)
        found = []
        for text in raw["parts"]:
            if not isinstance(text, str):
                raise self.fail(where.of("parts"), f"each part should be text like \"deep-breathing:5\", not {text!r}", title)
            try:
                part = parse_part(text)
            except GuidedAudioError as exc:
                raise self.fail(where.of("parts"), str(exc), title) from None
            if part.template.endswith((".txt", ".j2", ".jinja")) or "/" in part.template:
                part = SessionPart(str((self.folder / part.template).expanduser()), part.minutes, part.variables)
            found.append(part)
        if not found:
            raise self.fail(where.of("parts"), "parts is empty; list at least one, like \"deep-breathing:5\"", title)
        return tuple(found)

    def _listener(self, index: int, raw: Any) -> ListenerSpec:
        where = self.lines.entry("listener", index)
        if not isinstance(raw, dict):
            raise self.fail(where.line, "a [[listener]] must be a table of keys")
        self._check_keys(raw, LISTENER_KEYS, where, "in [[listener]]")
        name = self._required(raw, "name", where, None, "[[listener]]")
        folder = raw.get("folder") or slug(name) or f"listener-{index + 1}"
        if not SAFE_NAME.match(folder):
            raise self.fail(where.of("folder"), f"folder = {folder!r} should be a plain name like \"ana\"")
        return ListenerSpec(name, folder, {"name": name, **self._vars(raw, where, None)}, where)

    def _check_keys(self, table: dict, known: tuple[str, ...], where: TableLines, place: str, episode=None) -> None:
        for key, value in table.items():
            if key not in known:
                raise self.fail(where.of(key), self._unknown(key, known, place), episode)
            if not isinstance(value, TYPES[key]) or isinstance(value, bool) or isinstance(value, datetime.datetime):
                raise self.fail(where.of(key), f"{key} should be {TYPE_NAMES[TYPES[key][-1]]}, not {value!r}", episode)

    @staticmethod
    def _unknown(key: str, known: tuple[str, ...], place: str) -> str:
        hint = did_you_mean(key, known)
        return f"unknown key {key!r} {place}; " + (f"did you mean {hint!r}?" if hint else f"use one of {', '.join(known)}")

    def _required(self, table: dict, key: str, where: TableLines, episode: str | None, place: str):
        if key not in table:
            raise self.fail(where.line, f"{place} has no {key}; add {key} = ...", episode)
        return table[key]

    def _shaping(self, table: dict, where: TableLines, episode: str | None) -> Shaping:
        values = {key: table.get(key) for key in SHAPING_KEYS[:-1]}
        background = values["background"]
        if background is not None and ("/" in background or "." in background):
            values["background"] = str((self.folder / background).expanduser())
        voice = values["voice"]
        if voice is not None and voice.endswith(".onnx"):
            values["voice"] = str((self.folder / voice).expanduser())
        return Shaping(**values, vars=self._vars(table, where, episode))

    def _vars(self, table: dict, where: TableLines, episode: str | None) -> dict[str, str]:
        """Template variables as the text `--var NAME=VALUE` would give."""
        found = {}
        for name, value in (table.get("vars") or {}).items():
            if isinstance(value, bool):
                found[name] = "true" if value else "false"
            elif isinstance(value, (str, int, float)):
                found[name] = str(value)
            else:
                raise self.fail(where.of("vars"), f"var {name} = {value!r} should be text, a number or true/false", episode)
        return found

    def _path(self, table: dict, key: str, where: TableLines, episode: str | None) -> Path | None:
        if key not in table:
            return None
        path = (self.folder / table[key]).expanduser()
        if not path.is_file():
            raise self.fail(where.of(key), f"{key} = {table[key]!r}: no such file beside {self.path.name}", episode)
        return path

    def _unique(self, names: list[tuple[str, int, str | None]], what: str, fix: str) -> None:
        seen: dict[str, str | None] = {}
        for name, line, title in names:
            key = name.lower()  # two names that differ in case clash on many disks
            if key in seen:
                other = f" (as episode {seen[key]!r})" if seen[key] else ""
                raise self.fail(line, f"{what} {name!r} is used twice{other}; give one a {fix} of its own", title)
            seen[key] = title
        return None
