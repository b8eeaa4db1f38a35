"""What the inputs are: files, directories walked in sorted order, stdin; their kinds and output-relative names.

Also the two small records every reader and writer passes around: `Dest` (where one result
goes) and `Item` (one document, or the failure to read one, with its Dest).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import string
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from ..model import Document, Failure, Kind

TEXT_SUFFIXES = {".txt": Kind.TEXT, ".text": Kind.TEXT, ".html": Kind.HTML, ".htm": Kind.HTML, ".xhtml": Kind.HTML}
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".wet", ".wet.gz", ".wet.zst")
PARQUET_SUFFIXES = (".parquet", ".pq")
STDIN = "-"
DEFAULT_SIDECAR = "{name}.comments.jsonl"  # cleaner fix's comment sidecar; config.DEFAULT_COMMENTS


@dataclass(frozen=True)
class Dest:
    """Where one result goes: a file of the mirror tree, or a record of a JSONL output."""

    kind: str  # "mirror" or "jsonl"
    rel: str  # mirror: relative path without suffix; jsonl: output file name
    sources: str = ""  # on a unit's end item: the signature of the unit's inputs


@dataclass(frozen=True)
class Item:
    """One document to clean, or the failure to read one; `end` closes the unit `dest` belongs to."""

    dest: Dest
    doc: Document | None = None
    failure: Failure | None = None
    end: bool = False


@dataclass(frozen=True)
class Source:
    """One input: a file (or stdin) with its output-relative name and how to read it."""

    path: Path | None  # None: standard input
    rel: str
    kind: str  # "file", "jsonl", "warc"
    out: str = ""  # mirror mode: the output name claimed for it (OutputNames), when not the natural one

    @property
    def output_name(self) -> str:
        """The per-input output file of a JSONL or WARC input: NAME.jsonl with the input's compression."""
        if self.kind == "jsonl":
            return self.rel
        lower = self.rel.lower()
        ext = next((s for s in (".gz", ".zst") if lower.endswith(s)), "")
        base = self.rel[: len(self.rel) - len(ext)] if ext else self.rel
        while base.lower().endswith((".warc", ".wet", ".parquet", ".pq")):  # CC-MAIN-...warc.wet.gz -> CC-MAIN-....jsonl.gz
            base = base[: base.rfind(".")]
        return f"{base}.jsonl{ext}"

    @property
    def size(self) -> int | None:
        if self.path is None:
            return None
        try:
            return self.path.stat().st_size
        except OSError:
            return 0


def suffix_of(path: Path | str) -> str:
    name = Path(path).name.lower()
    for s in JSONL_SUFFIXES + WARC_SUFFIXES:
        if name.endswith(s):
            return s
    return Path(name).suffix


def kind_of(path: Path) -> str | None:
    suffix = suffix_of(path)
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in WARC_SUFFIXES:
        return "warc"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    return "file" if suffix in TEXT_SUFFIXES else None


def discover(paths: Iterable[str | Path], glob: str | None = None, sidecars: str | None = DEFAULT_SIDECAR,
             exclude: Path | None = None) -> Iterator[Source]:
    """Inputs with their output-relative names; directories are walked in sorted order.

    `glob` narrows a directory walk (`*.warc.gz`, `2024/**/*.jsonl`); a file it picks whose suffix
    is unknown is read as plain text. Comment sidecars that `cleaner fix` wrote beside articles
    (named by the `sidecars` template) are output, not input: a walk passes them over.
    Files named on the command line are always taken. A walk never enters `exclude` (the run's
    OUT, when it lies inside an input folder); a folder it cannot list is given as an input of its
    own, which the reader reports as failed.
    """
    for raw in paths:
        if str(raw) == STDIN:
            yield Source(None, "stdin.jsonl", "jsonl")
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, glob, sidecars, _identity(exclude))
        else:
            yield Source(path, escape_name(path.name), kind_of(path) or "file")


