"""The plain-text path: lines, rules, zones and the heuristics that label what rules did not.

A page is a list of `Line`s. Rules label lines first; then the heuristics below, each
named `heuristic/<name>`, label what is left. The article core is the stretch of the page
with the most prose in it (a maximum-sum run over line scores, as in jusText's idea of
good and bad blocks); what lies before it is the head zone, what lies after it the tail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, islice
from typing import Callable

import regex

from .features import LineFeatures, features, is_headline
from .lines import fold, fold_words, join_lines, word_count
from .model import Label, Line, LineKind, Page
from .options import HtmlThresholds, TextThresholds
from .stopwords import stoplist


# --------------------------------------------------------------------------- heuristics

_GLUED = regex.compile(r"\p{Ll}\p{Lu}")
_DATELINE = regex.compile(r"^\s*(?:\(\s*[-–—]+\s*\)?|[-–—]+)\s+(?=\p{L})")
_TITLE_SEP = regex.compile(r"\s+(?:[-–—|:·•»]|::)\s+")
_TERMINAL = ".!?…。！？"


DEFAULT = TextThresholds()
HTML_DEFAULT = HtmlThresholds()  # the menu lines of an extracted body


def is_glued_tags(text: str, t: TextThresholds = DEFAULT, f: LineFeatures | None = None) -> bool:
    """Tag or category links flattened without spaces: 'IraqNorth AmericaQasem Suleimani'."""
    stripped = text.strip()
    if not stripped or stripped[-1] in _TERMINAL:
        return False
    f = f or features(stripped)
    return f.words <= t.glued_max_words and len(_GLUED.findall(stripped)) >= t.glued_min_joins


def split_site_suffix(title: str, t: TextThresholds = DEFAULT) -> tuple[str, str]:
    """'Story - Site Name' -> ('Story', ' - Site Name') when the tail part is short."""
    parts = list(_TITLE_SEP.finditer(title))
    if not parts:
        return title, ""
    last = parts[-1]
    head, tail = title[: last.start()], title[last.start():]
    if features(tail).words <= t.suffix_max_words and features(head).words >= 2:
        return head, tail
    return title, ""


_MENU_SEP = regex.compile(r"\s[|•·»›]\s|\t")
_MENU_MARK = re.compile("[|•·»›\t]")  # a line without any of these has no separator (one scan in C, no regex module)


def has_item_separators(text: str, t: TextThresholds = DEFAULT) -> bool:
    """Several items on one line, set apart by bars, bullets or tabs: 'Home | News | Sport'."""
    return menu_separators(text) >= t.menu_min_separators


@lru_cache(maxsize=1 << 16)
def menu_separators(text: str) -> int:
    """Bars, bullets and tabs between items (cached: every pass over a page asks again)."""
    if _MENU_MARK.search(text) is None:  # most lines
        return 0
    return len(_MENU_SEP.findall(text)) if ("\t" in text or " " in text) else 0


def is_nav_item(f: LineFeatures, t: TextThresholds = DEFAULT) -> bool:
    """A link of a menu: a few capitalised words, no figure, no sentence mark ('Sport News', 'Contact Us')."""
    return 0 < f.words <= t.nav_max_words and f.titlecase_ratio >= t.nav_min_titlecase and f.digit_ratio == 0 \
        and not f.terminal


def is_teaser(text: str) -> bool:
    """A snippet cut off with an ellipsis ('... ]' too): the teaser of another page, not this page's prose."""
    end = text.rstrip()
    if end[-1:] in ")]":
        end = end[:-1].rstrip()
    return end.endswith(("...", "…"))


# Kinds of line for the core's line values, as plain names: a module global is the cheapest lookup in the hot loops.
BLANK, GOOD, NEAR, PLAIN, NAV, CHROME, TEMPLATE = LineKind


