"""Comment threads: where they start, how they split into posts, and quoted copies.

A thread starts at a `comments-start` rule, or on a forum page (a rule fired that carries
the `forum` signal) at the first post boundary after the opening post. A flattened forum
page separates paragraphs inside a post by blank lines but puts the next post right
under the last line of the previous one; that single-newline junction is the boundary.
Replies carry quoted copies of earlier posts; those copies leave the thread so each
post's own words appear once.
"""

from __future__ import annotations

from dataclasses import replace

from .features import features
from .model import Label, Post
from .rulebook import fold
from .text import Page, join_lines

QUOTE_MIN_WORDS = 4  # shorter repeated lines ("Thanks!") may be a poster's own words


def _live(page: Page, i: int) -> bool:
    line = page.lines[i]
    return not line.blank and line.label in (Label.UNDECIDED, Label.KEEP, Label.COMMENT)


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


def find_start(page: Page) -> None:
    """Set `page.comments_from` on forum pages whose posts are glued under the opening post."""
    if page.comments_from is not None or "forum" not in page.signals:
        return
    body = next((i for i in range(len(page.lines)) if _live(page, i) and features(page.lines[i].text, page.lang).good), None)
    if body is None:
        return
    for i in _junctions(page, body, len(page.lines)):
        if not _uses_blank_paragraphs(page, body, i):
            continue
        if features(page.lines[i - 1].text, page.lang).near_good and features(page.lines[i].text, page.lang).words >= 3:
            page.comments_from = i
            page.boundaries.add(i)
            return


def split_posts(page: Page) -> tuple[Post, ...]:
    """Cut the thread into posts, drop quoted copies, and label thread lines as comments."""
    start = page.comments_from
    if start is None:
        return ()
    stop = len(page.lines)
    cuts = set(page.boundaries)
    if "forum" in page.signals or _uses_blank_paragraphs(page, start, stop):
        cuts.update(_junctions(page, start, stop))
    groups: list[list[int]] = []
    for i in range(start, stop):
        if i in cuts or not groups:
            groups.append([])
        groups[-1].append(i)
    seen: set[str] = set()
    posts: list[Post] = []
    for group in groups:
        own = _own_lines(page, group, seen)
        text = join_lines(page, own)
        if text:
            posts.append(Post(index=len(posts), text=text))
    return tuple(posts)


def _own_lines(page: Page, group: list[int], seen: set[str]) -> list[int]:
    own = []
    mine: set[str] = set()
    for i in group:
        if not _live(page, i):
            continue
        text = page.lines[i].text
        key = fold(text)
        if key in seen and features(text, page.lang).words >= QUOTE_MIN_WORDS:
            page.label(i, Label.DROP, "threads/quote")
            continue
        page.lines[i] = replace(page.lines[i], label=Label.COMMENT, reason="threads/post")
        own.append(i)
        mine.add(key)
    seen.update(mine)
    return own
