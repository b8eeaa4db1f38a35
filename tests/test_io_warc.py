"""WARC and WET input: HTML responses take the HTML path, WET conversions the text path, URL and date kept."""

from __future__ import annotations

import gzip
import json

import pytest

pytest.importorskip("fastwarc")

from cleaner.cli import main  # noqa: E402
from cleaner.io.discover import Dest  # noqa: E402
from cleaner.io.streams import open_compressed  # noqa: E402
from cleaner.io.warc import read_warc  # noqa: E402
from cleaner.model import Kind  # noqa: E402

STORY = ("The council met on Tuesday to discuss the new budget for the coming year. Members argued for hours "
         "about the cost of repairing the old bridge, and in the end the vote was close.")
PAGE = (f"<html><head><title>Budget vote</title></head><body><nav><a href='/'>Home</a> <a href='/x'>News</a></nav>"
        f"<article><h1>Budget vote</h1><p>{STORY}</p><p>{STORY} It passed.</p><p>{STORY} Again.</p></article>"
        f"<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>")


def record(warc_type: str, uri: str, block: bytes, n: int, content_type: str) -> bytes:
    head = (f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
            f"WARC-Date: 2024-03-0{n % 9 + 1}T10:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(block)}\r\n\r\n").encode()
    return head + block + b"\r\n\r\n"


def response(uri: str, body: bytes, n: int, status: str = "200 OK", ctype: str = "text/html; charset=utf-8") -> bytes:
    block = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    return record("response", uri, block, n, "application/http; msgtype=response")


def archive() -> list[bytes]:
    latin = PAGE.replace("council", "conseil général, été").encode("cp1252")
    return [
        record("warcinfo", "", b"software: test\r\n", 0, "application/warc-fields"),
        record("request", "https://news.example/a", b"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n", 1, "application/http; msgtype=request"),
        response("https://news.example/a", PAGE.encode(), 2),
        response("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00", 3, ctype="image/png"),
        response("https://news.example/old", b"", 4, status="301 Moved Permanently"),
        response("https://news.example/fr", latin, 5, ctype="text/html"),  # no charset: sniffed as cp1252
        record("conversion", "https://news.example/b", f"Budget vote\n\n{STORY}\n\n{STORY} Again.\n\nBack to top\n".encode(), 6, "text/plain"),
    ]


@pytest.fixture(params=["plain", "gz"])
def warc_file(tmp_path, request):
    records = archive()
    if request.param == "gz":
        path = tmp_path / "crawl.warc.gz"
        path.write_bytes(b"".join(gzip.compress(r) for r in records))  # one gzip member per record, as crawlers write
    else:
        path = tmp_path / "crawl.warc"
        path.write_bytes(b"".join(records))
    return path


def test_documents_are_html_responses_and_wet_conversions_with_url_and_date(warc_file):
    items = list(read_warc(warc_file, warc_file.name, Dest("jsonl", "x")))
    assert [i.doc.kind for i in items] == [Kind.HTML, Kind.HTML, Kind.TEXT]
    assert [i.doc.meta["url"] for i in items] == ["https://news.example/a", "https://news.example/fr", "https://news.example/b"]
    assert [i.doc.meta["warc_date"] for i in items] == ["2024-03-03T10:00:00Z", "2024-03-06T10:00:00Z", "2024-03-07T10:00:00Z"]
    assert items[0].doc.id == "urn:uuid:00000000-0000-0000-0000-000000000002"
    assert "conseil général, été" in items[1].doc.content
    assert str(warc_file) in items[0].doc.source


def test_clean_writes_one_record_per_document_beside_the_warc_name(warc_file, tmp_path):
    out = tmp_path / "out"
    assert main(["clean", str(warc_file), "-o", str(out), "-j", "1", "--no-progress"]) == 0
    name = "crawl.jsonl.gz" if warc_file.name.endswith(".gz") else "crawl.jsonl"
    with open_compressed(out / name) as fh:
        records = [json.loads(line) for line in fh]
    assert [r["metadata"]["url"] for r in records] == ["https://news.example/a", "https://news.example/fr", "https://news.example/b"]
    assert [r["metadata"]["warc_date"][:10] for r in records] == ["2024-03-03", "2024-03-06", "2024-03-07"]
    assert STORY[:60] in records[0]["text"] and "Home" not in records[0]["text"].split()
    assert STORY[:60] in records[2]["text"] and "Back to top" not in records[2]["text"]


def test_a_truncated_warc_fails_loudly_and_keeps_what_came_before(tmp_path):
    path = tmp_path / "cut.warc.gz"
    data = b"".join(gzip.compress(r) for r in archive())
    path.write_bytes(data[: len(data) - 60])
    out = tmp_path / "out"
    assert main(["clean", str(path), "-o", str(out), "-j", "1", "--no-progress"]) == 1
    report = json.loads((out / ".cleaner" / "report.json").read_text(encoding="utf-8"))
    assert report["documents_out"] == 2 and report["documents_failed"] == 1
    assert "truncated record" in report["failures"][0]["message"]


def test_warc_files_are_found_in_directories_with_glob(warc_file, tmp_path):
    out = tmp_path / "out"
    (warc_file.parent / "notes.txt").write_text("A note that the glob leaves out of the run.", encoding="utf-8")
    assert main(["clean", str(warc_file.parent), "--glob", "*.warc*", "-o", str(out), "--shard-size", "2", "-j", "1", "--no-progress"]) == 0
    with open_compressed(out / "part-00001.jsonl.zst") as fh:
        assert [json.loads(line)["metadata"]["warc_type"] for line in fh] == ["conversion"]
    assert json.loads((out / ".cleaner" / "report.json").read_text(encoding="utf-8"))["documents_in"] == 3
