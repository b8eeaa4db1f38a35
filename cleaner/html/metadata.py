"""A page's title, author, date, site name and URL, found as trafilatura's metadata pass finds them.

trafilatura's own pass (`extract_metadata`) also collects categories, tags and a licence, and
searches the whole text for dates (htmldate's extensive search): together more than a third of
an extraction's time on news pages. A corpus record needs the five fields below, and the date
from meta tags, structured data and the URL, so `metadata` runs the same steps without the rest.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree

from ..stopwords import known

FIELDS = ("title", "author", "date", "sitename", "url")


def metadata(tree: etree._Element, url: str | None) -> dict:
    """The five fields of the page that are present, as strings."""
    from htmldate import find_date
    from trafilatura import metadata as tm
    from trafilatura.settings import set_date_params

    found = tm.examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = tm.extract_meta_json(tree, found)
    except Exception:  # noqa: BLE001 - trafilatura's JSON-LD reader fails on odd markup; the rest still counts
        pass
    found.title = found.title or tm.extract_title(tree)
    found.author = found.author or author(tree)
    found.url = found.url or tm.extract_url(tree, url)
    found.date = find_date(tree, **{**set_date_params(False), "url": found.url})
    found.sitename = (found.sitename or tm.extract_sitename(tree) or "").lstrip("@")
    if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
        found.sitename = found.sitename.title()
    if not found.sitename and found.url and (m := tm.META_URL.match(found.url)):
        found.sitename = m[1]
    found.clean_and_trim()
    return {k: v for k in FIELDS if isinstance(v := getattr(found, k, None), str) and v}


# --------------------------------------------------------------------------- author
# trafilatura's `extract_author` runs three XPaths (AUTHOR_XPATHS, most specific first) over a
# deep copy of the page pruned by two more (AUTHOR_DISCARD_XPATHS). libxml2 evaluates each
# XPath's predicates on every element, and each EXSLT regex test calls back into Python: on
# the bench's pages the search cost a tenth of a whole trafilatura extraction. `author` asks
# the same questions of every element in one pass and copies nothing, with the same answer
# (tests/test_html_metadata.py compares it with trafilatura's on real pages). The tests below are
# those of trafilatura 2.3's xpaths.py, in the same order.

_SPECIFIC_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_SPECIFIC_CLASS = re.compile(r"author-?name|AuthorName|authorName")
_GENERIC_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_GENERIC_CLASSES = frozenset({"byline", "username", "byl", "BBL"})
_GENERIC_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
_GENERIC_CLASS = re.compile(r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
_ANY_ID = re.compile(r"[Aa]uthor")
_ANY_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
_DISCARD_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
                            r"article-(?:share|support)|print|category|meta-date|meta-reviewer")
# Every class or id any test above can accept contains one of these: the rest are passed over fast.
_MAYBE_CLASS = re.compile(r"[Aa]uthor|[Bb]yl|BBL|username|zuozhe|bianji|xiaobian|channel-name|submitted-by|posted-by|"
                          r"journalist-name|screenname|writer|[Cc]omment|sidebar|is-hidden|quote|embedly-instagram|"
                          r"article-s|print|category|meta-|title|date")
_MAYBE_ID = re.compile(r"[Aa]uthor|zuozhe|bianji|xiaobian|comment|ProductReviews")
_RARE = ("itemprop", "rel", "data-testid", "data-component")
_TAGS = frozenset({"author", "time", "figure"})


def _rel_me(el: etree._Element) -> bool:
    """XPath's `rel='me'` (no @): a child element <rel> whose text is "me"."""
    return any(child.xpath("string()") == "me" for child in el.iterchildren("rel"))


def _specific(el: etree._Element, tag: str, get, rel_children: bool) -> bool:
    if tag == "author":
        return True
    if tag not in _SPECIFIC_TAGS:
        return False
    return (get("rel") == "author" or get("id") == "author" or get("class") == "author"
            or get("itemprop") == "author name" or get("data-testid") in ("AuthorCard", "AuthorURL")
            or bool(_SPECIFIC_CLASS.search(get("class") or "")) or (rel_children and _rel_me(el)))


def _generic(tag: str, get) -> bool:
    return tag in _GENERIC_TAGS and (
        get("class") in _GENERIC_CLASSES or "author" in (get("itemprop") or "")
        or bool(_GENERIC_ID.search(get("id") or "")) or bool(_GENERIC_CLASS.search(get("class") or "")))


def _any(get) -> bool:
    return ("Byline" in (get("data-component") or "") or "author" in (get("itemprop") or "")
            or bool(_ANY_ID.search(get("id") or "")) or bool(_ANY_CLASS.search(get("class") or "")))


def _discarded(tag: str, get) -> bool:
    if tag in ("time", "figure"):
        return True
    return tag in _DISCARD_TAGS and (
        get("id") == "comments" or get("class") in ("comments", "title", "date")
        or bool(_DISCARD_ID.search(get("id") or "")) or bool(_DISCARD_CLASS.search(get("class") or ""))
        or "Figure" in (get("data-component") or ""))


def _candidates(tree: etree._Element) -> tuple[list[list[etree._Element]], set[etree._Element]]:
    """Each author XPath's matches in document order, and the elements its pruning removes."""
    levels: list[list[etree._Element]] = [[], [], []]
    pruned: set[etree._Element] = set()
    rel_children = tree.find(".//rel") is not None
    for el in tree.iter(etree.Element):
        tag, get = el.tag, el.get
        if not (tag in _TAGS or rel_children or _MAYBE_CLASS.search(get("class") or "")
                or _MAYBE_ID.search(get("id") or "") or any(map(get, _RARE))):
            continue
        if _specific(el, tag, get, rel_children):
            levels[0].append(el)
        if _generic(tag, get):
            levels[1].append(el)
        if _any(get):
            levels[2].append(el)
        if el is not tree and _discarded(tag, get):
            pruned.add(el)
    return levels, pruned


def _text(el: etree._Element, pruned: set[etree._Element]) -> str:
    """The candidate's text as trafilatura reads it from its pruned copy of the page."""
    from trafilatura.htmlprocessing import delete_element
    from trafilatura.utils import trim

    inner = [i for i, d in enumerate(el.iter()) if i and d in pruned]
    if inner:
        el = deepcopy(el)
        nodes = list(el.iter())
        for i in inner:
            delete_element(nodes[i])
    return trim(" ".join(el.itertext()))


def author(tree: etree._Element) -> str | None:
    """trafilatura's `extract_author` in one pass over the page, without copying it."""
    from trafilatura.metadata import normalize_authors

    levels, pruned = _candidates(tree)
    for found in levels:
        for el in found:
            if el in pruned or any(a in pruned for a in el.iterancestors()):
                continue
            content = _text(el, pruned)
            if content and 2 < len(content) < 120:
                return normalize_authors(None, content)
    return None


_LANG = re.compile(r"[A-Za-z]{2,3}")


def declared_language(tree: etree._Element) -> str:
    """The page's <html lang> as an ISO code we have stop words for, else ""."""
    root = tree.getroottree().getroot()
    code = (root.get("lang") or root.get("xml:lang") or "").split("-")[0].split("_")[0].strip().lower()
    return code if _LANG.fullmatch(code) and known(code) else ""
