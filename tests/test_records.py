"""Output records are dolma documents: id, text, source (required), added, created, metadata, attributes."""

import json
import re

import pytest

from cleaner.cli import main
from cleaner.io.streams import open_compressed
from cleaner.lines import normalise

TEXT = ("Home | News | Contact\n\nThe council approved the new budget on Tuesday after a long debate.\n"
        "Members said the plan keeps every library open.\n\nShare this article\n")
ISO = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?)?$")


def dolma_problems(record: dict) -> list[str]:
    """dolma's documented document format (docs/data-format.md): id, text and source are mandatory strings;
    added and created optional timestamps; metadata an optional object; attributes map names to [start, end, score]."""
    problems = [f"{k}: mandatory string" for k in ("id", "text", "source") if not isinstance(record.get(k), str)]
    problems += [f"source: empty"] if record.get("source") == "" else []
    problems += [f"{k}: not a timestamp" for k in ("added", "created") if k in record and not ISO.match(str(record[k]))]
    problems += ["metadata: not an object"] if not isinstance(record.get("metadata", {}), dict) else []
    for name, spans in record.get("attributes", {}).items():
        if not all(isinstance(s, list) and len(s) == 3 and s[0] <= s[1] for s in spans):
            problems.append(f"attributes[{name}]: not [start, end, score] spans")
    return problems


def _clean(tmp_path, records, *flags, name="crawl.jsonl"):
    src = tmp_path / name
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-j", "1", "--no-progress", "--isolated", *flags]) == 0
    return [json.loads(line) for line in (out / name).read_text().splitlines()]


def test_records_are_valid_dolma_documents_named_after_their_input(tmp_path):
    records = _clean(tmp_path, [{"id": "a", "text": TEXT}, {"text": TEXT.replace("budget", "plan"), "added": "2024-01-02T03:04:05Z"}])
    assert [dolma_problems(r) for r in records] == [[], []]
    assert [r["source"] for r in records] == ["crawl", "crawl"]
    assert "added" not in records[0] and records[1]["added"] == "2024-01-02T03:04:05Z"  # only where the input knows it


def test_dolma_validator_catches_a_record_without_source():
    assert dolma_problems({"id": "a", "text": "x"}) == ["source: mandatory string"]


def test_source_flag_names_the_dataset(tmp_path):
    records = _clean(tmp_path, [{"id": "a", "text": TEXT}], "--source", "common-crawl")
    assert records[0]["source"] == "common-crawl" and not dolma_problems(records[0])


def test_removals_are_attribute_spans_over_the_text_the_lines_were_read_from(tmp_path):
    record = _clean(tmp_path, [{"id": "a", "text": TEXT}])[0]
    read = normalise(TEXT)
    spans = {name: [read[s:e] for s, e, _score in v] for name, v in record["attributes"].items()}
    removed = {}
    for r in record["removed"]:
        removed.setdefault("cleaner__removed__" + r["rule"], []).append(r["text"])
    assert spans == removed and spans  # every removal placed, each span is exactly its text


def test_no_removed_leaves_removals_out(tmp_path):
    record = _clean(tmp_path, [{"id": "a", "text": TEXT}], "--no-removed")[0]
    assert "removed" not in record and "attributes" not in record and not dolma_problems(record)


def test_added_and_created_come_from_the_crawl_and_the_page(tmp_path):
    pytest.importorskip("fastwarc")
    from test_io_warc import archive

    path = tmp_path / "crawl.warc"
    path.write_bytes(b"".join(archive()))
    out = tmp_path / "out"
    assert main(["clean", str(path), "-o", str(out), "-j", "1", "--no-progress", "--isolated"]) == 0
    with open_compressed(out / "crawl.jsonl") as fh:
        records = [json.loads(line) for line in fh]
    assert [r["created"] for r in records] == ["2024-03-03T10:00:00Z", "2024-03-06T10:00:00Z", "2024-03-07T10:00:00Z"]
    assert [r["added"] for r in records] == [r["created"] for r in records]  # acquired when crawled
    assert all(not dolma_problems(r) and r["source"] == "crawl" for r in records)
    dated = _clean(tmp_path, [{"id": "d", "html": "<html><head><meta property='article:published_time' content='2023-05-04'>"
                               "</head><body><article><p>The council approved the new budget on Tuesday after a long "
                               "debate that ran well into the night.</p></article></body></html>"}], name="pages.jsonl")
    assert dated[0]["created"] == "2023-05-04"
