"""The one document type and the records that flow through the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Iterable, Mapping


class Kind(str, Enum):
    """What the content of a document is: already flattened text, or raw HTML."""

    TEXT = "text"
    HTML = "html"


class PageType(str, Enum):
    """What kind of page a document is; the pipeline picks its decisions by it (WCXB's seven types)."""

    ARTICLE = "article"
    FORUM = "forum"
    PRODUCT = "product"
    COLLECTION = "collection"
    LISTING = "listing"
    DOCUMENTATION = "documentation"
    SERVICE = "service"


class Label(str, Enum):
    """Where a line ends up: in the article, out of it, or in the comment thread."""

    UNDECIDED = "undecided"
    KEEP = "keep"
    TITLE = "title"
    DROP = "drop"
    COMMENT = "comment"


@dataclass(frozen=True)
class Document:
    """One input document; `source` names where it came from for error messages."""

    id: str
    kind: Kind
    content: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, Kind):  # "html" must not silently take the text path
            try:
                object.__setattr__(self, "kind", Kind(self.kind))
            except ValueError:
                kinds = ", ".join(repr(k.value) for k in Kind)
                raise ValueError(f"Document kind must be one of {kinds} (or a Kind), got {self.kind!r}") from None


@dataclass(frozen=True, init=False)
class Line:
    """One line of a document with its fate and the reason for it (a rule or heuristic id).

    `blank` (no visible text) is set with the line, not a field: every stage asks it of every line.
    """

    no: int
    text: str
    label: Label = Label.UNDECIDED
    reason: str = ""
    if TYPE_CHECKING:  # set by __init__; not a field, so no part of eq, hash or repr
        blank: bool

    def __init__(self, no: int, text: str, label: Label = Label.UNDECIDED, reason: str = ""):
        # A page makes two Lines per line and pass (split, relabel): filling __dict__ directly takes 0.46 us
        # where the frozen dataclass's four object.__setattr__ calls take 0.70; assignment still raises.
        fields = self.__dict__
        fields["no"], fields["text"], fields["label"], fields["reason"] = no, text, label, reason
        fields["blank"] = not text.strip()

    def relabel(self, label: Label, reason: str | None = None) -> "Line":
        """This line with another label (and reason): dataclasses.replace without its per-field introspection."""
        return Line(self.no, self.text, label, self.reason if reason is None else reason)


@dataclass(frozen=True)
class Removal:
    """Text that left the article and why; `line` is 1-based in the document's lines.

    `span` is (start, end) of the text in the document as the line stages read it (its lines
    joined by newlines), set when the result is assembled; None where it cannot be placed.
    """

    rule: str
    text: str
    line: int = 0
    span: tuple[int, int] | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        return {"rule": self.rule, "text": self.text, "line": self.line}


@dataclass(frozen=True)
class Post:
    """One post of a comment thread, in page order."""

    index: int
    text: str

    def to_json(self) -> dict:
        return {"index": self.index, "text": self.text}


@dataclass(frozen=True)
class Cleaned:
    """The result for one document: clean article, separated comments, and what was removed."""

    id: str
    title: str
    text: str
    comments: tuple[Post, ...] = ()
    removed: tuple[Removal, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[Line, ...] = ()
    source: str = ""  # where the document came from (its Document.source)

    def to_dict(self, *, source: str | None = None, removed: bool = True) -> dict:
        """The JSONL output record, a dolma document: every writer emits exactly this.

        `source` names the dataset (default: the input's name). Where known, `added` is when the
        data was acquired (the input record's own `added`, else the crawl's WARC date) and `created`
        when the page was (its own date, else the input record's `created`, else the WARC date);
        both come from the input, so the same input always gives the same record.
        Removals are listed under `removed` and as character spans under `attributes`, as
        dolma's taggers write them; `removed=False` leaves both out.
        """
        record: dict[str, Any] = {"id": self.id, "source": source or input_name(self.source)}
        for key, candidates in (("added", ("added", "warc_date")), ("created", ("date", "created", "warc_date"))):
            value = next((v for v in map(self.meta.get, candidates) if isinstance(v, str) and v), None)
            if value:
                record[key] = value
        record.update(title=self.title, text=self.text, comments=[{"text": p.text} for p in self.comments])
        if removed:
            record["removed"] = [{"rule": r.rule, "text": r.text} for r in self.removed]
            record["attributes"] = removal_spans(self.removed)
        record["metadata"] = dict(self.meta)
        return record

    def article_file_text(self) -> str:
        """The article as written to a .txt file: title, blank line, body."""
        if self.title and self.text:
            return f"{self.title}\n\n{self.text}\n"
        return (self.title or self.text) + "\n" if (self.title or self.text) else ""


@dataclass(frozen=True)
class Failure:
    """A document that could not be cleaned; it is reported, never silently lost."""

    id: str
    source: str
    stage: str
    message: str

    def to_json(self) -> dict:
        return {"id": self.id, "source": self.source, "stage": self.stage, "message": self.message}


ATTRIBUTE_PREFIX = "cleaner__removed__"  # dolma's experiment__tagger naming: one attribute per rule or heuristic
_INPUT_SUFFIXES = (".gz", ".zst", ".jsonl", ".json", ".parquet", ".warc", ".wet", ".txt", ".html", ".htm")


def removal_spans(removed: tuple[Removal, ...]) -> dict[str, list[list]]:
    """Removals as dolma attributes: {"cleaner__removed__RULE": [[start, end, 1.0], ...]}."""
    spans: dict[str, list[list]] = {}
    for r in removed:
        if r.span is not None:
            spans.setdefault(ATTRIBUTE_PREFIX + r.rule, []).append([r.span[0], r.span[1], 1.0])
    return spans


def input_name(where: str) -> str:
    """The dataset name of a document's source: its input file's name without suffixes (`crawl` for crawl.jsonl.zst:12)."""
    if not where:
        return "cleaner"
    name = where
    for mark in (":", "@"):  # file.jsonl:12, crawl.warc.gz@1234
        head, sep, tail = name.rpartition(mark)
        if sep and tail.isdigit():
            name = head
    name = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if name in ("-", "<stdin>", "stdin"):
        return "stdin"
    while name.lower().endswith(_INPUT_SUFFIXES):
        name = name[: name.rfind(".")]
    return name or "cleaner"


def place_removals(lines: Iterable[Line], removed: Iterable[Removal]) -> tuple[Removal, ...]:
    """Each removal with its span in the lines joined by newlines (where its text is found on its line)."""
    starts: dict[int, tuple[int, str]] = {}
    offset = 0
    for line in lines:
        starts.setdefault(line.no, (offset, line.text))
        offset += len(line.text) + 1
    placed = []
    for r in removed:
        start, text = starts.get(r.line, (0, ""))
        at = text.find(r.text) if r.text else -1
        placed.append(Removal(r.rule, r.text, r.line, (start + at, start + at + len(r.text))) if at >= 0 else r)
    return tuple(placed)
