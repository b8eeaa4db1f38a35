"""The run over many documents: read, clean on N processes, write, and account for every one.

The stream of documents is cut into units, each written whole and then marked done in
OUT/.cleaner/done/ (as datatrove marks completed tasks):
- mirror mode (the default): one unit per JSONL or WARC input (OUT/NAME.jsonl[.gz|.zst]) and one
  per run of up to MIRROR_UNIT text or HTML files (the OUT/articles tree);
- shard mode (--shard-size, --compression, or stdin input): OUT/part-00000.jsonl.zst with N records each;
- stdout mode (-o -): one JSONL stream, no markers.
A marker holds the run's totals up to its unit, so a restarted run with the same arguments
skips the done units and ends with byte-identical outputs, errors.jsonl and counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Iterator

from tqdm import tqdm

from .io.discover import DEFAULT_SIDECAR, Dest, Item, Source, discover
from .io.readers import MISSING_FIELD, Fields, read_file, read_source
from .io.streams import COMPRESSIONS, Meter, Sink
from .io.writers import JsonlFile, OutputNames, atomic_write, printable, record_line, safe_join, shard_name, write_mirror
from .model import Cleaned, Failure, RunMode
from .options import Options
from .pipeline import Cleaner
from .rundir import ERRORS, REPORT, ErrorLog, Lock, State, consistent, run_file
from .workers import END, MACHINE_ERRNOS, Result, results
from .report import Summary

MIRROR_UNIT = 1000  # text/HTML files per completion marker in mirror mode
DEFAULT_SHARD_SIZE = 10_000
FAILURES_IN_REPORT = 1000  # report.json lists this many; errors.jsonl has them all
EXIT_PIPE = 141  # as a shell reports a command ended by SIGPIPE


@dataclass
class Report:
    """What a run did: counts that always add up, and removals per rule and heuristic."""

    documents_in: int = 0
    documents_out: int = 0
    documents_failed: int = 0
    comments: int = 0
    lines_removed: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)  # the first FAILURES_IN_REPORT
    rule_timeouts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    bytes_in: int = 0
    held_back: Counter = field(default_factory=Counter)  # rule -> documents where it was held back
    warnings: Counter = field(default_factory=Counter)  # kind ("encoding", "duplicate-id", ...) -> documents
    notes: list[dict] = field(default_factory=list)  # the first FAILURES_IN_REPORT documents with timeouts, held-back rules or warnings
    summary: Summary = field(default_factory=Summary)  # for people: the end-of-run summary and report.html

    def add(self, result: Cleaned | Failure, size: int = 0) -> None:
        self.documents_in += 1
        self.bytes_in += size
        if isinstance(result, Failure):
            self.documents_failed += 1
            if len(self.failures) < FAILURES_IN_REPORT:
                self.failures.append(result)
            return
        self.documents_out += 1
        self.summary.add(result)
        self.comments += len(result.comments)
        for removal in result.removed:  # their characters per rule are the summary's
            self.lines_removed[removal.rule] += 1
        for rule_id in result.meta.get("rule_timeouts", ()):
            self.rule_timeouts[rule_id] += 1
        self.held_back.update(set(result.meta.get("held_back", ())))
        warnings = [w for w in result.meta.get("warnings", ()) if isinstance(w, str)]
        self.warnings.update({w.split(":", 1)[0] for w in warnings})
        note = {k: v for k, v in (("rule_timeouts", result.meta.get("rule_timeouts")),
                                  ("held_back", result.meta.get("held_back")), ("warnings", warnings)) if v}
        if note and len(self.notes) < FAILURES_IN_REPORT:
            self.notes.append({"id": result.id, **note})

    @property
    def chars_removed(self) -> Counter:
        """Characters removed per rule or heuristic (counted once, by the summary)."""
        return self.summary.rules

    def to_json(self, cleaner: Cleaner) -> dict:
        rules = sorted(self.lines_removed, key=lambda r: (-self.chars_removed[r], r))
        return {
            "documents_in": self.documents_in,
            "documents_out": self.documents_out,
            "documents_failed": self.documents_failed,
            "comment_posts": self.comments,
            "bytes_in": self.bytes_in,
            "seconds": round(self.seconds, 3),
            "cleaner": cleaner.stamp,
            "removed": {r: {"lines": self.lines_removed[r], "chars": self.chars_removed[r]} for r in rules},
            "rule_timeouts": dict(self.rule_timeouts),
            "held_back": dict(sorted(self.held_back.items())),
            "warnings": dict(sorted(self.warnings.items())),
            "documents_with_notes": self.notes,
            "failures": [f.to_json() for f in self.failures],
        }

    def state(self) -> dict:
        """The totals a completion marker keeps (failures live in errors.jsonl)."""
        return {"documents_in": self.documents_in, "documents_out": self.documents_out,
                "documents_failed": self.documents_failed, "comments": self.comments, "bytes_in": self.bytes_in,
                "lines_removed": dict(self.lines_removed),
                "rule_timeouts": dict(self.rule_timeouts), "held_back": dict(self.held_back),
                "warnings": dict(self.warnings), "notes": self.notes, "summary": self.summary.state()}

    @classmethod
    def from_state(cls, state: dict, failures: list[Failure]) -> "Report":
        counters = {k: Counter(state.get(k, {})) for k in ("lines_removed", "rule_timeouts", "held_back", "warnings")}
        plain = {k: state[k] for k in ("documents_in", "documents_out", "documents_failed", "comments", "bytes_in")}
        return cls(**plain, **counters, failures=failures, notes=list(state.get("notes", [])),
                   summary=Summary.from_state(state.get("summary")))


class RunStopped(RuntimeError):
    """The run stopped early: --max-failures was reached."""


class FailureWatch:
    """Failures as a person should see them: a missing content field once, not once per record (and,
    when no record has it, one error listing the keys they do have); stops the run at --max-failures."""

    def __init__(self, max_failures: int | None):
        self.max_failures, self.failures, self.cleaned = max_failures, 0, 0
        self.missing, self.keys, self.first_missing = 0, set(), ""

    def failed(self, failure: Failure) -> bool:
        """Count a failure; True when it should be printed."""
        self.failures += 1
        show = True
        if failure.stage == "read" and failure.message.startswith(MISSING_FIELD):
            self.missing += 1
            head, _, keys = failure.message.partition("; its keys: ")
            self.keys.update(k for k in keys.split(", ") if k and k != "none")
            show, self.first_missing = not self.first_missing, self.first_missing or head
        if self.max_failures is not None and self.failures >= self.max_failures:
            raise RunStopped(f"stopped after {self.failures} failed documents (--max-failures {self.max_failures}); "
                             f"each is listed in errors.jsonl")
        return show

    def finish(self) -> None:
        """At the end: a run where every document lacked its content field gets one error naming the keys."""
        if self.cleaned == 0 and self.missing and self.missing == self.failures:
            tqdm.write(f"cleaner: {self.missing_message()}", file=sys.stderr)
        elif self.missing > 1:
            tqdm.write(f"cleaner: {self.missing} records in all had {self.first_missing[0].lower()}{self.first_missing[1:]}"
                       f" (each is in errors.jsonl)", file=sys.stderr)

    def missing_message(self) -> str:
        keys = ", ".join(sorted(self.keys)) or "none"
        return (f"{self.first_missing}: not one of {self.missing} records has it; their keys: {keys}. "
                f"Name the field with --text-field or --html-field (or `text-field` in the config)")


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class RunConfig:
    inputs: tuple[str, ...]
    out: Path
    options: Options = Options()
    fields: Fields = Fields()
    jobs: int = 1
    progress: bool | None = None  # None: only on a terminal
    glob: str | None = None
    shard_size: int | None = None
    compression: str | None = None  # none|gz|zst; shard mode only
    sidecars: str | None = DEFAULT_SIDECAR  # comment sidecars of `cleaner fix` are output, not input
    source: str | None = None  # the records' dolma `source`; None: each input's name
    removed: bool = True  # False (--no-removed): records leave out `removed` and its spans
    max_failures: int | None = None  # stop the run after this many failed documents

    @property
    def record_shape(self) -> dict:
        """Cleaned.to_dict's options for this run's records."""
        return {"source": self.source, "removed": self.removed}

    def sources(self) -> Iterator[Source]:
        """The inputs; OUT itself is never one (a run writing into its input folder does not read itself back)."""
        return discover(self.inputs, self.glob, self.sidecars, exclude=None if self.to_stdout else self.out)

    @property
    def to_stdout(self) -> bool:
        return str(self.out) == "-"

    @property
    def mode(self) -> RunMode:
        if self.to_stdout:
            return RunMode.STDOUT
        if self.shard_size is not None or self.compression is not None or "-" in self.inputs:
            return RunMode.SHARDS
        return RunMode.MIRROR

    def fingerprint(self, cleaner: Cleaner) -> dict:
        """What must match for a restarted run to reuse the done units of an earlier one."""
        inputs = [i if i == "-" else str(Path(i).resolve()) for i in self.inputs]
        listing = signature(self.sources()) if self.mode != RunMode.MIRROR else None
        return {"inputs": inputs, "resumable": "-" not in self.inputs, "listing": listing, "glob": self.glob, "mode": self.mode,
                "shard_size": self.shard_size_or_default,
                "compression": self.compression_or_default, "fields": json.loads(json.dumps(asdict(self.fields))), "cleaner": cleaner.stamp,
                "record": {"source": self.source, "removed": self.removed},
                "options": repr(self.options)}

    @property
    def shard_size_or_default(self) -> int:
        return self.shard_size or DEFAULT_SHARD_SIZE

    @property
    def compression_or_default(self) -> str:
        return self.compression or ("zst" if self.mode == RunMode.SHARDS else "none")


def signature(sources: Iterable[Source]) -> str:
    """Names, sizes, mtimes, inodes and ctimes of the inputs: a changed input file is not taken for done.

    ctime cannot be set back by hand (`touch -d` can forge an mtime), so an edit that keeps size and
    mtime is still seen; a copy or a chmod also counts as a change, which only costs a redo.
    """
    h = hashlib.sha1()
    for s in sources:
        try:
            st = s.path.stat() if s.path is not None else None
        except OSError:
            st = None
        stamp = f"{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0{st.st_ctime_ns}" if st else "-1"
        h.update(f"{s.rel}\0{stamp}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


# --------------------------------------------------------------------------- units


class MirrorUnit:
    """A run of files of the OUT/articles tree; each file is written atomically on its own."""

    def __init__(self, root: Path):
        self.root, self.name = root, "mirror"

    def write(self, dest: Dest, cleaned: Cleaned) -> None:
        write_mirror(self.root, dest.rel, cleaned)

    def commit(self) -> None:
        return None

    def abort(self) -> None:
        pass


class FileUnit:
    """One JSONL output file (a per-input output or a shard), renamed into place on commit."""

    def __init__(self, root: Path, name: str, shape: dict | None = None):
        self.name, self.shape = name, shape or {}
        self.file = JsonlFile(safe_join(root, name))

    def write(self, dest: Dest, cleaned: Cleaned) -> None:
        self.file.write(record_line(cleaned, **self.shape))

    def commit(self) -> int:
        self.file.commit()
        return self.file.final.stat().st_size

    def abort(self) -> None:
        self.file.abort()


class StreamUnit:
    """JSONL records on standard output, for a shell pipeline."""

    def __init__(self, compression: str, shape: dict | None = None):
        self.name, self.shape = "stdout", shape or {}
        self.sink = Sink(sys.stdout.buffer, f"stdout.jsonl{COMPRESSIONS[compression]}")

    def write(self, dest: Dest, cleaned: Cleaned) -> None:
        self.sink.write(record_line(cleaned, **self.shape))

    def commit(self) -> None:
        if self.sink.fh is not self.sink.raw:
            self.sink.fh.close()
        self.sink.raw.flush()

    def abort(self) -> None:
        try:
            self.commit()
        except BrokenPipeError:
            pass


# --------------------------------------------------------------------------- plans: the item stream with unit ends


def mirror_units(sources: Iterable[Source]) -> Iterator[tuple[str, list[Source]]]:
    """Units of mirror mode, in order: each JSONL/WARC input alone, text/HTML files in runs of MIRROR_UNIT.

    Each input claims its output names (OutputNames): two inputs never write one file.
    """
    run: list[Source] = []
    count = 0
    names = OutputNames()
    for source in sources:
        if source.kind == "file":
            run.append(replace(source, out=names.mirror(source.rel)))
            if len(run) >= MIRROR_UNIT:
                yield f"mirror-{count:05d}", run
                run, count = [], count + 1
            continue
        if run:
            yield f"mirror-{count:05d}", run
            run, count = [], count + 1
        yield names.jsonl(source.output_name, source.rel), [source]
    if run:
        yield f"mirror-{count:05d}", run


def mirror_done(config: RunConfig, markers: list[dict]) -> int:
    """How many leading units of mirror mode are done and their inputs unchanged since."""
    done = 0
    for (name, sources), marker in zip(mirror_units(config.sources()), markers):
        if marker.get("unit") != name or marker.get("sources") != signature(sources):
            break
        done += 1
    return done


def mirror_items(config: RunConfig, skip_units: int, meter: Meter) -> Iterator[Item]:
    """Items of mirror mode with an end item after each unit; done units are passed over unread."""
    for index, (name, sources) in enumerate(mirror_units(config.sources())):
        if index < skip_units:
            meter.bytes += sum(s.size or 0 for s in sources)
            continue
        for source in sources:
            if source.kind == "file":
                assert source.path is not None
                yield read_file(source.path, source.rel, meter, config.options.max_bytes,
                                Dest("mirror", source.out) if source.out else None)
            else:
                yield from read_source(source, config.fields, meter, Dest("jsonl", name), config.options.max_bytes)
        yield Item(Dest("jsonl" if sources[0].kind != "file" else "mirror", name, signature(sources)), end=True)


def stream_items(config: RunConfig, skip_items: int, meter: Meter) -> Iterator[Item]:
    """Every item of every input as one stream (shard and stdout modes), the first `skip_items` passed over."""
    items = (item for source in config.sources()
             for item in read_source(source, config.fields, meter, max_bytes=config.options.max_bytes))
    return islice(items, skip_items, None)


# --------------------------------------------------------------------------- the run


class Progress:
    """tqdm over input bytes (MB/s, and an ETA when the total size is known) with documents/s beside it."""

    def __init__(self, config: RunConfig, meter: Meter):
        disable = None if config.progress is None else not config.progress
        total = None if "-" in config.inputs or disable is True else _total_size(config)
        self.meter, self.docs, self.started, self.shown = meter, 0, time.perf_counter(), 0.0
        self.bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1000, desc="cleaning", disable=disable,
                        dynamic_ncols=True, file=sys.stderr, smoothing=0.1)

    def update(self) -> None:
        self.docs += 1
        now = time.perf_counter()
        if now - self.shown >= 0.25:
            self.shown = now
            self._refresh(now)

    def _refresh(self, now: float) -> None:
        self.bar.set_postfix_str(f"{self.docs} docs, {self.docs / max(now - self.started, 1e-9):.1f} docs/s", refresh=False)
        self.bar.update(self.meter.bytes - self.bar.n)

    def close(self) -> None:
        self._refresh(time.perf_counter())
        self.bar.close()


def _total_size(config: RunConfig) -> int | None:
    return sum(s.size or 0 for s in config.sources()) or None


class Run:
    """One invocation: the units it writes, the markers it leaves, the report it adds up."""

    def __init__(self, config: RunConfig, cleaner: Cleaner):
        self.config, self.cleaner = config, cleaner
        self.meter = Meter()
        self.stdout = config.to_stdout
        self.state = None if self.stdout else State(config.out, config.fingerprint(cleaner))
        self.shape = config.record_shape
        markers = self._resume() if self.state else []
        self.watch = FailureWatch(config.max_failures)
        last = markers[-1] if markers else None
        self.unit_index = len(markers)
        self.items_done = last["items"] if last else 0
        self.errors = ErrorLog(None if self.stdout else run_file(config.out, ERRORS), last["errors_bytes"] if last else 0)
        self.report = Report.from_state(last["report"], self.errors.head(FAILURES_IN_REPORT)) if last else Report()
        self.unit: Any = None
        self.unit_records = 0
        self.wrote = False  # a rerun of a finished run writes nothing, not even report.json
        if config.mode == RunMode.SHARDS:
            self._drop_stale_shards()

    def _resume(self) -> list[dict]:
        """The done units this run can trust: same arguments, inputs unchanged, outputs and error log as marked."""
        assert self.state is not None
        markers = self.state.resume()
        if self.config.mode == RunMode.MIRROR:
            markers = markers[: mirror_done(self.config, markers)]
        markers = markers[: consistent(markers, self.config.out, run_file(self.config.out, ERRORS))]
        self.state.truncate(len(markers))
        return markers

    def _drop_stale_shards(self) -> None:
        """Shards past the done ones are left from an interrupted or other run: they will be rewritten or must go."""
        for part in self.config.out.glob("part-*.jsonl*"):
            index = part.name[5:].split(".", 1)[0]
            if index.isdigit() and int(index) >= self.unit_index:
                part.unlink()

    def items(self) -> Iterator[Item]:
        if self.config.mode == RunMode.MIRROR:
            return mirror_items(self.config, self.unit_index, self.meter)
        return stream_items(self.config, self.items_done, self.meter)

    def execute(self, progress: Progress) -> None:
        stream = results(self.items(), self.config.options, self.config.jobs, self.cleaner)
        try:
            self._consume(stream, progress)
        finally:
            stream.close()  # on an error here, stops the workers at once

    def _consume(self, stream: Iterator[Result], progress: Progress) -> None:
        for dest, result, size in stream:
            if result is END:
                self._done(dest.rel, dest.sources, self._open(dest).commit())
                continue
            self.items_done += 1
            unit = self._open(dest)
            if not isinstance(result, Failure):
                result = self._write(unit, dest, result)
            self.report.add(result, size)
            if isinstance(result, Failure):
                self.errors.write(result)
                if self.watch.failed(result):
                    tqdm.write(printable(f"cleaner: {result.source}: {result.message}"), file=sys.stderr)
            else:
                self.watch.cleaned += 1
                self.unit_records += 1
                for warning in result.meta.get("warnings", ()):  # cleaned, but the user should know (encoding guessed...)
                    tqdm.write(printable(f"cleaner: {result.meta.get('source', result.id)}: note: {warning}"), file=sys.stderr)
            progress.update()
            if self.config.mode == RunMode.SHARDS and self.unit_records >= self.config.shard_size_or_default:
                self._done(self.unit.name, "", self.unit.commit())
        self.watch.finish()
        if self.unit is not None:  # the last shard, or the stdout stream
            self._done(self.unit.name, "", self.unit.commit())

    def _write(self, unit, dest: Dest, cleaned: Cleaned) -> Cleaned | Failure:
        """Write one result; an output path the file system refuses (too long, invalid) is that document's failure."""
        try:
            unit.write(dest, cleaned)
        except OSError as exc:
            if exc.errno in MACHINE_ERRNOS or not isinstance(unit, MirrorUnit):
                raise  # the disk, not the document: stop, and a rerun resumes
            where = printable(str(exc.filename or dest.rel))
            return Failure(cleaned.id, str(cleaned.meta.get("source", cleaned.id)), "write",
                           f"cannot write its output {where}: {exc.strerror or exc}")
        return cleaned

    def _open(self, dest: Dest):
        if self.unit is None:
            self.unit = self._new_unit(dest)
            self.wrote = True
        return self.unit

    def _new_unit(self, dest: Dest):
        mode, out = self.config.mode, self.config.out
        if mode == RunMode.STDOUT:
            return StreamUnit(self.config.compression_or_default, self.shape)
        assert self.state is not None
        if mode == RunMode.SHARDS:
            name = shard_name(self.unit_index, self.config.compression_or_default)
        elif dest.kind == "jsonl":
            name = dest.rel
        else:
            self.state.claim("articles")
            self.state.claim("comments")
            return MirrorUnit(out)
        self.state.claim(name)
        return FileUnit(out, name, self.shape)

    def _done(self, name: str, sources: str = "", size: int | None = None) -> None:
        """The unit is on disk: log its errors durably, then leave its marker (with the output's size, checked on resume)."""
        errors_bytes = self.errors.sync()
        if self.state is not None:
            marker = {"unit": name, "sources": sources, "items": self.items_done, "errors_bytes": errors_bytes,
                      "report": self.report.state()}
            if size is not None:
                marker["bytes"] = size
            self.state.mark(self.unit_index, marker)
        self.unit_index += 1
        self.unit, self.unit_records = None, 0

    def abort(self) -> None:
        if self.unit is not None:
            self.unit.abort()
        self.errors.close()


