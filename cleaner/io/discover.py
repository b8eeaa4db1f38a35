"""What the inputs are: files, directories walked in sorted order, stdin; their kinds and output-relative names.

Also the two small records every reader and writer passes around: `Dest` (where one result
goes) and `Item` (one document, or the failure to read one, with its Dest).
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from ..model import Document, Failure, Kind

TEXT_SUFFIXES = {".txt": Kind.TEXT, ".text": Kind.TEXT, ".html": Kind.HTML, ".htm": Kind.HTML, ".xhtml": Kind.HTML}
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".wet", ".wet.gz", ".wet.zst")
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
        while base.lower().endswith((".warc", ".wet")):  # CC-MAIN-...warc.wet.gz -> CC-MAIN-....jsonl.gz
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
    return "file" if suffix in TEXT_SUFFIXES else None

def discover(paths: Iterable[str | Path], glob: str | None = None, sidecars: str | None = DEFAULT_SIDECAR) -> Iterator[Source]:
    """Inputs with their output-relative names; directories are walked in sorted order.

    `glob` narrows a directory walk (`*.warc.gz`, `2024/**/*.jsonl`); a file it picks whose suffix
    is unknown is read as plain text. Comment sidecars that `cleaner fix` wrote beside articles
    (named by the `sidecars` template) are output, not input: a walk passes them over.
    Files named on the command line are always taken.
    """
    for raw in paths:
        if str(raw) == STDIN:
            yield Source(None, "stdin.jsonl", "jsonl")
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, glob, sidecars)
        else:
            yield Source(path, path.name, kind_of(path) or "file")


def _walk(root: Path, glob: str | None, sidecars: str | None = DEFAULT_SIDECAR) -> Iterator[Source]:
    if glob:
        found = root.glob(glob) if "/" in glob else root.rglob(glob)
    else:
        found = root.rglob("*")
    for child in sorted(p for p in found if p.is_file() and not _hidden(p.relative_to(root))):
        kind = kind_of(child) or ("file" if glob else None)
        if kind and not is_sidecar(child, sidecars):
            yield Source(child, child.relative_to(root).as_posix(), kind)


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


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)



def strip_suffix(rel: str) -> str:
    """A text or HTML input's relative name without its suffix: the name of its mirror outputs."""
    p = PurePosixPath(rel)
    return str(p.with_suffix("")) if p.suffix.lower() in TEXT_SUFFIXES else str(p)
