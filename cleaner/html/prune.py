"""Tree heuristics before extraction: what trafilatura would misread leaves the page, or is reshaped for it.

Each takes the parsed page (after the selector rules) and changes it in place; those that remove
text return Removals under a heuristic id.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from ..lines import word_count
from ..model import Removal
from ..options import HtmlThresholds
from .selectors import Names, Thread
from .tree import NO_TEXT, SKIP_TAGS, SPACE, drop_keep_tail, element_text, plain_words

DEFAULT = HtmlThresholds()

def _signature(el: etree._Element) -> tuple:
    return el.tag, el.get("class"), el.get("itemprop")


_BODY_CLASS = re.compile(
    r"(?:entry|article|art|page|text)-content|article(?:-|__)?body|articleBody|article__content|post[-_]?content"
    r"|post-body|post[-_]text|post-?entry|^(?:post|entry)$|body-text|story-body")


def merge_body_parts(tree: etree._Element, names: Names | None = None) -> None:
    """An article split over several containers of one kind (between ads, or the posts of a blog page)
    becomes one container, so the extractor, which takes the first, sees all of it.

    Containers are what trafilatura's first body expression finds; a page on which no such
    class value occurs twice (most pages) is left alone without that search.
    """
    from trafilatura.xpaths import BODY_XPATH

    if names is not None:
        repeated = [v for v, n in Counter(names.classes).items() if n > 1]
        if not any(_BODY_CLASS.search(v) for v in repeated):
            return
    first = next(iter(BODY_XPATH[0](tree)), None)
    if first is None:
        return
    key = _signature(first)
    parts = [el for el in tree.iter(first.tag) if _signature(el) == key]
    parts = [el for el in parts if not any(a in parts for a in el.iterancestors())]
    if len(parts) < 2:
        return
    head = parts[0]
    for part in parts[1:]:
        tail, part.tail = part.tail, None
        parent = part.getparent()
        if tail and tail.strip():
            prev = part.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        head.append(part)


_LAYOUT_BLOCKS = frozenset("p div h1 h2 h3 h4 h5 h6 ul ol dl blockquote table form article section pre".split())
_TABLE_PARTS = frozenset("thead tbody tfoot tr td th".split())


def is_layout_table(table: etree._Element) -> bool:
    """A table that lays out a page rather than holding data: a cell holds blocks (paragraphs, headings, lists, tables)."""
    return any(el.tag in _LAYOUT_BLOCKS for cell in table.iter("td", "th") for el in cell.iterdescendants())


def _own_parts(table: etree._Element) -> list[etree._Element]:
    """The table with its sections, rows and cells, not those of tables nested in it."""
    out, stack = [table], list(table)
    while stack:
        el = stack.pop()
        if el.tag in _TABLE_PARTS:
            out.append(el)
            stack.extend(el)
    return out


def unwrap_layout_tables(tree: etree._Element) -> list[tuple[etree._Element, str]]:
    """Layout tables become divs, so the extractor reads their cells as blocks of the page.

    As tables, each row comes out as one line with its cells glued by bars: the article and
    the menus beside it end up on one line that no line rule or heuristic can take apart.
    Returns each changed element with its old tag, so `rewrap` can undo it.
    """
    layout = [table for table in tree.iter("table") if is_layout_table(table)]
    changed = [(part, part.tag) for table in layout for part in _own_parts(table)]
    for part, _tag in changed:
        part.tag = "div"
    return changed


def rewrap(changed: list[tuple[etree._Element, str]]) -> None:
    """Undo unwrap_layout_tables: the tables are tables again."""
    for part, tag in changed:
        part.tag = tag


_INLINE = frozenset("a abbr b big cite code del dfn em font i ins kbd mark nobr q s samp small span strike strong "
                    "sub sup tt u var wbr br img".split())
_LOOSE_AFTER = frozenset("h1 h2 h3 h4 h5 h6 hr p div table ul ol dl blockquote pre form center section article "
                         "header footer nav aside address".split())
_TEXT_HOLDERS = frozenset("p li h1 h2 h3 h4 h5 h6 dt dd pre ul ol dl table thead tbody tfoot tr select".split())


def _inline_run(first: etree._Element | None) -> list[etree._Element]:
    """`first` and the inline siblings after it, up to the next block element."""
    run = []
    while first is not None and (not isinstance(first.tag, str) or first.tag in _INLINE):
        run.append(first)
        first = first.getnext()
    return run


def _paragraph(text: str, run: list[etree._Element]) -> etree._Element:
    p = etree.Element("p")
    p.text = text
    for el in run:
        p.append(el)
    return p


def wrap_loose_text(tree: etree._Element, t: HtmlThresholds = DEFAULT) -> None:
    """Text written loose after a block (old pages: `<h2>Title</h2> text <p>...`, paragraphs split by
    `<hr>`) becomes a paragraph: the extractor reads blocks and loses such text as a heading's tail.

    In a container that had loose text, its leading text becomes a paragraph too, so no container
    mixes loose text and paragraphs (the extractor can emit such text twice).
    """
    touched = {}
    for el in list(tree.iter(*_LOOSE_AFTER)):
        parent = el.getparent()
        if parent is None or parent.tag in _TEXT_HOLDERS or not (el.tail or "").strip():
            continue
        run = _inline_run(el.getnext())
        text = el.tail + "".join("".join(x.itertext()) + (x.tail or "") for x in run if isinstance(x.tag, str))
        if word_count(text) < t.loose_min_words:
            continue
        tail, el.tail = el.tail, None
        el.addnext(_paragraph(tail, run))
        touched[parent] = None
    for parent in touched:
        if (parent.text or "").strip():
            run = _inline_run(parent[0] if len(parent) else None)
            text, parent.text = parent.text, None
            parent.insert(0, _paragraph(text, run))




def _text_len(el: etree._Element) -> int:
    return len(SPACE.sub("", "".join(el.itertext())))


def is_link_list(el: etree._Element, t: HtmlThresholds = DEFAULT) -> bool:
    """A list whose every item is (nearly) all link text: headlines of other pages, not the article's words."""
    items = [li for li in el if li.tag == "li"]
    if len(items) < t.min_list_items:
        return False
    return all(_teaser_item(li, t) for li in items)