@dataclass
class Shape:
    """What the core search needs of each line, computed once per page: its kind and its weighted length."""

    kind: list[LineKind]
    value: list[float]  # good lines: length x paragraph and end-of-page weights; others: length
    words: list[int]
    full: list[float] = field(default_factory=list)  # good lines' value without the end-of-page weight


def page_shape(page: Page, t: TextThresholds = DEFAULT) -> Shape:
    """Classify every line once: good and near-good prose, plain short text, menu links, chrome shapes."""
    cached = page.cache.get(("shape", t))
    if cached is not None:
        return cached
    lines = page.lines
    n = len(lines)
    blank = [line.blank for line in lines]
    lang = page.lang
    feats = [None if line.blank else features(line.text, lang) for line in lines]
    isolated = [(i == 0 or blank[i - 1]) and (i + 1 >= n or blank[i + 1]) for i in range(n)]
    good_total = good_isolated = 0
    for i in range(n):
        f = feats[i]
        if f is not None and f.good and lines[i].label is Label.UNDECIDED:
            good_total += f.chars
            if isolated[i]:
                good_isolated += f.chars
    paragraphs = good_total and good_isolated >= t.paragraph_page_share * good_total
    offsets = _char_offsets(page)
    kind, value, words, full = [BLANK] * n, [0.0] * n, [0] * n, [0.0] * n
    min_separators = t.menu_min_separators  # has_item_separators, inlined: this loop runs on every line of every pass
    for i in range(n):
        f = feats[i]
        if f is None:
            continue
        words[i] = f.words
        text = lines[i].text
        if i in page.template:  # prose other pages share: it neither makes nor breaks the core
            kind[i], value[i] = TEMPLATE, float(f.chars)
        elif menu_separators(text) >= min_separators or is_teaser(text):
            kind[i], value[i] = CHROME, float(f.chars)
        elif f.good:
            weight = 1.0 if isolated[i] or not paragraphs else t.core_block_weight
            full[i] = f.chars * weight
            kind[i], value[i] = GOOD, full[i] * end_weight(offsets[i], t)
        elif f.near_good:
            kind[i], value[i] = NEAR, float(f.chars)
        else:
            kind[i], value[i] = (NAV if is_nav_item(f, t) else PLAIN), float(f.chars)
    shape = Shape(kind, value, words, full)
    page.cache[("shape", t)] = shape
    return shape


def line_values(page: Page, t: TextThresholds = DEFAULT, lenient: bool = False) -> dict[int, float]:
    """The prose value of each non-blank line before the thread: positive for prose, negative for chrome.

    Good lines are worth their length (less in a block on a page of paragraphs, and near the
    end of the page), near-good lines a share of it (`core_near_weight`); other lines cost
    `core_bad_cost` plus `core_bad_len_weight` per character, or in `lenient` mode, when they
    are plain text rather than menu links or chrome shapes, `extend_bad_cost` and
    `extend_bad_len_weight`. A line a rule dropped costs `core_rule_cost`; a truncate or
    comments-start marker `core_marker_cost`. Menu-shaped lines and teaser snippets are never prose.
    """
    shape = page_shape(page, t)
    markers = {i for i, _ in page.truncates} | set(page.thread_marks)
    lines = page.lines
    kind, value = shape.kind, shape.value
    values: dict[int, float] = {}
    drop, undecided = Label.DROP, Label.UNDECIDED
    bad_cost, bad_len = t.core_bad_cost, t.core_bad_len_weight
    for i in range(page.article_end):
        k = kind[i]
        if k == BLANK:
            continue
        label = lines[i].label
        if label is drop:
            values[i] = -(t.core_marker_cost if i in markers else t.core_rule_cost)
        elif label is not undecided:
            continue
        elif k == GOOD:
            values[i] = value[i]
        elif k == NEAR:
            values[i] = (t.extend_near_weight if lenient else t.core_near_weight) * value[i]
        elif k == TEMPLATE:
            values[i] = 0.0
        elif lenient and k == PLAIN:
            values[i] = -t.extend_bad_cost - t.extend_bad_len_weight * value[i]
        else:
            values[i] = -bad_cost - bad_len * value[i]
    _spare_labels(page, values, shape, t)
    return values


