"""Bytes to text: UTF-8 first, byte-order marks, UTF-16, damaged UTF-8, declared and detected legacy encodings.

Whatever was not plain UTF-8 is recorded in the document's metadata, never silent mojibake;
binary data is refused. Also the per-document size limit and its error.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .streams import GZIP_MAGIC, ZSTD_MAGIC

BINARY_SAMPLE = 8192
DEFAULT_MAX_BYTES = 20_000_000  # per document; --max-bytes
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
SNIFF_BYTES = 4096


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
        declared = codec_name(meta_charset(data))
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


class TooLarge(DecodeError):
    """A document above the per-document size limit: reported, never silently truncated."""


def too_large(size: int, limit: int, what: str = "document is") -> TooLarge:
    return TooLarge(f"{what} {size:,} bytes, more than the limit of {limit:,} (raise it with --max-bytes)")


def utf8_size(text: str) -> int:
    """Bytes of `text` in UTF-8, without encoding it when the length alone tells."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def decode_page(payload: bytes, declared: str | None) -> Decoded:
    """The HTTP charset when it decodes the bytes; else as a file is read (UTF-8, <meta>, detection), named in metadata."""
    codec = codec_name(declared)
    if codec is not None and payload.strip():
        try:
            return Decoded(payload.decode(codec), "utf-8" if codec == "utf-8" else codec)
        except UnicodeDecodeError:
            pass
    return decode_document(payload, html=True)


def meta_charset(payload: bytes) -> str | None:
    found = META_CHARSET.search(payload[:SNIFF_BYTES])
    return found.group(1).decode("ascii", "replace") if found else None


def codec_name(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return WESTERN if codec in ("latin-1", "iso8859-1", "ascii") else codec  # as browsers do
