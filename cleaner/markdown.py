"""The article as Markdown (`--format markdown`): headings, lists, real tables and, with links, links.

HTML path: trafilatura's own Markdown rendering of the page, kept line by line where the
cleaned article kept that line (so rules and heuristics decide, as for plain text, and the
Markdown only adds the structure). Text path: the flattened page has no headings or links
left, but its lists stay lists and its table rows (cells joined by TAB, as scrapers save
them) become a Markdown table.
"""

from __future__ import annotations

import re
from typing import Callable

from .model import Cleaned, Document, Kind

_LEAD = re.compile(r"^\s*(?:#{1,6}\s+|[-*+•]\s+|\d+[.)]\s+|>\s*)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def key(line: str) -> str:
    """A line's words without Markdown: how a Markdown line is matched to a kept plain line."""
    plain = _EMPHASIS.sub("", _LINK.sub(r"\1", _LEAD.sub("", line)))
    return " ".join(plain.replace("|", " ").split()).casefold()


def from_html(doc: Document, cleaned: Cleaned, links: bool) -> str:
    """trafilatura's Markdown of the page, keeping the lines the cleaned article kept."""
    import trafilatura

    url = doc.meta.get("url") if isinstance(doc.meta.get("url"), str) else None
    rendered = trafilatura.extract(doc.content, url=url, output_format="markdown", include_formatting=True,
                                   include_tables=True, include_links=links, include_comments=False,
                                   favor_recall=True, with_metadata=False) or ""
    kept = {key(line) for line in cleaned.text.splitlines() if line.strip()}
    out: list[str] = []
    in_table = False
    for line in _blocks(rendered):
        if _SEPARATOR.match(line):
            if in_table:
                out.append(line.rstrip())
            continue
        k = key(line)
        keep = bool(k) and k in kept
        in_table = keep and line.lstrip().startswith("|")
        if keep:
            out.append(line.rstrip())
        elif not line.strip() and out and out[-1]:
            out.append("")
    return "\n".join(out).strip()


_BLOCK = re.compile(r"^\s*(?:#{1,6}\s|[-*+•]\s|\d+[.)]\s|>|\|)")


def _blocks(rendered: str) -> list[str]:
    """Markdown lines with a paragraph's wrapped lines joined (trafilatura keeps the source's line breaks)."""
    out: list[str] = []
    for line in rendered.splitlines():
        if out and out[-1].strip() and line.strip() and not _BLOCK.match(line) and not _BLOCK.match(out[-1]):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return out


def from_text(doc: Document, cleaned: Cleaned, links: bool) -> str:
    """The cleaned text with its TAB-separated rows as Markdown tables (lists and paragraphs stay as they are)."""
    out: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(len(r) for r in rows)
            cells = [r + [""] * (width - len(r)) for r in rows]
            out.append(_row(cells[0]))
            out.append("|" + "---|" * width)
            out.extend(_row(r) for r in cells[1:])
            rows.clear()

    for line in cleaned.text.split("\n"):
        if "\t" in line.strip("\t ") or (rows and "\t" in line):
            rows.append([c.strip() for c in line.strip().split("\t")])
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


RENDER: dict[Kind, Callable[[Document, Cleaned, bool], str]] = {Kind.HTML: from_html, Kind.TEXT: from_text}


def render(doc: Document, cleaned: Cleaned, links: bool = False) -> str:
    """The cleaned article of `doc` as Markdown."""
    return RENDER[doc.kind](doc, cleaned, links)
