"""The HTML path: parse once, prune by selector rules, trafilatura, then the text flow.

This module and metadata.py are the only ones that import trafilatura (apart from evaluation's
baseline).
Flow of one page:
  1. parse the HTML once with lxml (no network, no DTD loading, no entity expansion);
  2. prune the elements the rulebook's selector rules match, recording each removal;
  3. `trafilatura.bare_extraction` on the pruned tree, comments included: body and
     comments come out apart, with title, author, date and site name; a body that covers little
     of the page is checked against jusText's paragraphs around it (justext_opinion), then
     against the page with its layout tables kept (tables_opinion); a short body is checked
     against trafilatura's precision mode, placed in the page by the title's heading
     (second_opinion);
  4. the line rules of the rulebook over the body catch chrome left inside it;
  5. the comment text is split into posts with the thread logic of the text path.

Time limit (Options.timeout, --timeout): a page that runs longer ends with DocumentTimeout,
which the runner turns into a Failure for that page while the run goes on. Two layers:
- Soft, everywhere: a SIGALRM interval timer armed in the process doing the work (the main
  process, or a pool worker, whose tasks run on its main thread). Its handler raises between
  Python bytecodes, which covers trafilatura's Python loops and also `re` matching (CPython's
  regex engine polls for signals). The timer repeats every RETRY_INTERVAL seconds after the
  deadline, so an alarm swallowed by a broad `except` inside a library fires again.
- Hard, in worker processes only: a signal cannot break into one long C call (libxml2 holds
  on until it returns), so faulthandler's watchdog thread, which needs no GIL, ends a worker
  that is still on the page HARD_GRACE seconds past the limit (printing where it was stuck);
  the runner records that document as a failure and goes on with a fresh worker. In the main
  process (-j 1, `cleaner eval`) that would end the whole run, so only the soft layer runs.
Single C calls are bounded besides: the parser keeps libxml2's limits (no huge_tree) and
pages over MAX_HTML_CHARS are refused before parsing. Off the main thread (no signals
there) and on platforms without setitimer no limit is set.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import re
import signal
import threading
from bisect import bisect_right
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Iterator
from weakref import WeakKeyDictionary

import lxml.html
from cssselect import GenericTranslator
from cssselect import parse as parse_css
from lxml import etree

from . import threads
from .features import features
from .guard import hold_back
from .metadata import metadata
from .model import Cleaned, Document, Label, Line, Post, Removal
from .pipeline import detect_language
from .rulebook import Rule, Rulebook, fold, word_count
from .stopwords import known
from .text import Page, apply_rules, apply_truncate, first_prose, split_lines, split_site_suffix

LANG_SAMPLE_CHARS = 600  # enough text to tell the language of a page that declares none (the article, not menus)
MAX_HTML_CHARS = 20_000_000  # larger pages are refused: parsing alone could outlast any limit
REMOVED_TEXT_CHARS = 200  # a pruned element's text is recorded up to this length
RESET_CACHES_EVERY = 500  # documents between trafilatura cache resets (memory stays flat)
RETRY_INTERVAL = 0.25  # seconds between repeated alarms once the deadline has passed
HARD_GRACE = 10.0  # seconds past the limit (at least the limit again) before a stuck worker is ended
_SPACE = re.compile(r"\s+")


class DocumentTimeout(Exception):
    """A page took longer than the per-document time limit."""


class _Alarm(BaseException):
    """Raised by the signal handler; a BaseException so `except Exception` in libraries cannot swallow it."""


# --------------------------------------------------------------------------- time limit


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """End the enclosed work with DocumentTimeout after `seconds` (see the module docstring)."""
    if not seconds or seconds <= 0 or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _ring(signum, frame):
        raise _Alarm()

    hard = multiprocessing.parent_process() is not None  # a worker: the runner survives its end
    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_INTERVAL)
    if hard:
        faulthandler.dump_traceback_later(seconds + max(HARD_GRACE, seconds), exit=True)
    try:
        yield
    except _Alarm:
        raise DocumentTimeout(f"page took longer than the time limit of {seconds:g} s "
                              f"(raise it with --timeout)") from None
    finally:
        if hard:
            faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- parse


_LOCAL = threading.local()
_LOOKUP = etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
                                         pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def _parser(utf8: bool = False) -> etree.HTMLParser:
    """One parser per thread (lxml parsers must not be shared between threads); `utf8` for bytes we encoded."""
    name = "parser_utf8" if utf8 else "parser"
    parser = getattr(_LOCAL, name, None)
    if parser is None:
        # HTMLParser never loads DTDs nor expands external entities; no_network forbids any fetch.
        parser = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True,
                                      remove_pis=True, no_network=True, huge_tree=False,
                                      encoding="utf-8" if utf8 else None)
        # Every element HtmlElement, chosen in C: lxml.html's own lookup is a Python call for each
        # element object made (a million on 300 pages, in our passes and in trafilatura's), and
        # its special form and input classes are nothing the cleaner or trafilatura uses.
        parser.set_element_class_lookup(_LOOKUP)
        setattr(_LOCAL, name, parser)
    return parser


def parse(content: str) -> lxml.html.HtmlElement | None:
    """Parse a page once; None if there is no HTML tree in it."""
    from trafilatura.utils import repair_faulty_html

    if len(content) > MAX_HTML_CHARS:
        raise ValueError(f"page has {len(content)} characters, more than the {MAX_HTML_CHARS} allowed")
    content = repair_faulty_html(content, content[:50].lower())
    try:
        tree = lxml.html.fromstring(content, parser=_parser())
    except ValueError:  # a str with an XML encoding declaration: hand lxml bytes
        tree = None
    except etree.ParserError:
        return None
    parser = _parser()
    if tree is None or len(tree) < 1:
        parser = _parser(utf8=True)  # the text is already decoded: a declared charset must not re-decode it
        try:
            tree = lxml.html.fromstring(content.encode("utf-8", "surrogatepass"), parser=parser)
        except (ValueError, etree.ParserError):
            return None
    _refuse_cut_pages(parser)
    return tree


def _refuse_cut_pages(parser: etree.HTMLParser) -> None:
    """libxml2 stops at its limits (elements nested 256 deep, a text node of 10 MB) and says so only in its log."""
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":
            raise ValueError(f"the HTML parser stopped at line {entry.line}, column {entry.column}: {entry.message.strip()} "
                             "(a page nested this deep or with text this long is refused rather than cut)")


# --------------------------------------------------------------------------- selector rules

SELECTOR_ACTIONS = ("drop", "comments-start", "post-boundary")


def _element_text(el: etree._Element) -> str:
    text = _SPACE.sub(" ", "".join(el.itertext())).strip()
    return text if len(text) <= REMOVED_TEXT_CHARS else text[: REMOVED_TEXT_CHARS - 1] + "…"


def _compile_selector(patterns: tuple[str, ...]) -> etree.XPath:
    """One XPath for a rule's CSS selectors (a union), used where speed does not matter."""
    translate = GenericTranslator().css_to_xpath
    return etree.XPath(" | ".join(translate(p, prefix="descendant-or-self::") for p in patterns))


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


