"""Corpus-level template lines: lines that recur verbatim in many documents are chrome.

CCNet and C4 remove lines that repeat across a corpus (menus, footers, widget titles,
cookie notices, a site's boilerplate paragraph). Here a first pass counts, for every
normalised line (case folded, digits as 0, spaces collapsed), how many documents hold it;
the cleaner then treats lines held by at least `min_docs` documents as template
(`heuristic/corpus-template`). Counting runs on N processes; memory stays bounded because
each counter keeps at most `max_keys` 64-bit line hashes and prunes its rarest ones
when full (a line common enough to matter survives pruning).

`cleaner mine` uses the same counts to propose YAML rules for a person to review.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import regex

from .features import features
from .lines import normalise
from .model import Kind

MIN_DOCS = 3  # documents that must hold a line before it counts as template
MAX_KEYS = 2_000_000  # line hashes one counter keeps (about 100 MB of Python ints at most)
MIN_CHARS = 2  # shorter lines are too trivial to count ("|", "1")
BATCH_DOCS = 200  # documents per counting task

_DIGITS = regex.compile(r"\d+")
_SPACE = regex.compile(r"\s+")


def count_form(line: str) -> str:
    """The form a line is counted under: case folded, every number 0, spaces collapsed."""
    return _SPACE.sub(" ", _DIGITS.sub("0", line.casefold())).strip()


def line_key(line: str) -> int:
    """A 64-bit hash of a normalised line, the same in every process (unlike hash())."""
    data = count_form(line).encode("utf-8", "surrogatepass")
    return zlib.crc32(data) << 32 | zlib.adler32(data)


def line_keys(lines: list[str]) -> list[int]:
    """The key of every line (0 for lines too short to count), in one pass over the joined text."""
    folded = _DIGITS.sub("0", "\n".join(lines).casefold()).split("\n")
    if len(folded) != len(lines):  # casefold never adds newlines; be safe if a codec ever does
        return [line_key(line) if len(line.strip()) >= MIN_CHARS else 0 for line in lines]
    out = []
    for line in folded:
        line = _SPACE.sub(" ", line).strip()
        if len(line) >= MIN_CHARS:
            data = line.encode("utf-8", "surrogatepass")
            out.append(zlib.crc32(data) << 32 | zlib.adler32(data))
        else:
            out.append(0)
    return out


def document_keys(content: str) -> set[int]:
    """The keys of a document's distinct lines, split as the cleaner splits them; a line repeated on a page counts once."""
    keys = set(line_keys(normalise(content).split("\n")))
    keys.discard(0)
    return keys


@dataclass
class LineCounts:
    """Documents per line key, bounded: when more than `max_keys` keys are held the rarest go."""

    max_keys: int = MAX_KEYS
    documents: int = 0
    counts: Counter = field(default_factory=Counter)
    floor: int = 0  # counts at or below this were pruned somewhere: a key's true count may be that much higher

    def add(self, keys: Iterable[int]) -> None:
        self.documents += 1
        self.counts.update(keys)
        if len(self.counts) > self.max_keys:
            self.prune()

    def merge(self, other: "LineCounts") -> None:
        self.documents += other.documents
        self.counts.update(other.counts)
        self.floor = max(self.floor, other.floor)
        if len(self.counts) > self.max_keys:
            self.prune()

    def prune(self) -> None:
        """Drop the rarest keys until at most half of `max_keys` remain (lossy counting)."""
        while len(self.counts) > self.max_keys // 2:
            self.floor += 1
            self.counts = Counter({k: c for k, c in self.counts.items() if c > self.floor})

    def template(self, min_docs: int = MIN_DOCS) -> "CorpusLines":
        keys = frozenset(k for k, c in self.counts.items() if c >= min_docs)
        return CorpusLines(keys=keys, min_docs=min_docs, documents=self.documents)


@dataclass(frozen=True)
class CorpusLines:
    """The template lines of a corpus, as the cleaner consults them: a set of line keys."""

    keys: frozenset[int] = frozenset()
    min_docs: int = MIN_DOCS
    documents: int = 0

    def lines_of(self, lines: list[str]) -> set[int]:
        """Indexes of the template lines among a page's lines."""
        if not self.keys:
            return set()
        return {i for i, key in enumerate(line_keys(lines)) if key in self.keys}

    def __repr__(self) -> str:  # a run's fingerprint holds the options: keep it short but exact
        digest = hashlib.sha1(b"".join(k.to_bytes(8, "little") for k in sorted(self.keys))).hexdigest()[:12]
        return f"CorpusLines(lines={len(self.keys)}, min_docs={self.min_docs}, documents={self.documents}, digest={digest})"


# --------------------------------------------------------------------------- counting


def count_texts(texts: Iterable[str], max_keys: int = MAX_KEYS) -> LineCounts:
    """Count in this process: for tests, `cleaner eval --corpus-lines` and small inputs."""
    counts = LineCounts(max_keys=max_keys)
    for text in texts:
        counts.add(document_keys(text))
    return counts


