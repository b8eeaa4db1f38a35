"""Comment threads in flattened text: where they start, how they split into posts, quoted copies.

A thread starts only after the article has begun (some prose of the core lies above it), at
the first of:
- a `comments-start` rule ("12 Comments", "Leave a Reply"), unless such headings repeat
  between prose, as on a blog's front page where every post has its "3 Comments" link;
- on a forum page (rules with the `forum` signal fired often enough), the first post under
  the opening post: a flattened forum page separates paragraphs inside a post by blank lines
  but puts the next post right under the last line of the previous one;
- a run of post headers: short lines that name a poster and a date and time
  ("Deborah July 23, 2012 at 4:39 am", "Blake Hall says:", "Posted by: Amy | Apr 6, 2007").
Replies carry quoted copies of earlier posts; those copies leave the thread so each post's
own words appear once.
"""

from __future__ import annotations

import re
from functools import lru_cache

import regex

from .features import features, is_headline
from .lines import fold, join_lines, split_lines, word_count
from .model import Label, Page, Post
from .options import ThreadThresholds

DEFAULT = ThreadThresholds()


_MONTHS = (
    r"jan(?:uary|vier|uar|eiro)?|feb(?:ruary|ruar)?|févr(?:ier)?|fev(?:ereiro)?|mar(?:ch|s|zo|ço)?|märz|"
    r"apr(?:il|ile)?|avr(?:il)?|abr(?:il)?|may|mai|mayo|maggio|maio|jun(?:e|i|io|ho)?|juin|giugno|"
    r"jul(?:y|i|io|ho)?|juil(?:let)?|luglio|aug(?:ust)?|août|ago(?:sto)?|sep(?:t(?:ember|embre)?)?|set(?:embro|tembre)?|"
    r"oct(?:ober|obre|ubre)?|okt(?:ober)?|ott(?:obre)?|out(?:ubro)?|nov(?:ember|embre|embro)?|"
    r"dec(?:ember)?|dez(?:ember|embro)?|déc(?:embre)?|dic(?:iembre|embre)?"
)
_DATE = regex.compile(
    rf"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+(?:{_MONTHS})\.?\s+\d{{1,2}}\b|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{4}}"
    r"|\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d+\s+(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago|yesterday|today)\b",
    regex.I,
)
_TIME = regex.compile(r"\b\d{1,2}:\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?\b)?|\b\d{1,2}\s*[ap]\.?m\.?(?=\W|$)", regex.I)
_SAYS = regex.compile(  # (?r): anchored at the end, so searched from there (3x faster on short lines)
    r"(?r)(?:\bsays|\bsaid|\bwrote|\breplied|\bschreibt|\bschrieb|\ba écrit|\bdit|\bdice|\bescribió|\bha scritto|\bscrive"
    r"|\bdisse|\bdiz|\bschreef|\bzegt|\bпишет|\bнаписал[аи]?|\bnapisał[a]?|قال|گفت|说|說|より)\s*(?:\.{3}|…)?\s*:?\s*$",
    regex.I,
)
_SAYS_TRAIL = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + ":.…"  # \s (the same set) and what may follow the verb
_SAYS_LAST = frozenset("sdetbóozfтлаиłلت说說り")  # the last letters of _SAYS's verbs
# A heading that counts the posts under it ("69 comments… read them below", "3 Responses to", "Kommentare (12)").
_COUNT_HEADING = regex.compile(
    r"\d+\s*(?:comments?|responses?|replies|reactions|thoughts|kommentare?|commentaires?|comentarios?|commenti"
    r"|comentários?|reacties|комментари\w*|komentarz\w*|تعليق\w*|نظر|评论|評論|コメント)\b"
    r"|(?:comments?|kommentare|commentaires|comentarios|commenti|reacties|комментарии|komentarze)\s*\(\d+\)",
    regex.I,
)
# Words of a blog post's footer ("Posted by Ann at 5:44 PM | Permalink | Comments (3)"): that post is article.
_FOOTER = regex.compile(r"\b(?:permalink|trackback|link|comments?\s*[(:]|\d+\s+comments?|posted in|filed (?:in|under)|tags?:)", regex.I)
# Who wrote a post comes before its date ("Ann July 3, 2012 at 4:19 pm"); a line that opens with the date
# ("Tuesday, October 24 at 7:30pm | Instructor") heads an event or a news item in a list.
_NAME_WORD = regex.compile(r"[^\W\d_]{2,}")
_NOT_NAMES = frozenset("""posted written submitted comment commented reply replied by on at from in the de le la el il von
    mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday
    updated published date am pm""".split())
