"""Readers and writers: text and HTML files, JSONL[.gz|.zst], WARC, stdin; a mirror tree, JSONL files or shards.

Readers yield `Item`s: a document (or the failure to read one) plus where its result goes.
Nothing is dropped on the floor: a file that cannot be decoded becomes a `Failure` item.
Reading is lazy everywhere, so memory does not grow with the size of the corpus.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import hashlib
import io
import itertools
import json
import os
import re
import string
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, Iterable, Iterator

from .model import Cleaned, Document, Failure, Kind

TEXT_SUFFIXES = {".txt": Kind.TEXT, ".text": Kind.TEXT, ".html": Kind.HTML, ".htm": Kind.HTML, ".xhtml": Kind.HTML}
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".wet", ".wet.gz", ".wet.zst")
COMPRESSIONS = {"none": "", "gz": ".gz", "zst": ".zst"}
BINARY_SAMPLE = 8192
DEFAULT_MAX_BYTES = 20_000_000  # per document; --max-bytes
JSONL_LINE_FACTOR = 2  # a JSONL line may be this many times --max-bytes (JSON escapes): longer ones are skipped unread
STDIN = "-"
DEFAULT_SIDECAR = "{name}.comments.jsonl"  # cleaner fix's comment sidecar; config.DEFAULT_COMMENTS
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


# --------------------------------------------------------------------------- decoding


class DecodeError(ValueError):
    pass


def decode(data: bytes) -> str:
    """Strict UTF-8 with a clear message; binary data and empty files are refused.

    In-place mode reads through this: `fix` must not rewrite a file into another encoding.
    `cleaner clean` reads through `decode_document`, which also takes legacy encodings.
    """
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


@dataclass(frozen=True)
class Decoded:
    """A document's text, the encoding it was read in, and what a reader should know about that."""

    text: str
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()

    def meta(self) -> dict:
        """What goes into the document's metadata: nothing for plain UTF-8."""
        out: dict = {}
        if self.encoding != "utf-8":
            out["encoding"] = self.encoding
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
MAGIC = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
         (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a zip archive"), (b"\xfd7zXZ\x00", "xz-compressed data"),
         (b"BZh", "bzip2-compressed data"), (GZIP_MAGIC, "gzip-compressed data"), (ZSTD_MAGIC, "zstd-compressed data"),
         (b"\x7fELF", "an executable"), (b"RIFF", "a RIFF media file"), (b"OggS", "an Ogg media file"))
MAX_NUL_SHARE = 0.001  # more NUL bytes than this share of a file: binary, not text with stray NULs
MAX_CONTROL_SHARE = 0.01  # control characters (other than whitespace and ESC) in decoded text: more is binary
MAX_BAD_UTF8 = 8  # UTF-8 with valid multi-byte characters and at most this many (or as many) invalid bytes: damaged UTF-8
WESTERN = "cp1252"  # the WHATWG default for undeclared legacy pages; preferred when the detector allows it


def decode_document(data: bytes, html: bool = False) -> Decoded:
    """Bytes of one document as text, never as silent mojibake: what was not plain UTF-8 is recorded.

    In order: a byte-order mark (UTF-8/16/32); UTF-16 without one (NUL in every other byte);
    known binary formats are refused; stray NUL bytes in text are removed; strict UTF-8;
    UTF-8 with a few damaged bytes among valid multi-byte characters (each becomes U+FFFD);
    for HTML a <meta> charset that decodes; else the encoding charset_normalizer detects
    (windows-1252 when it is among the candidates). The encoding and any warning go into
    the document's metadata and report.json; a file none of these read is a failure.
    """
    if not data.strip():
        raise DecodeError("empty file" if not data else "file holds only whitespace")
    decoded = _by_bom(data) or _utf16_unmarked(data) or _text_bytes(data, html)
    if not decoded.text.strip():
        raise DecodeError("file holds only whitespace")
    if _binaryish(decoded.text):
        raise DecodeError("binary file (control characters); expected text")
    return decoded


def _by_bom(data: bytes) -> Decoded | None:
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {codec} after its byte-order mark, at byte {exc.start}") from exc
            return Decoded(text, "utf-8" if codec == "utf-8-sig" else codec)
    return None


