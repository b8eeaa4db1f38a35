"""One page to an Extracted record: parse, selector rules, tree heuristics, trafilatura, second opinions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ..model import Document, Removal
from ..options import HtmlThresholds
from ..profiles import ARTICLE, Profile
from ..rulebook import Rulebook
from .metadata import declared_language, metadata
from .opinions import justext_opinion, page_chars, second_opinion, tables_opinion
from .parse import parse
from .prune import (drop_after_thread, drop_hidden_copies, drop_link_lists, drop_nested_posts, keep_embedded_tweets,
                    merge_body_parts, unwrap_layout_tables, wrap_loose_text)
from .selectors import Names, Thread, selectors_for

RESET_CACHES_EVERY = 500  # documents between trafilatura cache resets (memory stays flat)


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
    held_back: tuple[str, ...] = ()  # drop selector rules that would have taken most of the page's prose
    added: tuple[tuple[str, float], ...] = ()  # blocks the body left out that the block scorer put back, with scores
    dropped: tuple[tuple[str, float], ...] = ()  # body lines the block scorer took out, with their blocks' scores


_COUNT = 0


def _tick() -> None:
    """Reset trafilatura's caches every RESET_CACHES_EVERY documents, so memory stays flat."""
    global _COUNT
    _COUNT += 1
    if _COUNT % RESET_CACHES_EVERY == 0:
        from trafilatura.meta import reset_caches

        reset_caches()


@dataclass(frozen=True)
class Parsed:
    """A page parsed once, with its class and id names and its URL (if known): what the page-type stage
    reads before `extract` prunes the tree in place."""

    tree: etree._Element | None
    names: Names | None
    url: str | None


def parse_page(doc: Document) -> Parsed:
    _tick()
    tree = parse(doc.content)
    url = doc.meta.get("url") if isinstance(doc.meta.get("url"), str) else None
    return Parsed(tree, Names.of(tree) if tree is not None else None, url)


def extract(parsed: Parsed, rulebook: Rulebook, profile: Profile = ARTICLE, t: HtmlThresholds = HtmlThresholds(),
            share: float = 1.0) -> Extracted:
    """Apply the selector rules and the tree heuristics, run trafilatura, and get a second opinion
    where its body looks wrong (jusText, tables kept, precision mode), as the page type's profile
    says; never fetches the page's URL. The tree is pruned in place."""
    import trafilatura

    tree, names, url = parsed.tree, parsed.names, parsed.url
    if tree is None:
        return Extracted("", "", {})
    compiled = selectors_for(rulebook)
    pruned, held = compiled.prune(tree, names, share)
    removed = tuple(pruned)
    thread = compiled.thread(tree, names, t, profile.loose_posts)
    removed += tuple(drop_after_thread(tree, thread, t))
    if profile.link_lists:
        removed += tuple(drop_link_lists(tree, t))
    removed += tuple(drop_hidden_copies(tree, names, t))
    removed += tuple(drop_nested_posts(tree, names))
    if "twitter-tweet" in names.tokens:
        keep_embedded_tweets(tree)
    merge_body_parts(tree, names)
    unwrapped = unwrap_layout_tables(tree)
    wrap_loose_text(tree, t)
    # bare_extraction works on a copy of the tree, so the metadata pass below sees it unchanged.
    # favor_recall (articles): what trafilatura adds in recall mode the line rules mostly take out
    # again, what it misses in balanced mode (its fallbacks' shorter picks) nothing brings back.
    result = trafilatura.bare_extraction(tree, url=url, include_comments=True, with_metadata=False,
                                         **profile.trafilatura_options())
    meta = metadata(tree, url)
    lang = declared_language(tree)
    if result is None:  # trafilatura discarded the page: its plain-text baseline is the fallback
        _body, text, _length = trafilatura.baseline(tree)
        if text.strip():
            meta["extractor"] = "trafilatura-baseline"
        return Extracted(text, "", meta, removed, thread, lang, tuple(held))
    if not profile.opinions:
        return Extracted(result.text or "", result.comments or "", meta, removed, thread, lang, tuple(held))
    shown = page_chars(tree)
    body, dropped = justext_opinion(tree, result.text or "", shown, lang, t)
    if body == (result.text or ""):
        result = tables_opinion(tree, unwrapped, result, url, shown, t)
        body, dropped = second_opinion(tree, result.text or "", meta, url, t)
    return Extracted(body, result.comments or "", meta, removed + dropped, thread, lang, tuple(held))


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


def thread_sources(extracted: Extracted) -> list[tuple[str, frozenset[int]]]:
    """Thread sources, best first: what the selector rules cut out, then trafilatura's comments."""
    out = []
    if extracted.thread is not None and extracted.thread.lines:
        out.append(("\n".join(extracted.thread.lines), extracted.thread.boundaries))
    if extracted.comments.strip():
        out.append((extracted.comments, frozenset()))
    return out

