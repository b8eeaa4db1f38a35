"""Load the built-in rule packs and any others: parse, validate, compile, and optionally run every example."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .book import Rulebook
from .examples import check_examples
from .rule import RuleError
from .validate import parse_dirs


def builtin_rules_dir() -> Path:
    """Rules ship inside the wheel as cleaner/rules; an editable checkout uses ./rules."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "rules"
    return packaged if packaged.is_dir() else package.parent / "rules"


def load(dirs: Iterable[Path] | None = None, *, builtin: bool = True, disabled: Iterable[str] = (),
         check: bool = False) -> Rulebook:
    """Load the built-in packs plus `dirs`; raise RuleError listing every problem at once."""
    roots = ([builtin_rules_dir()] if builtin else []) + [Path(d) for d in dirs or ()]
    rules, packs, problems = parse_dirs(roots, trusted=[builtin_rules_dir()] if builtin else [])
    if check:
        for rule in rules:
            problems.extend(check_examples(rule))
    if problems:
        raise RuleError(problems)
    book = Rulebook(rules, packs)
    return book.disable(disabled) if disabled else book

