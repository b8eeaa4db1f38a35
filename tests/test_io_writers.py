"""Writers: reproducible JSONL sinks that appear whole or not at all, names kept inside OUT."""

from __future__ import annotations

import json

import pytest

from cleaner.io.streams import open_compressed
from cleaner.io.writers import JsonlFile, safe_join, shard_name

RECORDS = [{"id": f"r{i}", "text": f"Line {i} of a plain document.", "url": f"https://example.org/{i}"} for i in range(5)]


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
