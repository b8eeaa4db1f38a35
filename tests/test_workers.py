"""workers.py: N processes keep input order, read ahead a bounded number of items, and survive a dying worker."""

from __future__ import annotations

import os

from cleaner import workers
from cleaner.io.discover import Dest, Item
from cleaner.model import Document, Kind
from cleaner.options import Options
from cleaner.workers import Workers

STORY = ("The council met on Tuesday to discuss the new budget for the coming year. "
         "Members argued for hours about the cost of repairing the old bridge, and the vote was close.")


def doc_text(i: int) -> str:
    return f"Story number {i}\n\n{STORY} Item {i} was approved.\n\n{STORY}\n\nBack to top\n"


def test_workers_read_ahead_a_bounded_number_of_items():
    pulled = {"n": 0}

    def endless():
        while True:
            pulled["n"] += 1
            yield Item(Dest("jsonl", "x"), doc=Document(str(pulled["n"]), Kind.TEXT, doc_text(pulled["n"])))

    pool = Workers(Options(), 2)
    try:
        stream = pool.map(endless())
        ids = [next(stream)[1].id for _ in range(100)]
    finally:
        pool.close()
    assert ids == [str(i) for i in range(1, 101)]
    bound = 2 * workers.IN_FLIGHT_PER_JOB * workers.BATCH_DOCS + 100 + workers.BATCH_DOCS
    assert pulled["n"] <= bound


def crash_on_boom(batch):
    """A worker task that dies like a segfaulting parser when it meets the document "boom"."""
    if any(item.doc is not None and item.doc.id == "boom" for item in batch):
        os._exit(3)
    return workers.clean_batch(batch)


def test_a_dying_worker_costs_only_its_document(monkeypatch):
    monkeypatch.setattr(workers, "_work", crash_on_boom)
    ids = [str(i) for i in range(40)]
    ids[17] = "boom"
    items = [Item(Dest("jsonl", "x"), doc=Document(i, Kind.TEXT, doc_text(n))) for n, i in enumerate(ids)]
    pool = Workers(Options(), 2)
    try:
        out = list(pool.map(items))
    finally:
        pool.close()
    assert [r[1].id for r in out] == ids
    failed = [r[1] for r in out if not hasattr(r[1], "text")]
    assert [(f.id, f.stage) for f in failed] == [("boom", "clean")] and "worker process died" in failed[0].message
