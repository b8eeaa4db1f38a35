"""The output folder one run owns: OUT/.cleaner holds its lock, fingerprint, markers, error log and report.

OUT's data files (the mirror tree, per-input JSONL files, shards) are what a reader of OUT wants;
the run's own files live apart in the dot-folder OUT/.cleaner/, which shell globs, Python's glob
and datatrove's readers (with a suffix pattern) pass over:
- `lock`: held (flock) while a run writes OUT; a second live run is refused, a dead one's lock is free;
- `run.json`: the fingerprint of the run's arguments and inputs;
- `done/NNNNNN.json`: one marker per completed unit, with the run's totals up to it;
- `outputs.txt`: every data path the run claimed, so a start-over removes exactly those;
- `errors.jsonl`, `report.json`: every failed document, and the run's counts.
Nothing here is trusted blindly: a marker that does not match OUT (a missing or resized output,
an error log shorter than it says) ends the resumable prefix there.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from itertools import islice
from pathlib import Path

from tqdm import tqdm

from .io.writers import atomic_write, safe_join
from .model import Failure

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock (documented)
    fcntl = None  # type: ignore[assignment]

RUN_DIR = ".cleaner"
REPORT, ERRORS = "report.json", "errors.jsonl"
MARKER_KEYS = {"unit": str, "sources": str, "items": int, "errors_bytes": int, "report": dict}


def run_file(out: Path, name: str) -> Path:
    """OUT/.cleaner/NAME: where the run keeps its own files."""
    return out / RUN_DIR / name


def say(message: str) -> None:
    tqdm.write(f"cleaner: {message}", file=sys.stderr)


class Busy(RuntimeError):
    """Another live run holds OUT."""


class Lock:
    """OUT/.cleaner/lock, held with flock for the life of the run: the kernel frees it when the process dies."""

    def __init__(self, out: Path):
        self.path = run_file(out, "lock")
        self.fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "a run that has not said who it is"
                os.close(fd)
                raise Busy(f"{self.path.parent.parent} is being written by another cleaner run ({holder}); "
                           f"wait for it to end or choose another -o") from None
        who = f"pid {os.getpid()} on {socket.gethostname()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}: cleaner {' '.join(sys.argv[1:])}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, who.encode("utf-8", "backslashreplace"), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # frees the flock; the file stays (removing it would race a run that just opened it)
            self.fd = None


class State:
    """OUT/.cleaner: the run's fingerprint, one marker per done unit, and the outputs it claimed."""

    def __init__(self, out: Path, fingerprint: dict):
        self.out = out
        self.dir = out / RUN_DIR
        self.done_dir = self.dir / "done"
        self.fingerprint = fingerprint
        self.claimed: set[str] = set()

    def resume(self) -> list[dict]:
        """The markers of the done prefix of units; any doubt about them means starting over."""
        why = self._why_not_resume()
        if why is not None:
            if why:
                say(f"{self.out} {why}; starting over")
            self.clear(earlier_run=bool(why))
            atomic_write(self.dir / "run.json", json.dumps(self.fingerprint, indent=1).encode())
            return []
        self.claimed = set(self._outputs())
        markers = self._markers()
        self.truncate(len(markers))  # units after a gap (or a damaged marker) are redone
        return markers

    def _why_not_resume(self) -> str | None:
        """None: resume; "" start afresh (nothing there); else the reason to start over."""
        try:
            text = (self.dir / "run.json").read_text(encoding="utf-8")
        except FileNotFoundError:
            return "holds the outputs of a run whose state is gone" if self._outputs() or self._has_markers() else ""
        except OSError as exc:
            return f"holds a run whose state cannot be read ({exc.strerror or exc})"
        try:
            previous = json.loads(text)
        except ValueError:
            return "holds a run whose state (.cleaner/run.json) is damaged"
        if previous != self.fingerprint:
            return "holds a run with other arguments or inputs"
        if not self.fingerprint.get("resumable", True):
            return "holds a run over standard input, which cannot be proven the same input"
        return None

    def _has_markers(self) -> bool:
        return self.done_dir.is_dir() and any(self.done_dir.glob("*.json"))

    def _markers(self) -> list[dict]:
        markers: list[dict] = []
        while True:
            path = self.done_dir / f"{len(markers):06d}.json"
            try:
                marker = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                return markers
            except (OSError, ValueError):
                say(f"{path} is damaged; redoing from unit {len(markers)}")
                return markers
            if not isinstance(marker, dict) or not all(isinstance(marker.get(k), t) for k, t in MARKER_KEYS.items()):
                say(f"{path} is not a complete marker; redoing from unit {len(markers)}")
                return markers
            markers.append(marker)

    def truncate(self, keep: int) -> None:
        """Forget the markers of units from `keep` on: they will be written again."""
        for stale in self.done_dir.glob("*.json"):
            if not stale.stem.isdigit() or int(stale.stem) >= keep:
                stale.unlink()

    def clear(self, earlier_run: bool = True) -> None:
        """Remove what an earlier run left: its markers, log, report and every output it claimed.

        Shards (part-NNNNN.jsonl*) go too when an earlier run was there: one whose claims are lost
        may have written them. A fresh OUT keeps whatever files the user put in it.
        """
        for name in self._outputs():
            path = safe_join(self.out, name)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists() or path.is_symlink():
                path.unlink()
        for part in self.out.glob("part-*.jsonl*") if earlier_run else ():
            part.unlink()
        for name in ("outputs.txt", ERRORS, REPORT, "report.html", "run.json"):
            (self.dir / name).unlink(missing_ok=True)
        if self.done_dir.exists():
            shutil.rmtree(self.done_dir, ignore_errors=True)
        self.done_dir.mkdir(parents=True, exist_ok=True)
        self.claimed = set()

    def _outputs(self) -> list[str]:
        try:
            text = (self.dir / "outputs.txt").read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            return []
        return [line for line in text.splitlines() if line and line not in (".", "..") and not line.startswith(RUN_DIR)]

    def claim(self, name: str) -> None:
        """Note an output before it is written, so a later start-over knows to remove it."""
        if name in self.claimed:
            return
        self.claimed.add(name)
        with open(self.dir / "outputs.txt", "ab") as fh:
            fh.write(name.encode("utf-8", "surrogateescape") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        for leftover in safe_join(self.out, name).parent.glob(f".{Path(name).name}.*.tmp"):
            leftover.unlink(missing_ok=True)  # a temp file of a killed run

    def mark(self, index: int, marker: dict) -> None:
        atomic_write(self.done_dir / f"{index:06d}.json", json.dumps(marker, ensure_ascii=False).encode())


def consistent(markers: list[dict], out: Path, errors: Path) -> int:
    """How many leading markers OUT still agrees with: each unit's output file at its size, the error log as long."""
    try:
        log = errors.read_bytes()
    except OSError:
        log = b""
    for n, marker in enumerate(markers):
        size = marker.get("bytes")
        if isinstance(size, int) and _size(safe_join(out, marker["unit"])) != size:
            say(f"{marker['unit']} in {out} is missing or changed since its unit was done; redoing from there")
            return n
        cut = marker["errors_bytes"]
        failed = marker["report"].get("documents_failed")
        if cut > len(log) or (cut and log[cut - 1:cut] != b"\n") or log[:cut].count(b"\n") != failed:
            say(f"{errors} does not hold the failures its markers count; redoing from unit {n}")
            return n
    return len(markers)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


class ErrorLog:
    """OUT/.cleaner/errors.jsonl, appended as units complete; cut back to the last done unit on resume."""

    def __init__(self, path: Path | None, keep_bytes: int = 0):
        self.path = path
        self.fh = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fh = open(path, "r+b" if path.exists() else "w+b")
            if self.fh.seek(0, os.SEEK_END) != keep_bytes:
                self.fh.truncate(keep_bytes)
            self.fh.seek(keep_bytes)

    def write(self, failure: Failure) -> None:
        if self.fh is not None:
            self.fh.write((json.dumps(failure.to_json(), ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace"))

    def sync(self) -> int:
        if self.fh is None:
            return 0
        self.fh.flush()
        os.fsync(self.fh.fileno())
        return self.fh.tell()

    def head(self, n: int) -> list[Failure]:
        """The first n failures logged, to fill report.json on a resumed run."""
        if self.path is None:
            return []
        with open(self.path, "rb") as fh:
            return [Failure(**json.loads(line)) for line in islice(fh, n)]

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
