"""The guard that keeps one rule from emptying a document.

A rule that fires on most of a document's prose is far more likely broken (a regex that
matches too much, a pack written for another site) than right: trafilatura guards its own
pruning the same way. After the line rules ran, each drop or strip rule that removed more
than `share` of the document's prose (lines the features call good, by characters) is
undone on that document: its lines go back to the heuristics, its removals are forgotten,
and its id is recorded in `page.held_back` (metadata `held_back`, counted in report.json).
Truncate rules have the same guard where the cut is made (text.apply_truncate).
"""

from __future__ import annotations

from collections import Counter

from .features import features
from .model import Action, Label, Line, Page
from .rulebook import Rulebook

GUARDED_ACTIONS = (Action.DROP, Action.STRIP)
MIN_HELD_LINES = 2  # a rule must take this many prose lines to be held back: one banner on a page of chrome still goes


def hold_back(page: Page, before: list[Line], rulebook: Rulebook, share: float) -> list[str]:
    """Undo each drop or strip rule that removed more than `share` of the prose of `before`; return their ids.

    Only lines the rules changed (a new Line object) are looked at first; the page's whole prose is
    summed only when some rule took at least MIN_HELD_LINES prose lines, which few pages have.
    """
    if share >= 1.0:
        return []
    lang = page.lang
    lost: Counter = Counter()
    lines: dict[str, list[int]] = {}
    for i, line in enumerate(page.lines):
        old = before[i]
        if line is old or line.reason == old.reason or old.blank:
            continue
        rule = rulebook.by_id.get(line.reason)
        if rule is None or rule.action not in GUARDED_ACTIONS or not features(old.text, lang).good:
            continue
        chars = len(old.text)
        lost[rule.id] += chars if line.label is Label.DROP else max(0, chars - len(line.text))
        lines.setdefault(rule.id, []).append(i)
    suspects = [r for r in lost if len(lines[r]) >= MIN_HELD_LINES]
    if not suspects:
        return []
    total = sum(len(line.text) for line in before if not line.blank and features(line.text, lang).good)
    held = sorted(r for r in suspects if lost[r] > share * total)
    for rule_id in held:
        _undo(page, before, rulebook, rule_id)
    return held


def _undo(page: Page, before: list[Line], rulebook: Rulebook, rule_id: str) -> None:
    restored = set()
    for i, line in enumerate(page.lines):
        if line.reason == rule_id and before[i].reason != rule_id:
            page.lines[i] = before[i]
            page.line_signals.pop(i, None)
            restored.add(before[i].no)
    page.removed[:] = [r for r in page.removed if not (r.rule == rule_id and r.line in restored)]
    still = set().union(*page.line_signals.values()) if page.line_signals else set()
    page.signals -= set(rulebook.by_id[rule_id].signals) - still
    page.held_back.append(rule_id)