def _drop_keep_tail(el: etree._Element) -> None:
    """Remove an element but keep the text that follows it (its tail) in place."""
    parent = el.getparent()
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


@dataclass(frozen=True)
class Thread:
    """A comment thread cut out of the page by selector rules: its lines and where posts start."""

    lines: tuple[str, ...]
    boundaries: frozenset[int]
    end: etree._Element | None = None  # an empty element where the (last) thread was, for drop_after_thread


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

    def prune(self, tree: etree._Element, names: Names | None = None) -> list[Removal]:
        """Remove what the drop rules match (outermost elements only); return what left and why."""
        found = self._find("drop", tree, names)
        removed = []
        for el in _outermost(found):
            text = _element_text(el)
            if text:
                removed.append(Removal(found[el].id, text))
            _drop_keep_tail(el)
        return removed

    def thread(self, tree: etree._Element, names: Names | None = None) -> Thread | None:
        """Cut the comment threads out of the page; their text becomes the thread's lines."""
        containers = _outermost(self._find("comments-start", tree, names))
        if not containers:
            return None
        if len(containers) > 1:  # found rule by rule: back to document order
            order = {el: i for i, el in enumerate(tree.iter())}
            containers.sort(key=order.__getitem__)
        lines: list[str] = []
        boundaries: set[int] = set()
        marker = None
        for container in containers:
            if container.getparent() is None:  # taken already, as a post after an earlier heading
                continue
            for part in [container] + thread_after_heading(container):
                posts = set(self._find("post-boundary", part, names))
                boundaries.add(len(lines))
                flatten(part, lines, boundaries, posts)
                if marker is not None and marker.getparent() is not None:
                    marker.getparent().remove(marker)
                marker = etree.Element("br")
                part.addnext(marker)
                _drop_keep_tail(part)
        return Thread(tuple(lines), frozenset(b for b in boundaries if b < len(lines)), marker)


