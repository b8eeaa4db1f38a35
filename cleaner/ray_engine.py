"""The same cleaning as a Ray Data job, for corpora beyond one machine: `cleaner clean --engine ray`.

read (JSONL[.gz|.zst] or Parquet, local or any pyarrow/fsspec filesystem: s3://, gs://, hdfs://)
  -> JSONL files become line rows (with line numbers, so ids and errors match the local engine)
  -> map_batches(CleanBatch): an actor pool; each actor compiles the rulebook once
  -> CleanedSink: part-*.jsonl[.zst|.gz] or part-*.parquet, plus per-task counts that the
     driver adds up into OUT/.cleaner/report.json and errors.jsonl.
A record written here is the line the local engine writes for the same input record.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from types import SimpleNamespace
from pathlib import Path
from typing import Any, Iterable

from .distribution import install_hint
from .io.discover import Dest, Item, kind_of
from .io.readers import Fields, line_item, record_to_item
from .io.streams import COMPRESSIONS
from .io.writers import record_line
from .model import Document, Failure, Kind
from .rundir import ERRORS, REPORT, RUN_DIR
from .pipeline import Cleaner, Options
from .report import Summary
from .runner import FAILURES_IN_REPORT, Report, RunConfig
from .workers import clean_item

PARQUET = (".parquet", ".pq")
ARROW_COMPRESSION = {"none": None, "gz": "gzip", "zst": "zstd"}
BATCH_SIZE = 64
DEST = Dest("jsonl", "ray")


class RayError(Exception):
    """Ray is missing or the job cannot start; the CLI exits 2 with this message."""


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise RayError(f"the Ray engine needs Ray Data: {install_hint('ray')}") from exc
    return ray


# --------------------------------------------------------------------------- reading


def input_paths(config: RunConfig) -> tuple[list[str], list[str], list[str]]:
    """(JSONL, Parquet, WARC paths); local directories are walked in sorted order, URIs go to Ray as given."""
    jsonl: list[str] = []
    parquet: list[str] = []
    warcs: list[str] = []
    for raw in config.inputs:
        if raw == "-":
            raise RayError("the Ray engine reads files or URIs, not standard input")
        if "://" in raw:
            lower = raw.rstrip("/").lower()
            (parquet if lower.endswith(PARQUET) else warcs if kind_of(Path(lower)) == "warc" else jsonl).append(raw)
            continue
        path = Path(raw)
        files = [path] if not path.is_dir() else sorted(
            p for p in (path.glob(config.glob) if config.glob and "/" in config.glob else path.rglob(config.glob or "*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
        for file in files:
            if file.name.lower().endswith(PARQUET):
                parquet.append(str(file))
            elif kind_of(file) == "jsonl":
                jsonl.append(str(file))
            elif kind_of(file) == "warc":
                warcs.append(str(file))
            elif kind_of(file) is not None or not path.is_dir():
                raise RayError(f"{file}: the Ray engine reads JSONL, Parquet or WARC; clean text and HTML files "
                               "with the local engine")
    if not jsonl and not parquet and not warcs:
        raise RayError("no JSONL, Parquet or WARC input found")
    return jsonl, parquet, warcs


def split_file_lines(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One JSONL file (already decompressed by Ray) as rows of (line, line number, path)."""
    lines = row["bytes"].split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [{"line": line, "lineno": n, "path": row["path"]} for n, line in enumerate(lines, 1) if line.strip()]