def _spare_labels(page: Page, values: dict[int, float], shape: Shape, t: TextThresholds) -> None:
    """A short line right next to text is a label of that text (a term, a heading), not a menu item.

    Its cost drops to `core_label_cost`; short lines among other short lines keep theirs.
    """
    order = list(values)
    last = len(order) - 1
    lines, words = page.lines, shape.words
    for k, i in enumerate(order):
        if values[i] >= 0 or words[i] > t.short_max_words or lines[i].label is not Label.UNDECIDED:
            continue
        if (k > 0 and i - order[k - 1] <= 2 and values[order[k - 1]] > 0) or \
                (k < last and order[k + 1] - i <= 2 and values[order[k + 1]] > 0):
            values[i] = max(values[i], -t.core_label_cost)


def _char_offsets(page: Page) -> list[float]:
    """Where each line starts, as a share of the page's characters."""
    sizes = [len(line.text) + 1 for line in page.lines]
    total = sum(sizes) or 1
    return [pos / total for pos in accumulate(sizes[:-1], initial=0)] if sizes else []


def end_weight(offset: float, t: TextThresholds = DEFAULT) -> float:
    """Prose near the end of a page is more often a footer or a teaser than the article."""
    if offset <= t.end_zone:
        return 1.0
    return 1.0 - t.end_penalty * (offset - t.end_zone) / (1.0 - t.end_zone)


def find_core(page: Page, t: TextThresholds = DEFAULT) -> tuple[int, int]:
    """The [start, stop) span of lines with the most prose: a max-sum run over `line_values`.

    Only a positive line starts the run. Near-good lines right after the core join it
    (a short closing paragraph), as jusText revises near-good blocks by their neighbours.
    """
    values = line_values(page, t)
    best, best_span = 0.0, (0, 0)
    run, run_start = 0.0, None
    for i, score in values.items():
        if run_start is None:
            if score <= 0:
                continue
            run, run_start = 0.0, i
        run += score
        if run > best:
            best, best_span = run, (run_start, i + 1)
        if run <= 0:
            run_start = None
    start, stop = best_span
    for i, score in values.items():
        if i < stop or page.lines[i].label is not Label.UNDECIDED:
            continue
        if not page.features(i).near_good or i in page.template:
            break
        stop = i + 1
    if stop and t.extend_bad_cost < t.core_bad_cost:
        start, stop = extend_core(page, start, stop, t)
    return start, stop


def extend_core(page: Page, start: int, stop: int, t: TextThresholds = DEFAULT) -> tuple[int, int]:
    """Grow the core over text next to it when what lies between is plain short text, not chrome.

    The best extension on each side is a max-sum run again, over values where a line that
    is neither prose nor chrome costs only `extend_bad_cost` (plus `extend_bad_len_weight`
    per character): lists and labels beside the prose join it, menus and rule hits do not,
    and no extension passes a truncate or comments-start marker. Prose on the core's topic
    keeps its full value here (`restore_topical`): the article goes on past a code listing or
    a table near the end of the page, where the end-of-page weight would cut it off.
    """
    values = line_values(page, t, lenient=True)
    if t.topic_min_share > 0:
        restore_topical(page, values, start, stop, t)
    markers = {i for i, _ in page.truncates} | set(page.thread_marks)
    after = [(i, v) for i, v in values.items() if i >= stop]
    run, best = 0.0, 0.0
    for i, v in after:
        if i in markers:  # "Related", "Leave a Reply": the article does not go on past it
            break
        run += v
        if run > best:
            best, stop = run, i + 1
    before = [(i, v) for i, v in values.items() if i < start]
    run, best = 0.0, 0.0
    for i, v in reversed(before):
        if i in markers:
            break
        run += v
        if run > best:
            best, start = run, i
    return start, stop


