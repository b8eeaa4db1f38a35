"""Line helpers every stage shares: one form of a document's text, its Lines, and the folded forms lines are compared in.

- normalise / split_lines / join_lines: a document's text to numbered Lines and kept lines back to text;
- fold / trim / fold_words / word_count: the forms a line is compared and counted in (rules, titles, quotes);
- language_sample / detect_language: the text the language is told from, and its ISO code.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

import regex

from .model import Line

# --------------------------------------------------------------------------- a document's lines

_NEWLINES = regex.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_OTHER_NEWLINES = "\r\u2028\u2029\x0b\x0c\x85"  # a text without any of these needs no _NEWLINES pass
INVISIBLE = "\u200b\u200c\u200d\u2060"  # zero-width space, non-joiner, joiner, word joiner: no width, no word
_TRAILING = " \t\u00a0" + INVISIBLE  # a line of nothing but these is empty
MAX_EMPTY_RUN = 2  # empty lines kept in a row; more mean nothing more, and each would cost every stage time


def normalise(content: str) -> str:
    """One newline convention, NFC, no BOM, no trailing spaces: what every stage assumes.

    U+FEFF goes wherever it stands: mid-text it is a stray BOM from glued files, and keeping
    it there would make a second clean strip it once the lines above it are gone.
    """
    content = content.replace("\ufeff", "")
    if any(c in content for c in _OTHER_NEWLINES):  # a few scans in C are cheaper than one regex pass
        content = _NEWLINES.sub("\n", content)
    content = unicodedata.normalize("NFC", content)
    return "\n".join([line.rstrip(_TRAILING) for line in content.split("\n")])  # 5x a multiline regex sub


def visible(text: str) -> str:
    """The text without zero-width characters, for matching: `Share\u200b this` is the line a rule names.

    The output keeps them (a joiner inside an emoji or a Persian word means something); only
    rules and comparisons look past them.
    """
    if text.isascii() or not any(c in text for c in INVISIBLE):
        return text
    return "".join(c for c in text if c not in INVISIBLE)


def split_lines(content: str) -> list[Line]:
    """Lines numbered as in the document; a run of empty lines is kept to MAX_EMPTY_RUN (1,000,000 of them cost nothing)."""
    text = normalise(content)
    parts = text.split("\n")
    if "\n" * (MAX_EMPTY_RUN + 2) not in text:
        return [Line(i + 1, t) for i, t in enumerate(parts)]
    lines, run = [], 0
    for i, t in enumerate(parts):
        run = 0 if t else run + 1
        if run <= MAX_EMPTY_RUN:
            lines.append(Line(i + 1, t))
    return lines


def join_lines(lines: Sequence[Line], indexes: list[int]) -> str:
    """Join the lines at `indexes`, keeping a blank line where the source had one between them."""
    parts: list[str] = []
    prev = None
    for i in indexes:
        if prev is not None:
            parts.append("\n\n" if any(lines[j].blank for j in range(prev + 1, i)) else "\n")
        parts.append(lines[i].text.strip())
        prev = i
    return "".join(parts).strip()


# --------------------------------------------------------------------------- folded forms

_WORD = regex.compile(r"\w+")
_ASCII_WORD = re.compile(r"\w+")  # the same words on ASCII text, found by the faster stdlib engine
_LEAD = regex.compile(r"[\W_]+")
_TRAIL = regex.compile(r"(?r)[\W_]+")  # searched backwards from the end: a long line costs no scan
_SPACE = regex.compile(r"\s+")
_ASCII_EDGE = "".join(c for c in map(chr, range(128)) if not c.isalnum())  # [\W_] of ASCII text, space included
_SPLIT_ONLY = re.compile("[\x1c-\x1f]")  # the only characters str.split() splits at and regex's \s does not


def fold(text: str) -> str:
    """Case- and space-folded form of a whole line, edge punctuation ignored."""
    return trim(text.casefold())


def trim(text: str) -> str:
    """Space-collapsed text without the punctuation at its edges ('» Home |' -> 'Home')."""
    plain = _SPLIT_ONLY.search(text) is None
    if plain and text.isascii():
        return " ".join(text.split()).strip(_ASCII_EDGE)  # the same as below, without the regex engine
    text = " ".join(text.split()) if plain else _SPACE.sub(" ", text)  # the edges' spaces go with their punctuation
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    trail = _TRAIL.match(text, start)  # anchored at the end, searching backwards
    return text[start:trail.start() if trail else len(text)].strip()


def fold_words(text: str) -> list[str]:
    """fold(text).split(), without rewriting a long text's spaces first: only its edge words lose punctuation.

    regex's \\s is a subset of what str.split() splits at, so collapsing spaces changes no word.
    """
    words = text.casefold().split()
    lo, hi = 0, len(words)
    while lo < hi and _LEAD.fullmatch(words[lo]):
        lo += 1
    while hi > lo and _LEAD.fullmatch(words[hi - 1]):
        hi -= 1
    words = words[lo:hi]
    if words:
        first = words[0]
        lead = _LEAD.match(first)
        start = lead.end() if lead else 0
        trail = _TRAIL.match(first, start) if len(words) == 1 else None
        words[0] = first[start:trail.start() if trail else len(first)]
        if len(words) > 1:
            last = words[-1]
            trail = _TRAIL.match(last)
            words[-1] = last[:trail.start() if trail else len(last)]
    return words


def word_count(text: str) -> int:
    """The \\w+ words of a text (what a rule's max_words counts)."""
    return len((_ASCII_WORD if text.isascii() else _WORD).findall(text))


# --------------------------------------------------------------------------- language

LANG_SAMPLE_CHARS = 600  # characters the language detector reads: enough prose, cheap to classify


def language_sample(lines: list[Line], chars: int = LANG_SAMPLE_CHARS) -> str:
    """The page's longest lines, up to `chars`: its prose, not the menus at its top (and cheap to classify)."""
    picked, total = [], 0
    for line in sorted(lines, key=lambda line: len(line.text), reverse=True):
        if total >= chars or not line.text.strip():
            break
        picked.append(line)
        total += len(line.text)
    return "\n".join(line.text for line in sorted(picked, key=lambda line: line.no))[: 2 * chars]


from .language import detect_language  # noqa: E402,F401 - a stop-word vote first, py3langid where it is unsure