def _utf16_unmarked(data: bytes) -> Decoded | None:
    """UTF-16 without a byte-order mark: Latin text has a NUL in every other byte."""
    head = data[:BINARY_SAMPLE]
    if len(head) < 4 or b"\x00" not in head:
        return None
    even, odd = head[0::2], head[1::2]
    share = lambda half: half.count(0) / max(len(half), 1)  # noqa: E731
    codec = "utf-16-le" if share(odd) > 0.3 and share(even) < 0.05 else \
        "utf-16-be" if share(even) > 0.3 and share(odd) < 0.05 else None
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if _binaryish(text):
        return None  # NULs in a pattern, but what they make is not text
    return Decoded(text, codec, ("encoding: UTF-16 without a byte-order mark",))


def _binaryish(text: str) -> bool:
    """Control characters other than whitespace and ESC in the first 8 KB: text has almost none, binary data many."""
    sample = text[:BINARY_SAMPLE]
    return sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v\x1b") > MAX_CONTROL_SHARE * len(sample) + 1


def _text_bytes(data: bytes, html: bool) -> Decoded:
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"binary file ({what}); expected text")
    warnings: list[str] = []
    nuls = data.count(b"\x00")
    if nuls:
        if nuls > MAX_NUL_SHARE * len(data) + 1:
            raise DecodeError(f"binary file ({nuls} NUL bytes); expected text")
        data = data.replace(b"\x00", b"")
        warnings.append(f"nul: {nuls} NUL byte{'s' if nuls > 1 else ''} removed")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", tuple(warnings))
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return Decoded(damaged[0], "utf-8", tuple(warnings) + (damaged[1],))
    if html:
        from .warc import _codec, _meta_charset

        declared = _codec(_meta_charset(data))
        if declared and declared not in ("utf-8",):
            try:
                return Decoded(data.decode(declared), declared, tuple(warnings))
            except UnicodeDecodeError:
                pass
    codec = _detect(data)
    if codec is None:
        raise DecodeError("not UTF-8, and no encoding could be told from the bytes; convert the file to UTF-8")
    note = f"encoding: not UTF-8; decoded as {codec} (detected)"
    return Decoded(data.decode(codec), codec, tuple(warnings) + (note,))


def _damaged_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few bad bytes (a cut or a glued file): the text with U+FFFD for each, and a warning."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
    if not multibyte or bad > max(multibyte, MAX_BAD_UTF8):
        return None
    return text, f"utf-8: {bad} invalid byte sequence{'s' if bad > 1 else ''} replaced with U+FFFD"


def _ascii_compatible(codec: str) -> bool:
    probe = b"Text <p> 0-9, a/b."
    try:
        return probe.decode(codec) == probe.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def _same_as_western(data: bytes, codec: str) -> bool:
    """The guess reads the bytes exactly as windows-1252 does (Latin-1 text guessed as cp1250): name the common one."""
    try:
        return data.decode(codec) == data.decode(WESTERN)
    except UnicodeDecodeError:
        return False


def _detect(data: bytes) -> str | None:
    """charset_normalizer's candidates that keep ASCII as ASCII; windows-1252 first when among them."""
    from charset_normalizer import from_bytes

    candidates = [m.encoding for m in from_bytes(data) if _ascii_compatible(m.encoding)]
    if WESTERN in candidates or candidates and _same_as_western(data, candidates[0]):
        return WESTERN
    if candidates:
        return codecs.lookup(candidates[0]).name
    try:
        data.decode(WESTERN)
    except UnicodeDecodeError:
        return None
    return WESTERN


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
        return io.BufferedReader(ZstdReader(raw), 1 << 20)  # type: ignore[arg-type]  # adds readline and line iteration
    return raw


class ZstdReader(io.RawIOBase):
    """zstd frames one after another; a stream that ends inside a frame raises EOFError.

    zstandard's stream_reader ends quietly at a cut, which would lose the records of a
    truncated file without a word. Input goes in small steps, so a block of a compression
    bomb cannot expand into more than a few tens of MB at once.
    """

    STEP = 2048

    def __init__(self, raw: IO[bytes]):
        import zstandard

        self.raw, self.dctx = raw, zstandard.ZstdDecompressor()
        self.obj = self.dctx.decompressobj()
        self.pending = False  # the current frame has begun and not ended
        self.buf, self.pos = b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while self.pos >= len(self.buf):
            chunk = self.raw.read(self.STEP)
            if not chunk:
                if self.pending:
                    raise EOFError("zstd stream ends inside a frame: the file is truncated")
                return 0
            self.buf, self.pos = self._feed(chunk), 0
        n = min(len(buffer), len(self.buf) - self.pos)
        buffer[:n] = self.buf[self.pos:self.pos + n]
        self.pos += n
        return n

    def _feed(self, data: bytes) -> bytes:
        out = []
        while data:
            out.append(self.obj.decompress(data))
            if self.obj.eof:
                data, self.obj, self.pending = self.obj.unused_data, self.dctx.decompressobj(), False
            else:
                data, self.pending = b"", True
        return b"".join(out)

    def close(self) -> None:
        self.raw.close()
        super().close()


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


