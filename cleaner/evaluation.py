"""Score predicted article and comment text against gold data.

The metric is the ScrapingHub article-extraction-benchmark one (its evaluate.py), so
figures compare with published ones: `\\w+` tokens, 4-token shingles counted as
multisets, per-page TP/FP/FN normalised to sum to 1, precision averaged over the
pages that predicted something, recall over the pages that have gold, F1 from the
two averages. The gold files and the comments rule are described in
shared/eval/README.md.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

# (tp, fp, fn) of one page, normalised to sum to 1 (or all 0 when both texts are empty).
Triple = tuple[float, float, float]
# A predictor maps (record, mode) to (article text, comments text).
Predictor = Callable[[Mapping[str, Any], str], tuple[str, str]]

MODES = ("html", "text")
SHINGLE_SIZE = 4

# The benchmark's exact pattern and flags (with the stdlib `re`, whose `\w` it used).
# IGNORECASE does not fold case for findall: tokens keep their case, as in the original.
_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


# --------------------------------------------------------------------------- gold data


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


# --------------------------------------------------------------------------- metric


def tokenize(text: str | None) -> list[str]:
    """Split into `\\w+` tokens exactly as the benchmark does, so scores stay comparable."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE_SIZE) -> Counter:
    """Multiset of n-token shingles; a text shorter than n tokens is one short shingle (as in the benchmark)."""
    tokens = tokenize(text)
    out: Counter = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:  # an empty text has no shingle at all
            out[shingle] += 1
    return out


def page_scores(pred: str | None, gold: str | None) -> Triple:
    """(tp, fp, fn) over shingles, normalised to sum to 1 so long pages don't outweigh short ones.

    Both texts empty gives (0, 0, 0): the page then counts towards neither average.
    """
    true, predicted = shingles(gold), shingles(pred)
    tp = fp = fn = 0.0
    for key in true.keys() | predicted.keys():
        t, p = true.get(key, 0), predicted.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total > 0:
        return tp / total, fp / total, fn / total
    return tp, fp, fn


def page_precision(tp: float, fp: float, fn: float) -> float:
    """Per-page precision with the benchmark's conventions for empty texts."""
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float:
    """Per-page recall with the benchmark's conventions for empty texts."""
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


@dataclass(frozen=True)
class Score:
    """Benchmark precision/recall/F1 over `pages` scored pages."""

    precision: float
    recall: float
    f1: float
    pages: int


