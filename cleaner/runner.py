"""The run over many documents: read, clean on N processes, write, and account for every one."""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator

from tqdm import tqdm

from .io import Dest, Fields, Item, Output, atomic_write, read_inputs
from .model import Cleaned, Failure
from .pipeline import Cleaner, Options


@dataclass
class Report:
    """What a run did: counts that always add up, and removals per rule and heuristic."""

    documents_in: int = 0
    documents_out: int = 0
    documents_failed: int = 0
    comments: int = 0
    lines_removed: Counter = field(default_factory=Counter)
    chars_removed: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    rule_timeouts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    bytes_in: int = 0

    def add(self, result: Cleaned | Failure, size: int = 0) -> None:
        self.documents_in += 1
        self.bytes_in += size
        if isinstance(result, Failure):
            self.documents_failed += 1
            self.failures.append(result)
            return
        self.documents_out += 1
        self.comments += len(result.comments)
        for removal in result.removed:
            self.lines_removed[removal.rule] += 1
            self.chars_removed[removal.rule] += len(removal.text)
        for rule_id in result.meta.get("rule_timeouts", ()):
            self.rule_timeouts[rule_id] += 1

    def to_json(self, cleaner: Cleaner) -> dict:
        rules = sorted(self.lines_removed, key=lambda r: (-self.chars_removed[r], r))
        return {
            "documents_in": self.documents_in,
            "documents_out": self.documents_out,
            "documents_failed": self.documents_failed,
            "comment_posts": self.comments,
            "seconds": round(self.seconds, 3),
            "cleaner": cleaner.stamp,
            "removed": {r: {"lines": self.lines_removed[r], "chars": self.chars_removed[r]} for r in rules},
            "rule_timeouts": dict(self.rule_timeouts),
            "failures": [f.to_json() for f in self.failures],
        }


# --------------------------------------------------------------------------- workers

_WORKER: Cleaner | None = None


def _init_worker(options: Options) -> None:
    global _WORKER
    _WORKER = Cleaner(options)


def clean_item(cleaner: Cleaner, item: Item) -> tuple[Dest, Cleaned | Failure, int]:
    """Clean one item; any exception becomes a Failure that names the document."""
    if item.failure is not None:
        return item.dest, item.failure, 0
    doc = item.doc
    assert doc is not None
    size = len(doc.content.encode("utf-8", "surrogatepass"))
    try:
        return item.dest, replace(cleaner.clean(doc), lines=()), size
    except Exception as exc:  # noqa: BLE001 - one bad document must not end the run
        return item.dest, Failure(doc.id, doc.source, "clean", f"{type(exc).__name__}: {exc}"), size


def _work(item: Item) -> tuple[Dest, Cleaned | Failure, int]:
    assert _WORKER is not None
    return clean_item(_WORKER, item)


def results(items: Iterable[Item], options: Options, jobs: int, cleaner: Cleaner) -> Iterator[tuple[Dest, Cleaned | Failure, int]]:
    """Clean in input order, on `jobs` processes (each compiles the rulebook once)."""
    if jobs <= 1:
        for item in items:
            yield clean_item(cleaner, item)
        return
    ctx = mp.get_context("forkserver" if sys.platform != "win32" else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(options,)) as pool:
        yield from pool.imap(_work, items, chunksize=4)


# --------------------------------------------------------------------------- run


@dataclass(frozen=True)
class RunConfig:
    inputs: tuple[str, ...]
    out: Path
    options: Options = Options()
    fields: Fields = Fields()
    jobs: int = 1
    progress: bool | None = None  # None: only on a terminal


def run(config: RunConfig, cleaner: Cleaner | None = None) -> Report:
    """Clean every input into `config.out`; failures are listed, never lost."""
    cleaner = cleaner or Cleaner(config.options)
    report = Report()
    started = time.perf_counter()
    out = Output(config.out)
    config.out.mkdir(parents=True, exist_ok=True)
    disable = None if config.progress is None else not config.progress
    bar = tqdm(unit="doc", desc="cleaning", disable=disable, dynamic_ncols=True, file=sys.stderr)
    try:
        for dest, result, size in results(read_inputs(config.inputs, config.fields), config.options, config.jobs, cleaner):
            report.add(result, size)
            if isinstance(result, Failure):
                out.touch(dest)
                tqdm.write(f"cleaner: {result.source}: {result.message}", file=sys.stderr)
            else:
                out.write(dest, result)
            bar.update(1)
    finally:
        out.close()
        bar.close()
    report.seconds = time.perf_counter() - started
    write_report(config.out, report, cleaner)
    return report


def write_report(out: Path, report: Report, cleaner: Cleaner) -> None:
    atomic_write(out / "report.json", (json.dumps(report.to_json(cleaner), indent=2, ensure_ascii=False) + "\n").encode())
    errors = "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in report.failures)
    atomic_write(out / "errors.jsonl", errors.encode())