HEADING_MAX_WORDS = 8  # a thread container with no more words than this is only the thread's heading
_THREAD_END = re.compile(r"sidebar|footer|respond|postcomment|comment-?form|comments?-?post|navigation", re.I)


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


def thread_after_heading(container: etree._Element) -> list[etree._Element]:
    """The posts that follow a thread container holding only a heading (Movable Type's
    `<h2 id="comments">Comments</h2>` then the posts as its siblings).

    Taken up to the comment form, a sidebar or the end of the parent, and only when at least
    two of them share a kind of element (the repeated post), so a heading alone is never
    taken for a thread.
    """
    if word_count(_SPACE.sub(" ", "".join(container.itertext()))) > HEADING_MAX_WORDS:
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


def check_selector_examples(rule: Rule) -> list[str]:
    """Run a selector rule's examples: HTML fragments it must match (under its action), or must not (keep)."""
    where = f"{rule.location()}: rule '{rule.id}'"
    if rule.action not in SELECTOR_ACTIONS:
        return [f"{where} has action {rule.action!r}; a selector rule takes one of {', '.join(SELECTOR_ACTIONS)}"]
    problems = []
    xpath = _compile_selector(rule.patterns)
    for expect, examples in ((True, rule.examples.get(rule.action) or []), (False, rule.examples.get("keep") or [])):
        for example in examples:
            if not isinstance(example, str) or not example.strip():
                problems.append(f"{where} has an example that is not an HTML fragment: {example!r}")
                continue
            root = lxml.html.fragment_fromstring(example, create_parent="div", parser=_parser())
            hits = [el for el in xpath(root) if isinstance(el, etree._Element) and el is not root]
            if expect and not hits:
                problems.append(f"{where} should {rule.action} but matches nothing in: {example!r}")
            elif not expect and hits:
                problems.append(f"{where} should leave alone but matches <{hits[0].tag}> in: {example!r}")
    return problems


# --------------------------------------------------------------------------- flattening a thread

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
SKIP_TAGS = frozenset(
    "script style noscript template iframe svg button select option textarea input object embed canvas "
    "map head title meta link".split()
)


def _hidden(el: etree._Element) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or "display:none" in style or el.get("aria-hidden") == "true"


def flatten(root: etree._Element, lines: list[str], boundaries: set[int], starts: set) -> None:
    """Append the text of `root` as lines (one per block element); mark where each post in `starts` begins."""
    buf: list[str] = []

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(buf)).strip()
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


# --------------------------------------------------------------------------- extraction


@dataclass(frozen=True)
class Extracted:
    """What came out of one page: body and comments apart, metadata, and what the selectors removed.

    `thread` is the comment thread the selector rules cut out; when it is None the
    comments are trafilatura's (`comments`).
    """

    body: str
    comments: str
    meta: dict
    removed: tuple[Removal, ...] = ()
    thread: Thread | None = None
    lang: str = ""  # the language the page declares (<html lang>), if we know its stop words


_COUNT = 0


def _tick() -> None:
    """Reset trafilatura's caches every RESET_CACHES_EVERY documents, so memory stays flat."""
    global _COUNT
    _COUNT += 1
    if _COUNT % RESET_CACHES_EVERY == 0:
        from trafilatura.meta import reset_caches

        reset_caches()


_LANG = re.compile(r"[A-Za-z]{2,3}")


def declared_language(tree: etree._Element) -> str:
    """The page's <html lang> as an ISO code we have stop words for, else ""."""
    root = tree.getroottree().getroot()
    code = (root.get("lang") or root.get("xml:lang") or "").split("-")[0].split("_")[0].strip().lower()
    return code if _LANG.fullmatch(code) and known(code) else ""


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
LOOSE_MIN_WORDS = 10  # loose text this long after a block is a paragraph of its own


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


def wrap_loose_text(tree: etree._Element) -> None:
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
        if word_count(text) < LOOSE_MIN_WORDS:
            continue
        tail, el.tail = el.tail, None
        el.addnext(_paragraph(tail, run))
        touched[parent] = None
    for parent in touched:
        if (parent.text or "").strip():
            run = _inline_run(parent[0] if len(parent) else None)
            text, parent.text = parent.text, None
            parent.insert(0, _paragraph(text, run))


MIN_LIST_ITEMS = 3  # fewer linked items: a short list of sources, not a teaser block
LINK_SHARE = 0.5  # an item whose text is at least this much link text is a teaser link
CARD_MAX_WORDS = 40  # a card (linked headline and blurb) is short; a longer item is the article's own


def _text_len(el: etree._Element) -> int:
    return len(_SPACE.sub("", "".join(el.itertext())))