_NUMBERED = regex.compile(r"\d{1,4}\.\s+\S")  # "12. Ann - October 26, 2012": numbered comments
_POSTED_BY = regex.compile(r"^(?:posted|written|submitted|comment(?:ed)?)\s+by\b|^by\s+\S.{0,60}\s+(?:on|at)\s", regex.I)


def _live(page: Page, i: int) -> bool:
    line = page.lines[i]
    return not line.blank and line.label in (Label.UNDECIDED, Label.KEEP, Label.COMMENT)


_ASCII_DIGIT = re.compile(r"[0-9]")


def _no_digit(text: str) -> bool:
    """An ASCII line without a digit: no date, time or post count can match it (a cheap test before those regexes)."""
    return text.isascii() and _ASCII_DIGIT.search(text) is None


@lru_cache(maxsize=1 << 14)
def is_post_header(text: str, lang: str = "en", max_words: int = DEFAULT.header_max_words) -> bool:
    """A line that opens a post: who wrote it and when ("Ann says:", "Ann July 3, 2012 at 4:19 pm")."""
    f = features(text, lang)
    if not 1 <= f.words <= max_words or f.ends_period:
        return False
    if _may_say(text) and _SAYS.search(text):
        return True
    if _no_digit(text) and "today" not in (low := text.lower()) and "yesterday" not in low:
        return False  # every _DATE branch but these two words holds a digit
    date = _DATE.search(text)
    if not date or not (_TIME.search(text) or _POSTED_BY.search(text) or _NUMBERED.match(text)):
        return False
    if _FOOTER.search(text):  # a blog post's footer (last: most lines have no date and never get here)
        return False
    return any(w.casefold() not in _NOT_NAMES for w in _NAME_WORD.findall(text[: date.start()]))


def _may_say(text: str) -> bool:
    """Can _SAYS match? Its verb ends the line but for spaces, an ellipsis and a colon, so the last
    other character must end one of its verbs (a check in C before a regex search on every line)."""
    last = text.rstrip(_SAYS_TRAIL)[-1:]
    return bool(last) and (last.casefold()[-1:] in _SAYS_LAST or last.lower() in _SAYS_LAST)


def forum_evidence(page: Page, t: ThreadThresholds = DEFAULT) -> bool:
    """Enough forum chrome fired that this is a forum thread, not a news page with a 'Media' tab."""
    hits = [page.lines[i].reason for i, signals in page.line_signals.items()
            if "forum" in signals and features(page.lines[i].text, page.lang).words >= t.forum_hit_min_words]
    return len(hits) >= t.forum_min_hits and len(set(hits)) >= t.forum_min_rules


def _prose_chars(page: Page, start: int, stop: int) -> int:
    """Characters of good prose lines in [start, stop) that are still article candidates."""
    total = 0
    for i in range(start, stop):
        line = page.lines[i]
        if line.label is Label.UNDECIDED and not line.blank:
            f = features(line.text, page.lang)
            if f.good:
                total += f.chars
    return total


def _junctions(page: Page, start: int, stop: int) -> list[int]:
    """Indexes of lines that sit right under another live line, with no blank line between."""
    out = []
    prev = None
    for i in range(start, stop):
        line = page.lines[i]
        if line.blank:
            prev = None
            continue
        if not _live(page, i):
            continue
        if prev is not None and i == prev + 1:
            out.append(i)
        prev = i
    return out


def _uses_blank_paragraphs(page: Page, start: int, stop: int) -> bool:
    """Do paragraphs in this stretch stand apart by blank lines (so single newlines mean more)?"""
    blanks = sum(1 for i in range(start, stop) if page.lines[i].blank)
    return blanks >= 2


def _is_listing(page: Page, marks: list[int], t: ThreadThresholds) -> bool:
    """Comment headings that repeat with prose between them belong to a list of posts, not one thread."""
    shapes: dict[str, list[int]] = {}
    for m in marks:
        shapes.setdefault(regex.sub(r"\d+", "0", fold(page.lines[m].text)), []).append(m)
    for found in shapes.values():
        if len(found) >= t.listing_min_marks and any(_prose_chars(page, a, b) for a, b in zip(found, found[1:])):
            return True
    return False