def run(config: RunConfig, cleaner: Cleaner | None = None) -> Report:
    """Clean every input into `config.out`; failures are listed, never lost."""
    cleaner = cleaner or Cleaner(config.options)
    started = time.perf_counter()
    lock = None if config.to_stdout else Lock(config.out)
    if lock is not None:
        config.out.mkdir(parents=True, exist_ok=True)
        lock.acquire()  # raises Busy at once when another live run writes OUT
    try:
        return _run(config, cleaner, started)
    finally:
        if lock is not None:
            lock.release()


def _run(config: RunConfig, cleaner: Cleaner, started: float) -> Report:
    job = Run(config, cleaner)
    progress = Progress(config, job.meter)
    try:
        job.execute(progress)
    except BrokenPipeError:  # `cleaner clean - -o - | head`: the reader has all it wants
        job.abort()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes stdout
        raise SystemExit(EXIT_PIPE) from None
    except BaseException:
        job.abort()
        raise
    finally:
        progress.close()
    job.errors.close()
    job.report.seconds = time.perf_counter() - started
    if not config.to_stdout and (job.wrote or not _finished(config.out, job.report)):
        write_report(config.out, job.report, cleaner)
        job.report.summary.write_html(run_file(config.out, "report.html"))  # a run file: readers of OUT skip it
    return job.report


def _finished(out: Path, report: Report) -> bool:
    """OUT already holds the report of this very run (a rerun found every unit done)."""
    try:
        previous = json.loads(run_file(out, REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(previous, dict) and all(previous.get(k) == v for k, v in (
        ("documents_in", report.documents_in), ("documents_out", report.documents_out),
        ("documents_failed", report.documents_failed), ("bytes_in", report.bytes_in)))


def write_report(out: Path, report: Report, cleaner: Cleaner) -> None:
    body = json.dumps(report.to_json(cleaner), indent=2, ensure_ascii=False) + "\n"
    atomic_write(run_file(out, REPORT), body.encode("utf-8", "backslashreplace"))

