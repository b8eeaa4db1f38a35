"""Apply the line rules to a page: each undecided line gets the first rule that fires on it, and that rule's action.

Lines before the page's first prose line are matched in the head zone, the rest in the tail.
"""

from __future__ import annotations

import weakref

from ..features import features
from ..model import Action, Label, Page, RegexBudget, Where
from .book import Rulebook
from .rule import Hit


def first_prose(page: Page) -> int:
    """Index of the page's first prose line: the head zone ends there."""
    for i, line in enumerate(page.lines):
        if not line.blank and page.features(i).good:
            return i
    return len(page.lines)


def _act_drop(page: Page, i: int, hit: Hit) -> None:
    page.label(i, Label.DROP, hit.rule.id)


def _act_strip(page: Page, i: int, hit: Hit) -> None:
    page.strip(i, hit.text, hit.rule.id, hit.removed)


def _act_truncate(page: Page, i: int, hit: Hit) -> None:
    """Drop the marker now; whether all after it goes waits until the article core is known."""
    page.label(i, Label.DROP, hit.rule.id)
    page.truncates.append((i, hit.rule.id))


def _act_comments_start(page: Page, i: int, hit: Hit) -> None:
    """Drop the heading; the thread starts here unless the heuristics find it is no thread."""
    page.label(i, Label.DROP, hit.rule.id)
    page.thread_marks.append(i)
    if page.comments_from is None:
        page.comments_from = i + 1


def _act_post_boundary(page: Page, i: int, hit: Hit) -> None:
    page.label(i, Label.DROP, hit.rule.id)
    page.boundaries.add(i + 1)


ACTION_HANDLERS = {
    Action.DROP: _act_drop,
    Action.STRIP: _act_strip,
    Action.TRUNCATE: _act_truncate,
    Action.COMMENTS_START: _act_comments_start,
    Action.POST_BOUNDARY: _act_post_boundary,
}
HEAD, TAIL = Where.HEAD, Where.TAIL


_UNSEEN = object()
MATCH_CACHE_SIZE = 1 << 16  # (line, zone) results kept per rulebook: menus and footers recur across a corpus
_MATCHES: "weakref.WeakKeyDictionary[Rulebook, dict]" = weakref.WeakKeyDictionary()


def _match_cache(rulebook: Rulebook) -> dict:
    cache = _MATCHES.get(rulebook)
    if cache is None:
        cache = _MATCHES[rulebook] = {}
    return cache


def match_line(rulebook: Rulebook, text: str, zone: str, cache: dict | None = None, lang: str | None = None,
               budget: RegexBudget | None = None) -> Hit | None:
    """rulebook.match, remembered: a corpus repeats its template lines thousands of times.

    `cache` is _match_cache(rulebook), looked up once per page by callers that match many lines
    (a WeakKeyDictionary lookup builds a weak reference each time). With the page's `lang`, an
    ASCII line's word count comes from its features (the same \\w+ tokens, and the heuristics
    need those features anyway) instead of a second tokenisation in the rulebook. `budget` is the
    document's regex budget (a throwaway one without).
    """
    if cache is None:
        cache = _match_cache(rulebook)
    key = (text, zone)
    if key in cache:
        return cache[key]
    if budget is None:
        budget = RegexBudget()
    timeouts = len(budget.timeouts)
    words = features(text, lang).words if lang is not None and text.isascii() else None
    hit = rulebook.match(text, zone, words, budget)
    if len(budget.timeouts) == timeouts and not budget.timed_out:  # a result cut short by a timeout is not the rule's answer
        if len(cache) >= MATCH_CACHE_SIZE:
            cache.clear()
        cache[key] = hit
    return hit


def apply_rules(page: Page, rulebook: Rulebook, zone: str | None = None) -> None:
    """Label lines with the first rule that fires on each.

    Lines before the first prose line are matched in the head zone, the rest in the tail; with
    `zone` every line is matched in that zone (a comment thread lies wholly after the article).
    """
    body_start = first_prose(page) if zone is None else 0
    cache = _match_cache(rulebook)
    lang = page.lang
    for i, line in enumerate(page.lines):
        if line.blank or line.label is not Label.UNDECIDED:
            continue
        where = zone or (HEAD if i < body_start else TAIL)
        hit = cache.get((line.text, where), _UNSEEN)  # most template and repeated lines: no call at all
        if hit is _UNSEEN:
            hit = match_line(rulebook, line.text, where, cache, lang, page.budget)
        if hit is None:
            continue
        rulebook.fired.add(hit.rule.id)
        page.signals.update(hit.rule.signals)
        page.line_signals[i] = hit.rule.signals
        ACTION_HANDLERS[hit.rule.action](page, i, hit)