def is_link_list(el: etree._Element) -> bool:
    """A list whose every item is (nearly) all link text: headlines of other pages, not the article's words."""
    items = [li for li in el if li.tag == "li"]
    if len(items) < MIN_LIST_ITEMS:
        return False
    return all(_teaser_item(li) for li in items)


def _linked_share(el: etree._Element) -> float:
    total = _text_len(el)
    return sum(_text_len(a) for a in el.iter("a")) / total if total else 0.0


def _teaser_item(li: etree._Element) -> bool:
    """Mostly link text, or a card: a linked headline with a line of blurb under it."""
    if _linked_share(li) >= LINK_SHARE:
        return True
    return word_count(" ".join(li.itertext())) <= CARD_MAX_WORDS \
        and any(_linked_share(h) >= 0.8 for h in li.iter("h2", "h3", "h4", "h5"))


def drop_link_lists(tree: etree._Element) -> list[Removal]:
    """Teaser lists (related stories, "more from", "don't miss") leave before extraction."""
    removed = []
    for el in [el for el in tree.iter("ul", "ol") if is_link_list(el)]:
        if el.getparent() is not None:
            removed.append(Removal("heuristic/link-list", _element_text(el)))
            _drop_keep_tail(el)
    return removed


_EMBEDDED_TWEETS = etree.XPath("//blockquote[contains(concat(' ', normalize-space(@class), ' '), ' twitter-tweet ')]")
_WRAPPER_STOP = frozenset(("body", "html", "article", "main"))


def _visible_words(el: etree._Element) -> str:
    """The element's words without those of its scripts and styles (an embed's loader script)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _NO_TEXT:  # comments and scripts show nothing
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
        words = _norm(_visible_words(quote))
        for wrapper in quote.iterancestors():
            if wrapper.tag in _WRAPPER_STOP or _norm(_visible_words(wrapper)) != words:
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
        removed.append(Removal("heuristic/nested-post", _element_text(el)))
        _drop_keep_tail(el)
    return removed


HIDDEN_COPY_MIN_WORDS = 20  # a hidden block this long that the page also shows is a second copy
_HIDDEN_CLASSES = frozenset(("hidden", "hide"))
_HIDDEN = etree.XPath("//*[contains(concat(' ', normalize-space(@class), ' '), ' hidden ')"
                      " or contains(concat(' ', normalize-space(@class), ' '), ' hide ')]")


def drop_hidden_copies(tree: etree._Element, names: Names | None = None) -> list[Removal]:
    """A block hidden by its class whose text the page also shows (the article again in a hidden
    tab or print copy) leaves, or the extractor may take both copies. Hidden blocks holding text
    of their own stay: scripts often reveal real content."""
    if names is not None and not names.tokens & _HIDDEN_CLASSES:
        return []
    found = _HIDDEN(tree)
    outer = set(found)
    copies = [(el, text) for el in found if not any(a in outer for a in el.iterancestors())
              and el.getparent() is not None and word_count(text := " ".join(el.itertext())) >= HIDDEN_COPY_MIN_WORDS]
    if not copies:
        return []
    page = _norm(" ".join(tree.itertext()))
    removed = []
    for el, text in copies:
        if page.count(_norm(text)) >= 2:
            removed.append(Removal("heuristic/hidden-copy", _element_text(el)))
            _drop_keep_tail(el)
    return removed


MIN_THREAD_WORDS_TO_END = 40  # a thread this long ends the page's content...
MIN_WORDS_BEFORE_THREAD = 80  # ...when at least this many words come before it (it is not a header's comment link)


def drop_after_thread(tree: etree._Element, thread: Thread | None) -> list[Removal]:
    """What follows a comment thread in the page (the sidebar, the footer) is not the article:
    on pages where the extractor finds no container it would otherwise keep all of it."""
    if thread is None or thread.end is None or thread.end.getparent() is None:
        return []
    if word_count(" ".join(thread.lines)) < MIN_THREAD_WORDS_TO_END:
        return []
    before = 0
    for el in tree.iter():
        if el is thread.end:
            break
        if isinstance(el.tag, str) and el.tag not in SKIP_TAGS:
            before += len((el.text or "").split()) + len((el.tail or "").split())
    if before < MIN_WORDS_BEFORE_THREAD:
        return []
    removed = []
    el = thread.end
    while el.getparent() is not None and el.tag not in ("body", "html"):
        for sib in list(el.itersiblings()):
            if isinstance(sib.tag, str) and sib.tag not in SKIP_TAGS and (text := _element_text(sib)):
                removed.append(Removal("heuristic/after-thread", text))
            el.getparent().remove(sib)
        el.tail = None
        el = el.getparent()
    return removed


# --------------------------------------------------------------------------- two candidates

SECOND_OPINION_MAX_WORDS = 400  # a recall-mode body this long is taken as it is
LOCATE_WORDS = 8  # a line is found in the page by its first words...
LOCATE_MIN_WORDS = 3  # ...and a line shorter than this is too common to place
ANCHOR_LINES = 3  # lines of a candidate placed against the title heading
DISJOINT = 0.2  # candidates sharing less than this of their words took different parts of the page
NESTED = 0.8  # the precise candidate lies (this much) inside the generous one
_WORD = re.compile(r"\w+")
_NO_TEXT = frozenset(("script", "style", "noscript", "template", "head", "title", "textarea", "select", "option"))


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


class TextMap:
    """The page's text in document order, normalised, with the element each stretch belongs to:
    where a line of extracted text came from (trafilatura hands back text, not our elements)."""

    def __init__(self, root: etree._Element):
        parts: list[str] = []
        self.starts: list[int] = []
        self.owners: list[etree._Element] = []
        size = 0

        def add(text: str | None, owner: etree._Element) -> None:
            nonlocal size
            words = _norm(text) if text else ""
            if words:
                self.starts.append(size)
                self.owners.append(owner)
                parts.append(" " + words)
                size += len(words) + 1

        def walk(el: etree._Element) -> None:
            if not isinstance(el.tag, str) or el.tag in _NO_TEXT:
                return
            add(el.text, el)
            for child in el:
                walk(child)
                add(child.tail, el)

        walk(root)
        self.text = "".join(parts) + " "

    def locate(self, line: str) -> etree._Element | None:
        """The element holding the start of `line`, if the line is long enough to place."""
        words = _WORD.findall(line.lower())
        if len(words) < LOCATE_MIN_WORDS:
            return None
        at = self.text.find(" " + " ".join(words[:LOCATE_WORDS]) + " ")
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
    keys = {_norm(title), _norm(split_site_suffix(title)[0])} - {""}
    out = []
    for h in root.iter("h1", "h2", "h3", "h4"):
        links = [a.get("href") or "" for a in h.iter("a") if a.get("href")]
        if links and all(_same_url(href, url) for href in links):
            out.append(h)  # a permalink: the post's own title, whatever the page's title says
        elif not links and _norm(h.text_content()) in keys:
            out.append(h)
    return out


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _shared(lines: list[str], others: set[str]) -> float:
    """The share of the words of `lines` that sit in lines the other candidate holds too."""
    total = sum(word_count(line) for line in lines)
    return sum(word_count(line) for line in lines if fold(line) in others) / total if total else 0.0


def _anchor_depth(lines: list[str], textmap: TextMap, headings: list[etree._Element]) -> int:
    """How deep the title heading and the candidate's first lines share a container (-1: not placed)."""
    placed = [el for el in map(textmap.locate, lines[:12]) if el is not None][:ANCHOR_LINES]
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


