"""Which input field is cleaned, which fields ride along as metadata, and a wrong field name as one error."""

import json

import pytest

from cleaner.cli import main

TEXT = ("Home | News | Contact\n\nThe council approved the new budget on Tuesday after a long debate.\n"
        "Members said the plan keeps every library open.\n\nShare this article\n")
HTML = ("<html><body><article><p>The mayor opened the new bridge over the river on Friday morning with a speech.</p>"
        "</article></body></html>")


def _clean(tmp_path, records, *flags):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out"
    code = main(["clean", str(src), "-o", str(out), "-j", "1", "--no-progress", "--isolated", *flags])
    path = out / "in.jsonl"
    return code, [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_html_wins_by_default_but_a_named_text_field_wins_over_it(tmp_path):
    record = {"id": "a", "html": HTML, "page_text": TEXT}
    _, (default,) = _clean(tmp_path, [record])
    assert "bridge" in default["text"]
    _, (named,) = _clean(tmp_path, [record], "--text-field", "page_text")
    assert "council approved" in named["text"] and "bridge" not in named["text"]


def test_a_named_html_field_is_cleaned_even_beside_text(tmp_path):
    _, (record,) = _clean(tmp_path, [{"id": "a", "text": TEXT, "raw": HTML}], "--html-field", "raw")
    assert "bridge" in record["text"]


def test_metadata_keeps_small_fields_and_drops_the_cleaned_one(tmp_path):
    big = {"headers": "x" * 5000, "nested": {"a": list(range(2000))}}
    _, (record,) = _clean(tmp_path, [{"id": "a", "text": TEXT, "url": "https://e.x/a", "lang": "en", **big}])
    meta = record["metadata"]
    assert meta["url"] == "https://e.x/a" and meta["lang"] == "en"
    assert not {"text", "headers", "nested", "id"} & set(meta)


def test_keep_and_drop_fields_choose(tmp_path):
    row = {"id": "a", "text": TEXT, "url": "u", "lang": "en", "crawl": "c1", "headers": "x" * 5000}
    _, (kept,) = _clean(tmp_path, [row], "--keep-fields", "url,headers")
    assert {k for k in kept["metadata"] if k in row} == {"url", "headers"}  # asked for, so kept though large
    _, (dropped,) = _clean(tmp_path, [row], "--drop-fields", "crawl")
    assert {k for k in dropped["metadata"] if k in row} == {"url", "lang"}


def test_a_field_no_record_has_is_one_error_listing_the_keys(tmp_path, capsys):
    rows = [{"id": str(n), "page_text": TEXT, "url": "u"} for n in range(5)]
    code, _ = _clean(tmp_path, rows)
    err = capsys.readouterr().err
    assert code == 1  # every record failed, each is in errors.jsonl
    lines = [line for line in err.splitlines() if "no string field" in line]
    assert len(lines) == 2, err  # the first record's failure, then the one error (not one line per record)
    assert "not one of 5 records" in lines[-1] and "their keys: id, page_text, url" in lines[-1]
    assert "--text-field" in lines[-1]


def test_max_failures_stops_early(tmp_path, capsys):
    rows = [{"id": "ok", "text": TEXT}] + [{"id": str(n), "text": 5} for n in range(10)]
    code, _ = _clean(tmp_path, rows, "--max-failures", "3")
    assert code == 1
    assert "stopped after 3 failed documents" in capsys.readouterr().err
    errors = (tmp_path / "out" / "errors.jsonl")
    if errors.exists():
        assert len(errors.read_text().splitlines()) <= 3