class TooLarge(DecodeError):
    """A document above the per-document size limit: reported, never silently truncated."""


def too_large(size: int, limit: int, what: str = "document is") -> TooLarge:
    return TooLarge(f"{what} {size:,} bytes, more than the limit of {limit:,} (raise it with --max-bytes)")


def read_file(path: Path, rel: str, meter: Meter | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
              dest: Dest | None = None) -> Item:
    """One text or HTML file as an item; a file above `max_bytes` is refused before it is read."""
    dest = dest or Dest("mirror", _strip_suffix(rel))
    kind = TEXT_SUFFIXES.get(suffix_of(path), Kind.TEXT)
    try:
        data, notes = _read_bytes(path, max_bytes, meter)
        decoded = decode_document(data, html=kind is Kind.HTML)
    except (OSError, DecodeError) as exc:
        message = "no such file or directory" if isinstance(exc, FileNotFoundError) else str(exc)
        return Item(dest, failure=Failure(rel, str(path), "read", message))
    meta = {"source": str(path), **decoded.meta()}
    if notes:
        meta["warnings"] = notes + meta.get("warnings", [])
    return Item(dest, doc=Document(id=rel, kind=kind, content=decoded.text, meta=meta, source=str(path)))


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
    raw = _decompressed(io.BytesIO(data), "." + ("gz" if name == "gzip" else "zst"))  # type: ignore[arg-type]
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


def _strip_suffix(rel: str) -> str:
    p = PurePosixPath(rel)
    return str(p.with_suffix("")) if p.suffix.lower() in TEXT_SUFFIXES else str(p)


