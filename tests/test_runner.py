"""The runner at corpus scale: shards, stdout, order under -j, resuming, nothing lost."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner import runner
from cleaner.rundir import RUN_DIR
from cleaner.cli import main
from cleaner.io.streams import open_compressed
from cleaner.pipeline import Options
from cleaner.runner import RunConfig, run
from conftest import SEEDS

STORY = ("The council met on Tuesday to discuss the new budget for the coming year. "
         "Members argued for hours about the cost of repairing the old bridge, and the vote was close.")


def doc_text(i: int) -> str:
    return f"Story number {i}\n\n{STORY} Item {i} was approved.\n\n{STORY}\n\nBack to top\n"


@pytest.fixture
def corpus(tmp_path) -> Path:
    """23 good records, one malformed line and one record without text: 25 documents in."""
    path = tmp_path / "in" / "docs.jsonl"
    path.parent.mkdir()
    lines = [json.dumps({"id": f"d{i:02d}", "text": doc_text(i), "url": f"https://example.org/{i}"}) for i in range(23)]
    lines.insert(7, "{broken")
    lines.insert(15, json.dumps({"id": "empty-record"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_records(path: Path) -> list[dict]:
    with open_compressed(path) as fh:
        return [json.loads(line) for line in fh]


def shards(out: Path) -> list[Path]:
    return sorted(out.glob("part-*.jsonl*"))


def digests(out: Path) -> dict[str, str]:
    names = [p for p in out.rglob("*") if p.is_file() and (STATE not in p.parts or p.name == "errors.jsonl")]
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in names}


STATE = RUN_DIR


def clean(*argv: str) -> int:
    return main(["clean", *argv, "--no-progress"])


def test_shards_hold_n_records_in_input_order_and_nothing_is_lost(corpus, tmp_path):
    out = tmp_path / "out"
    assert clean(str(corpus), "-o", str(out), "--shard-size", "5", "-j", "2") == 1
    parts = shards(out)
    assert [p.name for p in parts] == [f"part-{i:05d}.jsonl.zst" for i in range(5)]
    records = [r for p in parts for r in read_records(p)]
    assert [len(read_records(p)) for p in parts] == [5, 5, 5, 5, 3]
    assert [r["id"] for r in records] == [f"d{i:02d}" for i in range(23)]
    assert all("Back to top" not in r["text"] and r["metadata"]["url"].startswith("https://") for r in records)
    errors = [json.loads(line) for line in (out / ".cleaner" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["id"] for e in errors] == ["8", "empty-record"]
    assert all(set(e) == {"id", "source", "stage", "message"} for e in errors)
    report = json.loads((out / ".cleaner" / "report.json").read_text(encoding="utf-8"))
    assert report["documents_in"] == 25 == report["documents_out"] + report["documents_failed"]
    assert (report["documents_out"], report["documents_failed"]) == (23, 2)
    assert report["removed"]["web/navigation/back-to-top"]["lines"] == 23


@pytest.mark.parametrize("compression, suffix", [("none", ".jsonl"), ("gz", ".jsonl.gz"), ("zst", ".jsonl.zst")])
def test_compression_names_the_shards(corpus, tmp_path, compression, suffix):
    out = tmp_path / "out"
    clean(str(corpus), "-o", str(out), "--compression", compression, "-j", "1")
    (part,) = shards(out)
    assert part.name == f"part-00000{suffix}"
    assert len(read_records(part)) == 23


def test_j2_writes_the_same_bytes_as_j1(corpus, tmp_path):
    for jobs in ("1", "2"):
        clean(str(corpus), "-o", str(tmp_path / jobs), "--shard-size", "4", "-j", jobs)
    assert digests(tmp_path / "1") == digests(tmp_path / "2")


class Interrupt(Exception):
    pass


def interrupt_after(monkeypatch, units: int) -> None:
    """Make the run die right after its n-th unit is marked done (as a kill would)."""
    done = runner.Run._done
    calls = {"n": 0}

    def dying(self, *args, **kwargs):
        done(self, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == units:
            raise Interrupt

    monkeypatch.setattr(runner.Run, "_done", dying)


def test_an_interrupted_run_resumes_to_byte_identical_output(corpus, tmp_path, monkeypatch):
    config = dict(inputs=(str(corpus),), options=Options(), jobs=1, progress=False, shard_size=5, compression="gz")
    whole = tmp_path / "whole"
    run(RunConfig(out=whole, **config))
    resumed = tmp_path / "resumed"
    with monkeypatch.context() as m:
        interrupt_after(m, 2)
        with pytest.raises(Interrupt):
            run(RunConfig(out=resumed, **config))
    assert len(shards(resumed)) == 2
    cleaned: list[str] = []
    clean_text = runner.Cleaner.clean

    def counting(self, doc):
        cleaned.append(doc.id)
        return clean_text(self, doc)

    monkeypatch.setattr(runner.Cleaner, "clean", counting)
    report = run(RunConfig(out=resumed, **config))
    assert cleaned[0] == "d10" and len(cleaned) == 13  # only the documents of the shards not done
    assert digests(resumed) == digests(whole)
    assert (report.documents_in, report.documents_out, report.documents_failed) == (25, 23, 2)
    assert json.loads((resumed / ".cleaner" / "report.json").read_text())["removed"] == json.loads((whole / ".cleaner" / "report.json").read_text())["removed"]
    assert [f.id for f in report.failures] == ["8", "empty-record"]


def test_a_finished_run_reruns_as_a_no_op_and_other_arguments_start_over(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    clean(str(corpus), "-o", str(out), "--shard-size", "5", "-j", "1")
    before = digests(out)
    clean(str(corpus), "-o", str(out), "--shard-size", "5", "-j", "1")
    assert digests(out) == before
    clean(str(corpus), "-o", str(out), "--shard-size", "10", "-j", "1")
    assert "starting over" in capsys.readouterr().err
    assert [len(read_records(p)) for p in shards(out)] == [10, 10, 3]


def test_mirror_mode_resumes_per_input_and_redoes_changed_inputs(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    with gzip.open(corpus / "batch.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "x", "text": doc_text(1)}) + "\n")
    out = tmp_path / "out"
    assert clean(str(corpus), "-o", str(out), "-j", "1") == 0
    assert (out / "batch.jsonl.gz").exists() and len(list((out / "articles").glob("*.txt"))) == 2
    first = next((out / "articles").glob("*.txt"))
    first.write_text("stale", encoding="utf-8")  # a done unit is not rewritten ...
    clean(str(corpus), "-o", str(out), "-j", "1")
    assert first.read_text(encoding="utf-8") == "stale"
    changed = corpus / first.name  # ... until its input changes
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more sentence for the story, as it goes on.\n", encoding="utf-8")
    clean(str(corpus), "-o", str(out), "-j", "1")
    assert first.read_text(encoding="utf-8") != "stale"


def test_an_empty_jsonl_input_still_gets_its_output_file(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "none.jsonl").write_text("\n", encoding="utf-8")
    assert clean(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "1") == 0
    assert (tmp_path / "out" / "none.jsonl").read_bytes() == b""


def test_stdin_to_stdout_in_a_pipeline(corpus):
    cleaner = Path(sys.executable).with_name("cleaner")
    proc = subprocess.run([str(cleaner), "clean", "-", "-o", "-", "-j", "1", "--no-progress"],
                          input=gzip.compress(corpus.read_bytes()), capture_output=True, timeout=120)
    assert proc.returncode == 1  # two documents failed
    records = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["id"] for r in records] == [f"d{i:02d}" for i in range(23)]
    assert b"<stdin>:8: malformed JSON" in proc.stderr


def test_a_closed_stdout_ends_the_run_quietly(corpus):
    cleaner = Path(sys.executable).with_name("cleaner")
    proc = subprocess.Popen([str(cleaner), "clean", str(corpus), "-o", "-", "-j", "2", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.read(10)
    proc.stdout.close()  # like `| head -c 10`
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1, runner.EXIT_PIPE)  # small inputs may be written whole before the pipe closes
    assert b"Traceback" not in err


def test_progress_shows_bytes_and_documents_per_second(corpus, tmp_path, capsys):
    run(RunConfig(inputs=(str(corpus),), out=tmp_path / "out", jobs=1, progress=True))
    err = capsys.readouterr().err
    assert "docs/s" in err and "B/s" in err and "100%" in err  # total size known: a percentage and ETA


@pytest.mark.parametrize("argv", [["--shard-size", "0"], ["--compression", "lz4"]])
def test_bad_scale_arguments_exit_2(corpus, tmp_path, argv):
    try:
        code = clean(str(corpus), "-o", str(tmp_path / "out"), *argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
