"""What a line must look like for a regex to match it: lets a line skip the rules that cannot.

Two necessary conditions per pattern, as RE2 and Hyperscan prefilter with literals:
- `first_chars`: the characters a match can start with. Most chrome patterns open with a
  word ("read more", "photo", "posted in"), so a line only meets the patterns that can start
  with its first character.
- `required`: strings one of which every match contains ("all rights reserved", " said:"),
  for patterns that can start anywhere.
Both are cached per pattern: the HTML path builds several rulebooks from the same rules.
The analysis is conservative: whatever it cannot read (a Unicode property, a backreference,
syntax only the `regex` module knows) gives None, "no condition", and the pattern is tried.
"""

from __future__ import annotations

from functools import lru_cache

try:  # the stdlib's own parser of regular expressions (private; sre_parse before Python 3.11)
    from re import _parser as sre_parse  # type: ignore[attr-defined]
    from re import _constants as C  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MAX_SET = 512  # a character class wider than this counts as "any character"
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}
_LOOK = {C.ASSERT, C.ASSERT_NOT, C.AT}


@lru_cache(maxsize=None)
def _parse(pattern: str):
    """The stdlib's parse tree of a pattern, shared by both conditions (parsing is most of start-up's rule cost)."""
    return sre_parse.parse(pattern)


@lru_cache(maxsize=None)
def first_chars(pattern: str) -> frozenset[str] | None:
    """Case-folded characters a match of `pattern` can start with, or None for any."""
    try:
        chars, nullable = _seq(_parse(pattern))
    except Exception:  # noqa: BLE001 - syntax of the regex module, or anything unexpected: no prefilter
        return None
    if chars is None or nullable:
        return None
    folded = {c.casefold() for c in chars} | {c.lower() for c in chars} | {c.upper().casefold() for c in chars}
    return None if any(len(c) != 1 for c in folded) else frozenset(folded)


@lru_cache(maxsize=None)
def required(pattern: str) -> frozenset[str] | None:
    """Case-folded strings one of which every match of `pattern` contains, or None if unknown."""
    try:
        found = _required_seq(_parse(pattern))
    except Exception:  # noqa: BLE001 - as in first_chars
        return None
    return frozenset(s.casefold() for s in found) if found else None


def _required_seq(items) -> set[str] | None:
    """The best any-of set of strings this sequence must contain: a literal run or a group's set."""
    options: list[set[str]] = []
    run: list[str] = []
    for op, av in list(items) + [(None, None)]:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append({"".join(run)})
            run = []
        inner = None
        if op is C.SUBPATTERN:
            inner = _required_seq(av[-1])
        elif op is C.BRANCH:
            sets = [_required_seq(branch) for branch in av[1]]
            inner = set().union(*sets) if sets and all(sets) else None
        elif op in _REPEATS and av[0] >= 1:
            inner = _required_seq(av[2])
        elif op is C.ASSERT:  # a positive lookaround: what it looks for is in the line too
            inner = _required_seq(av[1])
        if inner:
            options.append(inner)
    return max(options, key=lambda s: min(map(len, s)), default=None)


def fold_key(text: str) -> str:
    """The key a line is looked up by: its first character, case-folded as first_chars folds."""
    first = text[:1].casefold()
    return first if len(first) == 1 else ""


def _seq(items) -> tuple[set[str] | None, bool]:
    """First characters of a sequence, and whether it can match the empty string."""
    found: set[str] = set()
    for op, av in items:
        chars, nullable = _item(op, av)
        if chars is None:
            return None, False
        found |= chars
        if not nullable:
            return found, False
    return found, True


def _item(op, av) -> tuple[set[str] | None, bool]:
    if op is C.LITERAL:
        return {chr(av)}, False
    if op is C.IN:
        return _charset(av), False
    if op is C.SUBPATTERN:
        return _seq(av[-1])
    if op is C.BRANCH:
        found: set[str] = set()
        nullable = False
        for branch in av[1]:
            chars, empty = _seq(branch)
            if chars is None:
                return None, False
            found |= chars
            nullable = nullable or empty
        return found, nullable
    if op in _REPEATS:
        low, _high, body = av
        chars, empty = _seq(body)
        return chars, low == 0 or empty
    if op in _LOOK:  # zero-width: the next item decides
        return set(), True
    return None, False


def _charset(items) -> set[str] | None:
    found: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            found.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] < MAX_SET:
            found.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY (\w, \d, \s), wide ranges
            return None
    return found
