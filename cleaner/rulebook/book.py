"""The compiled rulebook: literal lines in one dict, regexes indexed by zone, word cap and first character,
so matching a line costs one dict lookup and a few regex matches."""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from typing import Any, Iterable

import regex

from ..lines import fold, trim, visible, word_count
from ..model import MatchKind, RegexBudget
from .prefilter import first_chars, fold_key, required
from .rule import ANYWHERE, Hit, Rule, RuleError, compile_once
from .yamlfile import suggest

REGEX_TIMEOUT = 1.0  # seconds per match call; a catastrophic pattern cannot hang a run
_SPACE = regex.compile(r"\s+")


class Rulebook:
    """The compiled rule set: one dict for literal lines, regexes indexed by what a line must look like."""

    def __init__(self, rules: list[Rule], packs: dict[str, str] | None = None):
        self.rules = tuple(rules)
        self.packs = packs or {}
        self.by_id = {r.id: r for r in rules}
        self.selector_rules = tuple(r for r in rules if r.kind == MatchKind.SELECTOR)
        self.fired: set[str] = set()  # ids of the rules that matched since a caller cleared it (`rules audit` reads it)
        self._literal: dict[str, list[Rule]] = {}
        self._literal_cs: dict[str, list[Rule]] = {}
        for rule in rules:
            if rule.kind == MatchKind.LINE:
                for pattern in rule.patterns:
                    if rule.case_sensitive:
                        self._literal_cs.setdefault(trim(pattern), []).append(rule)
                    else:
                        self._literal.setdefault(fold(pattern), []).append(rule)
        self._regex_rules = [r for r in rules if r.kind == MatchKind.REGEX]
        self._caps = sorted({r.max_words for r in self._regex_rules if r.max_words is not None})
        self._by_start: dict[tuple[str, int | None, str], _Bucket] = {}
        self._by_line: dict[tuple[str, int, str], _Bucket] = {}  # (zone, words, first) -> bucket, see _line_bucket
        self._inner: dict[str, frozenset[str]] | None = None
        self._first_chars = frozenset().union(*(first_chars(p) or () for r in self._regex_rules for p in r.patterns))
        self._literal_words = max((word_count(k) for k in (*self._literal, *self._literal_cs)), default=0)
        self._strip_rules = [(r, [(_compile(p, r), required(p)) for p in r.patterns]) for r in rules if r.kind == MatchKind.STRIP]
        strip_needs = [needs for _, compiled in self._strip_rules for _, needs in compiled]
        self._strip_needs = None if None in strip_needs else tuple(sorted(set().union(*strip_needs)))
        self.digest = hashlib.sha256(
            json.dumps([r.to_json() for r in sorted(rules, key=lambda r: r.id)], sort_keys=True).encode()
        ).hexdigest()[:16]

    def _candidates(self, zone: str, words: int, first: str) -> "_Bucket":
        """The regex patterns that could fire on a line of `words` words in `zone` starting with
        the (case-folded) character `first`, in rule order.

        Most lines of a page are prose longer than any chrome rule's `max_words`, and a short
        line starts with a letter few patterns can start with (prefilter.first_chars), so a line
        is tried against a handful of patterns instead of all of them; of those, a pattern whose
        required strings (prefilter.required) are all absent from the line is skipped.
        """
        at = bisect_left(self._caps, words)
        cap = self._caps[at] if at < len(self._caps) else None
        if first not in self._first_chars:  # no pattern names this first character: one bucket serves them all
            first = ""
        key = (zone, cap, first)
        found = self._by_start.get(key)
        if found is None:
            found = self._by_start[key] = _Bucket([
                (r, _compile(p, r), required(p)) for r in self._regex_rules
                if r.where in (ANYWHERE, zone) and (r.max_words is None or (cap is not None and r.max_words >= cap))
                for p in r.patterns if (chars := first_chars(p)) is None or first in chars], self._inner_needs())
        return found

    def _line_bucket(self, zone: str, words: int, first: str) -> "_Bucket":
        """_candidates, remembered by the line's own (zone, words, first character): a line shape seen
        before costs one dict lookup instead of a bisect over the caps and the bucket key's folding."""
        key = (zone, words, first)
        if len(self._by_line) >= 1 << 16:  # a page of many scripts could otherwise grow it without bound
            self._by_line.clear()
        bucket = self._by_line[key] = self._candidates(zone, words, first)
        return bucket

    def _inner_needs(self) -> dict[str, frozenset[str]]:
        """For each required string of any pattern, the other required strings inside it (computed once)."""
        if self._inner is None:
            needs = {n for r in self._regex_rules for p in r.patterns for n in required(p) or ()}
            self._inner = {n: frozenset(m for m in needs if m != n and m in n) for n in needs}
        return self._inner

    def match(self, text: str, zone: str = ANYWHERE, words: int | None = None,
              budget: RegexBudget | None = None) -> Hit | None:
        """The first rule that fires on this line, honouring each rule's guard; `words` is word_count(text) if known.

        `budget` is the document's regex budget: a rule that timed out on it is skipped (see RegexBudget).
        """
        if budget is None:
            budget = RegexBudget()
        hit = self._match(text, zone, words, budget)
        if hit is None and (shown := visible(text)) is not text:
            return self._match(shown, zone, None, budget)  # zero-width characters do not stop a rule from matching
        return hit

    def _match(self, text: str, zone: str, words: int | None, budget: RegexBudget) -> Hit | None:
        stripped = text.strip()
        if not stripped:
            return None
        if words is None:
            words = word_count(stripped)
        if words <= self._literal_words:  # no literal rule is longer than this: a longer line skips the folding
            for rule in self._literal.get(fold(stripped), ()):
                if rule.guard_ok(stripped, zone, words):
                    return Hit(rule, "", text)
            if self._literal_cs:
                for rule in self._literal_cs.get(trim(stripped), ()):
                    if rule.guard_ok(stripped, zone, words):
                        return Hit(rule, "", text)
        folded = stripped.casefold()
        hit = self._match_regex(stripped, zone, words, folded, budget)
        if hit:
            return hit
        return self._match_strip(text, zone, words, folded if stripped is text else None, budget)

    def _match_regex(self, stripped: str, zone: str, words: int, folded: str, budget: RegexBudget) -> Hit | None:
        timed_out = budget.timed_out
        first = fold_key(stripped)
        bucket = self._by_line.get((zone, words, first))  # one dict lookup for a line shape seen before
        if bucket is None:
            bucket = self._line_bucket(zone, words, first)
        for need in (bucket.ascii_needs if folded.isascii() else bucket.any_needs):
            if need in folded:
                candidates = bucket.candidates
                break
        else:  # no required string of any pattern is in the line: only the patterns without one can fire
            candidates = bucket.unconditional
        for rule, pattern, needs in candidates:
            if needs is not None:
                for need in needs:
                    if need in folded:
                        break
                else:
                    continue
            if timed_out and rule.id in timed_out:
                continue
            try:
                if pattern.fullmatch(stripped, timeout=REGEX_TIMEOUT):
                    return Hit(rule, "", stripped)
            except TimeoutError:
                budget.time_out(rule.id)
        return None

    def _match_strip(self, text: str, zone: str, words: int | None, folded: str | None, budget: RegexBudget) -> Hit | None:
        folded = text.casefold() if folded is None else folded
        if self._strip_needs is not None:  # every strip pattern needs one of these strings: most lines hold none
            for need in self._strip_needs:
                if need in folded:
                    break
            else:
                return None
        for rule, patterns in self._strip_rules:
            if rule.id in budget.timed_out or not rule.guard_ok(text, zone, words):
                continue
            for pattern, needs in patterns:
                if needs is not None and not any(need in folded for need in needs):
                    continue  # a string every match contains is absent: the pattern cannot fire
                try:
                    new, n = pattern.subn("", text, timeout=REGEX_TIMEOUT)
                except TimeoutError:
                    budget.time_out(rule.id)
                    break
                if n and new != text:
                    removed = "".join(m.group(0) for m in pattern.finditer(text))
                    return Hit(rule, _SPACE.sub(" ", new).strip(), removed)
        return None

    def disable(self, ids: Iterable[str]) -> "Rulebook":
        """A rulebook without the given rule ids or whole packs; unknown ids are an error."""
        ids = list(ids)
        unknown = [i for i in ids if i not in self.by_id and not any(r.pack == i or r.pack.startswith(i + "/") for r in self.rules)]
        if unknown:
            raise RuleError([f"--disable: no rule or pack '{i}'{suggest(i, self.by_id)}" for i in unknown])
        keep = [r for r in self.rules if r.id not in ids and not any(r.pack == i or r.pack.startswith(i + "/") for i in ids)]
        return Rulebook(keep, self.packs)


class _Bucket:
    """The candidate patterns of one (zone, word cap, first character), with what lets most lines skip them all.

    `any_needs` holds the shortest required strings of all candidates (a string that contains
    another adds nothing): a line that holds none of them can only meet the `unconditional`
    patterns, those without required strings, so it skips the per-pattern checks. An ASCII
    line (most of them) is looked through for `ascii_needs` only: a need with another character
    cannot be in it, and a sixth of the needs ('©', '评论', 'używamy') go unsearched.
    """

    def __init__(self, candidates: list[tuple[Rule, Any, frozenset[str] | None]], inner: dict[str, frozenset[str]]):
        self.candidates = candidates
        self.unconditional = [c for c in candidates if c[2] is None]
        needs = {n for _, _, ns in candidates if ns for n in ns}
        self.any_needs = tuple(sorted((n for n in needs if inner[n].isdisjoint(needs)), key=len))
        self.ascii_needs = tuple(n for n in self.any_needs if n.isascii())  # an ASCII line holds no other need



def _compile(pattern: str, rule: Rule):
    return compile_once(pattern, rule.case_sensitive)

