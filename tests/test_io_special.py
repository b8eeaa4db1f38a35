"""Things that are not regular files: devices and FIFOs are refused, unreadable folders reported, refused output paths cost one document."""

from __future__ import annotations

import json
import os
import threading

import pytest

from cleaner.cli import main
from cleaner.io.discover import Dest
from cleaner.io.readers import Fields, read_file, read_jsonl
from cleaner.rundir import RUN_DIR

PROSE = ("The council met on Tuesday to discuss the new budget for the coming year, and members argued for hours "
         "about the cost of repairing the old bridge before the vote.")


def failures(out) -> list[dict]:
    return [json.loads(line) for line in (out / RUN_DIR / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", ["pipe.txt", "pipe.jsonl", "pipe"])
def test_a_fifo_is_refused_without_blocking(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    result: list = []
    reader = threading.Thread(target=lambda: result.append(
        list(read_jsonl(fifo, name, Fields(), dest=Dest("jsonl", name))) if name.endswith(".jsonl") else [read_file(fifo, name)]),
        daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a FIFO blocked"
    (item,) = result[0]
    assert item.failure is not None and "FIFO" in item.failure.message and "standard input" in item.failure.message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_device_files_named_on_the_command_line_are_refused(tmp_path, capsys, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    out = tmp_path / "out"
    assert main(["clean", device, "-o", str(out), "--no-progress", "-j", "1"]) == 1
    assert "character device" in failures(out)[0]["message"]
    assert "character device" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_in_a_walk_is_reported(tmp_path):
    docs = tmp_path / "docs"
    (docs / "locked").mkdir(parents=True)
    (docs / "ok.txt").write_text(PROSE, encoding="utf-8")
    (docs / "locked" / "hidden.txt").write_text(PROSE, encoding="utf-8")
    os.chmod(docs / "locked", 0)
    try:
        out = tmp_path / "out"
        assert main(["clean", str(docs), "-o", str(out), "--no-progress", "-j", "1"]) == 1
    finally:
        os.chmod(docs / "locked", 0o755)
    (failure,) = failures(out)
    assert failure["id"] == "locked" and "cannot list this folder" in failure["message"]


def test_an_unreadable_folder_is_reported_even_as_root(tmp_path, monkeypatch):
    """os.walk's error for a folder it cannot list becomes a failed input (simulated: root reads everything)."""
    docs = tmp_path / "docs"
    (docs / "locked").mkdir(parents=True)
    (docs / "ok.txt").write_text(PROSE, encoding="utf-8")
    real_walk, real_scandir = os.walk, os.scandir

    def walk(top, onerror=None, **kw):
        for here, dirs, files in real_walk(top, onerror=onerror, **kw):
            if "locked" in dirs:
                dirs.remove("locked")
                onerror(PermissionError(13, "Permission denied", str(docs / "locked")))
            yield here, dirs, files

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "walk", walk)
    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    assert main(["clean", str(docs), "-o", str(out), "--no-progress", "-j", "1"]) == 1
    (failure,) = failures(out)
    assert failure["id"] == "locked" and "Permission denied" in failure["message"]


def test_an_output_path_the_file_system_refuses_costs_that_document_only(tmp_path, monkeypatch):
    from cleaner.io import writers

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.txt", "b-refused.txt", "c.txt"):
        (docs / name).write_text(f"{PROSE} {name}\n\n{PROSE}", encoding="utf-8")
    real = writers.atomic_write

    def atomic_write(path, data):
        if "refused" in path.name:
            raise OSError(36, "File name too long", str(path))
        return real(path, data)

    monkeypatch.setattr(writers, "atomic_write", atomic_write)
    out = tmp_path / "out"
    for _ in range(2):  # and the rerun does not stop at the same place either
        assert main(["clean", str(docs), "-o", str(out), "--no-progress", "-j", "1"]) == 1
        (failure,) = failures(out)
        assert failure["stage"] == "write" and "File name too long" in failure["message"]
        assert sorted(p.name for p in (out / "articles").iterdir()) == ["a.txt", "c.txt"]
        report = json.loads((out / RUN_DIR / "report.json").read_text())
        assert (report["documents_in"], report["documents_out"], report["documents_failed"]) == (3, 2, 1)
