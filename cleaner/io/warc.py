"""WARC and WET input through fastwarc: HTML `response` records take the HTML path, WET `conversion` records the text path.

Each record's URL and date go into the document's metadata as `url` and `warc_date` (the
HTML path may add a `date` of its own: the one the page states). Records that are not documents
(requests, metadata, images and other non-HTML responses, redirects) are passed over, not
reported; a record whose payload cannot be decoded is a failure like any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..distribution import install_hint
from ..model import Document, Failure, Kind
from .decode import DEFAULT_MAX_BYTES, DecodeError, decode_document, decode_page, too_large
from .discover import Dest, Item
from .streams import Meter

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _fastwarc():
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(f"reading WARC needs fastwarc: {install_hint('warc')}") from exc
    return ArchiveIterator, WarcRecordType


def read_warc(path: Path, rel: str, dest: Dest, meter: Meter | None = None,
              max_bytes: int | None = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """One item per HTML response or WET conversion record, in file order."""
    try:
        ArchiveIterator, WarcRecordType = _fastwarc()
    except ImportError as exc:
        yield Item(dest, failure=Failure(rel, str(path), "read", str(exc)))
        return
    if not path.is_file():
        yield Item(dest, failure=Failure(rel, str(path), "read", "no such file or directory"))
        return
    wanted = WarcRecordType.response | WarcRecordType.conversion
    records = iter(ArchiveIterator(str(path), record_types=wanted, parse_http=True, auto_decode="all", fsspec_args=False))
    position, counted = 0, 0
    while True:
        try:
            record = next(records, None)
            if record is None:
                break
            position = record.stream_pos
            item = record_item(record, f"{path}@{position}", dest, WarcRecordType, max_bytes)
        except Exception as exc:  # noqa: BLE001 - fastwarc raises OSError, or a Rust panic for broken streams
            yield Item(dest, failure=Failure(rel, f"{path}@{position}", "read", f"cannot read {path.name} past byte {position}: {exc}"))
            break
        if meter is not None:  # stream_pos is the record's offset in the file as stored (compressed or not)
            meter.bytes += position - counted
            counted = position
        if item is not None:
            yield item
    if meter is not None:
        meter.bytes += max(0, path.stat().st_size - counted)


def record_item(record, where: str, dest: Dest, types, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Item | None:
    """The document of one record, None when the record holds no document."""
    headers = record.headers
    record_id = (headers.get("WARC-Record-ID") or where).strip("<>")
    meta = {"url": headers.get("WARC-Target-URI") or "", "warc_date": headers.get("WARC-Date") or "",
            "warc_type": "response" if record.record_type == types.response else "conversion"}
    if record.record_type == types.conversion:
        kind, content_type = Kind.TEXT, "text/plain"
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
        decoded = decode_document(payload) if kind is Kind.TEXT else decode_page(payload, record.http_charset if record.is_http else None)
    except DecodeError as exc:
        return Item(dest, failure=Failure(record_id, where, "read", str(exc)))
    return Item(dest, doc=Document(id=record_id, kind=kind, content=decoded.text, meta={**meta, **decoded.meta()}, source=where))