PROSE_MIN_WORDS = 10  # a line this long that ends a sentence reads as prose
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def _prose_words(lines) -> int:
    return sum(n for line in lines if (n := word_count(line)) >= PROSE_MIN_WORDS and _SENTENCE_END.search(line))


def reconcile(generous: str, precise: str, textmap: TextMap, headings: list[etree._Element]) -> tuple[str, list[Removal]]:
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
    if p_in_g < DISJOINT and g_in_p < DISJOINT:
        if _anchor_depth(p_lines, textmap, headings) > _anchor_depth(g_lines, textmap, headings):
            return precise, [Removal("heuristic/off-title", line) for line in g_lines]
        return generous, []
    if p_in_g < NESTED:
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
    if _prose_words(r.text for r in removed) > sum(word_count(line) for line in kept):
        return generous, []  # more prose outside than in: the container is wrong, or the outside is content too
    return "\n".join(kept), removed


def second_opinion(tree: etree._Element, body: str, meta: dict, url: str | None) -> tuple[str, tuple[Removal, ...]]:
    """A short recall-mode body is checked against trafilatura's precision mode (see reconcile).

    Short only: the wrong pick (an author box, a sidebar, wild text around a short post) is a
    short-page failure, and a second extraction on every page would cost half as much again.
    """
    import trafilatura

    if len(body.split()) >= SECOND_OPINION_MAX_WORDS:
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
    body, dropped = reconcile(body, precise.text, TextMap(root), headings)
    return body, tuple(dropped)


_PAGE_CHARS = etree.XPath("string-length(normalize-space(.))")
_NOT_SHOWN = etree.XPath(".//script|.//style|.//noscript|.//template")