_CONTENT_WORD = regex.compile(r"\w{4,}")


@lru_cache(maxsize=1 << 16)
def content_words(text: str, lang: str = "en") -> frozenset[str]:
    """The words of a line that carry its topic: four letters or more, no stop words (cached per line)."""
    stops = stoplist(lang)
    return frozenset(w for w in _CONTENT_WORD.findall(text.casefold()) if w not in stops)


def on_topic(words: frozenset[str], vocabulary: set[str], t: TextThresholds = DEFAULT) -> bool:
    """At least `topic_min_share` of a line's content words occur in the core: the same subject goes on."""
    return bool(words) and len(words & vocabulary) >= t.topic_min_share * len(words)


def restore_topical(page: Page, values: dict[int, float], start: int, stop: int, t: TextThresholds = DEFAULT) -> None:
    """Prose beside the core on the core's topic is worth its full length, end of page or not.

    The end-of-page weight is there for footers and teasers of other stories, which speak of
    other things; the rest of a long article (past its code listings or tables) speaks of
    the same. Without this, cleaning a cleaned long article would cut its end again and again.
    Past a truncate marker ("Related stories") prose is a teaser, whatever its topic.
    """
    shape, lines, lang = page_shape(page, t), page.lines, page.lang
    kind, full = shape.kind, shape.full
    end = min([i for i, _ in page.truncates if i >= start] + [i for i in page.thread_marks if i >= start],
              default=len(lines))
    weighed = [i for i, v in values.items() if kind[i] == GOOD and 0 < v < full[i] and i < end and not start <= i < stop]
    if not weighed:  # most pages: no prose outside the core in the end zone
        return
    vocabulary: set[str] = set()
    for i in range(start, stop):
        if kind[i] == GOOD and lines[i].label is Label.UNDECIDED:
            vocabulary |= content_words(lines[i].text, lang)
    for i in weighed:
        if on_topic(content_words(lines[i].text, lang), vocabulary, t):
            values[i] = full[i]


def choose_title(page: Page, core_start: int, t: TextThresholds = DEFAULT) -> None:
    """The title is the headline-like line above the core that shares most words with it."""
    lines = page.lines

    def candidate(i: int) -> bool:
        f = page.features(i)
        return is_headline(f, t.title_max_words) and not is_glued_tags(lines[i].text, t, f)

    if t.title_window > 0:  # the last title_window candidates, looked for from the core upwards
        found = (i for i in range(core_start - 1, -1, -1)
                 if lines[i].label is Label.UNDECIDED and not lines[i].blank and candidate(i))
        candidates = list(islice(found, t.title_window))[::-1]
    else:
        candidates = [i for i in page.undecided(0, core_start) if candidate(i)][-t.title_window:]
    if not candidates:
        return
    core = islice((i for i in range(core_start, page.article_end)
                   if lines[i].label is Label.UNDECIDED and not lines[i].blank), 40)
    core_words = set(fold_words(" ".join(lines[i].text for i in core)))

    def score(i: int) -> tuple[int, int, int]:
        head = fold_words(split_site_suffix(page.lines[i].text.strip(), t)[0])
        return sum(1 for w in set(head) if len(w) > 2 and w in core_words), len(head), i

    pick = max(candidates, key=score)
    page.title_index = pick
    page.title = page.lines[pick].text.strip()
    page.lines[pick] = page.lines[pick].relabel(Label.TITLE, "heuristic/title")


