"""WARC and WET input through fastwarc: HTML `response` records take the HTML path, WET `conversion` records the text path.

Each record's URL and date go into the document's metadata as `url` and `warc_date` (the
HTML path may add a `date` of its own: the one the page states). Records that are not documents
(requests, metadata, images and other non-HTML responses, redirects) are passed over, not
reported; a record whose payload cannot be decoded is a failure like any other.

HTTP bodies are decoded here, not by fastwarc, so that every step is bounded and named:
`Transfer-Encoding: chunked` is de-chunked, `Content-Encoding: gzip|deflate|br` is decompressed
to at most --max-bytes. A damaged record (a corrupt gzip member, a Content-Length that ends
before or after the record does) is a failure at its own offset, and reading resumes at the next
record that reads cleanly, so one bad record costs that record only.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Iterator

from ..distribution import install_hint
from ..model import Document, Failure, Kind
from .decode import DEFAULT_MAX_BYTES, DecodeError, decode_document, decode_page, too_large
from .discover import Dest, Item, display
from .streams import GZIP_MAGIC, ZSTD_MAGIC, Meter

HTML_TYPES = ("text/html", "application/xhtml+xml")
WARC_MAGIC = b"WARC/1."
SCAN_CHUNK = 1 << 20
MAX_CANDIDATES = 10_000  # record starts tried after a damaged record before giving up on the rest of the file
INFLATE_STEP = 1 << 16


def _fastwarc():
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(f"reading WARC needs fastwarc: {install_hint('warc')}") from exc
    return ArchiveIterator, WarcRecordType


class Damage(Exception):
    """Reading stopped inside the file; `at` is the offset of the record being read, when known."""

    def __init__(self, cause: BaseException, at: int | None = None):
        super().__init__(str(cause))
        self.at = at


def read_warc(path: Path, rel: str, dest: Dest, meter: Meter | None = None,
              max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """One item per HTML response or WET conversion record, in file order; damage costs only the damaged record."""
    label = display(path)
    try:
        _fastwarc()
    except ImportError as exc:
        yield Item(dest, failure=Failure(rel, label, "read", str(exc)))
        return
    if not path.is_file():
        yield Item(dest, failure=Failure(rel, label, "read", "no such file or directory"))
        return
    offset, counted, held = 0, 0, None  # held: (offset, item) of the last record, until the next one reads cleanly
    while offset is not None:
        try:
            for position, item in _records(path, offset, dest, label, max_bytes):
                if held is not None and held[1] is not None:
                    yield held[1]
                held = (position, item)
                if meter is not None:
                    meter.bytes += max(0, position - counted)
                    counted = max(counted, position)
            offset = None
        except Damage as damage:
            failures, offset = _after_damage(path, damage, held, offset, dest, rel, label)
            held = None
            yield from failures
    if held is not None and held[1] is not None:
        yield held[1]
    if meter is not None:
        meter.bytes += max(0, path.stat().st_size - counted)


def _records(path: Path, offset: int, dest: Dest, label: str, max_bytes: int | None) -> Iterator[tuple[int, Item | None]]:
    """(offset, item or None) for each wanted record from `offset` on; Damage when the file cannot be read further."""
    ArchiveIterator, WarcRecordType = _fastwarc()
    wanted = WarcRecordType.response | WarcRecordType.conversion
    with open(path, "rb") as fh:
        fh.seek(offset)
        records = iter(ArchiveIterator(fh, record_types=wanted, parse_http=True, auto_decode="none"))
        while True:
            try:
                record = next(records, None)
            except Exception as exc:  # noqa: BLE001 - fastwarc raises OSError, or a Rust panic for broken streams
                raise Damage(exc) from exc
            if record is None:
                return
            position = offset + record.stream_pos
            try:
                item = record_item(record, f"{label}@{position}", dest, WarcRecordType, max_bytes)
            except Exception as exc:  # noqa: BLE001 - a payload that breaks off mid-member
                raise Damage(exc, position) from exc
            yield position, item


def _after_damage(path: Path, damage: Damage, held, offset: int, dest: Dest, rel: str, label: str):
    """The failures a damaged stretch costs, and the offset reading resumes at (None: nothing readable follows)."""
    out: list[Item] = []
    after = damage.at if damage.at is not None else held[0] if held is not None else offset - 1
    bad, resume = _next_readable(path, after + 1)
    first_bad = damage.at if damage.at is not None else bad
    if first_bad is None and held is not None and resume is not None:
        # nothing unreadable between the last record and the next good one: the last record's length was wrong
        where = f"{label}@{held[0]}"
        ident = held[1].doc.id if held[1] is not None and held[1].doc is not None else where
        out.append(Item(dest, failure=Failure(ident, where, "read", f"damaged record: it does not end where its "
                                                                   f"Content-Length says ({damage}); reading resumed at byte {resume}")))
        return out, resume
    if held is not None and held[1] is not None:
        out.append(held[1])
    at = first_bad if first_bad is not None else after + 1
    tail = f"reading resumed at byte {resume}" if resume is not None else "nothing readable follows"
    out.append(Item(dest, failure=Failure(f"{rel}@{at}", f"{label}@{at}", "read",
                                          f"damaged record at byte {at} of {path.name}: {damage}; {tail}")))
    return out, resume


def _next_readable(path: Path, start: int) -> tuple[int | None, int | None]:
    """(first record start that does not read, first that does) at or after `start`."""
    bad = None
    for n, candidate in enumerate(_candidates(path, start)):
        if n >= MAX_CANDIDATES:
            break
        if _readable(path, candidate):
            return bad, candidate
        bad = candidate if bad is None else bad
    return bad, None


def _candidates(path: Path, start: int) -> Iterator[int]:
    """Offsets at or after `start` where a record could begin: a gzip or zstd member, or a WARC header line."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        magic = b"\x1f\x8b\x08" if head.startswith(GZIP_MAGIC) else ZSTD_MAGIC if head.startswith(ZSTD_MAGIC) else WARC_MAGIC
        fh.seek(start)
        base, carry = start, b""
        while True:
            chunk = fh.read(SCAN_CHUNK)
            if not chunk:
                return
            data = carry + chunk
            at = data.find(magic)
            while at >= 0:
                if magic != WARC_MAGIC or at + base == 0 or data[at - 1:at] == b"\n":
                    yield base + at
                at = data.find(magic, at + 1)
            keep = len(magic)
            carry, base = data[-keep:], base + len(data) - keep


