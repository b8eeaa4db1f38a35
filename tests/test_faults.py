"""Faults: a run killed with SIGKILL resumes to the same output; a full disk stops the run cleanly; fix never half-writes.

The kill trials use real processes: `cleaner clean` is started, killed with SIGKILL at a
random moment after its first shard is done, and started again with the same arguments.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner import inplace, runner
from cleaner.io import streams, writers
from cleaner.rundir import RUN_DIR
from cleaner.cli import main
from cleaner.io.streams import open_compressed
from conftest import snapshot

PROSE = ["The council voted on Tuesday to extend the library's opening hours through the winter months.",
         "Residents had asked for longer hours for years, saying the building was the only warm place to study.",
         "The extension will cost about forty thousand dollars, which the council plans to take from the parks budget.",
         "Several members objected to the move, arguing that the parks had already lost money in the last budget."]
DOCS = 600
TRIALS = 5
SEED = 7


def make_corpus(path: Path, docs: int = DOCS) -> Path:
    """A JSONL corpus with chrome to remove, a few broken lines and a duplicate id: every kind of outcome."""
    rng = random.Random(SEED)
    lines = []
    for i in range(docs):
        body = "\n\n".join(rng.sample(PROSE, 3))
        lines.append(json.dumps({"id": f"d{i:04d}", "text": f"Story {i}\n\n{body}\n\nBack to top\nShare this:\n"}))
    for at in (docs // 10, docs // 2, docs * 3 // 4):
        lines.insert(at, "{broken")
    lines.insert(docs * 2 // 3, json.dumps({"id": "d0001", "text": PROSE[0]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus") / "docs.jsonl")


def command(corpus: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cleaner.cli", "clean", str(corpus), "-o", str(out), "-j", "2", "--no-progress",
            "--shard-size", "30", *extra]


def visible(out: Path) -> dict[str, str]:
    """Digests of the outputs a user sees (run state and report timing aside)."""
    files = [p for p in out.rglob("*") if p.is_file() and (RUN_DIR not in p.parts or p.name == "errors.jsonl")
             and not p.name.startswith(".")]
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def counts(out: Path) -> tuple:
    report = json.loads((out / ".cleaner" / "report.json").read_text(encoding="utf-8"))
    return (report["documents_in"], report["documents_out"], report["documents_failed"], report["removed"],
            report["warnings"])


def children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def complete_shards_only(out: Path) -> None:
    """After a kill: every visible shard reads to its end (a half-written one would be a temp file)."""
    for part in out.glob("part-*.jsonl*"):
        with open_compressed(part) as fh:
            assert all(json.loads(line) for line in fh)


def time_after_first_shard(corpus: Path, out: Path) -> float:
    """Run to the end; return the seconds between the first completed shard and the exit."""
    proc = subprocess.Popen(command(corpus, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = out / RUN_DIR / "done" / "000000.json"
    while not first.exists() and proc.poll() is None:
        time.sleep(0.005)
    started = time.monotonic()
    proc.wait(timeout=300)
    return max(time.monotonic() - started, 0.05)


@pytest.mark.slow  # real processes killed and resumed: minutes
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_at_a_random_moment_then_resume_gives_the_uninterrupted_output(corpus, tmp_path):
    whole = tmp_path / "whole"
    rest = time_after_first_shard(corpus, whole)  # the kill window, measured on this machine now
    expected, expected_counts = visible(whole), counts(whole)
    assert expected_counts[:3] == (DOCS + 4, DOCS + 1, 3)
    rng = random.Random(SEED)
    landed = 0
    for trial in range(3 * TRIALS):
        if landed == TRIALS:
            break
        out = tmp_path / f"trial-{trial}"
        proc = subprocess.Popen(command(corpus, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        first = out / RUN_DIR / "done" / "000000.json"
        deadline = time.monotonic() + 120
        while not first.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.8 * rest))
        workers = children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.returncode != -signal.SIGKILL or (out / ".cleaner" / "report.json").exists():
            # it finished before the kill landed (report.json is written last): it must look complete
            assert visible(out) == expected
            rest /= 2  # the machine got faster than measured (less load): aim earlier
            continue
        landed += 1
        complete_shards_only(out)
        done = len(list((out / RUN_DIR / "done").glob("*.json")))
        assert done <= DOCS // 30
        for pid in workers:  # orphaned workers notice and exit
            for _ in range(100):
                if not alive(pid):
                    break
                time.sleep(0.05)
            assert not alive(pid), f"worker {pid} outlived the killed run"
        resumed = subprocess.run(command(corpus, out), capture_output=True, timeout=300)
        assert resumed.returncode == 1, resumed.stderr.decode()[-2000:]  # three broken lines: some documents failed
        assert visible(out) == expected, f"trial {trial} killed after {done} shards"
        assert counts(out) == expected_counts
    assert landed == TRIALS


# --------------------------------------------------------------------------- write failures


class DiskFull:
    """Make the n-th write through a Sink, or an atomic_write, fail as a full disk does."""

    def __init__(self, monkeypatch, after: int):
        self.left = after
        real_write = streams.Sink.write
        real_atomic = writers.atomic_write

        def write(sink, data):
            self.tick()
            return real_write(sink, data)

        def atomic(path, data):
            self.tick()
            return real_atomic(path, data)

        monkeypatch.setattr(streams.Sink, "write", write)
        monkeypatch.setattr(writers, "atomic_write", atomic)
        monkeypatch.setattr(runner, "write_mirror", lambda root, rel, cleaned: (self.tick(), writers.write_mirror(root, rel, cleaned)))

    def tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("mode", [["--shard-size", "40"], ["--shard-size", "40", "--compression", "gz"], []])
def test_a_full_disk_stops_the_run_with_a_message_and_leaves_no_half_file(tmp_path, monkeypatch, capsys, mode):
    corpus = make_corpus(tmp_path / "docs.jsonl", docs=200)
    args = ["clean", str(corpus), "-o", None, "-j", "1", "--no-progress", *mode]
    whole = tmp_path / "whole"
    main([a if a is not None else str(whole) for a in args])
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        DiskFull(m, after=90)
        status = main([a if a is not None else str(out) for a in args])
    err = capsys.readouterr().err
    assert status == 1
    assert "No space left on device" in err and "same command resumes" in err and "Traceback" not in err
    assert not (out / ".cleaner" / "report.json").exists()
    leftovers = [p.name for p in out.rglob("*") if p.is_file() and p.name.startswith(".") and p.suffix == ".tmp"]
    assert leftovers == []  # the unit being written was discarded, temp file and all
    complete_shards_only(out)
    if not mode:  # one output per JSONL input: it is either there whole or not at all
        assert not (out / "docs.jsonl").exists()
    main([a if a is not None else str(out) for a in args])  # space freed: the same command finishes the job
    assert visible(out) == visible(whole)


@pytest.mark.slow  # real processes killed and resumed: minutes
@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE")
def test_a_file_size_limit_in_a_real_process_fails_cleanly_and_resumes(corpus, tmp_path):
    """A real write error, no mocks: RLIMIT_FSIZE makes the kernel refuse writes past 100 kB (EFBIG).

    The first write to fail is py3langid unpacking its model into a temp file, inside the
    cleaning of the first document: a machine error, so the run stops instead of failing
    every document (and marking them done, so that a rerun would never clean them).
    """
    whole, out = tmp_path / "whole", tmp_path / "out"
    args = [sys.executable, "-m", "cleaner.cli", "clean", str(corpus), "-j", "2", "--no-progress",
            "--shard-size", str(DOCS), "--compression", "none"]  # one shard of about 400 kB

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    subprocess.run(args + ["-o", str(whole)], capture_output=True, timeout=300)
    proc = subprocess.run(args + ["-o", str(out)], capture_output=True, timeout=300, preexec_fn=limit)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "File too large" in err and "Traceback" not in err, err[-2000:]
    assert list(out.glob("part-*")) == [] and not (out / ".cleaner" / "report.json").exists()
    assert [p for p in out.rglob(".*.tmp")] == []
    subprocess.run(args + ["-o", str(out)], capture_output=True, timeout=300)
    assert visible(out) == visible(whole)


# --------------------------------------------------------------------------- in-place fix


@pytest.fixture
def seeds(seed_corpus) -> Path:
    return seed_corpus


def test_fix_leaves_the_file_untouched_when_cleaning_fails(seeds, capsys, monkeypatch):
    before = snapshot(seeds)

    def boom(self, doc):
        raise RuntimeError("a parser crashed")

    monkeypatch.setattr(inplace.Cleaner, "clean", boom)
    assert main(["fix", "corpus"]) == 2
    assert "a parser crashed" in capsys.readouterr().err
    assert snapshot(seeds) == before


def test_fix_puts_the_sidecar_back_when_the_article_cannot_be_written(seeds, capsys, monkeypatch):
    with_thread = [p for p in sorted(seeds.glob("*.txt"))
                   if main(["check", str(p)]) == 1 and "comments" in capsys.readouterr().out]
    assert with_thread
    target = with_thread[0]
    sidecar = target.with_name(target.name + ".comments.jsonl")
    sidecar.write_text('{"index": 0, "text": "an older thread"}\n', encoding="utf-8")
    before = snapshot(seeds)
    real = inplace.atomic_write

    def fail_on_article(path, data):
        if path == target:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(inplace, "atomic_write", fail_on_article)
    assert main(["fix", str(target)]) == 2
    assert "left as it was" in capsys.readouterr().err
    assert snapshot(seeds) == before  # the article and its old sidecar, byte for byte


@pytest.mark.slow  # real processes killed and resumed: minutes
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="timing of a real kill")
def test_a_killed_fix_leaves_each_file_whole_old_or_whole_new(seeds, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(seeds, reference)
    assert main(["fix", str(reference)]) in (0, 1)
    originals, fixed = snapshot(seeds), snapshot(reference)
    rng = random.Random(SEED)
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-m", "cleaner.cli", "fix", str(seeds)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        for name, data in snapshot(seeds).items():
            if name.endswith(".tmp"):  # a temp file the kill left: never a document, and cleared here
                (seeds / name).unlink()
                continue
            assert data in (originals.get(name), fixed.get(name)), f"{name} is neither the old nor the new file"
    subprocess.run([sys.executable, "-m", "cleaner.cli", "fix", str(seeds)], capture_output=True, timeout=300)
    assert snapshot(seeds) == fixed