def label_head(page: Page, core_start: int, t: TextThresholds = DEFAULT) -> None:
    """Name what stands alone before the body: title repeats, tags, alt text, bylines, menus."""
    title_fold = fold(page.title)
    title_words = set(title_fold.split())
    for i in page.undecided(0, core_start):
        text = page.lines[i].text
        f = page.features(i)
        folded = fold(text) if title_fold else ""  # without a title no branch below reads it
        if title_fold and folded == title_fold:
            page.label(i, Label.DROP, "heuristic/title-repeat")
        elif title_fold and folded.startswith(title_fold) and fold(split_site_suffix(text, t)[0]) == title_fold:
            page.label(i, Label.DROP, "heuristic/site-suffix")
        elif is_glued_tags(text, t, f):
            page.label(i, Label.DROP, "heuristic/glued-tags")
        elif title_words and f.words <= t.alt_max_words and not f.ends_period and set(folded.split()) <= title_words:
            page.label(i, Label.DROP, "heuristic/alt-text")
        elif i in page.template:
            page.label(i, Label.DROP, "heuristic/corpus-template")
        elif f.good:
            page.label(i, Label.DROP, "heuristic/outside-core")
        else:
            page.label(i, Label.DROP, "heuristic/short-head")


def label_captions(page: Page, t: TextThresholds = DEFAULT) -> None:
    """A line just above a photo credit is that photo's caption."""
    for i, signals in sorted(page.line_signals.items()):
        if "credit" not in signals:
            continue
        j = i - 1
        while j >= 0 and page.lines[j].blank:
            j -= 1
        if j >= 0 and page.lines[j].label is Label.UNDECIDED and page.features(j).words <= t.caption_max_words:
            page.label(j, Label.DROP, "heuristic/caption")


def label_tail(page: Page, core_stop: int, t: TextThresholds = DEFAULT) -> None:
    """After the core: short menu-like lines and stray prose (teasers) leave the article."""
    for i in page.undecided(core_stop, page.article_end):
        reason = "heuristic/corpus-template" if i in page.template else \
            "heuristic/outside-core" if page.features(i).good else "heuristic/short-tail"
        page.label(i, Label.DROP, reason)


def keep_outside_core(page: Page) -> None:
    """Prose the core left out stays: on every page type but the article the content is posts, items and
    sections, not one stretch of prose (their profiles ask for this)."""
    page.keep([i for i, line in enumerate(page.lines)
               if line.label is Label.DROP and line.reason == "heuristic/outside-core"])


def strip_dateline(page: Page, core_start: int, core_stop: int) -> None:
    """Dateline residue such as '( – ' left where a scraper dropped the source name."""
    for i in page.undecided(core_start, core_stop)[:1]:
        m = _DATELINE.match(page.lines[i].text)
        if m:
            page.strip(i, page.lines[i].text[m.end():], "heuristic/dateline-residue", m.group(0))


def label_template(page: Page, t: TextThresholds = DEFAULT) -> None:
    """Lines that recur across the corpus are template chrome (menus, footers, a site's boilerplate).

    Short template lines leave at once. Template prose (a site's "About us" paragraph, but also
    a syndicated quote two pages share) only stops counting as prose: it leaves if it ends up
    outside the article core, and stays where article prose surrounds it.
    """
    for i in sorted(page.template):
        line = page.lines[i]
        if line.label is Label.UNDECIDED and not line.blank and not page.features(i).good:
            page.label(i, Label.DROP, "heuristic/corpus-template")


