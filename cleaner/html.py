"""The HTML path: parse once, prune by selector rules, trafilatura, then the text flow.

This is the only module that imports trafilatura (apart from evaluation's baseline).
Flow of one page:
  1. parse the HTML once with lxml (no network, no DTD loading, no entity expansion);
  2. prune the elements the rulebook's selector rules match, recording each removal;
  3. `trafilatura.bare_extraction` on the pruned tree, comments included: body and
     comments come out apart, with title, author, date and site name;
  4. the line rules of the rulebook over the body catch chrome left inside it;
  5. the comment text is split into posts with the thread logic of the text path.

Time limit: a page that runs longer than `Options.timeout` ends with `DocumentTimeout`,
which the runner turns into a Failure for that page while the run goes on. The limit is a
SIGALRM interval timer armed in the process doing the work (the main process, or a pool
worker, whose tasks run on its main thread). The signal handler raises between Python
bytecodes, which covers trafilatura's Python loops and also `re` matching (CPython's
regex engine polls for signals); it cannot break into a single long libxml2 call, so
those are bounded instead: the parser keeps libxml2's size limits (no huge_tree) and
pages above MAX_HTML_CHARS are refused before parsing. The timer repeats every
RETRY_INTERVAL seconds after the deadline, so a handler caught by a broad `except`
inside a library fires again. Outside the main thread (no signals there) no limit is set.
"""

from __future__ import annotations

import re
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Iterator
from weakref import WeakKeyDictionary

import lxml.html
from cssselect import GenericTranslator
from lxml import etree

from . import threads
from .model import Cleaned, Document, Label, Line, Post, Removal
from .pipeline import LANG_SAMPLE_CHARS, detect_language
from .rulebook import Rule, Rulebook, word_count
from .text import ACTIONS, Page, apply_rules, apply_truncate, label_captions, run_heuristics, split_lines

