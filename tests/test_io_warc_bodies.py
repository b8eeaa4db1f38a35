"""WARC bodies and damage: chunked and compressed HTTP bodies decoded within --max-bytes; a damaged record costs itself only."""

from __future__ import annotations

import gzip
import re
import tracemalloc
import zlib

import pytest

pytest.importorskip("fastwarc")

from cleaner.io.discover import Dest  # noqa: E402
from cleaner.io.warc import dechunk, read_warc  # noqa: E402
from test_io_warc import PAGE, record  # noqa: E402


def http(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in ("HTTP/1.1 200 OK", "Content-Type: text/html; charset=utf-8", *headers))
    return head.encode() + b"\r\n" + body


def resp(n: int, block: bytes) -> bytes:
    return record("response", f"https://news.example/{n}", block, n, "application/http; msgtype=response")


def chunked(body: bytes, size: int = 97) -> bytes:
    parts = [f"{len(body[i:i + size]):x}\r\n".encode() + body[i:i + size] + b"\r\n" for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def read(path, max_bytes=20_000_000):
    return list(read_warc(path, path.name, Dest("jsonl", "x.jsonl"), max_bytes=max_bytes))


def brotli_compress(data: bytes) -> bytes:
    brotli = pytest.importorskip("brotli")
    return brotli.compress(data)


BODY = PAGE.encode()
ENCODED = {
    "chunked": lambda: http(chunked(BODY), "Transfer-Encoding: chunked"),
    "chunked-ext": lambda: http(chunked(BODY).replace(b"\r\n", b";name=v\r\n", 1), "Transfer-Encoding: chunked"),
    "gzip": lambda: http(gzip.compress(BODY), "Content-Encoding: gzip"),
    "deflate-zlib": lambda: http(zlib.compress(BODY), "Content-Encoding: deflate"),
    "deflate-raw": lambda: http(zlib.compress(BODY)[2:-4], "Content-Encoding: deflate"),
    "br": lambda: http(brotli_compress(BODY), "Content-Encoding: br"),
    "chunked-gzip": lambda: http(chunked(gzip.compress(BODY)), "Transfer-Encoding: chunked", "Content-Encoding: gzip"),
    "declared-but-plain": lambda: http(BODY, "Content-Encoding: gzip"),
}


@pytest.mark.parametrize("kind", ENCODED)
def test_http_bodies_are_dechunked_and_decompressed(tmp_path, kind):
    path = tmp_path / "c.warc"
    path.write_bytes(resp(1, ENCODED[kind]()))
    (item,) = read(path)
    assert item.doc is not None, item.failure
    assert item.doc.content == PAGE


def test_a_chunked_body_is_not_taken_for_truncated():
    assert dechunk(chunked(b"x" * 1000, 7)) == b"x" * 1000
    assert dechunk(b"not chunked at all") == b"not chunked at all"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_decompression_stops_at_max_bytes(tmp_path, coding):
    bomb = b"\0" * (64 << 20)
    body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli_compress}[coding](bomb)
    assert len(body) < 1 << 20
    path = tmp_path / "bomb.warc"
    path.write_bytes(resp(1, http(body, f"Content-Encoding: {coding}")) + resp(2, http(BODY)))
    tracemalloc.start()
    items = read(path, max_bytes=1_000_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 << 20, f"{peak:,} bytes held while refusing a 64 MB body"
    assert "decompresses to more than" in items[0].failure.message and "--max-bytes" in items[0].failure.message
    assert items[1].doc is not None and items[1].doc.content == PAGE


def records4() -> list[bytes]:
    return [resp(n, http(PAGE.replace("Budget vote", f"Vote {n}").encode())) for n in range(1, 5)]


def offsets(parts: list[bytes]) -> list[int]:
    return [sum(len(p) for p in parts[:i]) for i in range(len(parts))]


def ids(items) -> list:
    return [i.doc.id[-1] if i.doc else None for i in items]


@pytest.mark.parametrize("which", [0, 1, 3])
def test_a_corrupt_gzip_member_costs_its_record_only(tmp_path, which):
    members = [gzip.compress(r) for r in records4()]
    bad = bytearray(members[which])
    bad[len(bad) // 2: len(bad) // 2 + 16] = b"\xff" * 16
    members[which] = bytes(bad)
    path = tmp_path / "c.warc.gz"
    path.write_bytes(b"".join(members))
    items = read(path)
    assert ids(items) == [None if n == which else str(n + 1) for n in range(4)]
    failure = items[which].failure
    assert f"byte {offsets(members)[which]}" in failure.message and failure.source.endswith(f"@{offsets(members)[which]}")


@pytest.mark.parametrize("delta", [-150, 150])
@pytest.mark.parametrize("compress", [False, True])
def test_a_wrong_content_length_costs_its_record_only(tmp_path, delta, compress):
    parts = records4()
    length = int(re.search(rb"Content-Length: (\d+)\r\n\r\nHTTP", parts[1]).group(1))
    parts[1] = parts[1].replace(b"Content-Length: %d\r\n\r\nHTTP" % length, b"Content-Length: %d\r\n\r\nHTTP" % (length + delta))
    if compress:
        parts = [gzip.compress(p) for p in parts]
    path = tmp_path / ("c.warc.gz" if compress else "c.warc")
    path.write_bytes(b"".join(parts))
    items = read(path)
    assert ids(items) == ["1", None, "3", "4"]
    assert items[1].failure.source.endswith(f"@{offsets(parts)[1]}") and "Content-Length" in items[1].failure.message