def _readable(path: Path, offset: int) -> bool:
    """A record reads from `offset` and the one after it starts cleanly (or the file ends)."""
    ArchiveIterator, _types = _fastwarc()
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            records = iter(ArchiveIterator(fh, parse_http=False))
            first = next(records, None)
            if first is None:
                return False
            first.reader.read()
            next(records, None)
    except Exception:  # noqa: BLE001 - any error: not a record start
        return False
    return True


def record_item(record, where: str, dest: Dest, types, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Item | None:
    """The document of one record, None when the record holds no document."""
    headers = record.headers
    record_id = (headers.get("WARC-Record-ID") or where).strip("<>")
    meta = {"url": headers.get("WARC-Target-URI") or "", "warc_date": headers.get("WARC-Date") or "",
            "warc_type": "response" if record.record_type == types.response else "conversion"}
    if record.record_type == types.conversion:
        kind = Kind.TEXT
    else:
        status = record.http_headers.status_code if record.is_http else None
        content_type = (record.http_content_type or "").lower() if record.is_http else ""
        if status is not None and not 200 <= status < 300:
            return None
        if content_type and not content_type.startswith(HTML_TYPES):
            return None
        kind = Kind.HTML
    if max_bytes and record.content_length > max_bytes:  # refused unread; fastwarc skips the payload
        return Item(dest, failure=Failure(record_id, where, "read", str(too_large(record.content_length, max_bytes, "record is"))))
    payload = record.reader.read()
    if len(payload) < record.content_length:  # fastwarc hands out what a cut file still holds
        return Item(dest, failure=Failure(record_id, where, "read",
                                          f"truncated record: {len(payload)} of {record.content_length} bytes"))
    try:
        body, notes = http_body(payload, record.http_headers if record.is_http else None, max_bytes)
        decoded = decode_document(body) if kind is Kind.TEXT else decode_page(body, record.http_charset if record.is_http else None)
    except DecodeError as exc:
        return Item(dest, failure=Failure(record_id, where, "read", str(exc)))
    meta = {**meta, **decoded.meta()}
    if notes:
        meta["warnings"] = notes + meta.get("warnings", [])
    return Item(dest, doc=Document(id=record_id, kind=kind, content=decoded.text, meta=meta, source=where))


def http_body(payload: bytes, headers, max_bytes: int | None) -> tuple[bytes, list[str]]:
    """The HTTP body as the page's bytes: de-chunked, then decompressed (innermost coding last), within max_bytes."""
    if headers is None:
        return payload, []
    notes: list[str] = []
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        payload = dechunk(payload)
    codings = [c.strip().lower() for c in (headers.get("Content-Encoding") or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("identity", "none"):
            continue
        if coding not in INFLATERS:
            raise DecodeError(f"unsupported Content-Encoding: {coding}")
        try:
            payload = INFLATERS[coding](payload, max_bytes)
        except (zlib.error, OSError, ValueError, EOFError) as exc:
            if isinstance(exc, DecodeError):
                raise
            notes.append(f"content-encoding: the body is not {coding} data as its header says; read as it is")
    return payload, notes


def dechunk(data: bytes) -> bytes:
    """A `Transfer-Encoding: chunked` body as its bytes; a body that is not chunked after all is kept whole."""
    out, at = [], 0
    while True:
        end = data.find(b"\r\n", at)
        if end < 0:
            break
        size_text = data[at:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            if at == 0:
                return data  # crawlers often store the body de-chunked but keep the header
            raise DecodeError(f"malformed chunked transfer encoding at byte {at} of the body") from None
        if size == 0:
            return b"".join(out)
        if end + 2 + size > len(data):
            raise DecodeError(f"chunked body breaks off inside a chunk at byte {at}")
        out.append(data[end + 2:end + 2 + size])
        at = end + 2 + size + 2
    if at == 0:
        return data
    return b"".join(out)  # no final zero-size chunk: what arrived


def _inflate_zlib(data: bytes, max_bytes: int | None, wbits: int = 47) -> bytes:
    """gzip or zlib (wbits 47 tells them apart), -15 raw deflate; at most INFLATE_STEP bytes out per step."""
    engine, out, got = zlib.decompressobj(wbits), [], 0
    while True:
        chunk = engine.decompress(data, INFLATE_STEP)
        data = engine.unconsumed_tail
        out.append(chunk)
        got += len(chunk)
        if max_bytes and got > max_bytes:
            raise too_large(got, max_bytes, "record's body decompresses to more than")
        if engine.eof or (not data and len(chunk) < INFLATE_STEP):
            return b"".join(out)


def _inflate_deflate(data: bytes, max_bytes: int | None) -> bytes:
    """`deflate` as HTTP means it (a zlib stream), or the raw deflate many servers send instead."""
    try:
        return _inflate_zlib(data, max_bytes, 15)
    except zlib.error:
        return _inflate_zlib(data, max_bytes, -15)


def _inflate_brotli(data: bytes, max_bytes: int | None) -> bytes:
    import brotli

    engine, out, got, at = brotli.Decompressor(), [], 0, 0
    try:
        while not engine.is_finished():
            piece = b""
            if engine.can_accept_more_data():
                if at >= len(data):
                    break
                piece, at = data[at:at + INFLATE_STEP], at + INFLATE_STEP
            chunk = engine.process(piece, output_buffer_limit=INFLATE_STEP)
            out.append(chunk)
            got += len(chunk)
            if max_bytes and got > max_bytes:
                raise too_large(got, max_bytes, "record's body decompresses to more than")
    except brotli.error as exc:
        raise ValueError(f"brotli: {exc}") from exc
    return b"".join(out)


INFLATERS = {"gzip": _inflate_zlib, "x-gzip": _inflate_zlib, "deflate": _inflate_deflate, "br": _inflate_brotli}
