"""The Ray Data engine on a local Ray: record for record what the local engine writes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from cleaner.cli import main  # noqa: E402
from cleaner.io.parquet import records_of as parquet_records  # noqa: E402
from cleaner.io.streams import open_compressed  # noqa: E402
from conftest import EVAL_DIR, SEEDS  # noqa: E402

TEXT_PAGES, HTML_PAGES = 24, 4


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def pages() -> list[dict]:
    """Real pages from the eval data when present, the seeds otherwise; a few as HTML."""
    records: list[dict] = []
    gold = EVAL_DIR / "cleaneval.jsonl.gz"
    if gold.exists():
        with gzip.open(gold, "rt", encoding="utf-8") as fh:
            for line in fh:
                page = json.loads(line)
                as_html = len(records) < HTML_PAGES
                body = {"html": page["html"]} if as_html else {"text": page["page_text"]}
                records.append({"id": f"p{len(records)}", **body, "url": page.get("url") or "", "lang": page.get("lang") or ""})
                if len(records) == TEXT_PAGES + HTML_PAGES:
                    break
    else:
        records = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))]
    return records


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ray-in")
    lines = [json.dumps(r) for r in pages()]
    lines.insert(3, "{not json")
    lines.insert(9, json.dumps({"id": "no-text", "body": "x"}))
    (folder / "a.jsonl").write_text("\n".join(lines[:12]) + "\n", encoding="utf-8")
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines[12:]) + "\n")
    return folder


@pytest.fixture(scope="module")
def local_out(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local-out")
    assert main(["clean", str(corpus), "-o", str(out), "-j", "1", "--no-progress"]) == 1
    return out


def records_of(paths) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in paths:
        with open_compressed(path) as fh:
            for line in fh:
                record = json.loads(line)
                assert record["id"] not in out
                out[record["id"]] = record
    return out


def failures_of(out: Path) -> list[tuple[str, str]]:
    lines = (out / ".cleaner" / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted((e["id"], e["message"]) for e in map(json.loads, lines))


def test_ray_engine_matches_the_local_engine_record_for_record(local_ray, corpus, local_out, tmp_path):
    out = tmp_path / "ray-out"
    assert main(["clean", str(corpus), "-o", str(out), "--engine", "ray", "-j", "2", "--no-progress"]) == 1
    expected = records_of([local_out / "a.jsonl", local_out / "b.jsonl.gz"])
    got = records_of(sorted(out.glob("part-*.jsonl.zst")))
    assert len(expected) == TEXT_PAGES + HTML_PAGES or not EVAL_DIR.exists()
    assert got.keys() == expected.keys()
    for key, record in expected.items():
        assert got[key] == record, key
    assert failures_of(out) == failures_of(local_out)
    local, distributed = (json.loads((o / ".cleaner" / "report.json").read_text(encoding="utf-8")) for o in (local_out, out))
    for key in ("documents_in", "documents_out", "documents_failed", "comment_posts", "removed"):
        assert distributed[key] == local[key], key


def test_ray_engine_reads_and_writes_parquet(local_ray, corpus, local_out, tmp_path):
    source = tmp_path / "in.parquet"
    rows = [json.loads(line) for line in (corpus / "a.jsonl").read_text(encoding="utf-8").splitlines() if line.startswith('{"')]
    columns = sorted({key for row in rows for key in row})  # Parquet has one schema: absent fields are nulls
    pq.write_table(pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows]), source)
    out = tmp_path / "ray-parquet"
    code = main(["clean", str(source), "-o", str(out), "--engine", "ray", "--output-format", "parquet", "-j", "2", "--no-progress"])
    assert code == 1  # the record without text fails here too
    table = pa.concat_tables([pq.read_table(p) for p in sorted(out.glob("part-*.parquet"))])
    got = {r["id"]: r for r in parquet_records(table)}
    expected = records_of([local_out / "a.jsonl"])
    assert got.keys() == expected.keys()
    assert table.column_names == ["id", "source", "added", "created", "title", "text", "comments", "removed", "attributes", "metadata"]
    for key, record in expected.items():
        assert got[key] == {**record, "source": "in"}, key  # the input's name


def test_ray_engine_reads_warc_as_the_local_engine_does(local_ray, tmp_path):
    pytest.importorskip("fastwarc")
    from test_io_warc import archive

    src = tmp_path / "warc-in"
    src.mkdir()
    (src / "crawl.warc.gz").write_bytes(b"".join(gzip.compress(r) for r in archive()))
    local = tmp_path / "warc-local"
    assert main(["clean", str(src), "-o", str(local), "-j", "1", "--no-progress", "--isolated"]) == 0
    out = tmp_path / "warc-ray"
    assert main(["clean", str(src), "-o", str(out), "--engine", "ray", "-j", "2", "--no-progress", "--isolated"]) == 0
    expected = records_of([local / "crawl.jsonl.gz"])
    got = records_of(sorted(out.glob("part-*.jsonl.zst")))
    assert len(expected) == 3 and got == expected


def test_ray_engine_refuses_inputs_it_cannot_read(tmp_path, capsys):
    assert main(["clean", str(next(SEEDS.glob("*.txt"))), "-o", str(tmp_path / "o"), "--engine", "ray", "--no-progress"]) == 2
    assert "reads JSONL, Parquet or WARC" in capsys.readouterr().err
