"""Element helpers the HTML stages share: an element's text, removing one, and text reduced to its words."""

from __future__ import annotations

import re

from lxml import etree

REMOVED_TEXT_CHARS = 200  # a pruned element's text is recorded up to this length
SKIP_TAGS = frozenset(
    "script style noscript template iframe svg button select option textarea input object embed canvas "
    "map head title meta link".split()
)
NO_TEXT = frozenset(("script", "style", "noscript", "template", "head", "title", "textarea", "select", "option"))
SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def element_text(el: etree._Element) -> str:
    """An element's text, spaces folded, cut to REMOVED_TEXT_CHARS: what a Removal records of it."""
    text = SPACE.sub(" ", "".join(el.itertext())).strip()
    return text if len(text) <= REMOVED_TEXT_CHARS else text[: REMOVED_TEXT_CHARS - 1] + "…"


def drop_keep_tail(el: etree._Element) -> None:
    """Remove an element but keep the text that follows it (its tail) in place."""
    parent = el.getparent()
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def plain_words(text: str) -> str:
    """The text's lowercased \\w+ words joined by single spaces: the form copies of a text are found in."""
    return " ".join(_WORD.findall(text.lower()))
