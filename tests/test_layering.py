"""The package tree is the pipeline: each stage imports only itself and the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

import guided_audio

PACKAGE = Path(guided_audio.__file__).resolve().parent
STAGES = ["audio", "script", "voice", "mix", "mp3", "publish"]
"""In pipeline order; `audio` is the ground floor (samples and ffmpeg) under all of them."""
LEAVES = {"guided_audio", "guided_audio.errors", "guided_audio.output"}
"""What every stage may use: the version, the error hierarchy, all-or-nothing output."""
TOP = len(STAGES)
"""session: the library's front door, above every stage."""
ABOVE_SESSION = ["series"]
"""Packages built on the session API (and publish/), in order: each may use those before it."""
COMMANDS = TOP + 1 + len(ABOVE_SESSION)
"""cli and commands: above everything."""


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def rank(module: str) -> int:
    """-1 for the leaves; the stage's place in the pipeline; TOP for session; then the packages
    above it; COMMANDS for cli, commands and __main__."""
    if module in LEAVES:
        return -1
    first = module.split(".")[1]
    if first in STAGES:
        return STAGES.index(first)
    if first == "session":
        return TOP
    if first in ABOVE_SESSION:
        return TOP + 1 + ABOVE_SESSION.index(first)
    return COMMANDS


def imports(path: Path, module: str) -> set[str]:
    """Every guided_audio module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("guided_audio")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("guided_audio"):
            found.add(node.module)
            known = modules()
            found |= {f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in known}
    return {name for name in found if name != module}


def test_no_stage_imports_a_later_one():
    wrong = []
    for module, path in modules().items():
        for imported in imports(path, module):
            if rank(imported) > rank(module) or (rank(module) == -1 and rank(imported) != -1):
                wrong.append(f"{module} imports {imported}")
    assert not wrong, "imports against the pipeline's order: " + "; ".join(wrong)


def test_the_tree_reads_as_the_stages():
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages == {*STAGES, "session", *ABOVE_SESSION, "commands"}
    top_level = {path.stem for path in PACKAGE.glob("*.py")}
    assert top_level == {"__init__", "__main__", "cli", "errors", "output"}
    for stage in [*STAGES, *ABOVE_SESSION]:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and " in, " in doc and " out" in doc, f"{stage}/__init__.py should say what it takes in and hands on"


def test_no_module_is_over_400_lines():
    long = {module: n for module, path in modules().items() if (n := len(path.read_text().splitlines())) > 400}
    assert not long, f"split these modules: {long}"


def test_the_check_sees_an_import_against_the_order(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from guided_audio.publish.feed import build_feed\n")
    assert rank("guided_audio.mix.mastering") < max(rank(name) for name in imports(path, "guided_audio.mix.probe"))


def test_the_order_above_the_session():
    """series builds on session; session, the stages and publish/ know nothing of series;
    series knows nothing of the command line."""
    assert rank("guided_audio.session") < rank("guided_audio.series.build") < rank("guided_audio.commands.build")
    assert rank("guided_audio.publish.feed") < rank("guided_audio.series.plan")
    assert rank("guided_audio.cli") == rank("guided_audio.commands.build")


def test_the_check_sees_the_session_or_series_reaching_up(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("from guided_audio.series.build import build_series\nfrom guided_audio.commands import build\n")
    found = imports(path, "guided_audio.probe")
    assert rank("guided_audio.session") < rank("guided_audio.series.build") and "guided_audio.series.build" in found
    assert max(rank(name) for name in found) > rank("guided_audio.series.build")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle in `graph` (module -> modules it imports), each from a module back to it."""
    found, done = [], set()

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(graph.get(module, ())):
            if imported in path:
                found.append(path[path.index(imported):] + [imported])
            elif imported not in done:
                visit(imported, [*path, imported])
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    return found


def import_graph(prefix: str) -> dict[str, set[str]]:
    """Imports among the modules under `prefix`, at the top or inside a function (a lazy import
    is still a circle: the two modules cannot be understood, or split, one without the other)."""
    known = modules()
    return {
        module: {name for name in imports(path, module) if name.startswith(prefix) and name in known}
        for module, path in known.items() if module.startswith(prefix)
    }  # fmt: skip


def test_no_import_cycle_in_voice():
    """The engines import the interface (voice.interface); the registry (voice.engine) imports
    the engines: no engine imports the registry back."""
    assert not cycles(import_graph("guided_audio.voice")), cycles(import_graph("guided_audio.voice"))


def test_the_cycle_check_sees_a_lazy_import_back(tmp_path):
    graph = {"a.engine": {"a.piper"}, "a.piper": {"a.engine"}, "a.cache": set()}
    assert cycles(graph) == [["a.engine", "a.piper", "a.engine"]]
    path = tmp_path / "piper.py"
    path.write_text("def f():\n    from guided_audio.voice.engine import make_engine\n")
    assert "guided_audio.voice.engine" in imports(path, "guided_audio.voice.piper")