def apply_truncate(page: Page, core_start: int, core_stop: int, t: TextThresholds = DEFAULT) -> int:
    """Cut the page at the first truncate marker inside or after the core; return the new core stop.

    A marker before the core is a menu item ("Related" in a nav bar), not the end of the
    article. A cut that would remove more than `max_truncate_share` of the core's prose, or
    a marker inside the core with at least `truncate_resume_chars` of prose in at least
    `truncate_resume_lines` lines after it (a widget in mid-article), is held back and reported; the teaser list under such a marker
    (everything up to the next prose line) still leaves, and the next marker is tried.
    """
    for at, rule in [(i, rule) for i, rule in page.truncates if i >= core_start]:
        if at < page.article_end:
            good = [page.features(i).chars for i in page.undecided(core_start, core_stop) if page.features(i).good]
            lost = [page.features(i).chars for i in page.undecided(at, core_stop)
                    if page.features(i).good and not is_teaser(page.lines[i].text)]
            if good and (sum(lost) > t.max_truncate_share * sum(good)
                         or (at < core_stop and sum(lost) >= t.truncate_resume_chars
                             and len(lost) >= t.truncate_resume_lines)):
                page.held_back.append(rule)
                drop_teaser_list(page, at, rule)
                continue
        end = page.article_end if at < page.article_end else len(page.lines)  # a thread after the article stays
        _cut(page, at, end, rule)
        if at < page.article_end:  # the thread keeps its own end: a marker past its start cuts the sidebar after it
            after = [(i, r) for i, r in page.truncates if i >= page.article_end]
            if after:
                _cut(page, after[0][0], len(page.lines), after[0][1])
        return min(core_stop, at)
    return core_stop


def _cut(page: Page, start: int, stop: int, rule: str) -> None:
    """Lines from a truncate marker on leave with the marker's rule."""
    for j in range(start, stop):
        if page.lines[j].label in (Label.UNDECIDED, Label.KEEP) and not page.lines[j].blank:
            page.label(j, Label.DROP, rule)


def drop_teaser_list(page: Page, at: int, rule: str) -> None:
    """The lines under a held-back marker ("Related Articles") up to the next paragraph of prose are its list.

    A paragraph of prose starts after a blank line; teaser snippets cut off by an ellipsis are not prose.
    """
    for j in range(at + 1, page.article_end):
        line = page.lines[j]
        if line.blank or line.label is not Label.UNDECIDED:
            continue
        if page.features(j).good and page.lines[j - 1].blank and not is_teaser(line.text):
            return
        page.label(j, Label.DROP, rule)


# Passes that make cleaning idempotent. Each pass that changes anything removes or rewrites lines,
# so the loop ends; most pages need one or two, but a page of repeated product blocks can lose a
# dozen lines a pass to the end-of-page weight until it settles.
SETTLE_ROUNDS = 50


def article_text(page: Page) -> str:
    """The article as a file holds it (title, blank line, body): what a second clean would read."""
    body = join_lines(page.lines, [i for i, line in enumerate(page.lines) if line.label is Label.KEEP])
    if page.title and body:
        return f"{page.title}\n\n{body}\n"
    return (page.title or body) + "\n" if (page.title or body) else ""


def settle(page: Page, again: Callable[[str], Page], rounds: int = SETTLE_ROUNDS) -> None:
    """Clean the result again and take over what that pass removes or rewrites, until nothing changes.

    The heuristics weigh a line against the rest of its page, and a cleaned page is a
    different page: this makes `clean(clean(x)) == clean(x)`. A line the second pass drops
    leaves with that pass's reason; a line it rewrites (a strip rule) takes the new text.
    """
    for _ in range(rounds):
        kept = [i for i, line in enumerate(page.lines) if line.label is Label.KEEP]
        if not kept:
            return
        order = ([page.title_index] if page.title and page.title_index is not None else []) + kept
        second = again(article_text(page))
        live = [line for line in second.lines if not line.blank]
        if len(live) != len(order):  # a line split or vanished in a way we cannot map: leave it
            return
        changed = False
        for i, line in zip(order, live):
            if i == page.title_index and line.label is Label.TITLE:
                continue
            if line.label is Label.KEEP or (line.label is Label.TITLE and page.lines[i].label is Label.KEEP):
                if line.text.strip() != page.lines[i].text.strip():
                    page.strip(i, line.text, line.reason or "heuristic/settle", page.lines[i].text)
                    page.lines[i] = Line(page.lines[i].no, page.lines[i].text, Label.KEEP, page.lines[i].reason)
                    changed = True
                continue
            if i == page.title_index:
                if line.label is Label.KEEP:  # the title read as body text: the file says the same either way
                    continue
                page.title, page.title_index = "", None  # the second pass dropped the title: so do we
            page.label(i, Label.DROP, line.reason or "heuristic/settle")
            changed = True
        if not page.title and _take_title(page, order, live):
            changed = True
        elif page.title and _move_title(page, order, live):
            changed = True
        if not changed:
            return


