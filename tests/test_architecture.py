"""The layers hold: no import cycle among the project's modules, no Qt in models/ or reports/,
no ReportLab in models/, and no module over about 400 lines without saying why.

The import graph is read from the source with `ast` (every import, at module level or inside a
function, since a deferred import still ties two modules together), so nothing is executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "reports", "ui", "resources")
LONG = 400  # lines; a longer module says why in its docstring ("over 400 lines")


def project_modules() -> dict[str, Path]:
    """Module name -> file, for main.py and every module of the project's packages (the
    migrations' versions are Alembic's scripts, loaded by path, never imported)."""
    found = {"main": ROOT / "main.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "versions" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported_names(path: Path, module: str) -> set[str]:
    """Every module name the file imports (absolute; `from a import b` counts as `a.b` too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and _type_checking_only(node) for n in ast.walk(node)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports (packages only when imported as such)."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {n for n in imported_names(path, name) if n in modules and n != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles, one per strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_deferred_and_relative_imports(tmp_path):
    """The reader itself: an import inside a function counts, one under TYPE_CHECKING does
    not, and `from a import b` names the module a.b."""
    source = tmp_path / "mod.py"
    source.write_text("from typing import TYPE_CHECKING\n"
                      "from models.records import registry\n"
                      "if TYPE_CHECKING:\n    from ui.common import x\n"
                      "def f():\n    import reports.packet\n", encoding="utf-8")
    names = imported_names(source, "models.mod")
    assert {"models.records.registry", "reports.packet"} <= names
    assert "ui.common" not in names
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("layer, banned", [
    ("models", "PySide6"), ("reports", "PySide6"), ("models", "reportlab"),
])
def test_layers_import_nothing_they_must_not(layer, banned):
    offenders = sorted(
        name for name, path in project_modules().items() if name.split(".")[0] == layer
        and any(n == banned or n.startswith(banned + ".") for n in imported_names(path, name)))
    assert offenders == []


def test_long_modules_say_why():
    """A module over about 400 lines keeps a reason for its length in its docstring."""
    silent = []
    for name, path in project_modules().items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > LONG:
            doc = ast.get_docstring(ast.parse(text)) or ""
            if f"over {LONG} lines" not in doc:
                silent.append(f"{name} ({text.count(chr(10))} lines)")
    assert silent == []
