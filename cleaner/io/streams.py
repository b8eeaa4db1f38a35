"""Compressed byte streams in and out: plain, .gz and .zst files and stdin, with reads counted for progress."""

from __future__ import annotations

import gzip
import io
import os
import sys
from pathlib import Path
from typing import IO, Any, BinaryIO

COMPRESSIONS = {"none": "", "gz": ".gz", "zst": ".zst"}
ZSTD_LEVEL = 3  # zstd's own default: ~10x faster than level 10 for ~5% larger files
GZIP_MAGIC, ZSTD_MAGIC = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"


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


def open_compressed(path: Path, mode: str = "rb", meter: Meter | None = None) -> IO[bytes]:
    """Open plain, .gz or .zst files by their name; reads are counted on `meter`."""
    name = path.name.lower()
    if "r" not in mode:
        return _open_write(path, mode)
    raw = io.BufferedReader(CountingReader(open(path, "rb", buffering=0), meter), 1 << 20)  # type: ignore[arg-type]
    return decompressed(raw, name)


def _open_write(path: Path, mode: str) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, mode)  # type: ignore[return-value]
    if name.endswith(".zst"):
        import zstandard

        return zstandard.open(path, mode, cctx=zstandard.ZstdCompressor(level=ZSTD_LEVEL))  # type: ignore[return-value]
    return open(path, mode)


def decompressed(raw: IO[bytes], name: str) -> IO[bytes]:
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
        return decompressed(raw, ".gz")
    if head.startswith(ZSTD_MAGIC):
        return decompressed(raw, ".zst")
    return raw


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