"""A datatrove pipeline step: `from cleaner.datatrove import CleanerStep` (the `datatrove` extra).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.datatrove import CleanerStep

    LocalPipelineExecutor(pipeline=[WarcReader("crawl/"), CleanerStep(), JsonlWriter("clean/")], tasks=4).run()

Each document's text is replaced by the clean article; its title, comment posts, removals (rule
and text), page type and language go into its metadata under `cleaner_*` keys. A document that
comes out empty or cannot be cleaned is dropped and counted in datatrove's stats
(`dropped_empty`, `dropped_error`), as are the characters removed per rule (`removed/RULE`).
"""

from __future__ import annotations

import re
from typing import Iterator

from .distribution import install_hint
from .model import Document, Kind
from .options import Options
from .pipeline import Cleaner

try:
    from datatrove.data import Document as DatatroveDocument, DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
    from datatrove.utils.typeshelper import StatHints
except ImportError as exc:  # pragma: no cover - the message is the point
    raise ImportError(f"cleaner.datatrove needs datatrove: {install_hint('datatrove')}") from exc

MARKUP = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)


def kind_of(text: str) -> Kind:
    """HTML when the text opens as an HTML page (as WarcReader's responses do), else plain text."""
    return Kind.HTML if MARKUP.match(text[:4096]) else Kind.TEXT


class CleanerStep(PipelineStep):
    """Clean each document's text with cleaner's rules and heuristics; drop what comes out empty.

    `kind`: "html", "text", or "auto" (HTML when the text opens as a page). `options`: the
    `cleaner.Options` of the run (rule directories, disabled rules, limits).
    """

    name = "🧹 cleaner"
    type = "✂️ - CLEAN"

    def __init__(self, options: Options | None = None, kind: str = "auto"):
        super().__init__()
        if kind != "auto":
            kind = Kind(kind).value  # a bad kind fails when the pipeline is built, not on the first document
        self.options, self.kind = options or Options(), kind
        self._cleaner: Cleaner | None = None

    @property
    def cleaner(self) -> Cleaner:
        """Built on first use, in the worker that runs the step (the step itself is pickled to workers)."""
        if self._cleaner is None:
            self._cleaner = Cleaner(self.options)
        return self._cleaner

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_cleaner": None}

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> Iterator[DatatroveDocument]:
        for doc in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                kept = self.clean(doc)
            if kept:
                self.stat_update(StatHints.forwarded)
                self.update_doc_stats(doc)
                yield doc
            else:
                self.stat_update(StatHints.dropped)

    def clean(self, doc: DatatroveDocument) -> bool:
        """Clean one document in place; False when it is to be dropped (counted by the reason)."""
        kind = kind_of(doc.text) if self.kind == "auto" else Kind(self.kind)
        url = doc.metadata.get("url")
        meta = {"url": url} if isinstance(url, str) else {}
        try:
            result = self.cleaner.clean(Document(id=str(doc.id), kind=kind, content=doc.text, meta=meta, source=str(doc.id)))
        except Exception as exc:  # noqa: BLE001 - one bad document must not end the task
            self.stat_update("dropped_error")
            doc.metadata["cleaner_error"] = f"{type(exc).__name__}: {exc}"
            return False
        for removal in result.removed:
            self.stat_update(f"removed/{removal.rule}", value=len(removal.text), unit="chars")
        doc.text = result.text
        page_type = result.meta.get("page_type") or ""
        doc.metadata.update({
            "cleaner_title": result.title,
            "cleaner_comments": [post.text for post in result.comments],
            "cleaner_removed": [{"rule": r.rule, "text": r.text} for r in result.removed],
            "cleaner_language": result.meta.get("language", ""),
            "cleaner_page_type": getattr(page_type, "value", page_type),
        })
        if not result.text.strip():
            self.stat_update("dropped_empty")
            return False
        return True
