"""Readers: JSONL in every compression and from stdin, bad lines failing alone, renamable fields, missing inputs."""

from __future__ import annotations

import gzip
import io
import json
import sys

import pytest
import zstandard

from cleaner.io.discover import Dest
from cleaner.io.readers import Fields, read_inputs, read_jsonl
from cleaner.model import Kind

RECORDS = [{"id": f"r{i}", "text": f"Line {i} of a plain document.", "url": f"https://example.org/{i}"} for i in range(5)]


def jsonl_bytes(records, extra: bytes = b"") -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records) + extra


def write_compressed(path, data: bytes) -> None:
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    elif path.name.endswith(".zst"):
        path.write_bytes(zstandard.ZstdCompressor().compress(data))
    else:
        path.write_bytes(data)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_jsonl_reads_alike_in_every_compression(tmp_path, suffix):
    path = tmp_path / f"in{suffix}"
    write_compressed(path, jsonl_bytes(RECORDS[:2], b"\n   \n") + jsonl_bytes(RECORDS[2:]))
    items = list(read_jsonl(path, path.name, Fields()))
    assert [i.doc.id for i in items] == [r["id"] for r in RECORDS]
    assert all(i.doc.kind is Kind.TEXT and i.doc.meta["url"].startswith("https://") for i in items)
    assert items[2].doc.source == f"{path}:5"  # blank lines still count for file:line


def test_a_bad_line_fails_alone_and_reading_goes_on(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl_bytes(RECORDS[:1], b'{"id": "bad", "text": "caf\xe9"}\n[1, 2]\n{"id": "n"}\n') + jsonl_bytes(RECORDS[1:2]))
    items = list(read_jsonl(path, path.name, Fields()))
    assert [i.doc.id if i.doc else None for i in items] == ["r0", None, None, None, "r1"]
    messages = [i.failure.message for i in items if i.failure]
    assert "invalid UTF-8" in messages[0] and "must be an object" in messages[1] and "no string field 'text'" in messages[2]
    assert [i.failure.source for i in items if i.failure] == [f"{path}:2", f"{path}:3", f"{path}:4"]


def test_truncated_compressed_input_is_a_failure_not_a_crash(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl_bytes(RECORDS * 50))[:-40])
    items = list(read_jsonl(path, path.name, Fields()))
    assert items[-1].failure is not None and "cannot read in.jsonl.gz" in items[-1].failure.message
    assert all(i.doc is not None for i in items[:-1])


@pytest.mark.parametrize("compress", [lambda b: b, gzip.compress, lambda b: zstandard.ZstdCompressor().compress(b)])
def test_stdin_jsonl_in_any_compression(monkeypatch, compress):
    fake = io.TextIOWrapper(io.BytesIO(compress(jsonl_bytes(RECORDS))))
    monkeypatch.setattr(sys, "stdin", fake)
    items = list(read_inputs(["-"]))
    assert [i.doc.id for i in items] == [r["id"] for r in RECORDS]
    assert items[0].doc.source == "<stdin>:1"


def test_html_field_wins_over_text_and_fields_are_renamable(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"key": "k1", "body": "plain", "page": "<p>x</p>", "lang": "en"}) + "\n", encoding="utf-8")
    (item,) = read_jsonl(path, path.name, Fields(text="body", html="page", id="key"))
    assert (item.doc.id, item.doc.kind, item.doc.content) == ("k1", Kind.HTML, "<p>x</p>")
    assert item.doc.meta == {"body": "plain", "lang": "en"}


def test_missing_input_is_a_failure_item(tmp_path):
    (item,) = read_inputs([tmp_path / "nope.txt"])
    assert item.failure is not None and item.failure.message == "no such file or directory"
    assert item.dest == Dest("mirror", "nope")
