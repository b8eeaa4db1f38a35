"""Two-line use from Python: clean one HTML page or one text, get the Cleaned result.

>>> import cleaner
>>> page = cleaner.clean_text("Home | News | Contact\\n\\nThe council approved the new budget on Tuesday after a long debate.\\nMembers said the plan keeps every library open.\\n\\nShare this article")
>>> page.text
'The council approved the new budget on Tuesday after a long debate.\\nMembers said the plan keeps every library open.'
>>> [(r.rule, r.text) for r in page.removed]   # every removal carries its reason
[('web/navigation/breadcrumb', 'Home | News | Contact'), ('lang/en/share', 'Share this article')]
>>> record = page.to_dict()   # the JSONL record `cleaner clean` writes, a dolma document
>>> record["text"] == page.text, record["source"]
(True, 'cleaner')
"""

from __future__ import annotations

from .model import Cleaned, Document, Kind
from .options import Options
from .pipeline import Cleaner

__all__ = ["Cleaner", "Options", "clean_html", "clean_text"]

_DEFAULT: Cleaner | None = None


def _default() -> Cleaner:
    """The built-in rules compiled once per process, on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Cleaner()
    return _DEFAULT


def clean_html(html: str, url: str | None = None, *, id: str | None = None) -> Cleaned:
    """Clean one raw HTML page; `url` helps the extractor (and becomes the metadata's `url`).

    >>> page = clean_html("<html><head><title>Budget passes</title></head><body><nav><a href='/'>Home</a></nav>"
    ...                   "<article><h1>Budget passes</h1><p>The council approved the new budget on Tuesday after a long debate "
    ...                   "that ran well into the night.</p><p>Members said the plan keeps every library in the city open.</p>"
    ...                   "</article><footer>Copyright 2024 City News</footer></body></html>", url="https://news.example/budget")
    >>> page.title
    'Budget passes'
    >>> "every library" in page.text, "Copyright" in page.text
    (True, False)
    """
    meta = {"url": url} if url else {}
    return _default().clean(Document(id=id or url or "", kind=Kind.HTML, content=html, meta=meta, source=url or ""))


def clean_text(text: str, *, id: str = "") -> Cleaned:
    """Clean one text a scraper already flattened (lines, paragraphs apart by blank lines)."""
    return _default().clean(Document(id=id, kind=Kind.TEXT, content=text))
