"""Second opinions on trafilatura's body, where it looks wrong: jusText's paragraphs, the page with its
tables kept, and trafilatura's precision mode placed by the title's heading.

trafilatura hands back text, not our elements: TextMap finds where a line of it came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from lxml import etree

from ..lines import fold, word_count
from ..model import Removal
from ..options import HtmlThresholds
from ..text import split_site_suffix
from .prune import rewrap
from .tree import NO_TEXT, SPACE, plain_words

DEFAULT = HtmlThresholds()

# --------------------------------------------------------------------------- two candidates

_WORD = re.compile(r"\w+")


class TextMap:
    """The page's text in document order, normalised, with the element each stretch belongs to:
    where a line of extracted text came from (trafilatura hands back text, not our elements)."""

    def __init__(self, root: etree._Element, t: HtmlThresholds = DEFAULT):
        self.t = t
        parts: list[str] = []
        self.starts: list[int] = []
        self.owners: list[etree._Element] = []
        size = 0

        def add(text: str | None, owner: etree._Element) -> None:
            nonlocal size
            words = plain_words(text) if text else ""
            if words:
                self.starts.append(size)
                self.owners.append(owner)
                parts.append(" " + words)
                size += len(words) + 1

        def walk(el: etree._Element) -> None:
            if not isinstance(el.tag, str) or el.tag in NO_TEXT:
                return
            add(el.text, el)
            for child in el:
                walk(child)
                add(child.tail, el)

        walk(root)
        self.text = "".join(parts) + " "

    def locate(self, line: str) -> etree._Element | None:
        """The element holding the start of `line`, if the line is long enough to place."""
        t, words = self.t, _WORD.findall(line.lower())
        if len(words) < t.locate_min_words:
            return None
        at = self.text.find(" " + " ".join(words[:t.locate_words]) + " ")
        if at < 0:
            return None
        return self.owners[max(0, bisect_right(self.starts, at) - 1)]


def _ancestry(el: etree._Element) -> list[etree._Element]:
    return [el, *el.iterancestors()]


def _common(elements: list[etree._Element]) -> etree._Element | None:
    """The nearest element holding all of `elements`."""
    if not elements:
        return None
    common = _ancestry(elements[0])
    for el in elements[1:]:
        mine = set(_ancestry(el))
        common = [a for a in common if a in mine]
    return common[0] if common else None


def _depth(el: etree._Element) -> int:
    return sum(1 for _ in el.iterancestors())


_URL_NOISE = re.compile(r"^[a-z]+://(?:www\.)?|[?#].*$|/+$")


def _same_url(a: str, b: str) -> bool:
    return bool(a) and bool(b) and _URL_NOISE.sub("", a.strip().lower()) == _URL_NOISE.sub("", b.strip().lower())


def title_headings(root: etree._Element, title: str, url: str) -> list[etree._Element]:
    """Headings that carry the page's title or link to the page itself: where its article starts.

    A heading that links to another page (a blog's name linking home) is the site's banner,
    not the article's title, even when the page's title is that name too.
    """
    keys = {plain_words(title), plain_words(split_site_suffix(title)[0])} - {""}
    out = []
    for h in root.iter("h1", "h2", "h3", "h4"):
        links = [a.get("href") or "" for a in h.iter("a") if a.get("href")]
        if links and all(_same_url(href, url) for href in links):
            out.append(h)  # a permalink: the post's own title, whatever the page's title says
        elif not links and plain_words(h.text_content()) in keys:
            out.append(h)
    return out


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _shared(lines: list[str], others: set[str]) -> float:
    """The share of the words of `lines` that sit in lines the other candidate holds too."""
    total = sum(word_count(line) for line in lines)
    return sum(word_count(line) for line in lines if fold(line) in others) / total if total else 0.0


def _anchor_depth(lines: list[str], textmap: TextMap, headings: list[etree._Element], t: HtmlThresholds) -> int:
    """How deep the title heading and the candidate's first lines share a container (-1: not placed)."""
    placed = [el for el in map(textmap.locate, lines[:12]) if el is not None][:t.anchor_lines]
    return max((_depth(c) for h in headings for el in placed if (c := _common([h, el])) is not None), default=-1)


_TEXT_LEVEL = frozenset("p span a b i em strong li blockquote pre font small h1 h2 h3 h4 h5 h6".split())


def article_container(placed: list[etree._Element], headings: list[etree._Element]) -> etree._Element | None:
    """The element holding the article: its placed lines and, nearest to them, its title heading
    (a headline, dateline and standfirst above the body belong to it). One paragraph is not a
    container: its block is."""
    container = _common(placed)
    if container is None:
        return None
    if headings:
        container = max((_common([container, h]) for h in headings), key=_depth)
    while container.tag in _TEXT_LEVEL and container.getparent() is not None:
        container = container.getparent()
    return container


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def _prose_words(lines, t: HtmlThresholds) -> int:
    return sum(n for line in lines if (n := word_count(line)) >= t.prose_min_words and _SENTENCE_END.search(line))


def reconcile(generous: str, precise: str, textmap: TextMap, headings: list[etree._Element],
              t: HtmlThresholds = DEFAULT) -> tuple[str, list[Removal]]:
    """One body from trafilatura's recall-mode text (`generous`) and its precision-mode text.

    - They took different parts of the page (a sidebar or an author box against a short post):
      the one that shares a deeper container with the title heading is the article.
    - The precise text lies inside the generous one: lines the generous one adds from outside
      the container of the precise text and its title heading (a sidebar's wild text) leave;
      lines from inside it (paragraphs the precise mode pruned) stay. Unless the lines outside
      hold more prose than the body keeps: then they are content too (a thread, a second part).
    """
    g_lines, p_lines = _lines(generous), _lines(precise)
    if not p_lines or not g_lines:
        return generous, []
    g_keys, p_keys = {fold(x) for x in g_lines}, {fold(x) for x in p_lines}
    p_in_g, g_in_p = _shared(p_lines, g_keys), _shared(g_lines, p_keys)
    if p_in_g < t.disjoint and g_in_p < t.disjoint:
        if _anchor_depth(p_lines, textmap, headings, t) > _anchor_depth(g_lines, textmap, headings, t):
            return precise, [Removal("heuristic/off-title", line) for line in g_lines]
        return generous, []
    if p_in_g < t.nested:
        return generous, []
    container = article_container([el for el in map(textmap.locate, p_lines) if el is not None], headings)
    if container is None:
        return generous, []
    inside = set(container.iter())
    kept, removed = [], []
    for line in g_lines:
        el = None if fold(line) in p_keys else textmap.locate(line)
        if el is not None and el not in inside:
            removed.append(Removal("heuristic/outside-article", line))
        else:
            kept.append(line)
    if _prose_words((r.text for r in removed), t) > sum(word_count(line) for line in kept):
        return generous, []  # more prose outside than in: the container is wrong, or the outside is content too
    return "\n".join(kept), removed


def second_opinion(tree: etree._Element, body: str, meta: dict, url: str | None,
                   t: HtmlThresholds = DEFAULT) -> tuple[str, tuple[Removal, ...]]:
    """A short recall-mode body is checked against trafilatura's precision mode (see reconcile).

    Short only: the wrong pick (an author box, a sidebar, wild text around a short post) is a
    short-page failure, and a second extraction on every page would cost half as much again.
    """
    import trafilatura

    if len(body.split()) >= t.second_opinion_max_words:
        return body, ()
    root = tree.find("body")
    root = tree if root is None else root
    headings = title_headings(root, meta.get("title", ""), meta.get("url", ""))
    if not headings:  # nothing to place the article by
        return body, ()
    precise = trafilatura.bare_extraction(tree, url=url, include_comments=True, with_metadata=False,
                                          favor_precision=True)
    if precise is None or not (precise.text or "").strip() or precise.text == body:
        return body, ()
    body, dropped = reconcile(body, precise.text, TextMap(root, t), headings, t)
    return body, tuple(dropped)


_PAGE_CHARS = etree.XPath("string-length(normalize-space(.))")
_NOT_SHOWN = etree.XPath(".//script|.//style|.//noscript|.//template")


def page_chars(tree: etree._Element) -> int:
    """How much text the page shows: its characters, spaces folded, without scripts and styles (a cheap XPath)."""
    return max(0, int(_PAGE_CHARS(tree) - sum(_PAGE_CHARS(el) for el in _NOT_SHOWN(tree))))




def _held(text: str, other: str) -> float:
    """The share of the characters of `text` in lines whose words `other` holds too."""
    words = plain_words(other)
    return sum(len(line) for line in _lines(text) if plain_words(line) in words) / len(text) if text else 0.0


def tables_opinion(tree: etree._Element, unwrapped: list, result, url: str | None, shown: int, t: HtmlThresholds = DEFAULT):
    """A short body taken from a page whose layout tables became divs is checked against the page
    with its tables kept: on some pages the divs make the extractor take one cell's block instead
    of the article around it. A clearly longer extraction that holds the body wins; the tree is
    left as the winner was extracted from it."""
    import trafilatura

    if not unwrapped or result is None or len(result.text or "") >= t.tables_check_share * shown:
        return result
    rewrap(unwrapped)
    tables = trafilatura.bare_extraction(tree, url=url, include_comments=True, with_metadata=False,
                                         favor_recall=True)
    if tables is not None and len(tables.text or "") > t.tables_longer * len(result.text or "") \
            and _held(result.text or "", tables.text or "") >= t.tables_hold:
        return tables
    for part, _tag in unwrapped:
        part.tag = "div"
    return result




def justext_opinion(tree: etree._Element, body: str, shown: int, lang: str = "",
                    t: HtmlThresholds = DEFAULT) -> tuple[str, tuple[Removal, ...]]:
    """A body that covers little of a page whose text jusText finds nearly all good is cut short
    (old pages with their text loose in <body> or in sibling blocks; a memorial page's messages).

    Only jusText's paragraphs inside the body's container count, and none that repeats a line of
    the body: an author box, a popup or a teaser beside the article stays out, and so does a
    second copy of the article.
    """
    from copy import copy

    from trafilatura.baseline import basic_cleaning
    from trafilatura.external import try_justext
    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.xpaths import REMOVE_COMMENTS_XPATH

    lines = _lines(body)
    if not lines or not shown or len(body) >= t.justext_check_share * shown:
        return body, ()
    root = tree.find("body")
    root = tree if root is None else root
    textmap = TextMap(root, t)
    placed = [el for el in map(textmap.locate, lines) if el is not None]
    container = article_container(placed, []) if placed else None
    if container is None:
        return body, ()
    room = page_chars(container)  # all jusText could add: no run when even that falls short
    if room < t.justext_longer * len(body) or room < t.justext_page_share * shown:
        return body, ()
    inside, words = set(container.iter()), plain_words(body)
    kept, seen = [], set()
    pruned = prune_unwanted_nodes(copy(tree), REMOVE_COMMENTS_XPATH)  # comment containers: trafilatura's comments
    for p in try_justext(basic_cleaning(pruned), None, lang or None):  # the declared language's stop words, else all
        text = SPACE.sub(" ", p.text or "").strip()
        if not text or fold(text) in seen:
            continue
        seen.add(fold(text))
        el = textmap.locate(text)
        if plain_words(text) in words or (el is not None and el in inside):
            kept.append(text)
    new = "\n".join(kept)
    if len(new) < t.justext_longer * len(body) or len(new) < t.justext_page_share * shown:
        return body, ()
    words = plain_words(new)
    return new, tuple(Removal("heuristic/justext-body", line) for line in lines if plain_words(line) not in words)