def aggregate(triples: Iterable[Triple]) -> Score:
    """Average per-page scores the benchmark's way: precision over pages that predicted
    something, recall over pages with gold, F1 from the two averages (not a mean of F1s).

    Where the benchmark would crash on an empty average we report 0.
    """
    triples = list(triples)
    precisions = [page_precision(*t) for t in triples if t[0] + t[1] > 0]
    recalls = [page_recall(*t) for t in triples if t[0] + t[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    return Score(precision, recall, _f1(precision, recall), len(triples))


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class PageResult:
    """Article score of one page, to find where a predictor goes wrong."""

    id: str
    url: str
    f1: float
    precision: float
    recall: float


@dataclass(frozen=True)
class PredictorResult:
    """Everything measured for one predictor on one gold set.

    `comments` is None when no record annotates comments; `errors` holds
    (record id, message) for each call that raised (scored as an empty prediction);
    `worst` holds the pages with the lowest article F1, worst first.
    """

    name: str
    article: Score
    comments: Score | None
    seconds: float
    pages: int
    errors: tuple[tuple[str, str], ...]
    worst: tuple[PageResult, ...]

    @property
    def docs_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class Report:
    """Results of `evaluate`, one entry per predictor in the order given."""

    mode: str
    pages: int
    results: Mapping[str, PredictorResult]

    def __getitem__(self, name: str) -> PredictorResult:
        return self.results[name]


def _progress(records: Sequence, enabled: bool) -> Iterable:
    if not enabled:
        return records
    try:
        from tqdm import tqdm
    except ImportError:  # progress is a nicety, never a reason to fail
        return records
    return tqdm(records, desc="evaluate", unit="page")


def evaluate(
    records: Iterable[Mapping[str, Any]],
    predictors: Mapping[str, Predictor],
    *,
    mode: str = "html",
    worst: int = 10,
    progress: bool = False,
) -> Report:
    """Run every predictor once on every record and score it, so systems compare on equal terms.

    A predictor that raises is scored as an empty prediction and its error recorded,
    so one bad page doesn't lose a whole run. Comments are scored over the records
    that annotate them (`gold_comments` not None), articles over all records.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    records = list(records)
    names = list(predictors)
    article: dict[str, list[Triple]] = {n: [] for n in names}
    comments: dict[str, list[Triple]] = {n: [] for n in names}
    pages: dict[str, list[PageResult]] = {n: [] for n in names}
    errors: dict[str, list[tuple[str, str]]] = {n: [] for n in names}
    seconds = dict.fromkeys(names, 0.0)
    annotated = False

    for record in _progress(records, progress):
        gold_article = record.get("gold_article") or ""
        gold_comments = record.get("gold_comments")
        annotated = annotated or gold_comments is not None
        for name in names:
            start = time.perf_counter()
            try:
                pred_article, pred_comments = predictors[name](record, mode)
            except Exception as exc:  # noqa: BLE001 - a predictor bug is a finding, not a crash
                pred_article, pred_comments = "", ""
                errors[name].append((str(record.get("id", "")), f"{type(exc).__name__}: {exc}"))
            seconds[name] += time.perf_counter() - start

            triple = page_scores(pred_article, gold_article)
            article[name].append(triple)
            if triple != (0.0, 0.0, 0.0):  # both empty: nothing to judge on this page
                p, r = page_precision(*triple), page_recall(*triple)
                pages[name].append(
                    PageResult(str(record.get("id", "")), record.get("url") or "", _f1(p, r), p, r)
                )
            if gold_comments is not None:
                comments[name].append(page_scores(pred_comments, gold_comments))

    results = {}
    for name in names:
        ranked = sorted(pages[name], key=lambda page: page.f1)  # stable: ties keep file order
        results[name] = PredictorResult(
            name=name,
            article=aggregate(article[name]),
            comments=aggregate(comments[name]) if annotated else None,
            seconds=seconds[name],
            pages=len(records),
            errors=tuple(errors[name]),
            worst=tuple(ranked[: max(worst, 0)]),
        )
    return Report(mode=mode, pages=len(records), results=results)


# --------------------------------------------------------------------------- baseline


def _text_as_html(page_text: str) -> str:
    """Wrap each non-blank line in <p>, so an HTML extractor can judge flattened text."""
    paragraphs = "\n".join(
        f"<p>{html.escape(line.strip())}</p>" for line in page_text.splitlines() if line.strip()
    )
    return f"<html><body>\n{paragraphs}\n</body></html>"


def trafilatura_baseline(record: Mapping[str, Any], mode: str) -> tuple[str, str]:
    """Plain trafilatura `bare_extraction`: the reference figure the cleaner has to beat."""
    import trafilatura

    if mode == "html":
        source = record["html"]
    elif mode == "text":
        source = _text_as_html(record.get("page_text") or "")
    else:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    doc = trafilatura.bare_extraction(source, include_comments=True, with_metadata=True)
    if doc is None:
        return "", ""
    if isinstance(doc, dict):  # trafilatura < 2 returned a dict
        return doc.get("text") or "", doc.get("comments") or ""
    return getattr(doc, "text", None) or "", getattr(doc, "comments", None) or ""


# --------------------------------------------------------------------------- report


def _cells(score: Score | None) -> list[str]:
    if score is None:
        return ["-", "-", "-"]
    return [f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}"]


def format_report(report: Report) -> str:
    """A plain-text table for people: scores and speed per predictor, then its worst pages."""
    header = ["predictor", "art P", "art R", "art F1", "com P", "com R", "com F1",
              "pages", "errors", "seconds", "docs/s"]  # fmt: skip
    rows = [header]
    for r in report.results.values():
        rate = r.docs_per_second
        rows.append(
            [r.name, *_cells(r.article), *_cells(r.comments), str(r.pages), str(len(r.errors)),
             f"{r.seconds:.2f}", "inf" if rate == float("inf") else f"{rate:.1f}"]  # fmt: skip
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"mode: {report.mode}, pages: {report.pages}"]
    for row in rows:
        lines.append("  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))
        ).rstrip())  # fmt: skip
    for r in report.results.values():
        if r.worst:
            lines.append("")
            lines.append(f"worst pages, {r.name} (article F1 / P / R):")
            for page in r.worst:
                lines.append(
                    f"  {page.f1:.3f} {page.precision:.3f} {page.recall:.3f}  {page.id}  {page.url}"
                )
        if r.errors:
            lines.append("")
            lines.append(f"errors, {r.name}: {len(r.errors)}")
            for record_id, message in r.errors[:10]:
                lines.append(f"  {record_id}: {message}")
    return "\n".join(lines)
