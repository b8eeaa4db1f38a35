"""The scores of predicted text against gold text, as the benchmarks compute them.

ScrapingHub's article-extraction-benchmark metric (its evaluate.py): `\\w+` tokens, 4-token
shingles counted as multisets, per-page TP/FP/FN normalised to sum to 1, precision averaged over
the pages that predicted something, recall over the pages that have gold, F1 from the two
averages. WCXB's metric on sets with page types: a bag of lowercase words per page, P, R and F1
averaged over all pages. shared/eval/README.md describes both.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

# (tp, fp, fn) of one page, normalised to sum to 1 (or all 0 when both texts are empty).
Triple = tuple[float, float, float]


SHINGLE_SIZE = 4


# The benchmark's exact pattern and flags (with the stdlib `re`, whose `\w` it used).
# IGNORECASE does not fold case for findall: tokens keep their case, as in the original.
_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


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


def f1_of(precision: float, recall: float) -> float:
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
    return Score(precision, recall, f1_of(precision, recall), len(triples))


def words(text: str | None) -> Counter:
    """WCXB's bag of words: lowercase `\\w+` tokens counted as a multiset."""
    return Counter(_TOKEN_RE.findall((text or "").lower()))


def word_scores(pred: str | None, gold: str | None) -> tuple[float, float, float]:
    """WCXB's per-page (precision, recall, F1) over word bags: both empty score 1, one empty 0."""
    true, predicted = words(gold), words(pred)
    n_true, n_pred = sum(true.values()), sum(predicted.values())
    if not n_true and not n_pred:
        return 1.0, 1.0, 1.0
    if not n_true or not n_pred:
        return 0.0, 0.0, 0.0
    overlap = sum((true & predicted).values())
    precision, recall = overlap / n_pred, overlap / n_true
    return precision, recall, f1_of(precision, recall)


SCORED_WITH_COMMENTS = "full_text_incl_comments"  # WCXB's gold_type of pages whose gold holds the whole thread


def _shingle_scored(record: Mapping[str, Any]) -> bool:
    """The shingle figures leave out broken pages, as read_gold does (the README's page counts)."""
    if "page_text_gold_recall" not in record:
        return True
    recall = record["page_text_gold_recall"]
    return recall is not None and recall >= 0.5


def _shingle_page(record: Mapping[str, Any], article: str, comments: str) -> dict:
    triple = page_scores(article, record.get("gold_article") or "")
    p, r = page_precision(*triple), page_recall(*triple)
    gold_comments = record.get("gold_comments")
    return {"p": p, "r": r, "f1": f1_of(p, r), "triple": triple,
            "comments": None if gold_comments is None else page_scores(comments, gold_comments)}


def _wcxb_page(record: Mapping[str, Any], article: str, comments: str) -> dict:
    gold = record.get("gold_article") or ""
    if record.get("gold_type") == SCORED_WITH_COMMENTS:  # the gold holds the whole thread: so does the prediction
        article = "\n".join(t for t in (article, comments) if t)
        gold = "\n".join(t for t in (gold, record.get("gold_comments") or "") if t)
    p, r, f1 = word_scores(article, gold)
    return {"p": p, "r": r, "f1": f1}


def _shingle_set(pages: Sequence[Mapping]) -> tuple[Score, Score | None]:
    comments = [tuple(p["comments"]) for p in pages if p.get("comments") is not None]
    return aggregate(tuple(p["triple"]) for p in pages), (aggregate(comments) if comments else None)


def _mean_scores(pages: Sequence[Mapping]) -> Score:
    if not pages:
        return Score(0.0, 0.0, 0.0, 0)
    return Score(*(statistics.fmean(p[k] for p in pages) for k in ("p", "r", "f1")), len(pages))


def _wcxb_set(pages: Sequence[Mapping]) -> tuple[Score, Score | None]:
    return _mean_scores(pages), None


@dataclass(frozen=True)
class Metric:
    """How one kind of gold set is scored: which pages count, a page's scores, and the set's."""

    name: str
    label: str
    scored: Callable[[Mapping[str, Any]], bool]
    page: Callable[[Mapping[str, Any], str, str], dict]
    aggregate: Callable[[Sequence[Mapping]], tuple[Score, Score | None]]


METRICS = {
    "shingle": Metric("shingle", "shingle F1", _shingle_scored, _shingle_page, _shingle_set),
    "wcxb": Metric("wcxb", "word F1", lambda record: True, _wcxb_page, _wcxb_set),
}
