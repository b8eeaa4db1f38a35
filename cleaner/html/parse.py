"""Parsing a page once, within the per-document time limit.

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
Single C calls are bounded besides: the parser keeps libxml2's limits (no huge_tree), and a
page's size is bounded by --max-bytes (Cleaner.check_size), the one size limit there is. Off the main thread (no signals
there) and on platforms without setitimer no limit is set.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import re
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

import lxml.html
from lxml import etree

LIBXML_LIMIT = 9_000_000  # bytes: libxml2 refuses a text node (or buffer) of 10 MB unless huge_tree is on
SURROGATE = re.compile("[\ud800-\udfff]")
RETRY_INTERVAL = 0.25  # seconds between repeated alarms once the deadline has passed
HARD_GRACE = 10.0  # seconds past the limit (at least the limit again) before a stuck worker is ended


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


def _parser(utf8: bool = False, huge: bool = False) -> etree.HTMLParser:
    """One parser per thread (lxml parsers must not be shared between threads); `utf8` for bytes we encoded.

    `huge` lifts libxml2's own 10 MB limits for a page that large: --max-bytes, checked before
    parsing, is then the one size limit.
    """
    name = f"parser{'_utf8' if utf8 else ''}{'_huge' if huge else ''}"
    parser = getattr(_LOCAL, name, None)
    if parser is None:
        # HTMLParser never loads DTDs nor expands external entities; no_network forbids any fetch.
        parser = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True,
                                      remove_pis=True, no_network=True, huge_tree=huge,
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

    if not content.isascii():
        content = SURROGATE.sub("\ufffd", content)  # a lone surrogate would end libxml2's input there
    huge = len(content) * (1 if content.isascii() else 4) > LIBXML_LIMIT
    content = repair_faulty_html(content, content[:50].lower())
    try:
        tree = lxml.html.fromstring(content, parser=_parser(huge=huge))
    except ValueError:  # a str with an XML encoding declaration: hand lxml bytes
        tree = None
    except etree.ParserError:
        return None
    parser = _parser(huge=huge)
    if tree is None or len(tree) < 1:
        parser = _parser(utf8=True, huge=huge)  # the text is already decoded: a declared charset must not re-decode it
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
