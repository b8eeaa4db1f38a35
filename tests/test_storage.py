"""Storage: URLs through fsspec on the local engine, a missing backend as one error, Parquet in and out."""

import json

import pytest

from cleaner.cli import main

fsspec = pytest.importorskip("fsspec")
pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")

TEXT = ("Home | News | Contact\n\nThe council approved the new budget on Tuesday after a long debate.\n"
        "Members said the plan keeps every library open.\n\nShare this article\n")
ROWS = [{"id": "a", "text": TEXT, "url": "https://e.x/a"}, {"id": "b", "text": TEXT.replace("budget", "plan")}]
FLAGS = ["-j", "1", "--no-progress", "--isolated"]


def _local(tmp_path):
    src = tmp_path / "local" / "crawl.jsonl"
    src.parent.mkdir()
    src.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    assert main(["clean", str(src), "-o", str(tmp_path / "local-out"), *FLAGS]) == 0
    return [json.loads(line) for line in (tmp_path / "local-out" / "crawl.jsonl").read_text().splitlines()]


def test_memory_urls_in_and_out_give_the_local_records(tmp_path):
    memory = fsspec.filesystem("memory")
    memory.pipe("/bucket/in/crawl.jsonl", "".join(json.dumps(r) + "\n" for r in ROWS).encode())
    try:
        assert main(["clean", "memory://bucket/in/", "-o", "memory://bucket/out", *FLAGS]) == 0
        got = [json.loads(line) for line in memory.cat("/bucket/out/crawl.jsonl").decode().splitlines()]
        assert got == _local(tmp_path)
        assert memory.exists("/bucket/out/.cleaner/report.json") and memory.exists("/bucket/out/.cleaner/report.html")
        assert not memory.exists("/bucket/out/.cleaner/done")  # the resume state stays behind
    finally:
        memory.rm("/bucket", recursive=True)


def test_file_urls(tmp_path):
    src = tmp_path / "f" / "crawl.jsonl"
    src.parent.mkdir()
    src.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    assert main(["clean", f"file://{src}", "-o", f"file://{tmp_path}/f-out", *FLAGS]) == 0
    got = [json.loads(line) for line in (tmp_path / "f-out" / "crawl.jsonl").read_text().splitlines()]
    assert got == _local(tmp_path)


@pytest.mark.parametrize("url,needs", [("s3://bucket/out", "s3fs"), ("nosuch://bucket/out", "unknown scheme")])
def test_a_scheme_without_its_backend_is_one_error_and_nothing_is_written(tmp_path, monkeypatch, capsys, url, needs):
    if needs == "s3fs":
        try:
            import s3fs  # noqa: F401
            pytest.skip("s3fs is installed here")
        except ImportError:
            pass
    src = tmp_path / "crawl.jsonl"
    src.write_text(json.dumps(ROWS[0]) + "\n")
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["clean", str(src), "-o", url, *FLAGS]) == 2
    err = capsys.readouterr().err
    assert needs in err and url in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no local folder named `s3:`


def test_missing_url_input_is_an_error(capsys):
    assert main(["clean", "memory://nowhere/x.jsonl", "-o", "memory://nowhere-out", *FLAGS]) == 2
    assert "no such file" in capsys.readouterr().err


def test_parquet_in_and_out_on_the_local_engine(tmp_path):
    expected = _local(tmp_path)
    src = tmp_path / "pq" / "crawl.parquet"
    src.parent.mkdir()
    pq.write_table(pa.Table.from_pylist([{"id": r["id"], "text": r["text"], "url": r.get("url")} for r in ROWS]), src)
    out = tmp_path / "pq-out"
    assert main(["clean", str(src), "-o", str(out), "--output-format", "parquet", *FLAGS]) == 0
    table = pq.read_table(out / "crawl.parquet")
    from cleaner.io.parquet import records_of

    assert table.column_names == ["id", "source", "added", "created", "title", "text", "comments", "removed",
                                  "attributes", "metadata"]
    assert records_of(table) == expected  # the same records as from JSONL (a Parquet null is an absent field)
    assert not list(out.glob("*.jsonl*")) or [p.name for p in out.glob("*.jsonl*")] == ["errors.jsonl"]
