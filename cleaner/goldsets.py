"""Gold sets: reading them, which pages a metric scores, and the groups learned parts are fitted apart in."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .metrics import METRICS

MODES = ("html", "text")


def read_gold(
    path: str | Path, limit: int | None = None, min_recall: float = 0.5
) -> tuple[list[dict], int]:
    """Load gold records, leaving out broken pages (gold barely in the page) so they don't skew scores.

    Reads .jsonl or .jsonl.gz. Returns (records, skipped): `skipped` counts records whose
    `page_text_gold_recall` is below `min_recall` or null (null: the gold article is empty,
    so the recall is undefined; the README's page counts, e.g. cleaneval 730, leave them
    out). Records without the field at all are kept. `limit` caps the number of records
    returned (skipped ones don't count towards it).
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    records: list[dict] = []
    skipped = 0
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if limit is not None and len(records) >= limit:
                break
            if not line.strip():
                continue
            record = json.loads(line)
            if "page_text_gold_recall" in record:
                recall = record["page_text_gold_recall"]
                if recall is None or recall < min_recall:
                    skipped += 1
                    continue
            records.append(record)
    return records, skipped


HELD_OUT_HALVES = 2  # a set with page types is held apart in halves by domain: only it can teach page types


def heldout_group(set_name: str, record: Mapping[str, Any]) -> str:
    """The group a gold page is held apart in when a learned part is fitted: its set's name
    (the gold file's stem, e.g. `scrapinghub`), or for a set with page types, one half of it by
    domain (`wcxb-dev.0`, `wcxb-dev.1`), so pages of one site never sit on both sides of a fit."""
    if not record.get("page_type"):
        return set_name
    from urllib.parse import urlsplit
    import zlib

    host = (urlsplit(record.get("url") or "").hostname or str(record.get("id", ""))).removeprefix("www.")
    return f"{set_name}.{zlib.crc32(host.encode()) % HELD_OUT_HALVES}"


def set_name_of(path: str | Path) -> str:
    """A gold file's set name: its file name without `.jsonl[.gz]`."""
    name = Path(path).name
    for suffix in (".gz", ".jsonl", ".json"):
        name = name.removesuffix(suffix)
    return name


def read_records(path: str | Path) -> list[dict]:
    """Every record of a gold file, broken pages too (which ones a metric scores is its own rule)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass(frozen=True)
class GoldSet:
    """The pages of one gold file that its metric scores: WCXB's on sets with page types, else shingles."""

    name: str
    records: tuple[dict, ...]
    metric: str

    @property
    def typed(self) -> bool:
        return any(r.get("page_type") for r in self.records)


INPUT_FIELD = {"html": "html", "text": "page_text"}


def load_set(path: str | Path, limit: int | None = None, modes: Sequence[str] = MODES) -> GoldSet:
    """The set's scored pages (the first `limit`), without the input fields of modes not run (a set is held in memory)."""
    records = read_records(path)
    metric = METRICS["wcxb" if any(r.get("page_type") for r in records) else "shingle"]
    scored = [r for r in records if metric.scored(r)]
    unused = [field for mode, field in INPUT_FIELD.items() if mode not in modes]
    for record in scored:
        for field in unused:
            record.pop(field, None)
    return GoldSet(set_name_of(path), tuple(scored[:limit] if limit else scored), metric.name)
