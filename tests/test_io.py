"""Readers and writers: discovery with --glob, JSONL in every compression and from stdin, reproducible sinks."""

from __future__ import annotations

import gzip
import io
import json
import sys

import pytest
import zstandard

from cleaner.io import (Dest, Fields, JsonlFile, Source, discover, open_compressed, read_inputs, read_jsonl, safe_join,
                        shard_name)
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


def test_directories_are_walked_in_sorted_order_without_hidden_files(tmp_path):
    for name in ["b/two.txt", "a/one.html", "c.jsonl.gz", ".hidden/x.txt", "a/.x.txt", "notes.md", "d.warc.gz"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = [(s.rel, s.kind) for s in discover([tmp_path])]
    assert found == [("a/one.html", "file"), ("b/two.txt", "file"), ("c.jsonl.gz", "jsonl"), ("d.warc.gz", "warc")]


def test_glob_narrows_a_walk_and_takes_unknown_suffixes_as_text(tmp_path):
    for name in ["x/a.txt", "x/b.jsonl", "y/c.jsonl", "y/d.page"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert [s.rel for s in discover([tmp_path], "*.jsonl")] == ["x/b.jsonl", "y/c.jsonl"]
    assert [s.rel for s in discover([tmp_path], "x/*")] == ["x/a.txt", "x/b.jsonl"]
    assert [(s.rel, s.kind) for s in discover([tmp_path], "*.page")] == [("y/d.page", "file")]


@pytest.mark.parametrize("name, output", [("a/b.warc.gz", "a/b.jsonl.gz"), ("x.warc", "x.jsonl"),
                                          ("CC-MAIN-1.warc.wet.gz", "CC-MAIN-1.jsonl.gz"), ("r.jsonl.zst", "r.jsonl.zst")])
def test_per_input_output_names_keep_the_input_compression(name, output):
    kind = "jsonl" if ".jsonl" in name else "warc"
    assert Source(None, name, kind).output_name == output


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


@pytest.mark.parametrize("compression", ["none", "gz", "zst"])
def test_jsonl_files_are_byte_identical_when_rewritten(tmp_path, compression):
    lines = [json.dumps(r).encode() + b"\n" for r in RECORDS]
    digests = []
    for attempt in range(2):
        target = tmp_path / str(attempt) / shard_name(0, compression)
        out = JsonlFile(target)
        for line in lines:
            out.write(line)
        assert not target.exists()  # nothing visible before commit
        out.commit()
        digests.append(target.read_bytes())
        with open_compressed(target) as fh:
            assert fh.read() == b"".join(lines)
    assert digests[0] == digests[1]


def test_safe_join_keeps_names_inside_the_root(tmp_path):
    assert safe_join(tmp_path, "../../etc/passwd") == tmp_path / "etc" / "passwd"
    assert safe_join(tmp_path, "/abs/x") == tmp_path / "abs" / "x"
    assert safe_join(tmp_path, "..") == tmp_path / "_"


def test_missing_input_is_a_failure_item(tmp_path):
    (item,) = read_inputs([tmp_path / "nope.txt"])
    assert item.failure is not None and item.failure.message == "no such file or directory"
    assert item.dest == Dest("mirror", "nope")
