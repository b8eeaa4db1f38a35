"""Readers and writers: text and HTML files, JSONL[.gz|.zst], WARC, stdin; a mirror tree, JSONL files or shards.

Readers yield `Item`s: a document (or the failure to read one) plus where its result goes.
Nothing is dropped on the floor: a file that cannot be decoded becomes a `Failure` item.
Reading is lazy everywhere, so memory does not grow with the size of the corpus.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, Iterable, Iterator

from .model import Cleaned, Document, Failure, Kind

TEXT_SUFFIXES = {".txt": Kind.TEXT, ".text": Kind.TEXT, ".html": Kind.HTML, ".htm": Kind.HTML, ".xhtml": Kind.HTML}
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".wet", ".wet.gz", ".wet.zst")
COMPRESSIONS = {"none": "", "gz": ".gz", "zst": ".zst"}
BINARY_SAMPLE = 8192
STDIN = "-"
ZSTD_LEVEL = 3  # zstd's own default: ~10x faster than level 10 for ~5% larger files
GZIP_MAGIC, ZSTD_MAGIC = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"
_UMASK = os.umask(0o022)
os.umask(_UMASK)


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


class Meter:
    """Bytes read from disk (compressed or not), for progress and an ETA against the total size."""

    def __init__(self) -> None:
        self.bytes = 0


class CountingReader(io.RawIOBase):
    """A binary stream that adds what it reads to a Meter."""

    def __init__(self, raw: BinaryIO, meter: Meter | None):
        self.raw, self.meter = raw, meter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        if self.meter is not None and n:
            self.meter.bytes += n
        return n or 0

    def close(self) -> None:
        self.raw.close()
        super().close()


# --------------------------------------------------------------------------- discovery


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


def is_input(path: Path) -> bool:
    return kind_of(path) is not None


def discover(paths: Iterable[str | Path], glob: str | None = None) -> Iterator[Source]:
    """Inputs with their output-relative names; directories are walked in sorted order.

    `glob` narrows a directory walk (`*.warc.gz`, `2024/**/*.jsonl`); a file it picks whose suffix
    is unknown is read as plain text. Files named on the command line are always taken.
    """
    for raw in paths:
        if str(raw) == STDIN:
            yield Source(None, "stdin.jsonl", "jsonl")
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, glob)
        else:
            yield Source(path, path.name, kind_of(path) or "file")


def _walk(root: Path, glob: str | None) -> Iterator[Source]:
    if glob:
        found = root.glob(glob) if "/" in glob else root.rglob(glob)
    else:
        found = root.rglob("*")
    for child in sorted(p for p in found if p.is_file() and not _hidden(p.relative_to(root))):
        kind = kind_of(child) or ("file" if glob else None)
        if kind:
            yield Source(child, child.relative_to(root).as_posix(), kind)


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


def open_compressed(path: Path, mode: str = "rb", meter: Meter | None = None) -> IO[bytes]:
    """Open plain, .gz or .zst files by their name; reads are counted on `meter`."""
    name = path.name.lower()
    if "r" not in mode:
        return _open_write(path, mode)
    raw = io.BufferedReader(CountingReader(open(path, "rb", buffering=0), meter), 1 << 20)  # type: ignore[arg-type]
    return _decompressed(raw, name)


def _open_write(path: Path, mode: str) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, mode)  # type: ignore[return-value]
    if name.endswith(".zst"):
        import zstandard

        return zstandard.open(path, mode, cctx=zstandard.ZstdCompressor(level=ZSTD_LEVEL))  # type: ignore[return-value]
    return open(path, mode)


def _decompressed(raw: IO[bytes], name: str) -> IO[bytes]:
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if name.endswith(".zst"):
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=True)
        return io.BufferedReader(reader, 1 << 20)  # type: ignore[arg-type]  # adds readline and line iteration
    return raw


def open_stdin(meter: Meter | None = None) -> IO[bytes]:
    """Standard input, with gzip or zstd recognised by their magic bytes."""
    raw = io.BufferedReader(CountingReader(sys.stdin.buffer, meter), 1 << 20)  # type: ignore[arg-type]
    head = raw.peek(4)[:4]
    if head.startswith(GZIP_MAGIC):
        return _decompressed(raw, ".gz")
    if head.startswith(ZSTD_MAGIC):
        return _decompressed(raw, ".zst")
    return raw


# --------------------------------------------------------------------------- readers


def read_file(path: Path, rel: str, meter: Meter | None = None) -> Item:
    dest = Dest("mirror", _strip_suffix(rel))
    kind = TEXT_SUFFIXES.get(suffix_of(path), Kind.TEXT)
    try:
        data = path.read_bytes()
        if meter is not None:
            meter.bytes += len(data)
        content = decode(data)
    except (OSError, DecodeError) as exc:
        message = "no such file or directory" if isinstance(exc, FileNotFoundError) else str(exc)
        return Item(dest, failure=Failure(rel, str(path), "read", message))
    return Item(dest, doc=Document(id=rel, kind=kind, content=content, meta={"source": str(path)}, source=str(path)))


def _strip_suffix(rel: str) -> str:
    p = PurePosixPath(rel)
    return str(p.with_suffix("")) if p.suffix.lower() in TEXT_SUFFIXES else str(p)


def read_jsonl(path: Path | None, rel: str, fields: Fields, meter: Meter | None = None, dest: Dest | None = None) -> Iterator[Item]:
    """One item per non-blank line; a broken line becomes a failure naming file:line. `path` None: stdin."""
    dest = dest or Dest("jsonl", rel)
    label = str(path) if path is not None else "<stdin>"
    try:
        raw = open_stdin(meter) if path is None else open_compressed(path, meter=meter)
    except OSError as exc:
        message = "no such file or directory" if isinstance(exc, FileNotFoundError) else f"cannot read {label}: {exc}"
        yield Item(dest, failure=Failure(rel, label, "read", message))
        return
    with raw:
        yield from _jsonl_lines(raw, label, rel, dest, fields)


def _jsonl_lines(raw: IO[bytes], label: str, rel: str, dest: Dest, fields: Fields) -> Iterator[Item]:
    lineno = 0
    try:
        for line in raw:
            lineno += 1
            item = line_item(line, label, lineno, dest, fields)
            if item is not None:
                yield item
    except (OSError, EOFError, ValueError) as exc:  # truncated or corrupt compressed stream
        yield Item(dest, failure=Failure(rel, label, "read", f"cannot read {Path(label).name} after line {lineno}: {exc}"))


def line_item(line: bytes, label: str, lineno: int, dest: Dest, fields: Fields) -> Item | None:
    """One JSONL line (bytes) as an item, None for a blank line; the Ray engine reads through this too."""
    if not line.strip():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Item(dest, failure=Failure(str(lineno), f"{label}:{lineno}", "read", f"invalid UTF-8 at byte {exc.start} of the line"))
    return record_item(text, f"{label}:{lineno}", lineno, dest, fields)


def record_item(line: str, where: str, lineno: int, dest: Dest, fields: Fields) -> Item:
    """A decoded JSONL line as an item: a failure for broken JSON, else the record's document."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Item(dest, failure=Failure(str(lineno), where, "read", f"malformed JSON: {exc.msg} at column {exc.colno}"))
    if not isinstance(record, dict):
        return Item(dest, failure=Failure(str(lineno), where, "read", f"a JSONL line must be an object, got {type(record).__name__}"))
    return record_to_item(record, where, lineno, dest, fields)


