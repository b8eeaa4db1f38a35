"""Parquet tables of output records: the JSONL record's columns, one row per record.

`metadata` and `attributes` are free-form per record, so they are JSON strings; every other
column has a fixed type. Needs pyarrow (the `parquet` extra).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from ..distribution import install_hint

JSON_COLUMNS = ("attributes", "metadata")


def _pyarrow():
    try:
        import pyarrow as pa
    except ImportError as exc:
        raise ImportError(f"Parquet needs pyarrow: {install_hint('parquet')}") from exc
    return pa


def pyarrow_parquet():
    """pyarrow.parquet, or an ImportError that says which extra brings it."""
    _pyarrow()
    import pyarrow.parquet as pq

    return pq


def schema():
    """The columns of Cleaned.to_dict, in its order."""
    pa = _pyarrow()
    return pa.schema([("id", pa.string()), ("source", pa.string()), ("added", pa.string()), ("created", pa.string()),
                      ("title", pa.string()), ("text", pa.string()),
                      ("comments", pa.list_(pa.struct([("text", pa.string())]))),
                      ("removed", pa.list_(pa.struct([("rule", pa.string()), ("text", pa.string())]))),
                      ("attributes", pa.string()), ("metadata", pa.string())])


def table_of(records: Iterable[dict[str, Any]]):
    """Output records as one Parquet table; a key a record leaves out is a null."""
    rows = []
    for record in records:
        row = dict(record)
        for key in JSON_COLUMNS:
            if key in row:
                row[key] = json.dumps(row[key], ensure_ascii=False, default=str)
        rows.append(row)
    return _pyarrow().Table.from_pylist(rows, schema=schema())


def records_of(table) -> list[dict[str, Any]]:
    """A table written by table_of back as records (nulls dropped, JSON columns parsed)."""
    out = []
    for row in table.to_pylist():
        record = {k: v for k, v in row.items() if v is not None}
        for key in JSON_COLUMNS:
            if key in record:
                record[key] = json.loads(record[key])
        out.append(record)
    return out


def convert(jsonl: Path) -> Path:
    """Rewrite one output JSONL file (any compression) as NAME.parquet beside it, with the record's columns."""
    from .streams import open_compressed

    with open_compressed(jsonl) as fh:
        table = table_of(json.loads(line) for line in fh if line.strip())
    name = jsonl.name
    for suffix in (".gz", ".zst", ".jsonl"):
        name = name[: -len(suffix)] if name.endswith(suffix) else name
    target = jsonl.with_name(f"{name}.parquet")
    tmp = target.with_name(f".{target.name}.tmp")
    pyarrow_parquet().write_table(table, tmp, compression="zstd")
    tmp.replace(target)
    jsonl.unlink()
    return target


RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst")
NOT_RECORDS = ("articles", "comments")  # the mirror tree of text outputs and its comment threads


def convert_outputs(out: Path) -> list[Path]:
    """Every record file a run wrote under `out` as Parquet (errors.jsonl and run state stay JSONL)."""
    done = []
    for path in sorted(out.rglob("*.jsonl*")):
        rel = path.relative_to(out).parts
        if (path.name.endswith(RECORD_SUFFIXES) and path.name != "errors.jsonl" and rel[0] not in NOT_RECORDS
                and not any(part.startswith(".") for part in rel)):
            done.append(convert(path))
    return done