def _count_batch(batch: list[str]) -> LineCounts:
    return count_texts(batch)


def _batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def count_parallel(texts: Iterable[str], jobs: int, max_keys: int = MAX_KEYS) -> LineCounts:
    """Count on `jobs` processes; at most 2 batches per process are in flight, so memory stays flat."""
    if jobs <= 1:
        return count_texts(texts, max_keys)
    total = LineCounts(max_keys=max_keys)
    with ProcessPoolExecutor(jobs) as pool:
        pending = []
        for batch in _batches(texts, BATCH_DOCS):
            pending.append(pool.submit(_count_batch, batch))
            if len(pending) >= 2 * jobs:
                total.merge(pending.pop(0).result())
        for future in pending:
            total.merge(future.result())
    return total


def text_documents(items: Iterable) -> Iterator[str]:
    """The plain-text contents of readable input items (HTML pages are counted after extraction, not here)."""
    for item in items:
        if item.doc is not None and item.doc.kind is Kind.TEXT:
            yield item.doc.content


def count_inputs(paths: Iterable[str], fields, glob: str | None = None, jobs: int = 1, max_keys: int = MAX_KEYS) -> LineCounts:
    """The first pass of `cleaner clean --corpus-lines`: count the lines of every text input."""
    from .io.readers import read_inputs

    return count_parallel(text_documents(read_inputs(list(paths), fields, glob)), jobs, max_keys)


# --------------------------------------------------------------------------- mining rules


@dataclass
class Candidate:
    """A template line found by `cleaner mine`, with what a reviewer needs to judge it."""

    key: int
    documents: int
    spellings: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # names of documents that hold it
    keep: str = ""  # a prose line from one of them, for the rule's keep example

    @property
    def text(self) -> str:
        return self.spellings.most_common(1)[0][0] if self.spellings else ""


def mine(documents: Iterable[tuple[str, str]], counts: LineCounts, min_docs: int = MIN_DOCS, limit: int = 100,
         samples: int = 3, known=None) -> list[Candidate]:
    """Second pass of `cleaner mine`: spellings and sample documents of the lines at least `min_docs` documents share.

    `documents` yields (name, text) again; `known(line)` says a rule already handles a line
    (those are not proposed). The most widespread lines come first, at most `limit` of them.
    """
    frequent = {k: c for k, c in counts.counts.items() if c >= min_docs}
    found: dict[int, Candidate] = {}
    for name, content in documents:
        lines = [line.strip() for line in normalise(content).split("\n")]
        prose = next((line for line in lines if features(line).good), "")
        for line, key in zip(lines, line_keys(lines)):
            if key not in frequent:
                continue
            cand = found.get(key)
            if cand is None:
                if known is not None and known(line):
                    frequent.pop(key)
                    continue
                cand = found[key] = Candidate(key, frequent[key])
            cand.spellings[line] += 1
            if len(cand.samples) < samples and name not in cand.samples:
                cand.samples.append(name)
            if not cand.keep and prose and count_form(prose) != count_form(line):
                cand.keep = prose
    return sorted(found.values(), key=lambda c: (-c.documents, c.text))[:limit]


_SLUG = regex.compile(r"[^a-z0-9]+")


def _rule_id(text: str, taken: set[str]) -> str:
    base = _SLUG.sub("-", text.casefold()).strip("-")[:40].strip("-") or "line"
    rid, n = base, 2
    while rid in taken:
        rid, n = f"{base}-{n}", n + 1
    taken.add(rid)
    return rid


def _match(text: str) -> dict:
    """A whole-line literal, or a regex with \\d+ where the line has figures (years, counts)."""
    if not _DIGITS.search(text):
        return {"line": [text]}
    parts = _DIGITS.split(text)
    return {"regex": r"\d+".join(regex.escape(p, literal_spaces=True) for p in parts)}


def proposals_yaml(candidates: list[Candidate], documents: int, min_docs: int, source: str) -> str:
    """The candidates as a rule pack for a person to review: counts and sample documents in each description."""
    import yaml

    taken: set[str] = set()
    rules = []
    for c in candidates:
        text = c.text
        keep = c.keep or f"{text} was the phrase the reader remembered from the story."
        rules.append({
            "id": _rule_id(text, taken),
            "description": f"Recurs in {c.documents} of {documents} documents, e.g. {', '.join(c.samples)}",
            "match": _match(text),
            "action": "drop",
            "examples": {"drop": [text], "keep": [keep]},
        })
    header = (f"# cleaner mine: {len(rules)} lines shared by at least {min_docs} of {documents} documents in {source}.\n"
              "# Review each rule before adding it to a pack: a line many pages share is usually chrome, but not always\n"
              "# (a quote, a standard disclaimer you want to keep). Then run `cleaner rules check DIR`.\n")
    body = yaml.safe_dump({"description": f"Template lines mined from {source} (review before use)", "rules": rules},
                          allow_unicode=True, sort_keys=False, width=1000)
    return header + body