def _walk(root: Path, glob: str | None, sidecars: str | None = DEFAULT_SIDECAR,
          exclude: tuple[int, int] | None = None) -> Iterator[Source]:
    """Files under root in sorted order (by path parts, as pathlib sorts), hidden ones and `exclude` passed over."""
    chosen = set(root.glob(glob)) if glob and "/" in glob else None
    found, unreadable = [], []
    for here, dirs, files in os.walk(root, onerror=unreadable.append):
        dirs[:] = [d for d in dirs if not d.startswith(".") and _identity(Path(here, d)) != exclude]
        for name in files:
            path = Path(here, name)
            if name.startswith(".") or (chosen is not None and path not in chosen) \
                    or (glob and chosen is None and not fnmatch.fnmatchcase(name, glob)):
                continue
            found.append(path)
    for child in sorted(found + [Path(exc.filename) for exc in unreadable if exc.filename and Path(exc.filename) != root]):
        if child.is_dir():  # a folder that could not be listed: reported by the reader
            yield Source(child, escape_name(child.relative_to(root).as_posix()), "file")
            continue
        kind = kind_of(child) or ("file" if glob else None)
        if kind and child.is_file() and not is_sidecar(child, sidecars):
            yield Source(child, escape_name(child.relative_to(root).as_posix()), kind)
    if any(Path(exc.filename or "") == root for exc in unreadable):
        yield Source(root, escape_name(root.name or str(root)), "file")


def _identity(path: Path | None) -> tuple[int, int] | None:
    """(device, inode) of a folder, to recognise it under any name; None when it is not there."""
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st is not None else None


def is_sidecar(path: Path, template: str | None) -> bool:
    """A comment sidecar of `cleaner fix`: its name fits the template and its article lies beside it."""
    pattern = _sidecar_pattern(template) if template else None
    found = pattern.fullmatch(path.name) if pattern else None
    if found is None:
        return False
    groups = found.groupdict()
    if groups.get("name"):
        articles = [groups["name"]]
    else:
        articles = [groups["stem"] + suffix for suffix in TEXT_SUFFIXES]
    return any((path.parent / name).is_file() for name in articles)


@functools.lru_cache(maxsize=8)
def _sidecar_pattern(template: str) -> "re.Pattern[str] | None":
    """The template `{name}.comments.jsonl` as a pattern with groups `name` and `stem`."""
    parts, seen = [], set()
    try:
        for literal, field_name, _spec, _conv in string.Formatter().parse(template):
            parts.append(re.escape(literal))
            if field_name in ("name", "stem"):
                parts.append(f"(?P={field_name})" if field_name in seen else f"(?P<{field_name}>.+)")
                seen.add(field_name)
            elif field_name is not None:
                return None
    except ValueError:
        return None
    return re.compile("".join(parts), re.S) if seen else None



def strip_suffix(rel: str) -> str:
    """A text or HTML input's relative name without its suffix: the name of its mirror outputs."""
    p = PurePosixPath(rel)
    return str(p.with_suffix("")) if p.suffix.lower() in TEXT_SUFFIXES else str(p)


_RAW_BYTE = re.compile("[\udc80-\udcff]")
_ESCAPES = re.compile("%|[\udc80-\udcff]")


def escape_name(name: str) -> str:
    """A file name as text: valid UTF-8 as it is; one with bytes that are not UTF-8 percent-encoded.

    Python hands such bytes over as surrogates (os.fsdecode); they cannot be written to UTF-8
    output. In such a name each of those bytes and each `%` becomes %XX, so
    `urllib.parse.unquote(name, errors="surrogateescape")` gives the original name back.
    """
    if not _RAW_BYTE.search(name):
        return name
    return _ESCAPES.sub(lambda m: "%25" if m.group() == "%" else f"%{ord(m.group()) - 0xDC00:02X}", name)


def display(path: Path | str) -> str:
    """A path as it goes into messages, metadata and errors.jsonl: escaped like an output name."""
    return escape_name(str(path))
