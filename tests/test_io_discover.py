"""Discovery: directories walked in sorted order, --glob, hidden files, per-input output names."""

from __future__ import annotations

import pytest

from cleaner.io.discover import Source, discover

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