def read_jsonl(path: Path | None, rel: str, fields: Fields, meter: Meter | None = None, dest: Dest | None = None,
               max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
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
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Item(dest, failure=Failure(str(lineno), where, "read", f"malformed JSON: {exc.msg} at column {exc.colno}"))
    except RecursionError:
        return Item(dest, failure=Failure(str(lineno), where, "read", "malformed JSON: nested too deeply"))
    if not isinstance(record, dict):
        return Item(dest, failure=Failure(str(lineno), where, "read", f"a JSONL line must be an object, got {type(record).__name__}"))
    return record_to_item(record, where, lineno, dest, fields, max_bytes)


def record_to_item(record: dict[str, Any], where: str, lineno: int | str, dest: Dest, fields: Fields,
                   max_bytes: int | None = DEFAULT_MAX_BYTES) -> Item:
    raw_id = record.get(fields.id, lineno)
    doc_id = str(lineno if raw_id is None else raw_id)
    html, text = record.get(fields.html), record.get(fields.text)
    if isinstance(html, str) and html.strip():
        kind, content, used = Kind.HTML, html, fields.html
    elif isinstance(text, str):
        kind, content, used = Kind.TEXT, text, fields.text
    else:
        found = f"; '{fields.text}' is {type(text).__name__}" if fields.text in record else ""
        return Item(dest, failure=Failure(doc_id, where, "read",
                                          f"no string field '{fields.text}' (or '{fields.html}') in the record{found}"))
    size = utf8_size(content)
    if max_bytes and size > max_bytes:
        return Item(dest, failure=Failure(doc_id, where, "read", str(too_large(size, max_bytes))))
    meta = {k: v for k, v in record.items() if k not in (fields.id, used, "text", "title", "comments", "removed")}
    doc = Document(id=doc_id, kind=kind, content=content, meta=meta, source=where)
    nuls = content.count("\x00")
    if nuls:  # no meaning in text, and lxml refuses them
        doc = with_warning(replace(doc, content=content.replace("\x00", "")), f"nul: {nuls} NUL character{'s' if nuls > 1 else ''} removed")
    return Item(dest, doc=doc)


def utf8_size(text: str) -> int:
    """Bytes of `text` in UTF-8, without encoding it when the length alone tells."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def read_warc(path: Path, rel: str, meter: Meter | None = None, dest: Dest | None = None,
              max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    from .warc import read_warc as _read

    yield from _read(path, rel, dest or Dest("jsonl", Source(path, rel, "warc").output_name), meter, max_bytes)


def read_source(source: Source, fields: Fields = Fields(), meter: Meter | None = None, dest: Dest | None = None,
                max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Every item of one input, in order."""
    if source.kind == "jsonl":
        yield from read_jsonl(source.path, source.rel, fields, meter, dest or Dest("jsonl", source.output_name), max_bytes)
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


# --------------------------------------------------------------------------- writers


def record_of(cleaned: Cleaned) -> dict:
    """The JSONL output record (Cleaned.to_dict, the one source of its shape)."""
    return cleaned.to_dict()


def record_line(cleaned: Cleaned, **shape) -> bytes:
    """One output record as a JSONL line, exactly as every writer (and the Ray engine) emits it; `shape`: to_dict's options."""
    return (json.dumps(cleaned.to_dict(**shape), ensure_ascii=False, default=str) + "\n").encode("utf-8", "surrogatepass")


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
    return root.joinpath(*safe_parts(rel))


def safe_parts(rel: str) -> list[str]:
    """The parts of a relative name that stay inside a folder: no '..', no root, no control characters."""
    parts = [p for p in PurePosixPath(rel.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    cleaned = [("".join(ch if ch.isprintable() and ch != "\x00" else "_" for ch in p)) for p in parts]
    return cleaned or ["_"]


RUN_FILES = ("errors.jsonl", "report.json")  # OUT's own files: no input's output may take their names


class OutputNames:
    """Output paths claimed in one run, so two inputs never write one file.

    `a.txt` and `a.html` would both write OUT/articles/a.txt, `x.warc.gz` and `x.jsonl.gz`
    both OUT/x.jsonl.gz, an input `errors.jsonl` the run's error log. The first input in
    discovery order keeps the natural name; a later one gets its name with a short hash of
    its input path (`a-1f2e3d4c`), the same on every run, so a resumed run agrees.
    Names are compared as written after sanitising, case-folded (portable to case-insensitive disks).
    """

    def __init__(self) -> None:
        self.taken: set[str] = {name.casefold() for name in RUN_FILES}

    def _free(self, *paths: str) -> bool:
        keys = ["/".join(safe_parts(p)).casefold() for p in paths]
        if any(k in self.taken or not _fits(k) for k in keys):
            return False
        self.taken.update(keys)
        return True

    def mirror(self, rel: str) -> str:
        """The relative name (no suffix) under OUT/articles and OUT/comments for a text or HTML input."""
        base = _strip_suffix(rel)
        return next(name for name in _candidates(base, rel) if self._free(f"articles/{name}.txt", f"comments/{name}.jsonl"))

    def jsonl(self, name: str, rel: str) -> str:
        """The output file under OUT for a JSONL or WARC input."""
        cut = name.lower().rfind(".jsonl")
        base, ext = (name[:cut], name[cut:]) if cut > 0 else (name, "")
        return next(stem + ext for stem in _candidates(base, rel) if self._free(stem + ext))


MAX_NAME_BYTES = 255  # a file name on most file systems


def _fits(path: str) -> bool:
    return all(len(part.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES for part in path.split("/"))


def _candidates(base: str, rel: str) -> Iterator[str]:
    """The natural name, then the name with a hash of the input path (and of a counter, should that be taken).

    A hashed name keeps at most 200 bytes of the original file name, so it fits where the natural one is too long.
    """
    yield base
    head, _, last = base.rpartition("/")
    short = last.encode("utf-8", "surrogateescape")[:200].decode("utf-8", "ignore")
    for n in itertools.count():
        salt = rel if n == 0 else f"{rel}\0{n}"
        digest = hashlib.sha1(salt.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        yield f"{head}/{short}-{digest}" if head else f"{short}-{digest}"


_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text for a terminal: control and bidi-override characters from strangers shown escaped, not obeyed.

    Other invisible characters (no-break spaces, zero-width joiners in emoji) are shown as they are.
    """
    return _UNSAFE.sub(lambda m: ascii(m.group())[1:-1], text)


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
        """Drop the temp file; closing may fail again on a full disk, which must not keep the file."""
        try:
            self.sink.close(sync=False)
        except OSError:
            pass
        finally:
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

