"""What the extractor left out of a page, for `explain`: the page's visible text lines that are in
neither the article, nor a comment thread, nor what a selector rule removed.

So on the HTML path too every line of the page carries its reason: the lines trafilatura did not
take show as `extractor/left-out`.
"""

from __future__ import annotations

from typing import Iterable

from ..markdown import key
from .parse import parse

REASON = "extractor/left-out"
BLOCKS = ("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption", "figure",
          "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
          "section", "table", "td", "th", "tr", "ul", "option", "button", "label")
INVISIBLE = "//script|//style|//noscript|//template|//head|//*[@hidden]"


def visible_lines(content: str) -> list[str]:
    """The page's text, one line per block element, spaces folded (what a reader sees, roughly)."""
    root = parse(content)
    if root is None:
        return []
    for el in root.xpath(INVISIBLE):
        if el.getparent() is not None:
            el.drop_tree()
    for el in root.iter(*BLOCKS):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    return [folded for line in root.text_content().split("\n") if (folded := " ".join(line.split()))]


def left_out(content: str, seen: Iterable[str]) -> list[str]:
    """Visible lines of the page that no seen text (article, thread, removal) holds."""
    known = {key(text) for text in seen if text.strip()}
    everything = "\n".join(known)
    out = []
    for line in visible_lines(content):
        k = key(line)
        if any(c.isalnum() for c in k) and k not in known and k not in everything:
            out.append(line)
    return out
