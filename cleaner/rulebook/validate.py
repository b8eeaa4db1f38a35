"""Parse and validate rule packs: every problem of every file is collected, as `file:line: message`, before failing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

import regex

from ..lines import fold
from ..model import Action, MatchKind, Where
from .rule import Rule, compile_once
from .yamlfile import FileProblems, LineMap, load_yaml, suggest

ACTIONS = tuple(Action)
WHERES = tuple(Where)
MATCH_KINDS = tuple(MatchKind)
RULE_KEYS = ("id", "description", "match", "where", "max_words", "action", "signals", "examples", "case")
PACK_KEYS = ("description", "rules")
EXAMPLE_KEYS = ACTIONS + ("keep",)


def _check_keys(mapping: LineMap, allowed: tuple[str, ...], where: str, problems: list[str], path: Path) -> None:
    for key in mapping:
        if key not in allowed:
            line = mapping.key_lines.get(key, mapping.line)
            problems.append(f"{path}:{line}: unknown key '{key}' in {where}{suggest(key, allowed)}")


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _validate_rule(raw: Any, pack: str, path: Path, problems: list[str], compile_patterns: bool = True) -> Rule | None:
    if not isinstance(raw, LineMap):
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
        problems.append(f"{at}: rule '{rid}' has action {action!r}; use one of {', '.join(ACTIONS)}{suggest(action, ACTIONS)}")
    where = raw.get("where", "anywhere")
    if where not in WHERES:
        problems.append(f"{at}: rule '{rid}' has where {where!r}; use one of {', '.join(WHERES)}{suggest(where, WHERES)}")
    max_words = raw.get("max_words")
    if max_words is not None and (not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1):
        problems.append(f"{at}: rule '{rid}' max_words must be a positive integer")
    signals = _str_list(raw.get("signals", []))
    if signals is None:
        problems.append(f"{at}: rule '{rid}' signals must be a list of names")
    kind, patterns = _validate_match(raw, rid, at, path, problems, compile_patterns)
    if kind == "strip" and action not in (None, "strip") and action in ACTIONS:
        problems.append(f"{at}: rule '{rid}' uses match 'strip', which needs action: strip")
    if action == "strip" and kind not in (None, "strip", "regex"):
        problems.append(f"{at}: rule '{rid}' has action strip; give it match 'strip: <regex>'")
    examples = raw.get("examples")
    if not isinstance(examples, LineMap):
        problems.append(f"{at}: rule '{rid}' needs 'examples' with at least one '{action or 'drop'}' and one 'keep'")
        examples = LineMap()
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


def _validate_match(raw: LineMap, rid: str, at: str, path: Path, problems: list[str],
                    compile_patterns: bool = True) -> tuple[str | None, list[str]]:
    match = raw.get("match")
    if not isinstance(match, LineMap) or len(match) != 1:
        problems.append(f"{at}: rule '{rid}' needs 'match' with exactly one of {', '.join(MATCH_KINDS)}")
        return None, []
    (kind, value), = match.items()
    line = match.key_lines.get(kind, match.line)
    if kind not in MATCH_KINDS:
        problems.append(f"{path}:{line}: unknown match kind '{kind}'{suggest(kind, MATCH_KINDS)}")
        return None, []
    patterns = _str_list(value)
    if not patterns or not all(p.strip() for p in patterns):
        problems.append(f"{path}:{line}: match '{kind}' of rule '{rid}' needs a non-empty string or list of strings")
        return None, []
    if kind == "line" and not all(fold(p) for p in patterns):
        problems.append(f"{path}:{line}: a 'line' pattern of rule '{rid}' has no letters or digits")
    if kind in ("regex", "strip") and compile_patterns:
        for pattern in patterns:
            try:
                compile_once(pattern, raw.get("case") == "sensitive").compiled()  # matching reuses it
            except regex.error as exc:
                problems.append(f"{path}:{line}: bad regex in rule '{rid}': {exc}: {pattern!r}")
    if kind == "selector" and compile_patterns:
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


def parse_dirs(dirs: Iterable[Path], trusted: Iterable[Path] = ()) -> tuple[list[Rule], dict[str, str], list[str]]:
    """Parse and validate every pack under `dirs`; return rules, pack descriptions, problems.

    The regexes and selectors of `trusted` dirs (the shipped packs, whose every rule the test suite
    compiles and runs on its examples) are compiled on first use instead: it halves a hook's start-up.
    """
    trusted = {Path(t).resolve() for t in trusted}
    rules: list[Rule] = []
    packs: dict[str, str] = {}
    problems: list[str] = []
    seen: dict[str, Rule] = {}
    for root in dirs:
        root = Path(root)
        if not root.is_dir():
            problems.append(f"{root}:1: rules directory does not exist")
            continue
        compile_patterns = root.resolve() not in trusted
        for pack, path in _iter_pack_files(root):
            try:
                data = load_yaml(path)
            except FileProblems as exc:
                problems.extend(exc.problems)
                continue
            if not isinstance(data, LineMap):
                problems.append(f"{path}:1: a rule pack must be a mapping with 'description' and 'rules'")
                continue
            _check_keys(data, PACK_KEYS, "pack", problems, path)
            packs[pack] = str(data.get("description", "")).strip()
            if not isinstance(data.get("rules"), list):
                problems.append(f"{path}:{data.line}: pack needs a 'rules' list")
                continue
            for raw in data["rules"]:
                rule = _validate_rule(raw, pack, path, problems, compile_patterns)
                if rule is None:
                    continue
                if rule.id in seen:
                    problems.append(f"{rule.location()}: duplicate rule id '{rule.id}' (first at {seen[rule.id].location()})")
                    continue
                seen[rule.id] = rule
                rules.append(rule)
    return rules, packs, problems