@lru_cache(maxsize=1 << 14)
def is_count_heading(text: str) -> bool:
    """A short line that counts posts ("69 comments"); cached, as every pass over a page asks again."""
    return not _no_digit(text) and bool(_COUNT_HEADING.search(text))  # both branches hold a digit


def thread_marks(page: Page, t: ThreadThresholds = DEFAULT) -> list[int]:
    """Lines that head a thread: comments-start rules, and short lines that count posts ("69 comments")."""
    counted = page.cache.get("count-headings")
    if counted is None:
        counted = page.cache["count-headings"] = [
            i for i, line in enumerate(page.lines)
            if not line.blank and len(line.text) <= t.count_heading_max_chars and is_count_heading(line.text)]
    return sorted(set(page.thread_marks).union(counted))


def _marker_start(page: Page, core_start: int, t: ThreadThresholds) -> int | None:
    all_marks = thread_marks(page, t)
    marks = [m for m in all_marks if m > core_start]
    if not marks or _is_listing(page, all_marks, t):
        return None
    for m in marks:
        if _prose_chars(page, core_start, m) >= t.article_min_chars and not _titled_post_follows(page, m):
            return m + 1
    return None


def _forum_start(page: Page, core_start: int, t: ThreadThresholds) -> int | None:
    if not forum_evidence(page, t):
        return None
    body = next((i for i in range(core_start, len(page.lines)) if _live(page, i) and features(page.lines[i].text, page.lang).good), None)
    if body is None:
        return None
    for i in _junctions(page, body, len(page.lines)):
        if not _uses_blank_paragraphs(page, body, i) or _prose_chars(page, core_start, i) < t.article_min_chars:
            continue
        if features(page.lines[i - 1].text, page.lang).near_good and features(page.lines[i].text, page.lang).words >= 3:
            return i
    return None


def post_headers(page: Page, start: int, stop: int | None = None, t: ThreadThresholds = DEFAULT) -> list[int]:
    """Indexes of undecided post-header lines in [start, stop)."""
    stop = len(page.lines) if stop is None else stop
    lines = page.lines
    return [i for i in _header_lines(page, start, t.header_max_words) if start <= i < stop and lines[i].label is Label.UNDECIDED]


def _header_lines(page: Page, start: int, max_words: int) -> list[int]:
    """Undecided post-header lines from `start` on, looked for once per line: several stages ask, and a line that
    leaves UNDECIDED never comes back to it, so what was found stays a superset (page.cache goes when text changes)."""
    found = page.cache.get("post-headers")
    lines = page.lines
    if found is None:
        found = page.cache["post-headers"] = (len(lines), [])
    searched_from, headers = found
    if start < searched_from:
        headers[:0] = [i for i in range(start, searched_from) if lines[i].label is Label.UNDECIDED and not lines[i].blank
                       and is_post_header(lines[i].text, page.lang, max_words)]
        page.cache["post-headers"] = (start, headers)
    return headers


def _header_start(page: Page, core_start: int, t: ThreadThresholds) -> int | None:
    headers = post_headers(page, core_start, t=t)
    for k, h in enumerate(headers):
        if _prose_chars(page, core_start, h) < t.article_min_chars:
            continue
        later = headers[k:]
        if len(later) < t.headers_min or not any(_has_words(page, a, b) for a, b in zip(later, later[1:])):
            return None
        if len(later) < t.headers_long_run and _prose_chars(page, core_start, h) < t.header_article_min_chars:
            continue
        titled = sum(1 for a in later if _titled_post_follows(page, a))
        return None if titled * 2 >= len(later) else h
    return None


def _titled_post_follows(page: Page, i: int) -> bool:
    """A headline and then prose under a dated line: the line was the footer of a post in a list of posts."""
    after = [j for j in range(i + 1, min(len(page.lines), i + 8)) if _live(page, j)][:2]
    if len(after) < 2:
        return False
    first, second = (features(page.lines[j].text, page.lang) for j in after)
    return is_headline(first) and second.good


def _has_words(page: Page, start: int, stop: int) -> bool:
    return any(_live(page, i) and features(page.lines[i].text, page.lang).words >= 3 for i in range(start + 1, stop))


def first_live_prose(page: Page) -> int:
    """The first good line still in the article or thread (text.first_prose counts labelled lines too):
    a thread needs article prose above it, counted from here."""
    return next((i for i in range(len(page.lines)) if _live(page, i) and features(page.lines[i].text, page.lang).good),
                len(page.lines))


