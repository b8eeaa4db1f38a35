"""Readers: text and HTML files, JSONL[.gz|.zst], WARC, stdin, each as `Item`s.

Nothing is dropped on the floor: a file that cannot be decoded becomes a `Failure` item.
Reading is lazy everywhere, so memory does not grow with the size of the corpus.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from ..model import Document, Failure, Kind
from . import values, warc
from .decode import DEFAULT_MAX_BYTES, DecodeError, decode_document, too_large, utf8_size
from .discover import TEXT_SUFFIXES, Dest, Item, Source, discover, display, strip_suffix, suffix_of
from .streams import GZIP_MAGIC, ZSTD_MAGIC, Meter, decompressed, open_compressed, open_stdin

JSONL_LINE_FACTOR = 2  # a JSONL line may be this many times --max-bytes (JSON escapes): longer ones are skipped unread


@dataclass(frozen=True)
class Fields:
    """Names of the content fields in JSONL (and Parquet) input, and which other fields become metadata.

    `explicit` is the content field the user named ("text" or "html"): it alone is cleaned, even when
    a record also has the other. Without it, non-empty HTML wins over text. Metadata keeps the
    record's other small fields (a value up to META_VALUE_CHARS as JSON), never the content fields;
    `keep` names the only fields to keep, `drop` fields to leave out.
    """

    text: str = "text"
    html: str = "html"
    id: str = "id"
    explicit: str = ""
    keep: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()


META_VALUE_CHARS = 1000  # a larger input field (a second copy of the page, raw headers) is not carried in metadata
RESERVED = frozenset({"text"})  # a record's text field is its content or a copy of it; title, comments... stay, under metadata
MISSING_FIELD = "no string field"  # the start of a read failure's message when the record lacks its content field


def content_of(record: dict[str, Any], fields: Fields) -> tuple[Kind, str, str] | None:
    """(kind, content, field name) of the record's content field, per `fields`; None when it has none."""
    html, text = record.get(fields.html), record.get(fields.text)
    if fields.explicit != "text" and isinstance(html, str) and (html.strip() or fields.explicit == "html"):
        return Kind.HTML, html, fields.html
    if fields.explicit != "html" and isinstance(text, str):
        return Kind.TEXT, text, fields.text
    return None


def metadata_of(record: dict[str, Any], fields: Fields, used: str) -> dict[str, Any]:
    """The input fields a record carries into its metadata: small ones, never the field cleaned (`used`) or the id."""
    skip = RESERVED | {fields.id, used} | set(fields.drop)
    if fields.keep is not None:
        return {k: v for k, v in record.items() if k in fields.keep and k not in skip}
    return {k: v for k, v in record.items() if k not in skip and _small(v)}


def _small(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float)):
        return True
    if isinstance(value, str):
        return len(value) <= META_VALUE_CHARS
    try:
        return len(json.dumps(value, default=str)) <= META_VALUE_CHARS
    except (TypeError, ValueError, RecursionError):
        return False



def read_file(path: Path, rel: str, meter: Meter | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
              dest: Dest | None = None) -> Item:
    """One text or HTML file as an item; a file above `max_bytes` is refused before it is read."""
    dest = dest or Dest("mirror", strip_suffix(rel))
    kind = TEXT_SUFFIXES.get(suffix_of(path), Kind.TEXT)
    label = display(path)
    try:
        refused = not_regular(path)
        if refused:
            return Item(dest, failure=Failure(rel, label, "read", refused))
        data, notes = _read_bytes(path, max_bytes, meter)
        decoded = decode_document(data, html=kind is Kind.HTML)
    except (OSError, DecodeError) as exc:
        message = "no such file or directory" if isinstance(exc, FileNotFoundError) else str(exc)
        return Item(dest, failure=Failure(rel, label, "read", message))
    meta = {"source": label, **decoded.meta()}
    if notes:
        meta["warnings"] = notes + meta.get("warnings", [])
    return Item(dest, doc=Document(id=rel, kind=kind, content=decoded.text, meta=meta, source=label))


SPECIAL = {stat.S_IFIFO: "a FIFO (named pipe), which could block the run forever; pipe it into standard input instead "
                         "(... | cleaner clean - -o OUT)",
           stat.S_IFCHR: "a character device, not a file", stat.S_IFBLK: "a block device, not a file",
           stat.S_IFSOCK: "a socket, not a file"}


def not_regular(path: Path) -> str | None:
    """Why `path` is not read as a document (a device, a FIFO, a folder that cannot be listed), or None."""
    kind = stat.S_IFMT(os.stat(path).st_mode)
    if kind == stat.S_IFDIR:
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            return f"cannot list this folder ({exc.strerror or exc}): the files in it were not read"
        return "a folder, not a file"
    if kind in SPECIAL:
        return f"not read: {SPECIAL[kind]}"
    return None


