"""The one document type and the records that flow through the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .features import LineFeatures, features


class Named(str, Enum):
    """A kind written as a plain string in files, messages and JSON: it prints, formats and compares as its value."""

    __str__ = str.__str__
    __format__ = str.__format__


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


class SourceKind(Named):
    """What an input source is: a text or HTML file, a JSONL file of records, or a WARC archive."""

    FILE = "file"
    JSONL = "jsonl"
    WARC = "warc"
    PARQUET = "parquet"


class RunMode(Named):
    """How a run writes: a mirror of the input tree, numbered shards, or one stream on stdout."""

    MIRROR = "mirror"
    SHARDS = "shards"
    STDOUT = "stdout"


class MatchKind(Named):
    """How a rule matches: a whole line, a regex over a line, a regex cut out of a line, or a CSS selector."""

    LINE = "line"
    REGEX = "regex"
    STRIP = "strip"
    SELECTOR = "selector"


class Action(Named):
    """What a rule does where it matches."""

    DROP = "drop"
    STRIP = "strip"
    TRUNCATE = "truncate"
    COMMENTS_START = "comments-start"
    POST_BOUNDARY = "post-boundary"


class Where(Named):
    """Where on the page a rule may fire: anywhere, before the first prose line (head), or from it on (tail)."""

    ANYWHERE = "anywhere"
    HEAD = "head"
    TAIL = "tail"


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


@dataclass(frozen=True, init=False)
class Removal:
    """Text that left the article and why; `line` is 1-based in the document's lines.

    `span` is (start, end) of the text in the document as the line stages read it (its lines
    joined by newlines), set when the result is assembled; None where it cannot be placed.
    """

    rule: str
    text: str
    line: int = 0
    span: tuple[int, int] | None = field(default=None, compare=False)

    def __init__(self, rule: str, text: str, line: int = 0, span: tuple[int, int] | None = None):
        # Made twice per removed line (when it leaves, when it is placed): filled as Line is, for the same reason.
        fields = self.__dict__
        fields["rule"], fields["text"], fields["line"], fields["span"] = rule, text, line, span

    def to_json(self) -> dict:
        return {"rule": self.rule, "text": self.text, "line": self.line}


@dataclass(frozen=True)
class Post:
    """One post of a comment thread, in page order."""

    index: int
    text: str

    def to_json(self) -> dict:
        return {"index": self.index, "text": self.text}


class LineKind(IntEnum):
    """What a line is to the core search (text.page_shape): an int, so a page's kinds are a plain list."""

    BLANK = 0
    GOOD = 1
    NEAR = 2
    PLAIN = 3
    NAV = 4
    CHROME = 5
    TEMPLATE = 6


@dataclass
class RegexBudget:
    """Regex time of one document: a rule that timed out is skipped for the rest of the document.

    Without this a catastrophic pattern would cost the match timeout on every line it meets, so
    a long page could still stall a run. The pipeline gives each document (each pass of the text
    path) one budget, shared by its pages; the rules that timed out are reported in the document's
    metadata (`rule_timeouts`) and report.json, and the other rules still run.
    """

    timed_out: set[str] = field(default_factory=set)
    timeouts: list[str] = field(default_factory=list)  # rule ids in the order they timed out

    def time_out(self, rule_id: str) -> None:
        self.timed_out.add(rule_id)
        self.timeouts.append(rule_id)


@dataclass
class Page:
    """Working state of one document on its way through the line stages."""

    lines: list[Line]
    lang: str = "en"
    removed: list[Removal] = field(default_factory=list)
    signals: set[str] = field(default_factory=set)
    boundaries: set[int] = field(default_factory=set)  # indexes of lines that start a post
    title: str = ""
    title_index: int | None = None
    comments_from: int | None = None  # index of the first line of the comment thread
    line_signals: dict[int, tuple[str, ...]] = field(default_factory=dict)  # signals of the rule that fired
    posts: tuple = ()  # the comment thread's posts, once threads.split_posts has run
    truncates: list[tuple[int, str]] = field(default_factory=list)  # (line index, rule id) of truncate markers
    thread_marks: list[int] = field(default_factory=list)  # lines where a comments-start rule fired
    template: set[int] = field(default_factory=set)  # lines that recur across the corpus (corpus.CorpusLines)
    held_back: list[str] = field(default_factory=list)  # rules not applied because they would empty the article
    budget: RegexBudget = field(default_factory=RegexBudget)  # the document's, shared by its pages
    cache: dict = field(default_factory=dict, repr=False)  # per-page results of the heuristics (text.page_shape)

    def label(self, i: int, label: Label, reason: str, removed_text: str | None = None) -> None:
        line = self.lines[i]
        self.lines[i] = Line(line.no, line.text, label, reason)
        if label is Label.DROP and not line.blank:
            rule = reason.partition(" ")[0]  # "model/line 0.12": the score shows in explain, the rule id is model/line
            self.removed.append(Removal(rule, line.text if removed_text is None else removed_text, line.no))

    def keep(self, indexes) -> None:
        """Keep these lines after all: a removal recorded for one of them leaves the record too."""
        taken_back = set()
        for i in indexes:
            line = self.lines[i]
            if line.label is Label.DROP:
                taken_back.add((line.no, line.reason.partition(" ")[0]))
            self.lines[i] = line.relabel(Label.KEEP, "")
        if taken_back:
            self.removed[:] = [r for r in self.removed if (r.line, r.rule) not in taken_back]

    def strip(self, i: int, new_text: str, reason: str, removed_text: str) -> None:
        self.cache.clear()
        line = self.lines[i]
        self.removed.append(Removal(reason, removed_text, line.no))
        self.lines[i] = Line(line.no, new_text, Label.DROP if not new_text.strip() else line.label, reason)

    def undecided(self, start: int = 0, stop: int | None = None) -> list[int]:
        lines, undecided = self.lines, Label.UNDECIDED
        stop = len(lines) if stop is None else stop
        return [i for i in range(start, stop) if lines[i].label is undecided and not lines[i].blank]

    def keep_undecided(self, stop: int) -> None:
        """Every line before `stop` that no stage labelled is kept."""
        for i in self.undecided(0, stop):
            self.lines[i] = self.lines[i].relabel(Label.KEEP)

    def features(self, i: int) -> LineFeatures:
        return features(self.lines[i].text, self.lang)

    @property
    def article_end(self) -> int:
        return len(self.lines) if self.comments_from is None else self.comments_from


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


def place_removals(lines: Sequence[Line], removed: Iterable[Removal]) -> tuple[Removal, ...]:
    """The removals, each with its span in the lines joined by newlines (where its text is found on its line).

    The span is filled into each Removal in place: they were made for this document alone and are not
    yet handed out, and a page can hold thousands (a new object apiece cost 3% of the text path).
    """
    removed = tuple(removed)
    if not removed:
        return removed
    texts = [line.text for line in lines]
    starts = list(accumulate([len(text) + 1 for text in texts], initial=0))  # in C: pages have thousands of lines
    numbers = [line.no for line in lines]
    # the line numbered n: most pages number their lines 1, 2, 3...; otherwise the first line of that number
    index = None if numbers == list(range(1, len(numbers) + 1)) else {no: i for i, no in reversed(list(enumerate(numbers)))}
    for r in removed:
        i = (r.line - 1 if 0 < r.line <= len(texts) else None) if index is None else index.get(r.line)
        if i is None or not r.text:
            continue
        at = texts[i].find(r.text)
        if at >= 0:
            start = starts[i] + at
            r.__dict__["span"] = (start, start + len(r.text))  # see Removal.__init__: frozen to everyone else
    return removed