MAX_HTML_CHARS = 20_000_000  # larger pages are refused: parsing alone could outlast any limit
REMOVED_TEXT_CHARS = 200  # a pruned element's text is recorded up to this length
RESET_CACHES_EVERY = 500  # documents between trafilatura cache resets (memory stays flat)
RETRY_INTERVAL = 0.25  # seconds between repeated alarms once the deadline has passed
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

    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_INTERVAL)
    try:
        yield
    except _Alarm:
        raise DocumentTimeout(f"page took longer than the time limit of {seconds:g} s "
                              f"(raise it with --timeout)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- parse


_LOCAL = threading.local()


def _parser() -> etree.HTMLParser:
    """One parser per thread (lxml parsers must not be shared between threads)."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        # HTMLParser never loads DTDs nor expands external entities; no_network forbids any fetch.
        parser = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True,
                                      remove_pis=True, no_network=True, huge_tree=False)
        _LOCAL.parser = parser
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
    if tree is None or len(tree) < 1:
        try:
            tree = lxml.html.fromstring(content.encode("utf-8", "surrogatepass"), parser=_parser())
        except (ValueError, etree.ParserError):
            return None
    return tree


# --------------------------------------------------------------------------- selector rules


def _element_text(el: etree._Element) -> str:
    text = _SPACE.sub(" ", el.text_content() if hasattr(el, "text_content") else "".join(el.itertext())).strip()
    return text if len(text) <= REMOVED_TEXT_CHARS else text[: REMOVED_TEXT_CHARS - 1] + "…"


def _compile_selector(css: str) -> etree.XPath:
    return etree.XPath(GenericTranslator().css_to_xpath(css, prefix="descendant-or-self::"))


class Pruner:
    """The selector rules of one rulebook, compiled once: each rule is one XPath."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = [(rule, _compile_selector(" , ".join(rule.patterns))) for rule in rules]

    def matches(self, tree: etree._Element) -> list[tuple[Rule, etree._Element]]:
        """Elements to prune, outermost only, with the first rule that matched each."""
        seen: dict[etree._Element, Rule] = {}
        for rule, xpath in self.rules:
            for el in xpath(tree):
                if isinstance(el, etree._Element) and el not in seen:
                    seen[el] = rule
        out = []
        for el, rule in seen.items():
            parent = el.getparent()
            if parent is None:
                continue  # never prune the root
            if any(anc in seen for anc in el.iterancestors()):
                continue
            out.append((rule, el))
        return out

    def prune(self, tree: etree._Element) -> list[Removal]:
        """Remove the matched elements (their tail text stays); return what left and why."""
        removed = []
        for rule, el in self.matches(tree):
            text = _element_text(el)
            if text:
                removed.append(Removal(rule.id, text))
            _drop_keep_tail(el)
        return removed


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


_PRUNERS: "WeakKeyDictionary[Rulebook, Pruner]" = WeakKeyDictionary()


def pruner_for(rulebook: Rulebook) -> Pruner:
    """The compiled selectors of a rulebook, built on first use and kept with it."""
    pruner = _PRUNERS.get(rulebook)
    if pruner is None:
        pruner = _PRUNERS[rulebook] = Pruner(rulebook.selector_rules)
    return pruner


def check_selector_examples(rule: Rule) -> list[str]:
    """Run a selector rule's examples: HTML fragments it must match, or must not."""
    problems = []
    xpath = _compile_selector(" , ".join(rule.patterns))
    for expect, examples in ((True, rule.examples.get(rule.action) or []), (False, rule.examples.get("keep") or [])):
        for example in examples:
            if not isinstance(example, str):
                problems.append(f"{rule.location()}: rule '{rule.id}' has an example that is not an HTML fragment: {example!r}")
                continue
            root = lxml.html.fragment_fromstring(example, create_parent="div", parser=_parser())
            hits = [el for el in xpath(root) if isinstance(el, etree._Element) and el is not root]
            if expect and not hits:
                problems.append(f"{rule.location()}: rule '{rule.id}' should {rule.action} but matches nothing in: {example!r}")
            elif not expect and hits:
                problems.append(f"{rule.location()}: rule '{rule.id}' should leave alone but matches <{hits[0].tag}> in: {example!r}")
    return problems


# --------------------------------------------------------------------------- extraction


@dataclass(frozen=True)
class Extracted:
    """What trafilatura gave for one page: body and comments apart, plus metadata."""

    body: str
    comments: str
    meta: dict
    removed: tuple[Removal, ...] = ()


_COUNT = 0
META_FIELDS = ("title", "author", "date", "sitename", "url")


def _tick() -> None:
    """Reset trafilatura's caches every RESET_CACHES_EVERY documents, so memory stays flat."""
    global _COUNT
    _COUNT += 1
    if _COUNT % RESET_CACHES_EVERY == 0:
        from trafilatura.meta import reset_caches

        reset_caches()


def extract(doc: Document, rulebook: Rulebook) -> Extracted:
    """Parse, prune by selector rules, and run trafilatura once; never fetches the page's URL."""
    import trafilatura

    _tick()
    tree = parse(doc.content)
    if tree is None:
        return Extracted("", "", {})
    removed = tuple(pruner_for(rulebook).prune(tree))
    url = doc.meta.get("url") if isinstance(doc.meta.get("url"), str) else None
    result = trafilatura.bare_extraction(tree, url=url, include_comments=True, with_metadata=True)
    if result is None:
        return Extracted("", "", {}, removed)
    meta = {k: v for k in META_FIELDS if isinstance(v := getattr(result, k, None), str) and v}
    return Extracted(result.text or "", result.comments or "", meta, removed)


# --------------------------------------------------------------------------- the text flow


def _first_prose(page: Page) -> int:
    return next((i for i in range(len(page.lines)) if not page.lines[i].blank and page.features(i).good), len(page.lines))


def body_page(body: str, cleaner) -> Page:
    """Line rules over trafilatura's body; it has no menus left, so only light heuristics run."""
    page = Page(lines=split_lines(body), lang=detect_language(body[:LANG_SAMPLE_CHARS]))
    apply_rules(page, cleaner.rulebook)
    t = cleaner.options.thresholds
    if BODY_MODE == "full":
        run_heuristics(page, t)
        return page
    label_captions(page, t)
    apply_truncate(page, _first_prose(page), page.article_end, t)
    for i in page.undecided(0, page.article_end):
        page.lines[i] = replace(page.lines[i], label=Label.KEEP)
    return page


BODY_MODE = "light"
MIN_THREAD_WORDS = 0


def _rules_in_zone(page: Page, rulebook: Rulebook, zone: str) -> None:
    """apply_rules with one zone for every line: a comment thread lies wholly after the article."""
    for i, line in enumerate(page.lines):
        if line.blank or line.label is not Label.UNDECIDED:
            continue
        hit = rulebook.match(line.text, zone)
        if hit is not None:
            page.signals.update(hit.rule.signals)
            page.line_signals[i] = hit.rule.signals
            ACTIONS[hit.rule.action](page, i, hit)


def thread_page(text: str, lang: str, rulebook: Rulebook) -> Page:
    """trafilatura's comment text as a thread: tail-zone rules, then posts."""
    page = Page(lines=split_lines(text), lang=lang)
    _rules_in_zone(page, rulebook, "tail")
    for i, _rule in page.truncates:
        for j in range(i, len(page.lines)):
            if page.lines[j].label is Label.UNDECIDED and not page.lines[j].blank:
                page.label(j, Label.DROP, _rule)
        break
    page.comments_from = 0
    page.signals.add("forum")
    return page


def is_thread(posts: tuple[Post, ...]) -> bool:
    """Real comments hold some prose; a lone heading or a form label left over is not a thread."""
    words = sum(word_count(p.text) for p in posts)
    return words >= MIN_THREAD_WORDS


def comment_posts(extracted: Extracted, page: Page, cleaner) -> tuple[Post, ...]:
    """Posts from a thread found inside the body, then from trafilatura's comments."""
    posts = threads.split_posts(page)
    if extracted.comments.strip():
        thread = thread_page(extracted.comments, page.lang, cleaner.rulebook)
        more = threads.split_posts(thread)
        if is_thread(more):
            posts = posts + tuple(Post(p.index + len(posts), p.text) for p in more)
        else:
            page.removed.extend(Removal("heuristic/not-a-thread", p.text) for p in more)
        page.removed.extend(thread.removed)
    return posts


def finish(doc: Document, extracted: Extracted, cleaner) -> Cleaned:
    """The text flow over what trafilatura extracted: rules on the body, posts from the comments."""
    page = body_page(extracted.body, cleaner)
    posts = comment_posts(extracted, page, cleaner)
    page.removed[:0] = extracted.removed
    page.title = extracted.meta.get("title", "")
    return cleaner.assemble(doc, page, posts, extra_meta=extracted.meta)


def clean_html(doc: Document, cleaner) -> Cleaned:
    """The HTML path for one page, within the per-document time limit."""
    with time_limit(cleaner.options.timeout):
        return finish(doc, extract(doc, cleaner.rulebook), cleaner)


def explain_lines(doc: Document, cleaner) -> list[Line]:
    """Pruned elements, the labelled lines of the body, then the comment lines, for `cleaner explain`."""
    with time_limit(cleaner.options.timeout):
        extracted = extract(doc, cleaner.rulebook)
        page = body_page(extracted.body, cleaner)
        comment_posts(extracted, page, cleaner)
        thread = Page(lines=split_lines(extracted.comments), lang=page.lang) if extracted.comments.strip() else None
        if thread is not None:
            apply_rules(thread, cleaner.rulebook)
            thread.comments_from = 0
            thread.signals.add("forum")
            threads.split_posts(thread)
    pruned = [Line(0, r.text, Label.DROP, r.rule) for r in extracted.removed]
    lines = pruned + page.lines
    if thread is not None:
        lines += [Line(0, "")] + [replace(line, no=len(page.lines) + 1 + line.no) for line in thread.lines]
    return lines
