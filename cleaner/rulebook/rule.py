"""One rule as data: what it matches, what it does, where; and a rule firing on a line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex

from ..lines import word_count
from ..model import Action, MatchKind, Where
from .yamlfile import FileProblems

ANYWHERE = Where.ANYWHERE
SELECTOR_ACTIONS = (Action.DROP, Action.COMMENTS_START, Action.POST_BOUNDARY)  # what a selector rule may do


_COMPILED: dict[tuple[str, str], "LazyPattern"] = {}


class LazyPattern:
    """A rule's regex, compiled by the `regex` module on first use.

    Compiling every pattern of the shipped packs costs a quarter of a second, more than a
    pre-commit hook's whole run on one file; most patterns never meet a line that passes
    their prefilter, so they are never compiled. The first call rebinds the methods to the
    compiled pattern's own, so later calls pay no indirection.
    """

    def __init__(self, pattern: str):
        self.pattern = pattern

    def compiled(self) -> Any:
        """The compiled pattern (raises regex.error on bad syntax)."""
        done = regex.compile(self.pattern)
        self.fullmatch, self.subn, self.finditer, self.search = done.fullmatch, done.subn, done.finditer, done.search
        self.compiled = lambda: done
        return done

    def fullmatch(self, *args, **kwargs):
        return self.compiled().fullmatch(*args, **kwargs)

    def subn(self, *args, **kwargs):
        return self.compiled().subn(*args, **kwargs)

    def finditer(self, *args, **kwargs):
        return self.compiled().finditer(*args, **kwargs)

    def search(self, *args, **kwargs):
        return self.compiled().search(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # any other method of a compiled pattern (sub, match, ...)
        if name.startswith("_") or name == "pattern":  # pickle's and copy's probes: not a pattern's methods
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __reduce__(self):  # to a worker as its source: it compiles there on first use too
        return LazyPattern, (self.pattern,)


def compile_once(pattern: str, case_sensitive: bool = False) -> LazyPattern:
    """A rule's regex, shared per process and compiled on first use (see LazyPattern)."""
    flags = "" if case_sensitive else "(?i)"
    key = (pattern, flags)
    if key not in _COMPILED:
        _COMPILED[key] = LazyPattern(flags + pattern)
    return _COMPILED[key]


class RuleError(FileProblems):
    """Rule files are broken; `problems` holds every `file:line: message` found."""


@dataclass(frozen=True)
class Rule:
    """One compiled rule; `id` is `pack/rule-id`."""

    id: str
    description: str
    kind: MatchKind
    patterns: tuple[str, ...]
    action: Action
    where: Where = Where.ANYWHERE
    max_words: int | None = None
    signals: tuple[str, ...] = ()
    case_sensitive: bool = False
    examples: dict = field(default_factory=dict, compare=False, hash=False)
    file: str = ""
    line: int = 0

    @property
    def pack(self) -> str:
        return self.id.rsplit("/", 1)[0]

    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def guard_ok(self, text: str, zone: str, words: int | None = None) -> bool:
        """The where/max_words guard that keeps a rule off real sentences; `words` is word_count(text) if known."""
        if self.where != ANYWHERE and zone != self.where:
            return False
        return self.max_words is None or (word_count(text) if words is None else words) <= self.max_words

    def to_json(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "patterns": list(self.patterns),
            "action": self.action, "where": self.where, "max_words": self.max_words,
            "signals": list(self.signals), "case_sensitive": self.case_sensitive,
        }


@dataclass(frozen=True)
class Hit:
    """A rule fired on a line; `text` is the line after a strip, else the line itself."""

    rule: Rule
    text: str
    removed: str