def page_chars(tree: etree._Element) -> int:
    """How much text the page shows: its characters, spaces folded, without scripts and styles (a cheap XPath)."""
    return max(0, int(_PAGE_CHARS(tree) - sum(_PAGE_CHARS(el) for el in _NOT_SHOWN(tree))))


TABLES_CHECK_SHARE = 0.6  # a body under this share of the page's text is checked against the page with its tables
TABLES_LONGER = 1.3  # ...and the extraction with tables kept replaces it when this much longer...
TABLES_HOLD = 0.8  # ...and holds this share of the body's text: a wider take on the same article, not another part


def _held(text: str, other: str) -> float:
    """The share of the characters of `text` in lines whose words `other` holds too."""
    words = _norm(other)
    return sum(len(line) for line in _lines(text) if _norm(line) in words) / len(text) if text else 0.0


def tables_opinion(tree: etree._Element, unwrapped: list, result, url: str | None, shown: int):
    """A short body taken from a page whose layout tables became divs is checked against the page
    with its tables kept: on some pages the divs make the extractor take one cell's block instead
    of the article around it. A clearly longer extraction that holds the body wins; the tree is
    left as the winner was extracted from it."""
    import trafilatura

    if not unwrapped or result is None or len(result.text or "") >= TABLES_CHECK_SHARE * shown:
        return result
    rewrap(unwrapped)
    tables = trafilatura.bare_extraction(tree, url=url, include_comments=True, with_metadata=False,
                                         favor_recall=True)
    if tables is not None and len(tables.text or "") > TABLES_LONGER * len(result.text or "") \
            and _held(result.text or "", tables.text or "") >= TABLES_HOLD:
        return tables
    for part, _tag in unwrapped:
        part.tag = "div"
    return result


JUSTEXT_CHECK_SHARE = 0.5  # a body under this share of the page's text is checked against jusText's paragraphs
JUSTEXT_PAGE_SHARE = 0.7  # jusText's new paragraphs around the body cover this much of the page...
JUSTEXT_LONGER = 1.5  # ...and make the body this much longer: the page is one article the extractor cut short


def justext_opinion(tree: etree._Element, body: str, shown: int, lang: str = "") -> tuple[str, tuple[Removal, ...]]:
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
    if not lines or not shown or len(body) >= JUSTEXT_CHECK_SHARE * shown:
        return body, ()
    root = tree.find("body")
    root = tree if root is None else root
    textmap = TextMap(root)
    placed = [el for el in map(textmap.locate, lines) if el is not None]
    container = article_container(placed, []) if placed else None
    if container is None:
        return body, ()
    room = page_chars(container)  # all jusText could add: no run when even that falls short
    if room < JUSTEXT_LONGER * len(body) or room < JUSTEXT_PAGE_SHARE * shown:
        return body, ()
    inside, words = set(container.iter()), _norm(body)
    kept, seen = [], set()
    pruned = prune_unwanted_nodes(copy(tree), REMOVE_COMMENTS_XPATH)  # comment containers: trafilatura's comments
    for p in try_justext(basic_cleaning(pruned), None, lang or None):  # the declared language's stop words, else all
        text = _SPACE.sub(" ", p.text or "").strip()
        if not text or fold(text) in seen:
            continue
        seen.add(fold(text))
        el = textmap.locate(text)
        if _norm(text) in words or (el is not None and el in inside):
            kept.append(text)
    new = "\n".join(kept)
    if len(new) < JUSTEXT_LONGER * len(body) or len(new) < JUSTEXT_PAGE_SHARE * shown:
        return body, ()
    words = _norm(new)
    return new, tuple(Removal("heuristic/justext-body", line) for line in lines if _norm(line) not in words)