def article_from(page: Page, core_start: int, core_stop: int, t: ThreadThresholds = DEFAULT) -> int:
    """Where the article may begin: the core, unless the core itself is a run of posts (a long thread
    under a short article wins the prose count), in which case the article is sought from the first prose."""
    if len(post_headers(page, core_start, core_stop, t)) >= t.headers_min:
        return min(core_start, first_live_prose(page))
    return core_start


def heading_alone(page: Page) -> None:
    """A comments-start heading alone does not make a thread: find_start decides where one starts."""
    if page.comments_from is not None and page.comments_from - 1 in page.thread_marks:
        page.comments_from = None


def find_start(page: Page, core_start: int = 0, t: ThreadThresholds = DEFAULT) -> int | None:
    """Set `page.comments_from` where the comment thread starts, if the page has one after its article.

    `core_start` is where the article may begin: only prose from there on counts as article above a thread.
    """
    if page.comments_from is not None:
        return page.comments_from
    found = [s for s in (_marker_start(page, core_start, t), _forum_start(page, core_start, t), _header_start(page, core_start, t))
             if s is not None]
    if not found:
        return None
    page.comments_from = min(found)
    page.boundaries.add(page.comments_from)
    return page.comments_from


def split_posts(page: Page, t: ThreadThresholds = DEFAULT) -> tuple[Post, ...]:
    """Cut the thread into posts, drop quoted copies, and label thread lines as comments."""
    start = page.comments_from
    if start is None:
        return ()
    stop = len(page.lines)
    cuts = set(page.boundaries)
    headers = post_headers(page, start, stop, t)
    cuts.update(headers)
    if not headers and ("forum" in page.signals or _uses_blank_paragraphs(page, start, stop)):
        cuts.update(_junctions(page, start, stop))
    groups: list[list[int]] = []
    for i in range(start, stop):
        if i in cuts or not groups:
            groups.append([])
        groups[-1].append(i)
    seen: set[str] = set()
    posts: list[Post] = []
    for group in groups:
        own = _own_lines(page, group, seen, t)
        text = join_lines(page.lines, own)
        if text:
            posts.append(Post(index=len(posts), text=text))
    return tuple(posts)


def _own_lines(page: Page, group: list[int], seen: set[str], t: ThreadThresholds) -> list[int]:
    own = []
    mine: set[str] = set()
    for i in group:
        if not _live(page, i):
            continue
        if i in page.template:  # the site's chrome around its threads, not a poster's words
            page.label(i, Label.DROP, "heuristic/corpus-template")
            continue
        text = page.lines[i].text
        key = fold(text)
        if key in seen and features(text, page.lang).words >= t.quote_min_words:
            page.label(i, Label.DROP, "threads/quote")
            continue
        page.lines[i] = page.lines[i].relabel(Label.COMMENT, "threads/post")
        own.append(i)
        mine.add(key)
    seen.update(mine)
    return own


# --------------------------------------------------------------------------- a thread extracted apart



def thread_page(text: str, lang: str, boundaries: frozenset[int] = frozenset()) -> Page:
    """A comment thread extracted apart from its article, as a page that is all thread.

    Without known post boundaries (trafilatura's comment text) a post starts at each line
    that sits right under another, as on a flattened forum page.
    """
    page = Page(lines=split_lines(text), lang=lang)
    page.boundaries = set(boundaries)
    page.comments_from = 0
    if not boundaries:
        page.signals.add("forum")
    return page


_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\W*$")


def is_thread(posts: tuple[Post, ...], lang: str, t: ThreadThresholds = DEFAULT) -> bool:
    """Real comments hold some prose: enough words, a sentence, and not only cut-off teaser snippets."""
    if sum(word_count(p.text) for p in posts) < t.min_thread_words:
        return False
    lines = [ln for p in posts for ln in p.text.split("\n") if ln.strip()]
    if not any(features(ln, lang).terminal and features(ln, lang).words >= 3 for ln in lines):
        return False
    teasers = sum(1 for p in posts if _ELLIPSIS_END.search(p.text))
    return not (len(posts) >= 2 and teasers * 2 > len(posts))


def not_a_thread(page: Page) -> None:
    """A thread source without prose: its lines leave as heuristic/not-a-thread."""
    for i, line in enumerate(page.lines):
        if line.label in (Label.COMMENT, Label.UNDECIDED) and not line.blank:
            page.label(i, Label.DROP, "heuristic/not-a-thread")