def _linked_share(el: etree._Element) -> float:
    total = _text_len(el)
    return sum(_text_len(a) for a in el.iter("a")) / total if total else 0.0


def _teaser_item(li: etree._Element, t: HtmlThresholds) -> bool:
    """Mostly link text, or a card: a linked headline with a line of blurb under it."""
    if _linked_share(li) >= t.link_share:
        return True
    return word_count(" ".join(li.itertext())) <= t.card_max_words \
        and any(_linked_share(h) >= 0.8 for h in li.iter("h2", "h3", "h4", "h5"))


def drop_link_lists(tree: etree._Element, t: HtmlThresholds = DEFAULT) -> list[Removal]:
    """Teaser lists (related stories, "more from", "don't miss") leave before extraction."""
    removed = []
    for el in [el for el in tree.iter("ul", "ol") if is_link_list(el, t)]:
        if el.getparent() is not None:
            removed.append(Removal("heuristic/link-list", element_text(el)))
            drop_keep_tail(el)
    return removed


_EMBEDDED_TWEETS = etree.XPath("//blockquote[contains(concat(' ', normalize-space(@class), ' '), ' twitter-tweet ')]")
_WRAPPER_STOP = frozenset(("body", "html", "article", "main"))


def _visible_words(el: etree._Element) -> str:
    """The element's words without those of its scripts and styles (an embed's loader script)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in NO_TEXT:  # comments and scripts show nothing
            parts.append(_visible_words(child))
        parts.append(child.tail or "")
    return " ".join(parts)


def keep_embedded_tweets(tree: etree._Element) -> int:
    """A tweet the article quotes keeps its place: the wrappers themes put around the embed
    ("social-media-embed", "article-widget") read as share bars and widgets to the extractor,
    which then drops the quote with them. Only wrappers holding nothing but the tweet lose
    their class and id; returns how many were cleared."""
    cleared = 0
    for quote in _EMBEDDED_TWEETS(tree):
        words = plain_words(_visible_words(quote))
        for wrapper in quote.iterancestors():
            if wrapper.tag in _WRAPPER_STOP or plain_words(_visible_words(wrapper)) != words:
                break
            for attr in ("class", "id"):
                if wrapper.attrib.pop(attr, None) is not None:
                    cleared += 1
    return cleared


_POST_ID = re.compile(r"post-(\d+)")
_POSTS = etree.XPath("//*[contains(@class, 'post-')]")


def _post_id(el: etree._Element) -> str | None:
    """The id in a WordPress-style `post-123` class token, which marks the element holding one post."""
    return next((m[1] for token in (el.get("class") or "").split() if (m := _POST_ID.fullmatch(token))), None)


def drop_nested_posts(tree: etree._Element, names: Names | None = None) -> list[Removal]:
    """Another post inside a post leaves: themes render "more posts" blocks as whole entries
    inside the entry (WordPress marks each with `post-ID`), and the extractor takes them as
    the article's own paragraphs."""
    if names is not None and not any(_POST_ID.fullmatch(t) for t in names.tokens):
        return []
    nested = []  # in document order, so removals are reported in a stable order
    for el in _POSTS(tree):
        own = _post_id(el)
        outer = next((i for a in el.iterancestors() if (i := _post_id(a)) is not None), None)
        if own is not None and outer is not None and outer != own and el.getparent() is not None:
            nested.append(el)
    inner = set(nested)
    removed = []
    for el in [el for el in nested if not any(a in inner for a in el.iterancestors())]:
        removed.append(Removal("heuristic/nested-post", element_text(el)))
        drop_keep_tail(el)
    return removed


