"""Readers and writers: text and HTML files, JSONL[.gz|.zst]; a mirror tree or JSONL out.

Readers yield `Item`s: a document (or the failure to read one) plus where its result goes.
Nothing is dropped on the floor: a file that cannot be decoded becomes a `Failure` item.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterable, Iterator

from .model import Cleaned, Document, Failure, Kind

TEXT_SUFFIXES = {".txt": Kind.TEXT, ".text": Kind.TEXT, ".html": Kind.HTML, ".htm": Kind.HTML, ".xhtml": Kind.HTML}
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")
BINARY_SAMPLE = 8192


@dataclass(frozen=True)
class Fields:
    """Names of the content fields in JSONL input."""

    text: str = "text"
    html: str = "html"
    id: str = "id"


@dataclass(frozen=True)
class Dest:
    """Where one result goes: a file of the mirror tree, or a record of a JSONL output."""

    kind: str  # "mirror" or "jsonl"
    rel: str  # mirror: relative path without suffix; jsonl: output file name


@dataclass(frozen=True)
class Item:
    dest: Dest
    doc: Document | None = None
    failure: Failure | None = None


# --------------------------------------------------------------------------- discovery


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    for s in JSONL_SUFFIXES:
        if name.endswith(s):
            return s
    return path.suffix.lower()


def is_input(path: Path) -> bool:
    return suffix_of(path) in TEXT_SUFFIXES or suffix_of(path) in JSONL_SUFFIXES


def discover(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str]]:
    """Input files with their output-relative names; directories are walked in sorted order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path))):
                if is_input(child):
                    yield child, child.relative_to(path).as_posix()
        else:
            yield path, path.name


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


# --------------------------------------------------------------------------- decoding


class DecodeError(ValueError):
    pass


def decode(data: bytes) -> str:
    """Strict UTF-8 with a clear message; binary data and empty files are refused."""
    if not data.strip():
        raise DecodeError("empty file" if not data else "file holds only whitespace")
    head = data[:BINARY_SAMPLE]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in head:
        raise DecodeError("binary file (NUL bytes); expected UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid UTF-8 at byte {exc.start}: {data[exc.start:exc.start + 4]!r}") from exc