def _move_title(page: Page, order: list[int], live: list[Line]) -> bool:
    """The second pass read the title as body and another kept line as the title: the file would swap them, so do we."""
    read = dict(zip(order, live))
    if page.title_index is None or page.title_index not in read or read[page.title_index].label is not Label.KEEP:
        return False
    for i, line in zip(order, live):
        if i != page.title_index and line.label is Label.TITLE and page.lines[i].label is Label.KEEP:
            old = page.title_index
            page.lines[old] = page.lines[old].relabel(Label.KEEP, "")
            page.title_index, page.title = i, page.lines[i].text.strip()
            page.lines[i] = page.lines[i].relabel(Label.TITLE, line.reason or "heuristic/title")
            return True
    return False


def _take_title(page: Page, order: list[int], live: list[Line]) -> bool:
    """A page without a title (or whose title was dropped) takes the line the second pass read as title."""
    for i, line in zip(order, live):
        if line.label is Label.TITLE and page.lines[i].label is Label.KEEP:
            page.title_index, page.title = i, page.lines[i].text.strip()
            page.lines[i] = page.lines[i].relabel(Label.TITLE, line.reason or "heuristic/title")
            return True
    return False


# --------------------------------------------------------------------------- an extracted body's lines


def label_title_repeat(page: Page, title: str) -> None:
    """The body's first line repeats the title (with or without a site-name suffix): the title is a
    field of its own, not article text."""
    first = next((i for i, line in enumerate(page.lines) if not line.blank), None)
    if not title or first is None or page.lines[first].label is not Label.UNDECIDED:
        return
    line = fold(page.lines[first].text)
    if line and line in {fold(title), fold(split_site_suffix(title)[0])}:
        page.label(first, Label.DROP, "heuristic/title-repeat")


_ITEM_BAR = re.compile(r"\s[|•·»›]\s")
_CELL_BAR = re.compile(r"(?<!\\)\|")
_ESCAPED_BAR = re.compile(r"\\\|")


def _menu_items(items: list[str], t: HtmlThresholds) -> bool:
    items = [item.strip() for item in items if item.strip()]
    return len(items) >= t.menu_min_items and all(
        word_count(item) <= t.menu_item_max_words and not features(item).terminal for item in items)


def is_menu_line(text: str, t: HtmlThresholds = HTML_DEFAULT) -> bool:
    """A navigation menu that came through extraction on one line: "Overview | Organisation | History".

    Unlike has_item_separators (any two separators, on a flattened page) every item here must be
    short: an extractor's body keeps table rows and bylines set apart by bars.
    In a table row (trafilatura's `| a | b |`) a bar written inside a cell comes escaped (`\\|`):
    the row is a menu when a cell is one and every other cell is a menu too or a word or two.
    """
    stripped = text.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        cells = [_ESCAPED_BAR.split(cell) for cell in _CELL_BAR.split(stripped.strip("|")) if cell.strip()]
        return any(_menu_items(c, t) for c in cells) and all(_menu_items(c, t) or word_count(" ".join(c)) <= 2 for c in cells)
    return bool(_ITEM_BAR.search(stripped)) and _menu_items(_ITEM_BAR.split(stripped), t)


def label_menu_lines(page: Page, t: HtmlThresholds = HTML_DEFAULT) -> None:
    """Menus the extractor left in the body, one per line, leave as heuristic/menu-line."""
    for i in page.undecided():
        if is_menu_line(page.lines[i].text, t):
            page.label(i, Label.DROP, "heuristic/menu-line")
