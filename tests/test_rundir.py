"""The output folder belongs to one run: a lock, start-overs that leave nothing stale, run files apart from data,
OUT never read back as input, and resume state that is checked before it is trusted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.io.streams import open_compressed
from cleaner.rundir import RUN_DIR

PROSE = ("The council met on Tuesday to discuss the new budget for the coming year, and members argued for hours "
         "about the cost of repairing the old bridge before the vote.")


def corpus_jsonl(path: Path, n: int = 12, tag: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": f"{tag}d{i}", "text": f"{PROSE} Document {tag}{i}.\n\n{PROSE}"}) + "\n"
                            for i in range(n)), encoding="utf-8")
    return path


def texts_dir(root: Path, n: int = 3) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (root / f"t{i}.txt").write_text(f"{PROSE} Text {i}.\n\n{PROSE}", encoding="utf-8")
    return root


def clean(*args: str) -> int:
    return main(["clean", *args, "--no-progress", "-j", "1"])


def report(out: Path) -> dict:
    return json.loads((out / RUN_DIR / "report.json").read_text(encoding="utf-8"))


def records(out: Path) -> list[dict]:
    found = []
    for part in sorted(out.glob("*.jsonl*")):
        with open_compressed(part) as fh:
            found += [json.loads(line) for line in fh]
    return found


def snapshot(out: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in out.rglob("*") if p.is_file() and p.name != "lock"}


HOLD = """
import sys, time
from pathlib import Path
from cleaner.rundir import Lock
lock = Lock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def holder(out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


# --------------------------------------------------------------------------- the lock


def test_a_second_live_run_is_refused_at_once_naming_the_other(tmp_path, capsys):
    src, out = corpus_jsonl(tmp_path / "in.jsonl"), tmp_path / "out"
    proc = holder(out)
    try:
        started = time.monotonic()
        assert clean(str(src), "-o", str(out)) == 2
        assert time.monotonic() - started < 20
        err = capsys.readouterr().err
        assert f"pid {proc.pid}" in err and "another cleaner run" in err
        assert not (out / "in.jsonl").exists() and not (out / RUN_DIR / "report.json").exists()
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_run_s_lock_does_not_block(tmp_path):
    src, out = corpus_jsonl(tmp_path / "in.jsonl"), tmp_path / "out"
    proc = holder(out)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (out / RUN_DIR / "lock").exists()  # the file stays; the kernel freed the lock with the process
    assert clean(str(src), "-o", str(out)) == 0
    assert report(out)["documents_out"] == 12


def test_temp_files_have_names_of_their_own(tmp_path):
    from cleaner.io.writers import JsonlFile

    first, second = JsonlFile(tmp_path / "x.jsonl"), JsonlFile(tmp_path / "x.jsonl")
    assert first.tmp != second.tmp
    first.write(b"{}\n")
    second.abort()
    first.commit()
    assert (tmp_path / "x.jsonl").read_bytes() == b"{}\n" and list(tmp_path.glob(".*.tmp")) == []


# --------------------------------------------------------------------------- start-over and rerun


def test_a_start_over_removes_the_other_run_s_outputs(tmp_path, capsys):
    a, b, out = corpus_jsonl(tmp_path / "a.jsonl", tag="a"), corpus_jsonl(tmp_path / "b.jsonl", 4, "b"), tmp_path / "out"
    assert clean(str(a), "-o", str(out), "--shard-size", "5") == 0
    assert len(list(out.glob("part-*"))) == 3
    assert clean(str(b), "-o", str(out), "--shard-size", "5") == 0
    assert "starting over" in capsys.readouterr().err
    assert [p.name for p in out.glob("part-*")] == ["part-00000.jsonl.zst"]
    assert [r["id"] for r in records(out)] == [f"bd{i}" for i in range(4)] and report(out)["documents_in"] == 4


def test_a_start_over_from_mirror_to_shards_leaves_no_articles(tmp_path):
    docs, out = texts_dir(tmp_path / "docs"), tmp_path / "out"
    assert clean(str(docs), "-o", str(out)) == 0
    assert len(list((out / "articles").glob("*.txt"))) == 3
    assert clean(str(docs), "-o", str(out), "--shard-size", "10") == 0
    assert not (out / "articles").exists()
    assert len(records(out)) == 3 == report(out)["documents_out"]


def test_a_finished_run_reruns_as_a_no_op(tmp_path):
    docs, out = texts_dir(tmp_path / "docs"), tmp_path / "out"
    corpus_jsonl(docs / "more.jsonl")
    assert clean(str(docs), "-o", str(out)) == 0
    before = snapshot(out)
    assert clean(str(docs), "-o", str(out)) == 0
    assert snapshot(out) == before


# --------------------------------------------------------------------------- run files are not data


def test_run_files_live_apart_from_the_data(tmp_path):
    src, out = corpus_jsonl(tmp_path / "in.jsonl"), tmp_path / "out"
    with src.open("a") as fh:
        fh.write("{broken\n")
    assert clean(str(src), "-o", str(out)) == 1
    assert sorted(p.name for p in out.iterdir()) == [RUN_DIR, "in.jsonl"]
    assert {"report.json", "errors.jsonl", "run.json", "lock"} <= {p.name for p in (out / RUN_DIR).iterdir()}
    import glob

    assert glob.glob(f"{out}/**/*.jsonl*", recursive=True) == [str(out / "in.jsonl")]


def test_datatrove_reads_only_the_cleaned_documents(tmp_path):
    readers = pytest.importorskip("datatrove.pipeline.readers")
    src, out = corpus_jsonl(tmp_path / "in.jsonl"), tmp_path / "out"
    with src.open("a") as fh:
        fh.write('{"id": "no-text"}\n')
    clean(str(src), "-o", str(out), "--shard-size", "5")
    for pattern in ("*.jsonl.zst", "**/*.jsonl*"):
        ids = sorted(d.id for d in readers.JsonlReader(str(out), glob_pattern=pattern).run())
        assert ids == sorted(f"d{i}" for i in range(12)), pattern


def test_out_inside_the_input_folder_is_never_read_back(tmp_path):
    docs = texts_dir(tmp_path / "corpus")
    corpus_jsonl(docs / "more.jsonl", 5)
    for _ in range(3):
        assert clean(str(docs), "-o", str(docs / "out")) == 0
        assert report(docs / "out")["documents_in"] == 8
    assert clean(str(docs), "-o", str(docs / "out"), "--glob", "*.jsonl") == 0
    assert report(docs / "out")["documents_in"] == 5


# --------------------------------------------------------------------------- resume state


def interrupted(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A finished shard run over a source with failures, and the records it wrote."""
    src, out = corpus_jsonl(tmp_path / "in.jsonl", 30), tmp_path / "out"
    with src.open("a") as fh:
        fh.write("{broken\n" * 3)
    assert clean(str(src), "-o", str(out), "--shard-size", "10") == 1
    return src, out, {"records": records(out), "errors": (out / RUN_DIR / "errors.jsonl").read_bytes()}


@pytest.mark.parametrize("damage", ["delete-errors", "truncate-errors", "garble-marker", "delete-run", "garble-run",
                                    "delete-shard", "truncate-shard", "empty-marker"])
def test_damaged_state_means_a_clear_message_and_a_safe_redo(tmp_path, capsys, damage):
    src, out, whole = interrupted(tmp_path)
    state = out / RUN_DIR
    act = {"delete-errors": lambda: (state / "errors.jsonl").unlink(),
           "truncate-errors": lambda: (state / "errors.jsonl").write_bytes(whole["errors"][:20]),
           "garble-marker": lambda: (state / "done" / "000001.json").write_bytes(b'{"unit": "part-0'),
           "empty-marker": lambda: (state / "done" / "000001.json").write_text("{}"),
           "delete-run": lambda: (state / "run.json").unlink(),
           "garble-run": lambda: (state / "run.json").write_text("{not json"),
           "delete-shard": lambda: (out / "part-00001.jsonl.zst").unlink(),
           "truncate-shard": lambda: (out / "part-00001.jsonl.zst").write_bytes(b"\x28\xb5\x2f\xfd")}
    act[damage]()
    capsys.readouterr()
    assert clean(str(src), "-o", str(out), "--shard-size", "10") == 1
    assert "cleaner:" in capsys.readouterr().err
    assert records(out) == whole["records"]
    assert (state / "errors.jsonl").read_bytes() == whole["errors"]
    assert (report(out)["documents_in"], report(out)["documents_failed"]) == (33, 3)


def test_standard_input_is_never_resumed(tmp_path, monkeypatch, capsys):
    import io

    out = tmp_path / "out"
    for tag in ("a", "b"):
        data = "".join(json.dumps({"id": f"{tag}{i}", "text": PROSE}) + "\n" for i in range(3)).encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert clean("-", "-o", str(out)) == 0
    assert [r["id"] for r in records(out)] == ["b0", "b1", "b2"]
    assert "standard input" in capsys.readouterr().err


def test_an_input_changed_in_place_is_not_taken_for_done(tmp_path):
    src, out = corpus_jsonl(tmp_path / "in.jsonl", 6, "a"), tmp_path / "out"
    assert clean(str(src), "-o", str(out), "--shard-size", "3") == 0
    st = src.stat()
    corpus_jsonl(src, 6, "b")  # same size, and the mtime set back: only the ctime tells
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert clean(str(src), "-o", str(out), "--shard-size", "3") == 0
    assert [r["id"] for r in records(out)] == [f"bd{i}" for i in range(6)]
