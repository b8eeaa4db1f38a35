"""A static check for regexes known to backtrack catastrophically, for `cleaner rules check`.

Every rule regex runs with a timeout anyway (rulebook.REGEX_TIMEOUT); this names the risky
ones before they cost time. Two shapes are flagged, the ones behind most ReDoS reports:
- an ambiguous repetition: inside a repeated group, a variable-width part at the end of an
  iteration can match what begins the next one, so the input splits into iterations in
  exponentially many ways: `(a+)+`, `(\\w+\\s?)+`, `(.*)*`, `(a|aa)+`;
- overlapping alternatives under a quantifier: two branches of `(x|y)+` could match the
  same text (`(a|a)+`, `(\\w+|\\d+)+`), so each iteration doubles the ways to try.
The pattern is parsed with Python's own regex parser (the `regex` module's extra syntax,
such as `\\p{L}`, is mapped to near equivalents first); a pattern it cannot parse is not judged.
Character sets are compared on a sample alphabet, so the check is a heuristic, not a proof.
"""

from __future__ import annotations

import re
import string

from ..model import MatchKind
from .book import REGEX_TIMEOUT

try:
    import re._constants as C
    import re._parser as P
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

SAMPLE = frozenset(string.printable + "éÉßЖж中\u00a0\u3000")
_REGEX_ONLY = re.compile(r"(?<!\\)((?:\\\\)*)\\([pP])\{[^}]*\}")
_CATEGORIES = {
    "DIGIT": str.isdigit, "SPACE": str.isspace, "WORD": lambda c: c.isalnum() or c == "_", "LINEBREAK": lambda c: c == "\n",
}
REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


def risks(pattern: str) -> list[str]:
    """Why `pattern` may backtrack catastrophically; empty when no known shape is found."""
    try:
        parsed = P.parse(_portable(pattern))
    except (re.error, OverflowError, RecursionError, AssertionError):
        return []
    found: list[str] = []
    _walk(list(parsed), found)
    return sorted(set(found))


def _portable(pattern: str) -> str:
    """The `regex` module's extra syntax mapped onto Python's: \\p{..} -> \\w, \\P{..} -> \\W."""
    pattern = _REGEX_ONLY.sub(lambda m: m.group(1) + ("\\w" if m.group(2) == "p" else "\\W"), pattern)
    return re.sub(r"\(\?[Vf01]+\)", "", pattern)


def _walk(seq: list, found: list[str]) -> None:
    for op, av in seq:
        if op in REPEATS:
            lo, hi, body = av
            body = list(body)
            if hi is C.MAXREPEAT or hi > 1:
                _check_repeat(body, found)
            _walk(body, found)
        else:
            for child in _children(op, av):
                _walk(child, found)


def _children(op, av) -> list[list]:
    if op is C.SUBPATTERN:
        return [list(av[-1])]
    if op is C.BRANCH:
        return [list(alt) for alt in av[1]]
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [list(av[1])]
    if op is C.ATOMIC_GROUP or op is C.POSSESSIVE_REPEAT:
        return [list(av if op is C.ATOMIC_GROUP else av[2])]
    if op is C.GROUPREF_EXISTS:
        return [list(b) for b in av[1:] if b is not None]
    return []


def _check_repeat(body: list, found: list[str]) -> None:
    starts = _first(body)
    for i, item in enumerate(body):
        if _variable(item) and _nullable(body[i + 1:]) and _extension(item) & starts:
            found.append("nested quantifier: an iteration can end the way the next begins, as in (a+)+")
            break
    for alternatives in _branches(body):
        if any(_overlap(a, b) for i, a in enumerate(alternatives) for b in alternatives[i + 1:]):
            found.append("overlapping alternatives under a quantifier, as in (a|a)+ or (\\w+|\\d+)+")
            break


def _branches(seq: list):
    """The alternatives of every alternation inside `seq`, however deep."""
    for op, av in seq:
        if op is C.BRANCH:
            yield [list(alt) for alt in av[1]]
        for child in ([list(av[2])] if op in REPEATS else _children(op, av)):
            yield from _branches(child)


def _overlap(a: list, b: list) -> bool:
    """Could two alternatives match one string? (Both can be empty, or they share first and last characters and lengths.)"""
    if _nullable(a) and _nullable(b):
        return True
    (alo, ahi), (blo, bhi) = _width(a), _width(b)
    return bool(_first(a) & _first(b)) and bool(_end(a) & _end(b)) and alo <= bhi and blo <= ahi


def _beyond(a: list, b: list) -> set[str]:
    """Characters that can follow in `b` where `a` ends, when `a` can be a prefix of `b`."""
    if _nullable(a):
        return set(_first(b))
    literal = lambda seq: "".join(chr(v) for _op, v in seq) if all(op is C.LITERAL for op, _v in seq) else None  # noqa: E731
    sa, sb = literal(a), literal(b)
    if sa is not None and sb is not None and len(sb) > len(sa) and sb.casefold().startswith(sa.casefold()):
        return {c for c in SAMPLE if c.casefold() == sb[len(sa)].casefold()}
    return set()


def _extension(item) -> frozenset[str]:
    """Characters that can begin what a variable-width item matches beyond its shortest match."""
    op, av = item
    if op in REPEATS:
        return _first(list(av[2]))
    if op is C.BRANCH:  # one alternative is a prefix of another: what the longer adds
        out: set[str] = set()
        alternatives = [list(alt) for alt in av[1]]
        for a in alternatives:
            out |= _tail_extension(a)
            for b in alternatives:
                if a is not b:
                    out |= _beyond(a, b)
        return frozenset(out)
    if op is C.SUBPATTERN:
        return frozenset(_tail_extension(list(av[-1])))
    return frozenset()


