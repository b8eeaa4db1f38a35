"""The one document type and the records that flow through the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Mapping


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
    """Text that left the article and why; `line` is 1-based in the document's lines."""

    rule: str
    text: str
    line: int = 0

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
