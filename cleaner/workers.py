"""Clean items in input order on N worker processes; a worker that dies costs only the documents it held.

Each worker holds one Cleaner, built once (or inherited compiled and warm from the main process by
fork). Items go out in small batches, at most a few per worker in flight, so read-ahead and memory
stay bounded; results come back in input order.
"""

from __future__ import annotations

import errno
import gc
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from enum import Enum
from typing import Any, Iterable, Iterator

from .io.discover import Dest, Item
from .model import Cleaned, Document, Failure, Kind
from .options import Options
from .pipeline import Cleaner

BATCH_DOCS, BATCH_BYTES = 8, 256 << 10  # per task sent to a worker: small, so slow pages spread evenly
MAX_DEATHS_IN_A_ROW = 3  # fresh workers dying on one document after another: they cannot start at all
IN_FLIGHT_PER_JOB = 4  # batches queued per worker: bounds read-ahead, so memory stays flat
DEEP_METADATA = 100  # metadata nested deeper stays in the main process (pickle recurses per level)
MACHINE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EMFILE, errno.ENFILE, errno.ENOMEM})
ORPHAN_CHECK_SECONDS = 1.0  # how often a worker checks that its main process still lives
FORK = sys.platform.startswith("linux")  # fork shares the warm Cleaner; macOS and Windows spawn fresh workers


class _End(Enum):
    """The result of a unit's end item; an Enum member stays itself across processes."""

    END = "end"


END = _End.END

_WORKER: Cleaner | None = None
Result = tuple[Dest, Any, int]  # (dest, Cleaned | Failure | END, input bytes)


def _init_worker(options: Options) -> None:
    """Build the worker's Cleaner, unless it came warm and compiled from the main process by fork."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle: it stops the workers
    _die_with_parent()
    if _WORKER is None or _WORKER.options != options:
        _WORKER = Cleaner(options)
    gc.freeze()  # the rulebook and the loaded libraries live as long as the worker: the collector need not scan them again


def _die_with_parent() -> None:
    """A worker whose main process is gone (killed with SIGKILL) exits too, rather than wait forever as an orphan."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="cleaner-parent-watch", daemon=True).start()


def warm(cleaner: Cleaner) -> None:
    """Load what the first document would (language model, HTML extractor), once, before workers fork."""
    for kind, content in ((Kind.TEXT, "Warming up.\n\nThis sentence loads the language model."),
                          (Kind.HTML, "<html><body><article><p>Warming up the HTML path with a sentence.</p></article></body></html>")):
        try:
            cleaner.clean(Document("warm-up", kind, content))
        except Exception:  # noqa: BLE001 - a failing warm-up only costs the speed-up
            pass
    gc.freeze()  # what the warm-up loaded lives as long as the process (and forked workers share its pages untouched)


def clean_item(cleaner: Cleaner, item: Item) -> Result:
    """Clean one item; any exception becomes a Failure that names the document."""
    if item.end:
        return item.dest, END, 0
    if item.failure is not None:
        return item.dest, item.failure, 0
    doc = item.doc
    assert doc is not None
    size = len(doc.content.encode("utf-8", "surrogatepass"))
    try:
        return item.dest, replace(cleaner.clean(doc), lines=()), size
    except OSError as exc:
        if exc.errno in MACHINE_ERRNOS:  # a full disk is not this document's fault: stop, so a rerun redoes it
            raise
        return item.dest, Failure(doc.id, doc.source, "clean", f"{type(exc).__name__}: {exc}"), size
    except Exception as exc:  # noqa: BLE001 - one bad document must not end the run
        return item.dest, Failure(doc.id, doc.source, "clean", f"{type(exc).__name__}: {exc}"), size


def clean_batch(batch: list[Item]) -> list[Result]:
    """A worker's task: its Cleaner (built once by the initializer) over one batch."""
    assert _WORKER is not None
    return [clean_item(_WORKER, item) for item in batch]


_work = clean_batch  # what the pool runs; a test swaps in a worker that dies


def batches(items: Iterable[Item], docs: int | None = None, size: int | None = None) -> Iterator[list[Item]]:
    """Items grouped for a worker: at most `docs` items or about `size` characters of content."""
    docs, size = docs or BATCH_DOCS, size or BATCH_BYTES
    batch: list[Item] = []
    chars = 0
    for item in items:
        batch.append(item)
        chars += len(item.doc.content) if item.doc is not None else 0
        if len(batch) >= docs or chars >= size:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


