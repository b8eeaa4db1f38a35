"""Names and values: no JSON value, id type, field name, surrogate or file name can lose a document or break the output."""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.io.discover import Dest, discover, escape_name
from cleaner.io.readers import Fields, read_jsonl
from cleaner.io.values import id_text
from cleaner.rundir import RUN_DIR

PROSE = ("The council met on Tuesday to discuss the new budget for the coming year, and members argued for hours "
         "about the cost of repairing the old bridge before the vote.")


def lines_file(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def read(path: Path) -> list:
    return list(read_jsonl(path, path.name, Fields(), dest=Dest("jsonl", path.name)))


def ok(i: int) -> str:
    return json.dumps({"id": f"ok{i}", "text": PROSE})


@pytest.mark.parametrize("bad", ['{"id": "x", "text": "t", "n": ' + "9" * 5000 + "}",
                                 '{"id": ' + "1" * 4301 + ', "text": "t"}',
                                 '{"id": "x", "text": "t", "n": 1e999}',
                                 '{"id": "x", "text": "t", "n": NaN}',
                                 '{"id": "x", "text": "t", "n": -Infinity}'])
def test_a_number_python_cannot_hold_costs_only_its_record(tmp_path, bad):
    items = read(lines_file(tmp_path / "in.jsonl", ok(0), bad, ok(1)))
    assert [i.doc.id if i.doc else None for i in items] == ["ok0", None, "ok1"]
    assert "unreadable JSON value" in items[1].failure.message and items[1].failure.source.endswith(":2")


@pytest.mark.parametrize("value, expected", [("a/b", "a/b"), (7, "7"), (-2.5, "-2.5"), (True, "true"), (False, "false"),
                                             ([1, "x"], '[1,"x"]'), ({"k": [1]}, '{"k":[1]}'), (None, "3"), ("", "")])
def test_ids_of_every_json_type_are_one_stable_string(value, expected):
    assert id_text(value, 3) == expected


def test_ids_come_out_as_documented(tmp_path):
    src = lines_file(tmp_path / "in.jsonl", *(json.dumps({"id": v, "text": PROSE}) for v in (5, True, {"a": 1}, None)),
                     json.dumps({"text": PROSE}))
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "--no-progress", "-j", "1"]) == 0
    ids = [json.loads(line)["id"] for line in (out / "in.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids == ["5", "true", '{"a":1}', "4", "5"]


def test_input_fields_named_like_output_fields_are_kept_as_metadata(tmp_path):
    record = {"id": "x", "text": PROSE, "title": "Given title", "comments": ["first!"], "removed": 3, "url": "u"}
    (item,) = read(lines_file(tmp_path / "in.jsonl", json.dumps(record)))
    assert {k: item.doc.meta[k] for k in ("title", "comments", "removed", "url")} == \
        {"title": "Given title", "comments": ["first!"], "removed": 3, "url": "u"}


def nested(depth: int):
    value: object = "leaf"
    for i in range(depth):
        value = {"k": [value]} if i % 2 else {"k": value}
    return value


def test_deep_metadata_gives_the_same_output_at_every_job_count(tmp_path):
    src = lines_file(tmp_path / "in.jsonl", *(json.dumps({"id": f"d{i}", "text": PROSE, "meta": nested(450)}) for i in range(4)))
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        # --keep-fields: a field this large is otherwise left out of metadata; kept, it must cross to the workers
        assert main(["clean", str(src), "-o", str(out), "--no-progress", "-j", jobs, "--keep-fields", "meta"]) == 0
        outs.append((out / "in.jsonl").read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b'"leaf"') == 4


@pytest.mark.parametrize("field", ["text", "id", "meta", "html"])
def test_lone_surrogates_are_replaced_and_noted(tmp_path, field):
    record = {"id": "s", "text": PROSE, "meta": {"k": "v"}}
    if field == "html":
        record = {"id": "s", "html": f"<html><body><article><p>{PROSE}</p><p>Before LONE after. {PROSE}</p>"
                                     f"<p>The tail paragraph survives. {PROSE}</p></article></body></html>"}
    raw = json.dumps(record).replace("LONE", "\\ud800")
    if field in ("text", "id"):
        raw = json.dumps({**record, field: record[field] + "LONE"}).replace("LONE", "\\udc00")
    elif field == "meta":
        raw = raw.replace('"v"', '"v\\udfff"')
    src = lines_file(tmp_path / "in.jsonl", raw)
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "--no-progress", "-j", "1"]) == 0
    data = (out / "in.jsonl").read_bytes()
    data.decode("utf-8")  # strict: no surrogate reached the output
    (rec,) = [json.loads(line) for line in data.splitlines()]
    assert any(w.startswith("surrogates:") for w in rec["metadata"]["warnings"])
    if field == "html":
        assert "tail paragraph survives" in rec["text"]


@pytest.mark.skipif(sys.platform != "linux", reason="Linux file names are bytes")
def test_file_names_that_are_not_utf8_are_read_and_escaped_reversibly(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    raw = os.fsencode(docs) + b"/caf\xe9 50%.txt"
    with open(raw, "wb") as fh:
        fh.write(f"{PROSE}\n\n{PROSE}".encode())
    (name,) = [s.rel for s in discover([docs])]
    assert name == "caf%E9 50%25.txt"
    assert urllib.parse.unquote(name, errors="surrogateescape") == os.fsdecode(b"caf\xe9 50%.txt")
    assert escape_name("plain 50%.txt") == "plain 50%.txt"  # valid UTF-8 names stay as they are
    out = tmp_path / "out"
    assert main(["clean", str(docs), "-o", str(out), "--no-progress", "-j", "1"]) == 0
    assert [p.name for p in (out / "articles").iterdir()] == ["caf%E9 50%25.txt"]
    json.loads((out / RUN_DIR / "report.json").read_bytes().decode("utf-8"))


def test_a_surrogate_handed_to_the_html_path_does_not_cut_the_page():
    """Through the Python API no reader scrubs the text: the parser must not stop at the surrogate."""
    from cleaner.model import Document, Kind
    from cleaner.pipeline import Cleaner

    page = (f"<html><body><article><p>{PROSE}</p><p>Before \ud800 after. {PROSE}</p>"
            f"<p>The tail paragraph survives. {PROSE}</p></article></body></html>")
    cleaned = Cleaner().clean(Document("s", Kind.HTML, page))
    assert "tail paragraph survives" in cleaned.text and "\ud800" not in cleaned.text
