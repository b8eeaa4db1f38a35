"""Load, validate, compile and apply the YAML rule packs that describe page chrome.

Loading goes parse -> validate -> compile. Parsing keeps YAML line numbers so that every
problem is reported as `file:line: message`; validation collects all problems before
failing; compiling folds literal lines into one dict and indexes regexes by zone, word cap and
first character, so applying the rulebook to a line costs one dict lookup and a few regex matches.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import regex
import yaml

from .lines import fold, trim, word_count
from .model import Action, MatchKind, Where
from .prefilter import first_chars, fold_key, required

ACTIONS = tuple(Action)
WHERES = tuple(Where)
MATCH_KINDS = tuple(MatchKind)
ANYWHERE = Where.ANYWHERE
RULE_KEYS = ("id", "description", "match", "where", "max_words", "action", "signals", "examples", "case")
PACK_KEYS = ("description", "rules")
EXAMPLE_KEYS = ACTIONS + ("keep",)
REGEX_TIMEOUT = 1.0  # seconds per match call; a catastrophic pattern cannot hang a run
_SPACE = regex.compile(r"\s+")


class RuleError(Exception):
    """Rule files are broken; `problems` holds every `file:line: message` found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def builtin_rules_dir() -> Path:
    """Rules ship inside the wheel as cleaner/rules; an editable checkout uses ./rules."""
    here = Path(__file__).resolve().parent
    packaged = here / "rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


# --------------------------------------------------------------------------- parse