class Workers:
    """Clean items in input order on N processes, with a bounded number of batches in flight.

    multiprocessing's Pool.imap reads its input as fast as it can; here at most
    jobs * IN_FLIGHT_PER_JOB batches are read ahead of the writer, so memory stays flat.
    A worker that dies (a segfault in a parser) costs only the documents it held: they
    are retried one by one on a fresh pool, and a document that kills a worker again fails.
    """

    def __init__(self, options: Options, jobs: int, cleaner: Cleaner | None = None):
        self.options, self.jobs, self.deaths = options, jobs, 0
        if FORK and cleaner is not None and cleaner.options == options:
            global _WORKER
            warm(cleaner)
            _WORKER = cleaner  # forked workers start with it compiled and warm: no start-up per worker
        self.pool = self._pool()

    def _pool(self, size: int | None = None) -> ProcessPoolExecutor:
        ctx = mp.get_context("fork" if FORK else "spawn")
        return ProcessPoolExecutor(size or self.jobs, mp_context=ctx, initializer=_init_worker, initargs=(self.options,))

    def map(self, items: Iterable[Item]) -> Iterator[Result]:
        pending: deque = deque()
        limit = self.jobs * IN_FLIGHT_PER_JOB
        for batch in batches(items):
            pending.append((batch, self.pool.submit(_work, batch)))
            while len(pending) >= limit:
                yield from self._result(pending)
        while pending:
            yield from self._result(pending)

    def _result(self, pending: deque) -> list[Result]:
        batch, future = pending.popleft()
        if future is None:  # lost with a broken pool earlier
            return self._isolated(batch)
        try:
            return future.result()
        except BrokenProcessPool:
            self._restart(pending)
            return self._isolated(batch)

    def _restart(self, pending: deque) -> None:
        """A new pool for new batches; the batches the old one lost are redone in isolation at their turn."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._pool()
        for i, (batch, future) in enumerate(list(pending)):
            if future is not None and not (future.done() and not future.cancelled() and future.exception() is None):
                pending[i] = (batch, None)

    def _isolated(self, batch: list[Item]) -> list[Result]:
        """Each document alone on a one-worker pool of its own: one that kills its worker is the culprit."""
        out: list[Result] = []
        pool = self._pool(1)
        try:
            for item in batch:
                try:
                    out.extend(pool.submit(_work, [item]).result())
                    self.deaths = 0
                except BrokenProcessPool:
                    self.deaths += 1
                    if self.deaths >= MAX_DEATHS_IN_A_ROW:
                        raise WorkerError(f"{self.deaths} fresh worker processes died in a row; "
                                          "run with -j 1 to see the error") from None
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = self._pool(1)
                    doc = item.doc
                    assert doc is not None
                    out.append((item.dest, Failure(doc.id, doc.source, "clean", "the worker process died on this document"), 0))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return out

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Stop now (Ctrl-C, an error in the writer): queued batches are dropped, running ones killed."""
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)


class WorkerError(RuntimeError):
    """Worker processes cannot run at all (not one document's fault)."""


def results(items: Iterable[Item], options: Options, jobs: int, cleaner: Cleaner) -> Iterator[Result]:
    """Clean in input order, on `jobs` processes (forked with the compiled rulebook, or compiling it once each)."""
    if jobs <= 1:
        for item in items:
            yield clean_item(cleaner, item)
        return
    workers = Workers(options, jobs, cleaner)
    aside: deque = deque()  # per item in flight, in order: the metadata values kept back from the workers
    try:
        for dest, result, size in workers.map(_set_aside(items, aside)):
            kept = aside.popleft()
            if kept and isinstance(result, Cleaned):
                result = replace(result, meta={k: kept[k] if isinstance(v, _Aside) else v for k, v in result.meta.items()})
            yield dest, result, size
    except BaseException:  # includes GeneratorExit: the writer stopped reading
        workers.terminate()
        raise
    workers.close()


class _Aside:
    """Stands in a worker's copy of the metadata for a value nested too deeply to pickle; put back on return."""

    __slots__ = ()


def _set_aside(items: Iterable[Item], aside: deque) -> Iterator[Item]:
    """Items for the workers, with metadata values nested deeper than DEEP_METADATA kept here.

    pickle recurses once per level, so 500 levels of nesting (which JSON reads fine) would stop the
    whole pool; kept in the main process, they come out as they do at -j 1.
    """
    for item in items:
        doc, kept = item.doc, {}
        if doc is not None:
            kept = {k: v for k, v in doc.meta.items() if isinstance(v, (dict, list)) and _deeper(v, DEEP_METADATA)}
            if kept:
                item = replace(item, doc=replace(doc, meta={k: _Aside() if k in kept else v for k, v in doc.meta.items()}))
        aside.append(kept)
        yield item


def _deeper(value: Any, limit: int) -> bool:
    """Is a JSON value nested more than `limit` levels deep? (A loop, not recursion, for the same reason.)"""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False
