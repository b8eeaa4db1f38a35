"""The package's import graph has no cycle, counting imports inside functions (a lazy import is still an edge)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cleaner

ROOT = Path(cleaner.__file__).resolve().parent


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