def _read_bytes(path: Path, max_bytes: int | None, meter: Meter | None) -> tuple[bytes, list[str]]:
    """A file's bytes, gzip or zstd data inflated (a .txt saved from a compressed response), within the limit."""
    size = path.stat().st_size
    if max_bytes and size > max_bytes:
        if meter is not None:
            meter.bytes += size
        raise too_large(size, max_bytes, "file is")
    data = path.read_bytes()
    if meter is not None:
        meter.bytes += len(data)
    for magic, name in ((GZIP_MAGIC, "gzip"), (ZSTD_MAGIC, "zstd")):
        if data.startswith(magic):
            return _inflate(data, name, max_bytes), [f"compressed: {name} data in a file without its suffix, decompressed"]
    return data, []


def _inflate(data: bytes, name: str, max_bytes: int | None) -> bytes:
    """Decompress at most max_bytes + 1 bytes: a compression bomb is refused, not unpacked."""
    raw = decompressed(io.BytesIO(data), "." + ("gz" if name == "gzip" else "zst"))  # type: ignore[arg-type]
    want = max_bytes + 1 if max_bytes else -1
    chunks, got = [], 0
    try:
        while want < 0 or got < want:
            chunk = raw.read(1 << 20 if want < 0 else min(1 << 20, want - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except (OSError, EOFError, ValueError) as exc:
        raise DecodeError(f"{name} data that cannot be decompressed: {exc}") from exc
    if max_bytes and got > max_bytes:
        raise too_large(got, max_bytes, f"{name} data decompresses to more than")
    return b"".join(chunks)


def read_jsonl(path: Path | None, rel: str, fields: Fields, meter: Meter | None = None, dest: Dest | None = None,
               max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """One item per non-blank line; a broken line becomes a failure naming file:line. `path` None: stdin."""
    dest = dest or Dest("jsonl", rel)
    label = display(path) if path is not None else "<stdin>"
    try:
        refused = not_regular(path) if path is not None else None
        if refused:
            yield Item(dest, failure=Failure(rel, label, "read", refused))
            return
        raw = open_stdin(meter) if path is None else open_compressed(path, meter=meter)
    except OSError as exc:
        message = "no such file or directory" if isinstance(exc, FileNotFoundError) else f"cannot read {label}: {exc}"
        yield Item(dest, failure=Failure(rel, label, "read", message))
        return
    with raw:
        yield from _jsonl_lines(raw, label, rel, dest, fields, max_bytes)


def bounded_lines(raw: IO[bytes], limit: int | None) -> Iterator[bytes | int]:
    """The lines of a stream; a line longer than `limit` is passed over unread and given as its length."""
    while True:
        line = raw.readline(limit + 1) if limit else raw.readline()
        if not line:
            return
        if limit and len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while True:
                chunk = raw.readline(1 << 20)
                size += len(chunk)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield size
            continue
        yield line


def _jsonl_lines(raw: IO[bytes], label: str, rel: str, dest: Dest, fields: Fields,
                 max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    lineno = 0
    ids = DuplicateIds()
    limit = JSONL_LINE_FACTOR * max_bytes if max_bytes else None
    try:
        for line in bounded_lines(raw, limit):
            lineno += 1
            if isinstance(line, int):
                yield Item(dest, failure=Failure(str(lineno), f"{label}:{lineno}", "read",
                                                 str(too_large(line, limit or 0, "JSONL line is"))))
                continue
            item = line_item(line, label, lineno, dest, fields, max_bytes)
            if item is not None:
                yield ids.check(item, lineno)
    except (OSError, EOFError, ValueError) as exc:  # truncated or corrupt compressed stream
        yield Item(dest, failure=Failure(rel, label, "read", f"cannot read {Path(label).name} after line {lineno}: {exc}"))


class DuplicateIds:
    """Ids seen in one JSONL input; a repeated id is kept (ids are data, never paths) with a warning.

    Memory: an 8-byte digest per record of the input file, not of the whole corpus.
    """

    def __init__(self) -> None:
        self.seen: dict[bytes, int] = {}

    def check(self, item: Item, lineno: int) -> Item:
        if item.doc is None:
            return item
        key = hashlib.blake2b(item.doc.id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        first = self.seen.setdefault(key, lineno)
        if first == lineno:
            return item
        return replace(item, doc=with_warning(item.doc, f"duplicate-id: the id of line {first} again; both records are kept"))


def with_warning(doc: Document, warning: str) -> Document:
    """The document with one more entry in metadata["warnings"] (counted in report.json)."""
    meta = dict(doc.meta)
    previous = meta.get("warnings")
    meta["warnings"] = (list(previous) if isinstance(previous, list) else []) + [warning]
    return replace(doc, meta=meta)


def line_item(line: bytes, label: str, lineno: int, dest: Dest, fields: Fields,
              max_bytes: int | None = DEFAULT_MAX_BYTES) -> Item | None:
    """One JSONL line (bytes) as an item, None for a blank line; the Ray engine reads through this too."""
    if not line.strip():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Item(dest, failure=Failure(str(lineno), f"{label}:{lineno}", "read", f"invalid UTF-8 at byte {exc.start} of the line"))
    return record_item(text, f"{label}:{lineno}", lineno, dest, fields, max_bytes)


def record_item(line: str, where: str, lineno: int, dest: Dest, fields: Fields,
                max_bytes: int | None = DEFAULT_MAX_BYTES) -> Item:
    """A decoded JSONL line as an item: a failure for broken JSON, else the record's document."""
    try:
        record = values.loads(line)
    except json.JSONDecodeError as exc:
        return Item(dest, failure=Failure(str(lineno), where, "read", f"malformed JSON: {exc.msg} at column {exc.colno}"))
    except values.ValueProblem as exc:
        return Item(dest, failure=Failure(str(lineno), where, "read", f"unreadable JSON value: {exc}"))
    except RecursionError:
        return Item(dest, failure=Failure(str(lineno), where, "read", "malformed JSON: nested too deeply"))
    if not isinstance(record, dict):
        return Item(dest, failure=Failure(str(lineno), where, "read", f"a JSONL line must be an object, got {type(record).__name__}"))
    if values.has_surrogate_escape(line):
        record, found = values.scrub_value(record)
        item = record_to_item(record, where, lineno, dest, fields, max_bytes)
        if found and item.doc is not None:
            return replace(item, doc=with_warning(item.doc, f"surrogates: {found} lone surrogate{'s' if found > 1 else ''} "
                                                            "replaced with U+FFFD"))
        return item
    return record_to_item(record, where, lineno, dest, fields, max_bytes)


def record_to_item(record: dict[str, Any], where: str, lineno: int | str, dest: Dest, fields: Fields,
                   max_bytes: int | None = DEFAULT_MAX_BYTES) -> Item:
    doc_id = values.id_text(record.get(fields.id), lineno)
    found = content_of(record, fields)
    if found is None:
        return Item(dest, failure=Failure(doc_id, where, "read", missing_field(record, fields)))
    kind, content, used = found
    size = utf8_size(content)
    if max_bytes and size > max_bytes:
        return Item(dest, failure=Failure(doc_id, where, "read", str(too_large(size, max_bytes))))
    meta = metadata_of(record, fields, used)
    doc = Document(id=doc_id, kind=kind, content=content, meta=meta, source=where)
    nuls = content.count("\x00")
    if nuls:  # no meaning in text, and lxml refuses them
        doc = with_warning(replace(doc, content=content.replace("\x00", "")), f"nul: {nuls} NUL character{'s' if nuls > 1 else ''} removed")
    return Item(dest, doc=doc)


def read_parquet(path: Path, rel: str, fields: Fields, _meter: Meter | None = None, dest: Dest | None = None,
                 max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Rows of a Parquet file as records (a null is an absent field), read a batch at a time (the `parquet` extra)."""
    from .parquet import pyarrow_parquet

    dest = dest or Dest("jsonl", Source(path, rel, "parquet").output_name)
    try:
        table = pyarrow_parquet().ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - not Parquet, truncated: the file fails, named
        yield Item(dest, failure=Failure(rel, str(path), "read", f"cannot read Parquet: {exc}"))
        return
    row = 0
    for batch in table.iter_batches(batch_size=256):
        for columns in batch.to_pylist():
            row += 1
            record = {k: v for k, v in columns.items() if v is not None}
            yield record_to_item(record, f"{path}:{row}", row, dest, fields, max_bytes)


def missing_field(record: dict[str, Any], fields: Fields) -> str:
    """The read failure of a record without its content field, naming the keys it does have."""
    wanted = {"text": f"'{fields.text}'", "html": f"'{fields.html}'"}.get(fields.explicit, f"'{fields.text}' (or '{fields.html}')")
    name = fields.text if fields.explicit != "html" else fields.html
    kind = f"; '{name}' is {type(record[name]).__name__}" if name in record else ""
    return f"{MISSING_FIELD} {wanted} in the record{kind}; its keys: {', '.join(sorted(map(str, record))) or 'none'}"


def read_warc(path: Path, rel: str, meter: Meter | None = None, dest: Dest | None = None,
              max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    dest = dest or Dest("jsonl", Source(path, rel, "warc").output_name)
    try:
        refused = not_regular(path)
    except OSError:
        refused = None  # warc reports a missing file itself
    if refused:
        yield Item(dest, failure=Failure(rel, display(path), "read", refused))
        return
    yield from warc.read_warc(path, rel, dest, meter, max_bytes)


def read_source(source: Source, fields: Fields = Fields(), meter: Meter | None = None, dest: Dest | None = None,
                max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Every item of one input, in order."""
    if source.kind == "jsonl":
        yield from read_jsonl(source.path, source.rel, fields, meter, dest or Dest("jsonl", source.output_name), max_bytes)
    elif source.kind == "parquet":
        assert source.path is not None
        yield from read_parquet(source.path, source.rel, fields, meter, dest or Dest("jsonl", source.output_name), max_bytes)
    elif source.kind == "warc":
        assert source.path is not None
        yield from read_warc(source.path, source.rel, meter, dest, max_bytes)
    else:
        assert source.path is not None
        yield read_file(source.path, source.rel, meter, max_bytes)


def read_inputs(paths: Iterable[str | Path], fields: Fields = Fields(), glob: str | None = None,
                meter: Meter | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    for source in discover(paths, glob):
        yield from read_source(source, fields, meter, max_bytes=max_bytes)