def extract(doc: Document, rulebook: Rulebook) -> Extracted:
    """Parse, apply the selector rules and the tree heuristics, run trafilatura, and get a second
    opinion where its body looks wrong (jusText, tables kept, precision mode); never fetches the page's URL."""
    import trafilatura

    _tick()
    tree = parse(doc.content)
    if tree is None:
        return Extracted("", "", {})
    compiled = selectors_for(rulebook)
    names = Names.of(tree)
    removed = tuple(compiled.prune(tree, names))
    thread = compiled.thread(tree, names)
    removed += tuple(drop_after_thread(tree, thread))
    removed += tuple(drop_link_lists(tree))
    removed += tuple(drop_hidden_copies(tree, names))
    removed += tuple(drop_nested_posts(tree, names))
    if "twitter-tweet" in names.tokens:
        keep_embedded_tweets(tree)
    merge_body_parts(tree, names)
    unwrapped = unwrap_layout_tables(tree)
    wrap_loose_text(tree)
    url = doc.meta.get("url") if isinstance(doc.meta.get("url"), str) else None
    # bare_extraction works on a copy of the tree, so the metadata pass below sees it unchanged.
    # favor_recall: what trafilatura adds in recall mode the line rules mostly take out again,
    # what it misses in balanced mode (its fallbacks' shorter picks) nothing brings back.
    result = trafilatura.bare_extraction(tree, url=url, include_comments=True, with_metadata=False,
                                         favor_recall=True)
    meta = metadata(tree, url)
    lang = declared_language(tree)
    if result is None:  # trafilatura discarded the page: its plain-text baseline is the fallback
        _body, text, _length = trafilatura.baseline(tree)
        if text.strip():
            meta["extractor"] = "trafilatura-baseline"
        return Extracted(text, "", meta, removed, thread, lang)
    shown = page_chars(tree)
    body, dropped = justext_opinion(tree, result.text or "", shown, lang)
    if body == (result.text or ""):
        result = tables_opinion(tree, unwrapped, result, url, shown)
        body, dropped = second_opinion(tree, result.text or "", meta, url)
    return Extracted(body, result.comments or "", meta, removed + dropped, thread, lang)


# --------------------------------------------------------------------------- the text flow


def label_title_repeat(page: Page, title: str) -> None:
    """The body's first line repeats the title (with or without a site-name suffix): the title is a
    field of its own, not article text."""
    first = next((i for i, line in enumerate(page.lines) if not line.blank), None)
    if not title or first is None or page.lines[first].label is not Label.UNDECIDED:
        return
    line = fold(page.lines[first].text)
    if line and line in {fold(title), fold(split_site_suffix(title)[0])}:
        page.label(first, Label.DROP, "heuristic/title-repeat")


_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\|)\s")


def paragraphs(body: str) -> str:
    """trafilatura's text with a blank line between blocks, as the text path expects of prose.

    Items of one list (or rows of one table) stay together on consecutive lines, so a
    teaser list under a "Related" marker reads as one list that the next paragraph ends.
    """
    out: list[str] = []
    prev_item = False
    for line in body.split("\n"):
        if not line.strip():
            continue
        item = bool(_ITEM.match(line))
        if out:
            out.append("\n" if item and prev_item else "\n\n")
        out.append(line)
        prev_item = item
    return "".join(out)


MENU_MIN_ITEMS = 3  # short items set apart by bars or bullets on one line: a menu...
MENU_ITEM_MAX_WORDS = 4  # ...when none is longer than this or ends a clause
_MENU_SEP = re.compile(r"\s[|•·»›]\s")
_CELL_BAR = re.compile(r"(?<!\\)\|")
_ESCAPED_BAR = re.compile(r"\\\|")


def _menu_items(items: list[str]) -> bool:
    items = [item.strip() for item in items if item.strip()]
    return len(items) >= MENU_MIN_ITEMS and all(
        word_count(item) <= MENU_ITEM_MAX_WORDS and not features(item).terminal for item in items)


def is_menu_line(text: str) -> bool:
    """A navigation menu that came through extraction on one line: "Overview | Organisation | History".

    In a table row (trafilatura's `| a | b |`) a bar written inside a cell comes escaped (`\\|`):
    the row is a menu when a cell is one and every other cell is a menu too or a word or two.
    """
    stripped = text.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        cells = [_ESCAPED_BAR.split(cell) for cell in _CELL_BAR.split(stripped.strip("|")) if cell.strip()]
        return any(map(_menu_items, cells)) and all(_menu_items(c) or word_count(" ".join(c)) <= 2 for c in cells)
    return bool(_MENU_SEP.search(stripped)) and _menu_items(_MENU_SEP.split(stripped))


def label_menu_lines(page: Page) -> None:
    for i in page.undecided():
        if is_menu_line(page.lines[i].text):
            page.label(i, Label.DROP, "heuristic/menu-line")


def body_page(body: str, cleaner, title: str = "", lang: str = "") -> Page:
    """Line rules over trafilatura's body; it has no menus left, so only light heuristics run.

    The language is the one the page declares; only a page that declares none (or one we
    have no stop words for) pays for detection, on a short sample.
    """
    page = Page(lines=split_lines(paragraphs(body)), lang=lang or detect_language(body[:LANG_SAMPLE_CHARS]))
    label_title_repeat(page, title)
    before = list(page.lines)
    apply_rules(page, cleaner.rulebook)
    hold_back(page, before, cleaner.rulebook, cleaner.options.max_rule_share)
    label_menu_lines(page)
    t = cleaner.options.thresholds
    apply_truncate(page, first_prose(page), page.article_end, t)
    for i in page.undecided(0, page.article_end):
        page.lines[i] = replace(page.lines[i], label=Label.KEEP)
    return page