def _tail_extension(seq: list) -> set[str]:
    """Extensions of the variable-width items a match of `seq` can end with."""
    return set().union(*(_extension(x) for i, x in enumerate(seq) if _variable(x) and _nullable(seq[i + 1:])))


# --------------------------------------------------------------------------- properties of parsed items


def _nullable(seq: list) -> bool:
    return all(_item_nullable(op, av) for op, av in seq)


def _item_nullable(op, av) -> bool:
    if op in ZERO_WIDTH:
        return True
    if op in REPEATS or op is C.POSSESSIVE_REPEAT:
        return av[0] == 0 or _nullable(list(av[2]))
    if op is C.BRANCH:
        return any(_nullable(list(alt)) for alt in av[1])
    if op in (C.SUBPATTERN, C.ATOMIC_GROUP, C.GROUPREF_EXISTS, C.GROUPREF):
        return op is C.GROUPREF or any(_nullable(c) for c in _children(op, av)) if op is not C.SUBPATTERN \
            else _nullable(list(av[-1]))
    return False


def _width(seq: list) -> tuple[int, float]:
    lo, hi = 0, 0.0
    for op, av in seq:
        a, b = _item_width(op, av)
        lo, hi = lo + a, hi + b
    return lo, hi


def _item_width(op, av) -> tuple[int, float]:
    if op in ZERO_WIDTH:
        return 0, 0
    if op in REPEATS or op is C.POSSESSIVE_REPEAT:
        a, b = _width(list(av[2]))
        return a * av[0], float("inf") if av[1] is C.MAXREPEAT else b * av[1]
    if op is C.BRANCH:
        widths = [_width(list(alt)) for alt in av[1]]
        return min(w[0] for w in widths), max(w[1] for w in widths)
    if op is C.SUBPATTERN or op is C.ATOMIC_GROUP:
        return _width(_children(op, av)[0])
    if op in (C.GROUPREF, C.GROUPREF_EXISTS):
        return 0, float("inf")
    return 1, 1


def _variable(item) -> bool:
    """Can match strings of different lengths, and backtracking may try them (not atomic, not possessive)."""
    op, av = item
    if op is C.ATOMIC_GROUP or op is C.POSSESSIVE_REPEAT:
        return False
    lo, hi = _item_width(op, av)
    return lo != hi


def _first(seq: list) -> frozenset[str]:
    """Sample characters a match of `seq` can begin with."""
    out: set[str] = set()
    for op, av in seq:
        out |= _item_chars(op, av, first=True)
        if not _item_nullable(op, av):
            break
    return frozenset(out)


def _end(seq: list) -> frozenset[str]:
    out: set[str] = set()
    for op, av in reversed(seq):
        out |= _item_chars(op, av, first=False)
        if not _item_nullable(op, av):
            break
    return frozenset(out)


def _item_chars(op, av, first: bool) -> set[str]:
    edge = _first if first else _end
    if op in ZERO_WIDTH:
        return set()
    if op in REPEATS or op is C.POSSESSIVE_REPEAT:
        return set(edge(list(av[2])))
    if op is C.BRANCH:
        return set().union(*(edge(list(alt)) for alt in av[1]))
    if op in (C.SUBPATTERN, C.ATOMIC_GROUP, C.GROUPREF_EXISTS):
        return set().union(*(edge(c) for c in _children(op, av)))
    return {c for c in SAMPLE if _matches(op, av, c)}


def _matches(op, av, c: str) -> bool:
    """Does one single-character item match `c` (letters compared without case, as rules usually are)?"""
    if op is C.LITERAL:
        return chr(av).casefold() == c.casefold()
    if op is C.NOT_LITERAL:
        return chr(av).casefold() != c.casefold()
    if op is C.ANY:
        return c != "\n"
    if op is C.IN:
        negate = any(o is C.NEGATE for o, _ in av)
        hit = any(_in_item(o, a, c) for o, a in av if o is not C.NEGATE)
        return hit != negate
    if op is C.CATEGORY:
        return _category(av, c)
    return True  # unknown: assume it can


def _in_item(op, av, c: str) -> bool:
    if op is C.LITERAL:
        return chr(av).casefold() == c.casefold()
    if op is C.RANGE:
        return av[0] <= ord(c) <= av[1] or av[0] <= ord(c.swapcase()[:1] or c) <= av[1]
    if op is C.CATEGORY:
        return _category(av, c)
    return True


def _category(code, c: str) -> bool:
    name = str(code).replace("CATEGORY_", "").replace("UNI_", "").replace("LOC_", "")
    negate = name.startswith("NOT_")
    test = _CATEGORIES.get(name.removeprefix("NOT_"))
    return True if test is None else test(c) != negate


def rule_warnings(rule) -> list[str]:
    """`file:line: warning: ...` for each regex of a rule that may backtrack catastrophically."""
    if rule.kind not in (MatchKind.REGEX, MatchKind.STRIP):
        return []
    return [f"{rule.location()}: warning: rule '{rule.id}' pattern {pattern!r} may backtrack catastrophically "
            f"({why}); it runs with a {REGEX_TIMEOUT:g} s timeout per line"
            for pattern in rule.patterns for why in risks(pattern)]
