"""CleanerStep inside a real datatrove pipeline: datatrove's readers, our step, datatrove's writer."""

import gzip
import json

import pytest

pytest.importorskip("datatrove")
pytest.importorskip("warcio")

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.base import PipelineStep  # noqa: E402
from datatrove.pipeline.readers import JsonlReader, WarcReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from cleaner.datatrove import CleanerStep, kind_of  # noqa: E402
from cleaner.model import Kind  # noqa: E402
from test_io_warc import STORY, archive  # noqa: E402

TEXT = ("Home | News | Contact\n\nThe council approved the new budget on Tuesday after a long debate.\n"
        "Members said the plan keeps every library open.\n\nShare this article\n")


def _run(tmp_path, reader):
    out = tmp_path / "out"
    executor = LocalPipelineExecutor(pipeline=[reader, CleanerStep(), JsonlWriter(str(out), compression=None)],
                                     tasks=1, workers=1, logging_dir=str(tmp_path / "logs"))
    executor.run()
    records = [json.loads(line) for path in sorted(out.glob("*.jsonl")) for line in path.read_text().splitlines()]
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    step = next(s for s in stats if s["name"].endswith("cleaner"))
    return records, step["stats"]


def test_cleanerstep_is_a_pipelinestep():
    assert isinstance(CleanerStep(), PipelineStep)
    with pytest.raises(ValueError):
        CleanerStep(kind="pdf")


def test_warc_through_datatrove_reader_step_and_writer(tmp_path):
    src = tmp_path / "warc"
    src.mkdir()
    (src / "crawl.warc.gz").write_bytes(b"".join(gzip.compress(r) for r in archive()))
    records, stats = _run(tmp_path, WarcReader(str(src)))
    assert len(records) == 3  # two HTML responses and one WET conversion
    page = next(r for r in records if r["metadata"]["url"] == "https://news.example/a")
    assert STORY[:60] in page["text"] and "<p>" not in page["text"] and "Copyright" not in page["text"]
    meta = page["metadata"]
    assert meta["cleaner_title"] == "Budget vote" and meta["cleaner_language"] == "en"
    assert {"cleaner_comments", "cleaner_removed", "cleaner_page_type"} <= set(meta)
    conversion = next(r for r in records if r["metadata"]["url"] == "https://news.example/b")
    assert "Back to top" not in conversion["text"]
    assert any(r["text"] == "Back to top" and r["rule"] for r in conversion["metadata"]["cleaner_removed"])
    assert stats["total"] == 3 and stats["forwarded"] == 3


def test_jsonl_through_datatrove_with_drops_counted(tmp_path):
    src = tmp_path / "jsonl"
    src.mkdir()
    rows = [{"id": "a", "text": TEXT}, {"id": "empty", "text": "Home | News | Contact\nShare this article"},
            {"id": "b", "text": TEXT.replace("budget", "plan")}]
    (src / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    records, stats = _run(tmp_path, JsonlReader(str(src)))
    assert [r["id"] for r in records] == ["a", "b"]
    assert records[0]["text"].startswith("The council approved") and "Share this article" not in records[0]["text"]
    assert [x["text"] for x in records[0]["metadata"]["cleaner_removed"]] == ["Home | News | Contact", "Share this article"]
    assert stats["dropped"] == 1 and stats["dropped_empty"] == 1 and stats["forwarded"] == 2
    assert any(k.startswith("removed/") for k in stats)


@pytest.mark.parametrize("text,kind", [("<!DOCTYPE html><html><body>x</body></html>", Kind.HTML),
                                       ("  <html lang=en><p>x", Kind.HTML), ("<b>bold</b> is a tag in text", Kind.TEXT),
                                       ("Plain text.", Kind.TEXT)])
def test_kind_of(text, kind):
    assert kind_of(text) is kind