MIN_THREAD_WORDS = 10  # fewer words left after the chrome rules: not a thread


def thread_page(text: str, lang: str, rulebook: Rulebook, boundaries: frozenset[int] = frozenset()) -> Page:
    """A comment thread as a page: tail-zone rules, then posts.

    Without known post boundaries (trafilatura's comment text) a post starts at each line
    that sits right under another, as on a flattened forum page.
    """
    page = Page(lines=split_lines(text), lang=lang)
    page.boundaries = set(boundaries)
    apply_rules(page, rulebook, "tail")  # a truncate marker (a form heading) only drops itself here
    page.comments_from = 0
    if not boundaries:
        page.signals.add("forum")
    return page


_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\W*$")


def is_thread(posts: tuple[Post, ...], lang: str) -> bool:
    """Real comments hold some prose: enough words, a sentence, and not only cut-off teaser snippets."""
    if sum(word_count(p.text) for p in posts) < MIN_THREAD_WORDS:
        return False
    lines = [ln for p in posts for ln in p.text.split("\n") if ln.strip()]
    if not any(features(ln, lang).terminal and features(ln, lang).words >= 3 for ln in lines):
        return False
    teasers = sum(1 for p in posts if _ELLIPSIS_END.search(p.text))
    return not (len(posts) >= 2 and teasers * 2 > len(posts))


def _candidates(extracted: Extracted) -> list[tuple[str, frozenset[int]]]:
    """Thread sources, best first: what the selector rules cut out, then trafilatura's comments."""
    out = []
    if extracted.thread is not None and extracted.thread.lines:
        out.append(("\n".join(extracted.thread.lines), extracted.thread.boundaries))
    if extracted.comments.strip():
        out.append((extracted.comments, frozenset()))
    return out


def comment_posts(extracted: Extracted, page: Page, cleaner) -> tuple[tuple[Post, ...], list[Page]]:
    """Posts of a thread found inside the body, then of the first thread source that holds prose.

    Returns the posts and the thread pages looked at (for `explain`); a source without
    prose is recorded as removed under heuristic/not-a-thread.
    """
    posts = threads.split_posts(page)
    looked: list[Page] = []
    for text, boundaries in _candidates(extracted):
        thread = thread_page(text, page.lang, cleaner.rulebook, boundaries)
        found = threads.split_posts(thread)
        looked.append(thread)
        if is_thread(found, page.lang):
            page.removed.extend(thread.removed)
            return posts + tuple(Post(p.index + len(posts), p.text) for p in found), looked
        for i, line in enumerate(thread.lines):
            if line.label in (Label.COMMENT, Label.UNDECIDED) and not line.blank:
                thread.label(i, Label.DROP, "heuristic/not-a-thread")
        page.removed.extend(thread.removed)
    return posts, looked


def finish(doc: Document, extracted: Extracted, cleaner) -> Cleaned:
    """The text flow over what was extracted: rules on the body, posts from the thread."""
    page = body_page(extracted.body, cleaner, extracted.meta.get("title", ""), extracted.lang)
    posts, _looked = comment_posts(extracted, page, cleaner)
    page.removed[:0] = extracted.removed
    page.title = extracted.meta.get("title", "")
    return cleaner.assemble(doc, page, posts, extra_meta=extracted.meta)


def clean_html(doc: Document, cleaner) -> Cleaned:
    """The HTML path for one page, within the per-document time limit."""
    with time_limit(cleaner.options.timeout):
        return finish(doc, extract(doc, cleaner.rulebook), cleaner)


def explain_lines(doc: Document, cleaner) -> list[Line]:
    """Elements the selectors removed, the labelled lines of the body, then the thread's lines."""
    with time_limit(cleaner.options.timeout):
        extracted = extract(doc, cleaner.rulebook)
        page = body_page(extracted.body, cleaner, extracted.meta.get("title", ""), extracted.lang)
        _posts, looked = comment_posts(extracted, page, cleaner)
    lines = [Line(0, r.text, Label.DROP, r.rule) for r in extracted.removed] + list(page.lines)
    for thread in looked:
        offset = len(lines)
        lines.append(Line(offset + 1, ""))
        lines += [replace(line, no=offset + 1 + line.no) for line in thread.lines]
    return lines
