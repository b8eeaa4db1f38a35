"""The io package's shape: no import cycle among its modules (imports inside functions count),
no module reaching into another's private names, modules and functions small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cleaner.io

PACKAGE = Path(cleaner.io.__file__).parent
MODULES = sorted(p for p in PACKAGE.glob("*.py"))
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 600, 60


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """(sibling module, names) for every `from .x import ...` / `from . import x` anywhere in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.append((node.module, [a.name for a in node.names]))
            else:
                found.extend((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cleaner.io."):
            found.append((node.module.split(".")[2], [a.name for a in node.names]))
    return found


def test_the_io_modules_import_each_other_without_a_cycle():
    graph = {p.stem: {m for m, _ in imports_of(p)} for p in MODULES}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join(path + (name,))}"
        if name in done:
            return
        for other in graph.get(name, ()):
            visit(other, path + (name,))
        done.add(name)

    for name in graph:
        visit(name, ())


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_io_module_imports_a_private_name(path):
    private = [(m, n) for m, names in imports_of(path) for n in names if n.startswith("_")]
    assert private == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_io_modules_and_functions_stay_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    long = [f"{node.name}: {node.end_lineno - node.lineno + 1} lines" for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []
