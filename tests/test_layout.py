"""The package's shape: no import cycle (an import inside a function is still an edge), no module
reaching into another's private names, and modules and functions small enough to read whole."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cleaner

ROOT = Path(cleaner.__file__).resolve().parent
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 600, 60


def module_name(path: Path) -> str:
    parts = ("cleaner",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of the package that `name` imports anywhere in its file (top level, functions, TYPE_CHECKING)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
            names = len(submodules) < len(node.names)  # a name defined in `base` itself, not a submodule of it
            targets = submodules + ([base] if names else [])
        else:
            continue
        found.update(t for t in targets if t in known)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_package_has_no_import_cycle():
    found = cycles(graph())
    assert not found, "import cycles (imports inside functions count):\n" + "\n".join(" <-> ".join(c) for c in found)


def test_a_lazy_import_inside_a_function_is_an_edge(tmp_path):
    path = tmp_path / "late.py"
    path.write_text("def f():\n    from .early import thing\n    return thing\n")
    assert imports_of("cleaner.late", path, {"cleaner.early", "cleaner.late"}) == {"cleaner.early"}
    assert cycles({"cleaner.late": {"cleaner.early"}, "cleaner.early": {"cleaner.late"}}) == [["cleaner.early", "cleaner.late"]]


@pytest.mark.parametrize("source, expected", [
    ("from .. import threads", {"cleaner.threads"}),
    ("from ..lines import fold", {"cleaner.lines"}),
    ("import cleaner.model", {"cleaner.model"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..model import Page", {"cleaner.model"}),
])
def test_every_form_of_import_is_read(tmp_path, source, expected):
    path = tmp_path / "mod.py"
    path.write_text(source + "\n")
    known = {"cleaner", "cleaner.threads", "cleaner.lines", "cleaner.model", "cleaner.html", "cleaner.html.mod"}
    assert imports_of("cleaner.html.mod", path, known) - {"cleaner", "cleaner.html"} == expected


def private_imports(name: str, path: Path, known: set[str]) -> list[str]:
    """`from <another module of the package> import _name`: a private name used across modules."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("cleaner")):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                base = ".".join(anchor[: len(anchor) - (node.level - 1)] + ([base] if base else []))
            found += [f"{base}.{a.name}" for a in node.names if a.name.startswith("_") and base != name]
    return found


def test_no_module_imports_another_modules_private_name():
    mods = modules()
    found = [f"{name}: {p}" for name, path in mods.items() for p in private_imports(name, path, set(mods))]
    assert not found, "\n".join(found)


def test_a_private_import_is_seen(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text("from ..lines import _hidden, public\n")
    assert private_imports("cleaner.html.mod", path, set()) == ["cleaner.lines._hidden"]


def oversized(path: Path) -> list[str]:
    """What in one file passes the size limits: the module itself, or a function."""
    text = path.read_text(encoding="utf-8")
    found = [f"module: {len(text.splitlines())} lines"] if len(text.splitlines()) > MAX_MODULE_LINES else []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            size = node.end_lineno - node.lineno + 1
            if size > MAX_FUNCTION_LINES:
                found.append(f"{node.name}: {size} lines")
    return found


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_and_functions_stay_small(name):
    assert oversized(modules()[name]) == []


def test_the_size_check_sees_a_long_function(tmp_path):
    path = tmp_path / "long.py"
    path.write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES)
    assert oversized(path) == [f"f: {MAX_FUNCTION_LINES + 1} lines"]