def open_compressed(path: Path, mode: str = "rb") -> IO[bytes]:
    """Open plain, .gz or .zst files by their name."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, mode)  # type: ignore[return-value]
    if name.endswith(".zst"):
        import zstandard

        if "r" in mode:
            return zstandard.open(path, mode)  # type: ignore[return-value]
        return zstandard.open(path, mode, cctx=zstandard.ZstdCompressor(level=10))  # type: ignore[return-value]
    return open(path, mode)


# --------------------------------------------------------------------------- readers


def read_file(path: Path, rel: str) -> Item:
    dest = Dest("mirror", _strip_suffix(rel))
    kind = TEXT_SUFFIXES.get(suffix_of(path), Kind.TEXT)
    try:
        content = decode(path.read_bytes())
    except (OSError, DecodeError) as exc:
        return Item(dest, failure=Failure(rel, str(path), "read", str(exc)))
    return Item(dest, doc=Document(id=rel, kind=kind, content=content, meta={"source": str(path)}, source=str(path)))


def _strip_suffix(rel: str) -> str:
    p = PurePosixPath(rel)
    return str(p.with_suffix("")) if p.suffix.lower() in TEXT_SUFFIXES else str(p)


def read_jsonl(path: Path, rel: str, fields: Fields) -> Iterator[Item]:
    """One item per line; a broken line becomes a failure naming file:line."""
    dest = Dest("jsonl", rel)
    try:
        with open_compressed(path) as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
            lineno = 0
            while True:
                try:
                    line = stream.readline()
                except UnicodeDecodeError as exc:
                    yield Item(dest, failure=Failure(str(lineno + 1), f"{path}:{lineno + 1}", "read", f"invalid UTF-8: {exc.reason}"))
                    return
                if not line:
                    return
                lineno += 1
                if line.strip():
                    yield _record_item(line, lineno, path, dest, fields)
    except (OSError, EOFError, ValueError) as exc:  # truncated or corrupt compressed stream
        yield Item(dest, failure=Failure(rel, str(path), "read", f"cannot read {path.name}: {exc}"))


def _record_item(line: str, lineno: int, path: Path, dest: Dest, fields: Fields) -> Item:
    where = f"{path}:{lineno}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Item(dest, failure=Failure(str(lineno), where, "read", f"malformed JSON: {exc.msg} at column {exc.colno}"))
    if not isinstance(record, dict):
        return Item(dest, failure=Failure(str(lineno), where, "read", f"a JSONL line must be an object, got {type(record).__name__}"))
    doc_id = str(record.get(fields.id, lineno))
    html, text = record.get(fields.html), record.get(fields.text)
    if isinstance(html, str) and html.strip():
        kind, content, used = Kind.HTML, html, fields.html
    elif isinstance(text, str):
        kind, content, used = Kind.TEXT, text, fields.text
    else:
        return Item(dest, failure=Failure(doc_id, where, "read",
                                          f"no string field '{fields.text}' (or '{fields.html}') in the record"))
    meta = {k: v for k, v in record.items() if k not in (fields.id, used, "text", "title", "comments", "removed")}
    return Item(dest, doc=Document(id=doc_id, kind=kind, content=content, meta=meta, source=where))


def read_inputs(paths: Iterable[str | Path], fields: Fields = Fields()) -> Iterator[Item]:
    for path, rel in discover(paths):
        if suffix_of(path) in JSONL_SUFFIXES:
            yield from read_jsonl(path, rel, fields)
        elif not path.exists():
            yield Item(Dest("mirror", rel), failure=Failure(rel, str(path), "read", "no such file or directory"))
        else:
            yield read_file(path, rel)


# --------------------------------------------------------------------------- writers


def record_of(cleaned: Cleaned) -> dict:
    """The JSONL output record; datatrove and dolma read this shape as it is."""
    return {
        "id": cleaned.id,
        "title": cleaned.title,
        "text": cleaned.text,
        "comments": [{"text": p.text} for p in cleaned.comments],
        "removed": [{"rule": r.rule, "text": r.text} for r in cleaned.removed],
        "metadata": dict(cleaned.meta),
    }


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file and rename, so no half-written file ever looks complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def safe_join(root: Path, rel: str) -> Path:
    """root/rel, refusing names that would escape root (ids come from strangers)."""
    parts = [p for p in PurePosixPath(rel.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    cleaned = [("".join(ch if ch.isprintable() and ch != "\x00" else "_" for ch in p)) for p in parts]
    return root.joinpath(*cleaned) if cleaned else root / "_"


class Output:
    """Routes results to the mirror tree or to JSONL files, one writer open at a time."""

    def __init__(self, root: Path):
        self.root = root
        self._jsonl_name: str | None = None
        self._jsonl: _Sink | None = None
        self._tmp: Path | None = None

    def write(self, dest: Dest, cleaned: Cleaned) -> None:
        if dest.kind == "mirror":
            self._close_jsonl()
            atomic_write(safe_join(self.root / "articles", dest.rel + ".txt"), cleaned.article_file_text().encode())
            comments = safe_join(self.root / "comments", dest.rel + ".jsonl")
            if cleaned.comments:
                body = "".join(json.dumps(p.to_json(), ensure_ascii=False) + "\n" for p in cleaned.comments)
                atomic_write(comments, body.encode())
            elif comments.exists():
                comments.unlink()
        else:
            self._jsonl_for(dest.rel).write((json.dumps(record_of(cleaned), ensure_ascii=False) + "\n").encode())

    def touch(self, dest: Dest) -> None:
        """Make sure a JSONL output exists even when every record of its input failed."""
        if dest.kind == "jsonl":
            self._jsonl_for(dest.rel)

    def _jsonl_for(self, name: str) -> "_Sink":
        if self._jsonl_name != name:
            self._close_jsonl()
            final = safe_join(self.root, name)
            final.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = final.with_name(f".{final.name}.tmp")
            self._jsonl = _Sink(self._tmp, final)
            self._jsonl_name = name
        assert self._jsonl is not None
        return self._jsonl

    def _close_jsonl(self) -> None:
        if self._jsonl is not None and self._jsonl_name is not None and self._tmp is not None:
            self._jsonl.close()
            os.replace(self._tmp, safe_join(self.root, self._jsonl_name))
        self._jsonl = self._jsonl_name = self._tmp = None

    def close(self) -> None:
        self._close_jsonl()


class _Sink:
    """A temp file written with the compression the final name asks for (gzip mtime 0: reproducible)."""

    def __init__(self, tmp: Path, final: Path):
        self.raw = open(tmp, "wb")
        name = final.name.lower()
        if name.endswith(".gz"):
            self.fh = gzip.GzipFile(filename=final.name[:-3], mode="wb", fileobj=self.raw, mtime=0)
        elif name.endswith(".zst"):
            import zstandard

            self.fh = zstandard.ZstdCompressor(level=10).stream_writer(self.raw, closefd=False)
        else:
            self.fh = self.raw

    def write(self, data: bytes) -> None:
        self.fh.write(data)

    def close(self) -> None:
        if self.fh is not self.raw:
            self.fh.close()
        self.raw.flush()
        os.fsync(self.raw.fileno())
        self.raw.close()