def record_to_item(record: dict[str, Any], where: str, lineno: int | str, dest: Dest, fields: Fields) -> Item:
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


def read_warc(path: Path, rel: str, meter: Meter | None = None, dest: Dest | None = None) -> Iterator[Item]:
    from .warc import read_warc as _read

    yield from _read(path, rel, dest or Dest("jsonl", Source(path, rel, "warc").output_name), meter)


def read_source(source: Source, fields: Fields = Fields(), meter: Meter | None = None, dest: Dest | None = None) -> Iterator[Item]:
    """Every item of one input, in order."""
    if source.kind == "jsonl":
        yield from read_jsonl(source.path, source.rel, fields, meter, dest or Dest("jsonl", source.output_name))
    elif source.kind == "warc":
        assert source.path is not None
        yield from read_warc(source.path, source.rel, meter, dest)
    else:
        assert source.path is not None
        yield read_file(source.path, source.rel, meter)


def read_inputs(paths: Iterable[str | Path], fields: Fields = Fields(), glob: str | None = None,
                meter: Meter | None = None) -> Iterator[Item]:
    for source in discover(paths, glob):
        yield from read_source(source, fields, meter)


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


def record_line(cleaned: Cleaned) -> bytes:
    """One output record as a JSONL line, exactly as every writer (and the Ray engine) emits it."""
    return (json.dumps(record_of(cleaned), ensure_ascii=False, default=str) + "\n").encode("utf-8", "surrogatepass")


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file and rename, so no half-written file ever looks complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
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


def write_mirror(root: Path, rel: str, cleaned: Cleaned) -> None:
    """OUT/articles/REL.txt and, when there are posts, OUT/comments/REL.jsonl."""
    atomic_write(safe_join(root / "articles", rel + ".txt"), cleaned.article_file_text().encode())
    comments = safe_join(root / "comments", rel + ".jsonl")
    if cleaned.comments:
        body = "".join(json.dumps(p.to_json(), ensure_ascii=False) + "\n" for p in cleaned.comments)
        atomic_write(comments, body.encode())
    elif comments.exists():
        comments.unlink()


class JsonlFile:
    """A JSONL output written to a temp file and renamed into place on commit, never half there."""

    def __init__(self, final: Path):
        self.final = final
        final.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = final.with_name(f".{final.name}.tmp")
        self.sink = Sink(open(self.tmp, "wb"), final.name)

    def write(self, line: bytes) -> None:
        self.sink.write(line)

    def commit(self) -> None:
        self.sink.close(sync=True)
        os.replace(self.tmp, self.final)

    def abort(self) -> None:
        self.sink.close(sync=False)
        self.tmp.unlink(missing_ok=True)


class Sink:
    """A byte stream compressed as `name` asks (.gz with mtime 0, .zst), so reruns are byte-identical."""

    def __init__(self, raw: BinaryIO, name: str):
        self.raw = raw
        lower = name.lower()
        if lower.endswith(".gz"):
            base = name[:-3]
            self.fh: Any = gzip.GzipFile(filename=base, mode="wb", fileobj=raw, mtime=0, compresslevel=6)
        elif lower.endswith(".zst"):
            import zstandard

            self.fh = zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(raw, closefd=False)
        else:
            self.fh = raw

    def write(self, data: bytes) -> None:
        self.fh.write(data)

    def close(self, sync: bool = True) -> None:
        if self.fh is not self.raw:
            self.fh.close()
        self.raw.flush()
        if sync:
            os.fsync(self.raw.fileno())
        self.raw.close()


def shard_name(index: int, compression: str) -> str:
    return f"part-{index:05d}.jsonl{COMPRESSIONS[compression]}"

