"""The rulebook's selector rules over a parsed page: prune what they match, cut out the comment threads.

drop: the element leaves the page before extraction; comments-start: the element is a comment
thread, taken out of the page and kept as comments; post-boundary: inside a thread, the element
starts a new post.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from cssselect import GenericTranslator
from cssselect import parse as parse_css
from lxml import etree

from ..lines import word_count
from ..model import Removal
from ..options import HtmlThresholds
from ..rulebook import Rule, Rulebook
from ..rulebook.rule import SELECTOR_ACTIONS
from .tree import SKIP_TAGS, SPACE, drop_keep_tail, element_text

DEFAULT = HtmlThresholds()

def _required(node) -> set[tuple[str, str]]:
    """What a page's class and id attributes must hold for a parsed selector to match there.

    ("token", name) for a class name or an id, ("text", value) for an [id|class *= value]
    attribute test. A selector whose requirements the page does not meet cannot match, so its
    tree walk is skipped (most pages skip most rules).
    """
    out: set[tuple[str, str]] = set()
    name = type(node).__name__
    if name == "Class":
        out.add(("token", node.class_name))
    elif name == "Hash":
        out.add(("token", node.id))
    elif name == "Attrib" and node.attrib in ("id", "class") and node.value is not None and node.flag is None:
        out.add(("text", node.value.value))
    if name == "CombinedSelector":
        out |= _required(node.selector) | _required(node.subselector)
    elif hasattr(node, "selector"):  # Negation: only its positive part; pseudo-classes: their base
        out |= _required(node.selector)
    return out


@dataclass(frozen=True)
class Names:
    """The class and id names of a page: whole tokens, and all of them as one text."""

    classes: tuple[str, ...]  # the class attribute values, as written
    tokens: frozenset[str]
    text: str

    @classmethod
    def of(cls, tree: etree._Element) -> "Names":
        classes, ids = tuple(_CLASSES(tree)), _IDS(tree)
        text = " ".join(classes) + " " + " ".join(ids)
        return cls(classes, frozenset(text.split()), text)

    def has(self, need: tuple[str, str]) -> bool:
        kind, value = need
        return value in self.tokens if kind == "token" else value in self.text


@dataclass(frozen=True)
class _Pattern:
    """One compiled CSS selector and what a page needs for it to match."""

    xpath: etree.XPath
    needs: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, css: str) -> "_Pattern":
        xpath = etree.XPath(GenericTranslator().css_to_xpath(css, prefix="descendant-or-self::"))
        return cls(xpath, frozenset().union(*(_required(sel.parsed_tree) for sel in parse_css(css))))

    def could_match(self, names: Names) -> bool:
        return all(names.has(need) for need in self.needs)


_CLASSES = etree.XPath("//@class", smart_strings=False)
_IDS = etree.XPath("//@id", smart_strings=False)


def _outermost(found: dict) -> list:
    """The matched elements that lie inside no other match; never the root."""
    return [el for el in found if el.getparent() is not None and not any(a in found for a in el.iterancestors())]


@dataclass(frozen=True)
class Thread:
    """A comment thread cut out of the page by selector rules: its lines and where posts start."""

    lines: tuple[str, ...]
    boundaries: frozenset[int]
    end: etree._Element | None = None  # an empty element where the (last) thread was, for drop_after_thread
    scattered: bool = False  # posts cut out one by one (comments under each answer): what follows need not be a sidebar


class Selectors:
    """The selector rules of one rulebook, compiled once, grouped by action.

    drop: the element leaves the page before extraction; comments-start: the element is a
    comment thread, taken out of the page and kept as comments; post-boundary: inside a
    thread, the element starts a new post.
    """

    def __init__(self, rules: tuple[Rule, ...], fired: set[str] | None = None):
        self.fired = set() if fired is None else fired  # the rulebook's record of rules that matched
        self.by_action = {a: [(r, [_Pattern.of(p) for p in r.patterns]) for r in rules if r.action == a]
                          for a in SELECTOR_ACTIONS}

    def _find(self, action: str, tree: etree._Element, names: Names | None) -> dict:
        """Elements the rules of one action match, each with the first rule that matched it."""
        found: dict = {}
        for rule, patterns in self.by_action[action]:
            for pattern in patterns:
                if names is not None and not pattern.could_match(names):
                    continue
                for el in pattern.xpath(tree):
                    if isinstance(el, etree._Element) and el not in found:
                        found[el] = rule
        self.fired.update(rule.id for rule in found.values())
        return found

    def prune(self, tree: etree._Element, names: Names | None = None, share: float = 1.0) -> tuple[list[Removal], list[str]]:
        """Remove what the drop rules match (outermost elements only); return what left and why, and the rules held back.

        A drop rule whose elements hold more than `share` of the page's prose is held back on this
        page, as line rules are (guard.py): `selector: ['p']` must not empty every article.
        """
        found = self._find("drop", tree, names)
        outer = _outermost(found)
        held = _too_much(tree, outer, found, share)
        removed = []
        for el in outer:
            if found[el].id in held:
                continue
            text = element_text(el)
            if text:
                removed.append(Removal(found[el].id, text))
            drop_keep_tail(el)
        return removed, held

    def thread(self, tree: etree._Element, names: Names | None = None, t: HtmlThresholds = DEFAULT,
               loose_posts: bool = False) -> Thread | None:
        """Cut the comment threads out of the page; their text becomes the thread's lines.

        A forum thread (`loose_posts`) may have no thread container and mark its replies one by one
        (schema.org Comment items: what the post-boundary rules match): two or more posts outside any
        container are then cut out each as a post of a `scattered` thread, the opening post staying.
        """
        containers = _outermost(self._find("comments-start", tree, names))
        scattered = False
        if not containers:
            if not loose_posts:
                return None
            containers = _outermost(self._find("post-boundary", tree, names))
            if len(containers) < MIN_SCATTERED_POSTS:
                return None
            scattered = True
        if len(containers) > 1:  # found rule by rule: back to document order
            order = {el: i for i, el in enumerate(tree.iter())}
            containers.sort(key=order.__getitem__)
        lines: list[str] = []
        boundaries: set[int] = set()
        marker = None
        for container in containers:
            if container.getparent() is None:  # taken already, as a post after an earlier heading
                continue
            for part in [container] + ([] if scattered else thread_after_heading(container, t)):
                posts = set(self._find("post-boundary", part, names))
                boundaries.add(len(lines))
                flatten(part, lines, boundaries, posts)
                if marker is not None and marker.getparent() is not None:
                    marker.getparent().remove(marker)
                marker = etree.Element("br")
                part.addnext(marker)
                drop_keep_tail(part)
        return Thread(tuple(lines), frozenset(b for b in boundaries if b < len(lines)), marker, scattered)


MIN_SCATTERED_POSTS = 2  # posts outside any thread container that make a thread (one may be a page's own box)
_THREAD_END = re.compile(r"sidebar|footer|respond|postcomment|comment-?form|comments?-?post|navigation", re.I)


MIN_HELD_PARAGRAPHS = 2  # a drop rule must take this many paragraphs to be held back (as guard.MIN_HELD_LINES)


def _prose(el: etree._Element) -> tuple[int, int]:
    """(characters, paragraphs) of the <p> text in and under `el`: the page's prose, which chrome rarely holds."""
    chars = paras = 0
    for p in el.iter("p"):
        n = len(SPACE.sub(" ", "".join(p.itertext())).strip())
        chars, paras = chars + n, paras + (n > 0)
    return chars, paras


