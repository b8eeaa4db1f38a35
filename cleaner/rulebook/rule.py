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


_COMPILED: dict[tuple[str, str], Any] = {}


def compile_once(pattern: str, case_sensitive: bool = False) -> Any:
    """A rule's regex compiled once per process: validation compiles it and matching reuses it (start-up)."""
    flags = "" if case_sensitive else "(?i)"
    key = (pattern, flags)
    if key not in _COMPILED:
        _COMPILED[key] = regex.compile(flags + pattern)
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