class _Map(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 0
    key_lines: dict


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when PyYAML has it: 5x faster start-up
    """The safe loader, plus line numbers; Python object tags stay rejected."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file safely; errors name file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError([f"{path}:1: cannot read: {exc}"]) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleError([f"{path}:{line}: invalid YAML: {problem}"]) from exc


# --------------------------------------------------------------------------- model


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


# --------------------------------------------------------------------------- validate


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_keys(mapping: _Map, allowed: tuple[str, ...], where: str, problems: list[str], path: Path) -> None:
    for key in mapping:
        if key not in allowed:
            line = mapping.key_lines.get(key, mapping.line)
            problems.append(f"{path}:{line}: unknown key '{key}' in {where}{_suggest(key, allowed)}")


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _validate_rule(raw: Any, pack: str, path: Path, problems: list[str]) -> Rule | None:
    if not isinstance(raw, _Map):
        problems.append(f"{path}:?: each rule must be a mapping")
        return None
    at = f"{path}:{raw.line}"
    before = len(problems)
    _check_keys(raw, RULE_KEYS, "rule", problems, path)
    rid = raw.get("id")
    if not isinstance(rid, str) or not regex.fullmatch(r"[a-z0-9][a-z0-9._-]*", rid or ""):
        problems.append(f"{at}: rule needs an 'id' of lowercase letters, digits, '-', '_' or '.'")
        rid = "?"
    if not isinstance(raw.get("description"), str) or not raw["description"].strip():
        problems.append(f"{at}: rule '{rid}' needs a 'description'")
    action = raw.get("action")
    if action not in ACTIONS:
        problems.append(f"{at}: rule '{rid}' has action {action!r}; use one of {', '.join(ACTIONS)}{_suggest(action, ACTIONS)}")
    where = raw.get("where", "anywhere")
    if where not in WHERES:
        problems.append(f"{at}: rule '{rid}' has where {where!r}; use one of {', '.join(WHERES)}{_suggest(where, WHERES)}")
    max_words = raw.get("max_words")
    if max_words is not None and (not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1):
        problems.append(f"{at}: rule '{rid}' max_words must be a positive integer")
    signals = _str_list(raw.get("signals", []))
    if signals is None:
        problems.append(f"{at}: rule '{rid}' signals must be a list of names")
    kind, patterns = _validate_match(raw, rid, at, path, problems)
    if kind == "strip" and action not in (None, "strip") and action in ACTIONS:
        problems.append(f"{at}: rule '{rid}' uses match 'strip', which needs action: strip")
    if action == "strip" and kind not in (None, "strip", "regex"):
        problems.append(f"{at}: rule '{rid}' has action strip; give it match 'strip: <regex>'")
    examples = raw.get("examples")
    if not isinstance(examples, _Map):
        problems.append(f"{at}: rule '{rid}' needs 'examples' with at least one '{action or 'drop'}' and one 'keep'")
        examples = _Map()
    else:
        _check_keys(examples, EXAMPLE_KEYS, "examples", problems, path)
        if action in ACTIONS and not examples.get(action):
            problems.append(f"{path}:{examples.line}: rule '{rid}' needs at least one '{action}' example it must act on")
        if not examples.get("keep"):
            problems.append(f"{path}:{examples.line}: rule '{rid}' needs at least one 'keep' example it must leave alone")
    if len(problems) > before:
        return None
    return Rule(
        id=f"{pack}/{rid}", description=raw["description"].strip(), kind=MatchKind(kind), patterns=tuple(patterns),
        action=Action(action), where=Where(where), max_words=max_words, signals=tuple(signals or ()),
        case_sensitive=raw.get("case") == "sensitive", examples=dict(examples), file=str(path), line=raw.line,
    )


def _validate_match(raw: _Map, rid: str, at: str, path: Path, problems: list[str]) -> tuple[str | None, list[str]]:
    match = raw.get("match")
    if not isinstance(match, _Map) or len(match) != 1:
        problems.append(f"{at}: rule '{rid}' needs 'match' with exactly one of {', '.join(MATCH_KINDS)}")
        return None, []
    (kind, value), = match.items()
    line = match.key_lines.get(kind, match.line)
    if kind not in MATCH_KINDS:
        problems.append(f"{path}:{line}: unknown match kind '{kind}'{_suggest(kind, MATCH_KINDS)}")
        return None, []
    patterns = _str_list(value)
    if not patterns or not all(p.strip() for p in patterns):
        problems.append(f"{path}:{line}: match '{kind}' of rule '{rid}' needs a non-empty string or list of strings")
        return None, []
    if kind == "line" and not all(fold(p) for p in patterns):
        problems.append(f"{path}:{line}: a 'line' pattern of rule '{rid}' has no letters or digits")
    if kind in ("regex", "strip"):
        flags = "" if raw.get("case") == "sensitive" else "(?i)"
        for pattern in patterns:
            try:
                _COMPILED.setdefault((pattern, flags), regex.compile(flags + pattern))  # compiled once: matching reuses it
            except regex.error as exc:
                problems.append(f"{path}:{line}: bad regex in rule '{rid}': {exc}: {pattern!r}")
    if kind == "selector":
        from cssselect import GenericTranslator, SelectorError

        for pattern in patterns:
            try:
                GenericTranslator().css_to_xpath(pattern)
            except SelectorError as exc:
                problems.append(f"{path}:{line}: bad CSS selector in rule '{rid}': {exc}: {pattern!r}")
    return kind, patterns


def _iter_pack_files(root: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(root.rglob("*.y*ml")):
        if path.suffix in (".yaml", ".yml"):
            yield path.relative_to(root).with_suffix("").as_posix(), path


def parse_dirs(dirs: Iterable[Path]) -> tuple[list[Rule], dict[str, str], list[str]]:
    """Parse and validate every pack under `dirs`; return rules, pack descriptions, problems."""
    rules: list[Rule] = []
    packs: dict[str, str] = {}
    problems: list[str] = []
    seen: dict[str, Rule] = {}
    for root in dirs:
        root = Path(root)
        if not root.is_dir():
            problems.append(f"{root}:1: rules directory does not exist")
            continue
        for pack, path in _iter_pack_files(root):
            try:
                data = load_yaml(path)
            except RuleError as exc:
                problems.extend(exc.problems)
                continue
            if not isinstance(data, _Map):
                problems.append(f"{path}:1: a rule pack must be a mapping with 'description' and 'rules'")
                continue
            _check_keys(data, PACK_KEYS, "pack", problems, path)
            packs[pack] = str(data.get("description", "")).strip()
            if not isinstance(data.get("rules"), list):
                problems.append(f"{path}:{data.line}: pack needs a 'rules' list")
                continue
            for raw in data["rules"]:
                rule = _validate_rule(raw, pack, path, problems)
                if rule is None:
                    continue
                if rule.id in seen:
                    problems.append(f"{rule.location()}: duplicate rule id '{rule.id}' (first at {seen[rule.id].location()})")
                    continue
                seen[rule.id] = rule
                rules.append(rule)
    return rules, packs, problems


# --------------------------------------------------------------------------- compile & apply


class Rulebook:
    """The compiled rule set: one dict for literal lines, regexes indexed by what a line must look like."""

    def __init__(self, rules: list[Rule], packs: dict[str, str] | None = None):
        self.rules = tuple(rules)
        self.packs = packs or {}
        self.by_id = {r.id: r for r in rules}
        self.selector_rules = tuple(r for r in rules if r.kind == MatchKind.SELECTOR)
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
        self.timeouts: list[str] = []  # rule ids that hit the regex timeout, reset per document by the caller
        self.fired: set[str] = set()  # ids of the rules that matched since a caller cleared it (`rules audit` reads it)

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

    def match(self, text: str, zone: str = ANYWHERE, words: int | None = None) -> Hit | None:
        """The first rule that fires on this line, honouring each rule's guard; `words` is word_count(text) if known."""
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
        hit = self._match_regex(stripped, zone, words, folded)
        if hit:
            return hit
        return self._match_strip(text, zone, words, folded if stripped is text else None)

    def _match_regex(self, stripped: str, zone: str, words: int, folded: str | None = None) -> Hit | None:
        folded = stripped.casefold() if folded is None else folded
        timed_out = BUDGET.timed_out
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
                self._timed_out(rule)
        return None

    def _timed_out(self, rule: Rule) -> None:
        """A rule ran out of time: it is reported, and skipped for the rest of this document."""
        BUDGET.timed_out.add(rule.id)
        self.timeouts.append(rule.id)

    def _match_strip(self, text: str, zone: str, words: int | None = None, folded: str | None = None) -> Hit | None:
        folded = text.casefold() if folded is None else folded
        if self._strip_needs is not None:  # every strip pattern needs one of these strings: most lines hold none
            for need in self._strip_needs:
                if need in folded:
                    break
            else:
                return None
        for rule, compiled in self._strip_rules:
            if rule.id in BUDGET.timed_out or not rule.guard_ok(text, zone, words):
                continue
            for pattern, needs in compiled:
                if needs is not None and not any(need in folded for need in needs):
                    continue  # a string every match contains is absent: the pattern cannot fire
                try:
                    new, n = pattern.subn("", text, timeout=REGEX_TIMEOUT)
                except TimeoutError:
                    self._timed_out(rule)
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
            raise RuleError([f"--disable: no rule or pack '{i}'{_suggest(i, self.by_id)}" for i in unknown])
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


class RegexBudget:
    """Regex time per document: a rule that timed out is skipped for the rest of the document.

    Without this a catastrophic pattern would cost REGEX_TIMEOUT on every line it meets, so
    a long page could still stall a run. Per process (each worker cleans one document at a
    time), reset by Cleaner at the start of each document; the skipped rule is reported in
    the document's metadata (`rule_timeouts`) and report.json, and the other rules still run.
    """

    def __init__(self) -> None:
        self.timed_out: set[str] = set()

    def new_document(self) -> None:
        self.timed_out.clear()


BUDGET = RegexBudget()
_COMPILED: dict[tuple[str, str], Any] = {}


def _flags(rule: Rule) -> str:
    return "" if rule.case_sensitive else "(?i)"


def _compile(pattern: str, rule: Rule):
    key = (pattern, _flags(rule))
    if key not in _COMPILED:
        _COMPILED[key] = regex.compile(_flags(rule) + pattern)
    return _COMPILED[key]


def check_examples(rule: Rule) -> list[str]:
    """Run a rule's examples; each failure is a `file:line: message` problem."""
    if rule.kind == MatchKind.SELECTOR:
        return check_selector_examples(rule)
    problems = []
    single = Rulebook([rule])
    for example in rule.examples.get(rule.action) or []:
        text, expected = (example.get("in"), example.get("out")) if isinstance(example, dict) else (example, None)
        if not isinstance(text, str):
            problems.append(f"{rule.location()}: rule '{rule.id}' has an example that is not text: {example!r}")
            continue
        hit = single.match(text, zone=rule.where)
        if hit is None:
            problems.append(f"{rule.location()}: rule '{rule.id}' should {rule.action} but does not fire on: {text!r}")
        elif expected is not None and hit.text != expected:
            problems.append(f"{rule.location()}: rule '{rule.id}' turns {text!r} into {hit.text!r}, expected {expected!r}")
    for text in rule.examples.get("keep") or []:
        if not isinstance(text, str):
            problems.append(f"{rule.location()}: rule '{rule.id}' has a keep example that is not text: {text!r}")
        elif single.match(text, zone=rule.where) is not None:
            problems.append(f"{rule.location()}: rule '{rule.id}' should leave alone but fires on: {text!r}")
    return problems


SELECTOR_ACTIONS = (Action.DROP, Action.COMMENTS_START, Action.POST_BOUNDARY)


def check_selector_examples(rule: Rule) -> list[str]:
    """Run a selector rule's examples: HTML fragments it must match (under its action), or must not (keep)."""
    import lxml.html
    from cssselect import GenericTranslator
    from lxml import etree

    where = f"{rule.location()}: rule '{rule.id}'"
    if rule.action not in SELECTOR_ACTIONS:
        return [f"{where} has action {str(rule.action)!r}; a selector rule takes one of {', '.join(SELECTOR_ACTIONS)}"]
    problems = []
    translate = GenericTranslator().css_to_xpath
    xpath = etree.XPath(" | ".join(translate(p, prefix="descendant-or-self::") for p in rule.patterns))
    parser = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True,
                                  no_network=True, huge_tree=False)  # as the HTML path parses pages
    for expect, examples in ((True, rule.examples.get(rule.action) or []), (False, rule.examples.get("keep") or [])):
        for example in examples:
            if not isinstance(example, str) or not example.strip():
                problems.append(f"{where} has an example that is not an HTML fragment: {example!r}")
                continue
            root = lxml.html.fragment_fromstring(example, create_parent="div", parser=parser)
            hits = [el for el in xpath(root) if isinstance(el, etree._Element) and el is not root]
            if expect and not hits:
                problems.append(f"{where} should {rule.action} but matches nothing in: {example!r}")
            elif not expect and hits:
                problems.append(f"{where} should leave alone but matches <{hits[0].tag}> in: {example!r}")
    return problems


def load(dirs: Iterable[Path] | None = None, *, builtin: bool = True, disabled: Iterable[str] = (),
         check: bool = False) -> Rulebook:
    """Load the built-in packs plus `dirs`; raise RuleError listing every problem at once."""
    roots = ([builtin_rules_dir()] if builtin else []) + [Path(d) for d in dirs or ()]
    rules, packs, problems = parse_dirs(roots)
    if check:
        for rule in rules:
            problems.extend(check_examples(rule))
    if problems:
        raise RuleError(problems)
    book = Rulebook(rules, packs)
    return book.disable(disabled) if disabled else book