def _too_much(tree: etree._Element, outer: list, found: dict, share: float) -> list[str]:
    """The drop rules whose elements hold more than `share` of the page's prose (its <p> text)."""
    if share >= 1.0 or not outer:
        return []
    taken: Counter = Counter()
    paras: Counter = Counter()
    for el in outer:
        chars, n = _prose(el)
        taken[found[el].id] += chars
        paras[found[el].id] += n
    suspects = [r for r in taken if paras[r] >= MIN_HELD_PARAGRAPHS]
    if not suspects:
        return []
    total = _prose(tree)[0]
    return sorted(r for r in suspects if taken[r] > share * total)


def _ends_thread(el: etree._Element) -> bool:
    """The comment form, a sidebar, a footer: what follows a thread is not part of it."""
    if not isinstance(el.tag, str):
        return False
    if el.tag in ("form", "footer", "nav", "aside"):
        return True
    names = f"{el.get('id') or ''} {el.get('class') or ''}"
    return bool(_THREAD_END.search(names)) or next(el.iter("form", "textarea"), None) is not None


def _post_kind(el: etree._Element) -> tuple:
    return el.tag, tuple((el.get("class") or "").split()[:1])


def thread_after_heading(container: etree._Element, t: HtmlThresholds = DEFAULT) -> list[etree._Element]:
    """The posts that follow a thread container holding only a heading (Movable Type's
    `<h2 id="comments">Comments</h2>` then the posts as its siblings).

    Taken up to the comment form, a sidebar or the end of the parent, and only when at least
    two of them share a kind of element (the repeated post), so a heading alone is never
    taken for a thread.
    """
    if word_count(SPACE.sub(" ", "".join(container.itertext()))) > t.heading_max_words:
        return []
    anchor = container
    while anchor.getnext() is None and anchor.getparent() is not None and anchor.getparent().tag not in ("body", "html"):
        anchor = anchor.getparent()
    parts = []
    for el in anchor.itersiblings():
        if _ends_thread(el):
            break
        if isinstance(el.tag, str) and "".join(el.itertext()).strip():
            parts.append(el)
    kinds = Counter(_post_kind(el) for el in parts)
    return parts if any(n >= 2 for n in kinds.values()) else []


_SELECTORS: "WeakKeyDictionary[Rulebook, Selectors]" = WeakKeyDictionary()


def selectors_for(rulebook: Rulebook) -> Selectors:
    """The compiled selectors of a rulebook, built on first use and kept with it."""
    compiled = _SELECTORS.get(rulebook)
    if compiled is None:
        compiled = _SELECTORS[rulebook] = Selectors(rulebook.selector_rules, rulebook.fired)
    return compiled


# --------------------------------------------------------------------------- flattening a thread

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)


def _hidden(el: etree._Element) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or "display:none" in style or el.get("aria-hidden") == "true"


def flatten(root: etree._Element, lines: list[str], boundaries: set[int], starts: set) -> None:
    """Append the text of `root` as lines (one per block element); mark where each post in `starts` begins."""
    buf: list[str] = []

    def flush() -> None:
        text = SPACE.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            lines.append(text)

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in SKIP_TAGS or _hidden(el):
            return
        block = tag in BLOCK_TAGS
        if block or el in starts:
            flush()
        if el in starts:
            boundaries.add(len(lines))
        if el.text and tag:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()