_HIDDEN_CLASSES = frozenset(("hidden", "hide"))
_HIDDEN = etree.XPath("//*[contains(concat(' ', normalize-space(@class), ' '), ' hidden ')"
                      " or contains(concat(' ', normalize-space(@class), ' '), ' hide ')]")


def drop_hidden_copies(tree: etree._Element, names: Names | None = None, t: HtmlThresholds = DEFAULT) -> list[Removal]:
    """A block hidden by its class whose text the page also shows (the article again in a hidden
    tab or print copy) leaves, or the extractor may take both copies. Hidden blocks holding text
    of their own stay: scripts often reveal real content."""
    if names is not None and not names.tokens & _HIDDEN_CLASSES:
        return []
    found = _HIDDEN(tree)
    outer = set(found)
    copies = [(el, text) for el in found if not any(a in outer for a in el.iterancestors())
              and el.getparent() is not None and word_count(text := " ".join(el.itertext())) >= t.hidden_copy_min_words]
    if not copies:
        return []
    page = plain_words(" ".join(tree.itertext()))
    removed = []
    for el, text in copies:
        if page.count(plain_words(text)) >= 2:
            removed.append(Removal("heuristic/hidden-copy", element_text(el)))
            drop_keep_tail(el)
    return removed




def drop_after_thread(tree: etree._Element, thread: Thread | None, t: HtmlThresholds = DEFAULT) -> list[Removal]:
    """What follows a comment thread in the page (the sidebar, the footer) is not the article:
    on pages where the extractor finds no container it would otherwise keep all of it."""
    if thread is None or thread.end is None or thread.end.getparent() is None or thread.scattered:
        return []  # posts cut out one by one (under each answer of a Q&A page): what follows the last may be content
    if word_count(" ".join(thread.lines)) < t.min_thread_words_to_end:
        return []
    before = 0
    for el in tree.iter():
        if el is thread.end:
            break
        if isinstance(el.tag, str) and el.tag not in SKIP_TAGS:
            before += len((el.text or "").split()) + len((el.tail or "").split())
    if before < t.min_words_before_thread:
        return []
    removed = []
    el = thread.end
    while el.getparent() is not None and el.tag not in ("body", "html"):
        for sib in list(el.itersiblings()):
            if isinstance(sib.tag, str) and sib.tag not in SKIP_TAGS and (text := element_text(sib)):
                removed.append(Removal("heuristic/after-thread", text))
            el.getparent().remove(sib)
        el.tail = None
        el = el.getparent()
    return removed