def warc_documents(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One WARC file as rows of documents (or read failures), read by the worker as the local engine reads it."""
    import tempfile

    from .io.warc import read_warc

    path = row["path"]
    with tempfile.TemporaryDirectory(prefix="cleaner-warc-") as tmp:
        local = Path(path)
        if "://" in path:  # a URI: copied to the worker's disk first (fastwarc reads files)
            import fsspec

            local = Path(tmp) / Path(path.rstrip("/")).name
            with fsspec.open(path, "rb") as src, open(local, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        out = []

        def source_fix(text: str) -> str:  # a copied URI's documents name the URI, as errors and `source` should
            return text.replace(str(local), path, 1) if local != Path(path) else text

        for item in read_warc(local, local.name, DEST):
            if item.doc is not None:
                d = item.doc
                out.append({"doc": json.dumps({"id": d.id, "kind": d.kind.value, "content": d.content, "meta": dict(d.meta),
                                               "source": source_fix(d.source)}, ensure_ascii=False), "failure": None})
            elif item.failure is not None:
                f = item.failure
                out.append({"doc": None, "failure": json.dumps({**f.to_json(), "source": source_fix(f.source)})})
    return out


def document_items(rows: Iterable[dict[str, Any]]) -> list[Item]:
    """Rows of warc_documents back as items."""
    out = []
    for row in rows:
        if row.get("doc"):
            d = json.loads(row["doc"])
            out.append(Item(DEST, doc=Document(d["id"], Kind(d["kind"]), d["content"], d["meta"], d["source"])))
        else:
            f = json.loads(row["failure"])
            out.append(Item(DEST, failure=Failure(f["id"], f["source"], f["stage"], f["message"])))
    return out


def line_items(rows: Iterable[dict[str, Any]], fields: Fields) -> list[Item]:
    return [item for r in rows if (item := line_item(r["line"], r["path"], r["lineno"], DEST, fields)) is not None]


def row_items(rows: Iterable[dict[str, Any]], fields: Fields) -> list[Item]:
    """Parquet rows: null columns are absent fields; a row without an id gets path#row-in-batch."""
    out = []
    for n, row in enumerate(rows):
        path = row.pop("path", "")
        record = {k: v for k, v in row.items() if v is not None}
        out.append(record_to_item(record, f"{path}", f"{path}#{n}", DEST, fields))
    return out


# --------------------------------------------------------------------------- cleaning


class CleanBatch:
    """A Ray actor's work: the Cleaner is built once per actor, then cleans batch after batch."""

    def __init__(self, options: Options, fields: Fields, kind: str, shape: dict | None = None):
        self.cleaner = Cleaner(options)
        self.fields, self.kind, self.shape = fields, kind, shape or {}

    def __call__(self, batch):
        import pyarrow as pa

        rows = batch.to_pylist()
        readers = {"lines": lambda: line_items(rows, self.fields), "rows": lambda: row_items(rows, self.fields),
                   "documents": lambda: document_items(rows)}
        items = readers[self.kind]()
        out: dict[str, list] = {"line": [], "failure": [], "stats": []}
        for item in items:
            _dest, result, size = clean_item(self.cleaner, item)
            if isinstance(result, Failure):
                out["line"].append(None)
                out["failure"].append(json.dumps(result.to_json(), ensure_ascii=False))
                out["stats"].append(json.dumps({"size": size}))
                continue
            removed: dict[str, list[int]] = {}
            for r in result.removed:
                entry = removed.setdefault(r.rule, [0, 0])
                entry[0] += 1
                entry[1] += len(r.text)
            out["line"].append(record_line(result, **self.shape))
            out["failure"].append(None)
            out["stats"].append(json.dumps({"size": size, "comments": len(result.comments), "removed": removed,
                                            "timeouts": list(result.meta.get("rule_timeouts", ()))}))
        schema = pa.schema([("line", pa.binary()), ("failure", pa.string()), ("stats", pa.string())])
        return pa.Table.from_pydict(out, schema=schema)


# --------------------------------------------------------------------------- writing


def filesystem(uri: str):
    """(pyarrow filesystem, path) for a local path or URI; fsspec covers schemes pyarrow lacks."""
    import pyarrow.fs as pafs

    if "://" not in uri:
        return pafs.LocalFileSystem(), str(Path(uri).resolve())
    try:
        return pafs.FileSystem.from_uri(uri)
    except Exception:  # noqa: BLE001 - pyarrow does not know the scheme: try fsspec
        import fsspec

        fs, path = fsspec.core.url_to_fs(uri)
        return pafs.PyFileSystem(pafs.FSSpecHandler(fs)), path


def _sink_class():
    from ray.data import Datasink

    class CleanedSink(Datasink):
        """Writes each task's records to one part file and returns its counts to the driver."""

        def __init__(self, out: str, output_format: str, compression: str, stamp: dict):
            self.out, self.output_format, self.compression, self.stamp = out, output_format, compression, stamp
            self.run_id = uuid.uuid4().hex[:8]
            self.summary: dict | None = None

        def on_write_start(self, schema=None) -> None:
            fs, path = filesystem(self.out)
            fs.create_dir(path, recursive=True)

        def write(self, blocks, ctx) -> dict:
            from ray.data.block import BlockAccessor

            lines, summary = [], new_summary()
            for block in blocks:
                for row in BlockAccessor.for_block(block).to_arrow().to_pylist():
                    add_row(summary, row)
                    if row["line"] is not None:
                        lines.append(row["line"])
            summary["task"] = ctx.task_idx
            if lines:
                self._write_file(lines, ctx.task_idx)
            return summary

        def _write_file(self, lines: list[bytes], task: int) -> None:
            fs, path = filesystem(self.out)
            name = f"part-{task:05d}-{self.run_id}"
            if self.output_format == "parquet":
                import pyarrow.parquet as pq

                with fs.open_output_stream(f"{path}/{name}.parquet") as fh:
                    pq.write_table(parquet_table(lines), fh, compression="zstd")
                return
            target = f"{path}/{name}.jsonl{COMPRESSIONS[self.compression]}"
            with fs.open_output_stream(target, compression=ARROW_COMPRESSION[self.compression]) as fh:
                fh.write(b"".join(lines))

        def on_write_complete(self, write_result) -> None:
            returns = getattr(write_result, "write_returns", write_result)  # WriteResult, or a list in older Ray
            self.summary = merge_summaries(r for r in returns if r)
            write_outcome(self.out, self.summary, self.stamp)

    return CleanedSink


def parquet_table(lines: list[bytes]):
    """Records as a Parquet table with the JSONL record's columns (cleaner.parquet)."""
    from .io.parquet import table_of

    return table_of(json.loads(line) for line in lines)


# --------------------------------------------------------------------------- counting


def new_summary() -> dict:
    return {"in": 0, "out": 0, "failed": 0, "comments": 0, "bytes": 0, "lines": Counter(), "chars": Counter(),
            "timeouts": Counter(), "failures": []}


def add_row(summary: dict, row: dict) -> None:
    stats = json.loads(row["stats"])
    summary["in"] += 1
    summary["bytes"] += stats.get("size", 0)
    if row["failure"] is not None:
        summary["failed"] += 1
        summary["failures"].append(json.loads(row["failure"]))
        return
    summary["out"] += 1
    summary["comments"] += stats.get("comments", 0)
    for rule, (lines, chars) in stats.get("removed", {}).items():
        summary["lines"][rule] += lines
        summary["chars"][rule] += chars
    summary["timeouts"].update(stats.get("timeouts", ()))


def merge_summaries(summaries: Iterable[dict]) -> dict:
    total = new_summary()
    for s in sorted(summaries, key=lambda s: s.get("task", 0)):
        for key in ("in", "out", "failed", "comments", "bytes"):
            total[key] += s[key]
        for key in ("lines", "chars", "timeouts"):
            total[key].update(s[key])
        total["failures"].extend(s["failures"])
    return total


def report_of(summary: dict) -> Report:
    return Report(documents_in=summary["in"], documents_out=summary["out"], documents_failed=summary["failed"],
                  comments=summary["comments"], bytes_in=summary["bytes"], lines_removed=Counter(summary["lines"]),
                  summary=Summary(chars_removed=sum(summary["chars"].values()), rules=Counter(summary["chars"])),  # what Ray counts
                  rule_timeouts=Counter(summary["timeouts"]),
                  failures=[Failure(**f) for f in summary["failures"][:FAILURES_IN_REPORT]])


def write_outcome(out: str, summary: dict, stamp: dict) -> None:
    """OUT/.cleaner/errors.jsonl and report.json beside the part files (on the same filesystem), as the local engine writes them."""
    fs, path = filesystem(out)
    fs.create_dir(f"{path}/{RUN_DIR}", recursive=True)
    with fs.open_output_stream(f"{path}/{RUN_DIR}/{ERRORS}") as fh:
        fh.write("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in summary["failures"]).encode())
    report = report_of(summary).to_json(SimpleNamespace(stamp=stamp))  # type: ignore[arg-type]
    with fs.open_output_stream(f"{path}/{RUN_DIR}/{REPORT}") as fh:
        fh.write((json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode())


# --------------------------------------------------------------------------- the job


def build_dataset(config: RunConfig, jobs: int):
    """The lazy Ray Dataset of cleaned rows (line, failure, stats)."""
    ray = _ray()
    jsonl, parquet, warcs = input_paths(config)
    shape = config.record_shape
    parts = []
    if jsonl:
        files = ray.data.read_binary_files(jsonl, include_paths=True)
        parts.append(files.flat_map(split_file_lines).map_batches(
            CleanBatch, fn_constructor_args=(config.options, config.fields, "lines", shape), batch_size=BATCH_SIZE,
            batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(min_size=1, max_size=jobs)))
    if parquet:
        rows = ray.data.read_parquet(parquet, include_paths=True)
        parts.append(rows.map_batches(
            CleanBatch, fn_constructor_args=(config.options, config.fields, "rows", shape), batch_size=BATCH_SIZE,
            batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(min_size=1, max_size=jobs)))
    if warcs:
        docs = ray.data.from_items([{"path": p} for p in warcs]).flat_map(warc_documents)
        parts.append(docs.map_batches(
            CleanBatch, fn_constructor_args=(config.options, config.fields, "documents", shape), batch_size=BATCH_SIZE,
            batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(min_size=1, max_size=jobs)))
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])


def run_ray(config: RunConfig, cleaner: Cleaner, address: str | None = None, output_format: str = "jsonl") -> Report:
    """Run the job on the Ray cluster at `address` (or a local one) and return the run's report."""
    ray = _ray()
    if str(config.out) == "-":
        raise RayError("the Ray engine writes to a directory or URI, not standard output")
    input_paths(config)  # inputs it cannot read are refused before a Ray is started or joined
    if not ray.is_initialized():
        try:
            ray.init(address=address, ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
        except Exception as exc:  # noqa: BLE001 - connection problems are the user's to fix
            raise RayError(f"cannot start or reach Ray{f' at {address}' if address else ''}: {exc}") from exc
    from ray.data import DataContext

    DataContext.get_current().enable_progress_bars = config.progress is not False
    sink = _sink_class()(str(config.out), output_format, config.compression or "zst", cleaner.stamp)
    build_dataset(config, max(1, config.jobs)).write_datasink(sink)
    if sink.summary is None:  # on_write_complete ran on a copy: read its outcome back
        return _read_back(str(config.out))
    return report_of(sink.summary)


def _read_back(out: str) -> Report:
    fs, path = filesystem(out)
    with fs.open_input_stream(f"{path}/{RUN_DIR}/{REPORT}") as fh:
        data = json.loads(fh.read())
    with fs.open_input_stream(f"{path}/{RUN_DIR}/{ERRORS}") as fh:
        failures = [json.loads(line) for line in fh.read().splitlines() if line.strip()]
    summary = {"in": data["documents_in"], "out": data["documents_out"], "failed": data["documents_failed"],
               "comments": data["comment_posts"], "bytes": data.get("bytes_in", 0),
               "lines": {r: v["lines"] for r, v in data["removed"].items()},
               "chars": {r: v["chars"] for r, v in data["removed"].items()},
               "timeouts": data.get("rule_timeouts", {}), "failures": failures}
    return report_of(summary)
