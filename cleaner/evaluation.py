"""Score predicted article and comment text against gold data.

The metric is the ScrapingHub article-extraction-benchmark one (its evaluate.py), so
figures compare with published ones: `\\w+` tokens, 4-token shingles counted as
multisets, per-page TP/FP/FN normalised to sum to 1, precision averaged over the
pages that predicted something, recall over the pages that have gold, F1 from the
two averages. The gold files and the comments rule are described in
shared/eval/README.md.
"""

from __future__ import annotations

import html
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .goldsets import MODES, GoldSet, heldout_group
from .metrics import METRICS, Score, Triple, aggregate, f1_of, page_precision, page_recall, page_scores


# A predictor maps (record, mode) to (article text, comments text).
Predictor = Callable[[Mapping[str, Any], str], tuple[str, str]]


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


def _predict(predictor: Predictor, record: Mapping[str, Any], mode: str) -> tuple[str, str, str, float]:
    """One prediction and its time; a predictor that raises predicts nothing and its error is kept."""
    start = time.perf_counter()
    try:
        article, comments = predictor(record, mode)
        error = ""
    except Exception as exc:  # noqa: BLE001 - a predictor bug is a finding, not a crash
        article, comments, error = "", "", f"{type(exc).__name__}: {exc}"
    return article, comments, error, time.perf_counter() - start


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
            pred_article, pred_comments, error, took = _predict(predictors[name], record, mode)
            seconds[name] += took
            if error:
                errors[name].append((str(record.get("id", "")), error))

            triple = page_scores(pred_article, gold_article)
            article[name].append(triple)
            if triple != (0.0, 0.0, 0.0):  # both empty: nothing to judge on this page
                p, r = page_precision(*triple), page_recall(*triple)
                pages[name].append(
                    PageResult(str(record.get("id", "")), record.get("url") or "", f1_of(p, r), p, r)
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


SYSTEMS = ("cleaner", "trafilatura")


@dataclass(frozen=True)
class SetResult:
    """One system on one set in one mode: the set's metric, comments where annotated, per type where typed."""

    set: str
    mode: str
    system: str
    metric: str
    article: Score
    comments: Score | None
    by_type: Mapping[str, Score]
    errors: int
    seconds: float


@dataclass(frozen=True)
class MultiReport:
    """Every page's scores and every set's, of one `cleaner eval` run."""

    sets: tuple[str, ...]
    modes: tuple[str, ...]
    systems: tuple[str, ...]
    results: Mapping[tuple[str, str, str], SetResult]  # (mode, set, system)
    pages: tuple[dict, ...]

    def macro(self, mode: str, system: str) -> float:
        """The mean of the sets' F1 (each set with its own metric): the figure a change must raise."""
        return statistics.fmean(self.results[mode, s, system].article.f1 for s in self.sets)

    def to_json(self) -> dict:
        def score(s: Score | None):
            return None if s is None else {"p": round(s.precision, 5), "r": round(s.recall, 5), "f1": round(s.f1, 5),
                                           "pages": s.pages}

        summary = {
            mode: {system: {"macro_f1": round(self.macro(mode, system), 5), "sets": {
                name: {"metric": r.metric, "article": score(r.article), "comments": score(r.comments),
                       "errors": r.errors, "seconds": round(r.seconds, 2),
                       "by_type": {t: score(s) for t, s in r.by_type.items()}}
                for name in self.sets for r in [self.results[mode, name, system]]}}
                for system in self.systems}
            for mode in self.modes}
        return {"summary": summary, "pages": list(self.pages)}


@dataclass(frozen=True)
class EvalJob:
    """What one eval run scores; the workers read it from the parent they forked from."""

    sets: tuple[GoldSet, ...]
    modes: tuple[str, ...] = ("html",)
    systems: tuple[str, ...] = ("cleaner",)
    options: Mapping[str, Any] = None  # type: ignore[assignment]  # set name -> Options of the cleaner
    models_root: Path | None = None  # score each page with the models held out from its group
    record_fired: bool = False  # note on each page the rules that matched there (for `rules audit`)
    cache: Path | None = None  # folder keeping the baselines' predictions, which no change of ours moves


# A task: (set index, record index, mode, a rule switched off or None). The workers read the job from
# _JOB, inherited from the parent at fork, and keep their cleaners in _CLEANERS.
Task = tuple[int, int, str, "str | None"]


_JOB: EvalJob | None = None


_CLEANERS: dict[tuple[str, str | None, str | None], Any] = {}


_KEEP_WITHOUT = 2  # cleaners with a rule switched off kept per worker: an audit's tasks come grouped by rule


def _cleaner_for(job: EvalJob, set_name: str, record: Mapping[str, Any], without: str | None = None):
    """The cleaner a page is scored with: its set's options, with --held-out-models the models its group
    never saw, and for the rule audit one rule switched off."""
    from dataclasses import replace

    from .pipeline import Cleaner

    models_dir = str(job.models_root / heldout_group(set_name, record)) if job.models_root else None
    key = (set_name, models_dir, without)
    if key not in _CLEANERS:
        base = next((c for (s, _, w), c in _CLEANERS.items() if s == set_name and w is None), None)
        if without is not None:
            base = base or _cleaner_for(job, set_name, record)
            stale = [k for k in _CLEANERS if k[2] is not None and k[2] != without]
            for k in stale[: max(0, len(stale) - _KEEP_WITHOUT + 1)]:
                del _CLEANERS[k]
        options = job.options[set_name]
        if models_dir is not None:
            options = replace(options, models_dir=models_dir)
        rulebook = None
        if base is not None:
            rulebook = base.rulebook if without is None else _without(base.rulebook, without)
        _CLEANERS[key] = Cleaner(options, rulebook=rulebook)
    return _CLEANERS[key]


_WITHOUT: dict[str, Any] = {}


_CACHED: dict[tuple[str, str, str, str], tuple[str, str, float]] = {}  # (system, set, id, mode) -> prediction, seconds


def _cache_file(cache: Path, system: str) -> Path:
    """One file per baseline and version: a new trafilatura starts a new file."""
    from importlib.metadata import version

    return cache / f"{system}-{version(system)}.jsonl"


def _load_cache(job: EvalJob) -> None:
    _CACHED.clear()
    if job.cache is None:
        return
    for system in job.systems:
        if system not in CACHEABLE or not _cache_file(job.cache, system).is_file():
            continue
        with open(_cache_file(job.cache, system), encoding="utf-8") as fh:
            for line in fh:
                p = json.loads(line)
                _CACHED[system, p["set"], p["id"], p["mode"]] = (p["article"], p["comments"], p["seconds"])


def _save_cache(job: EvalJob, pages: list[dict]) -> None:
    """Append the predictions made this run; pages stay free of them."""
    new: dict[str, list[str]] = {}
    for page in pages:
        prediction = page.pop("_prediction", None)
        if prediction is not None and job.cache is not None:
            new.setdefault(page["system"], []).append(json.dumps(
                {"set": page["set"], "id": page["id"], "mode": page["mode"], "article": prediction[0],
                 "comments": prediction[1], "seconds": page["seconds"]}, ensure_ascii=False))
    if job.cache is not None and new:
        job.cache.mkdir(parents=True, exist_ok=True)
        for system, lines in new.items():
            with open(_cache_file(job.cache, system), "a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")


def _without(rulebook, rule_id: str):
    """The rulebook with one rule switched off, built once per worker for all the sets and groups."""
    if rule_id not in _WITHOUT:
        _WITHOUT.clear()
        _WITHOUT[rule_id] = rulebook.disable([rule_id])
    return _WITHOUT[rule_id]


def _cleaner_predict(job: EvalJob, set_name: str, record: Mapping[str, Any], mode: str,
                     without: str | None = None) -> tuple[str, str]:
    from .model import Document, Kind

    kind, content = (Kind.HTML, record["html"]) if mode == "html" else (Kind.TEXT, record.get("page_text") or "")
    cleaner = _cleaner_for(job, set_name, record, without)
    cleaner.rulebook.fired.clear()
    cleaned = cleaner.clean(Document(str(record.get("id", "")), kind, content, {"url": record.get("url") or ""}))
    # The article is `text`, as trafilatura's text is: the title is a field of its own (scrapinghub's gold leaves it out).
    return cleaned.text, "\n\n".join(p.text for p in cleaned.comments)


LOG_EVERY = 500  # pages between progress lines on stderr when there is no bar


CACHEABLE = frozenset({"trafilatura"})  # systems whose output depends on the page alone


PREDICT = {
    "cleaner": _cleaner_predict,
    "trafilatura": lambda job, set_name, record, mode, without=None: trafilatura_baseline(record, mode),
}


def _score_page(task: Task) -> list[dict]:
    """Every system of the job on one page in one mode; a system that raises scores an empty prediction."""
    set_index, index, mode, without = task
    job = _JOB
    assert job is not None
    gold = job.sets[set_index]
    record = gold.records[index]
    metric = METRICS[gold.metric]
    out = []
    for system in job.systems:
        error, cached = None, _CACHED.get((system, gold.name, str(record.get("id", "")), mode))
        started = time.process_time()
        if cached is not None:
            article, comments, seconds = cached
        else:
            try:
                article, comments = PREDICT[system](job, gold.name, record, mode, without)
            except Exception as exc:  # noqa: BLE001 - a bug on one page is a finding, not a lost run
                article, comments, error = "", "", f"{type(exc).__name__}: {exc}"
            seconds = time.process_time() - started
        page = {"set": gold.name, "index": index, "id": str(record.get("id", "")), "url": record.get("url") or "",
                "page_type": record.get("page_type"), "mode": mode, "system": system,
                **metric.page(record, article, comments), "seconds": round(seconds, 4), "error": error}
        if without is not None:
            page["without"] = without
        if system in CACHEABLE and cached is None and error is None and job.cache is not None:
            page["_prediction"] = (article, comments)
        if job.record_fired and system == "cleaner":
            page["fired"] = sorted(_cleaner_for(job, gold.name, record, without).rulebook.fired)
        out.append(page)
    return out


def all_tasks(job: EvalJob) -> list[Task]:
    return [(s, i, mode, None) for mode in job.modes for s, gold in enumerate(job.sets) for i in range(len(gold.records))]


def run_job(job: EvalJob, jobs: int = 2, progress: bool = False) -> MultiReport:
    """Score every page of the job on `jobs` forked processes (in this one when 1 or fork is missing)."""
    pages = score(job, all_tasks(job), jobs, progress)
    order = {(mode, gold.name): (m, s) for m, mode in enumerate(job.modes) for s, gold in enumerate(job.sets)}
    pages.sort(key=lambda p: (order[p["mode"], p["set"]], p["index"], job.systems.index(p["system"])))
    return summarise(job, pages)


def score(job: EvalJob, tasks: Sequence[Task], jobs: int = 2, progress: bool = False) -> list[dict]:
    """The page results of the tasks, in no particular order."""
    import multiprocessing as mp

    global _JOB
    for mode in job.modes:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    _JOB = job
    _CLEANERS.clear()
    _WITHOUT.clear()
    _load_cache(job)
    if "cleaner" in job.systems:  # build once here: broken rules fail before any work, and the workers inherit them
        for gold in job.sets:
            if gold.records:
                _cleaner_for(job, gold.name, gold.records[0])
    bar = None
    if progress:
        try:
            from tqdm import tqdm

            bar = tqdm(total=len(tasks), desc="eval", unit="page")
        except ImportError:
            pass
    pages: list[dict] = []
    step = max(len(tasks) // 10, LOG_EVERY)  # without a bar, a long run still says how far it is (on stderr)

    def done(n: int) -> None:
        if bar is not None:
            bar.update()
        elif n % step == 0:
            print(f"eval: {n} of {len(tasks)} pages scored", file=sys.stderr, flush=True)

    try:
        if jobs > 1 and "fork" in mp.get_all_start_methods():
            with mp.get_context("fork").Pool(jobs) as pool:
                for n, result in enumerate(pool.imap_unordered(_score_page, tasks, chunksize=4), 1):
                    pages.extend(result)
                    done(n)
        else:
            for n, task in enumerate(tasks, 1):
                pages.extend(_score_page(task))
                done(n)
    finally:
        if bar is not None:
            bar.close()
        _JOB = None
        _CACHED.clear()
    _save_cache(job, pages)
    return pages


def summarise(job: EvalJob, pages: Sequence[dict]) -> MultiReport:
    """Aggregate per-page scores into each set's figures (and per page type where the set has types)."""
    results = {}
    for mode in job.modes:
        for gold in job.sets:
            metric = METRICS[gold.metric]
            for system in job.systems:
                mine = [p for p in pages if p["mode"] == mode and p["set"] == gold.name and p["system"] == system]
                article, comments = metric.aggregate(mine)
                by_type: dict[str, Score] = {}
                if gold.typed:
                    for kind in sorted({p["page_type"] for p in mine if p["page_type"]}):
                        by_type[kind] = metric.aggregate([p for p in mine if p["page_type"] == kind])[0]
                results[mode, gold.name, system] = SetResult(
                    gold.name, mode, system, gold.metric, article, comments, by_type,
                    sum(1 for p in mine if p["error"]), sum(p["seconds"] for p in mine))
    return MultiReport(tuple(g.name for g in job.sets), job.modes, job.systems, results, tuple(pages))


PAGE_TYPE_ORDER = ("article", "forum", "product", "collection", "listing", "documentation", "service")


def format_multi(report: MultiReport, worst: int = 0) -> str:
    """The tables people read: each set, the macro average, and per page type for typed sets."""
    out: list[str] = []
    for mode in report.modes:
        out.append(f"== {mode} path ==")
        rows = [["set", "metric", "system", "P", "R", "F1", "com P", "com R", "com F1", "pages", "errors", "CPU s"]]
        for name in report.sets:
            for system in report.systems:
                r = report.results[mode, name, system]
                rows.append([name, METRICS[r.metric].label, system, *_cells(r.article), *_cells(r.comments),
                             str(r.article.pages), str(r.errors), f"{r.seconds:.1f}"])
        for system in report.systems:
            rows.append(["macro average", "", system, "", "", f"{report.macro(mode, system):.3f}",
                         "", "", "", "", "", ""])
        out.extend(_table(rows))
        for name in report.sets:
            typed = [report.results[mode, name, s] for s in report.systems if report.results[mode, name, s].by_type]
            if not typed:
                continue
            kinds = [k for k in PAGE_TYPE_ORDER if k in typed[0].by_type]
            kinds += sorted(set(typed[0].by_type) - set(kinds))
            rows = [[f"{name} by type", "all", *kinds]]
            for r in typed:
                rows.append([r.system, f"{r.article.f1:.3f}", *(f"{r.by_type[k].f1:.3f}" for k in kinds)])
            rows.append(["pages", str(typed[0].article.pages), *(str(typed[0].by_type[k].pages) for k in kinds)])
            out.append("")
            out.extend(_table(rows))
        if worst:
            for name in report.sets:
                mine = [p for p in report.pages if p["mode"] == mode and p["set"] == name and p["system"] == "cleaner"]
                if not mine:
                    continue
                out.append("")
                out.append(f"worst pages, {name} (F1 / P / R):")
                for p in sorted(mine, key=lambda p: p["f1"])[:worst]:
                    out.append(f"  {p['f1']:.3f} {p['p']:.3f} {p['r']:.3f}  {p['id']}  {p['url']}")
        errors = [p for p in report.pages if p["mode"] == mode and p["error"]]
        if errors:
            out.append("")
            out.append(f"errors: {len(errors)}")
            for p in errors[:10]:
                out.append(f"  {p['set']} {p['id']} ({p['system']}): {p['error']}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
            for row in rows]


def write_json(report: MultiReport, path: Path) -> None:
    """The summary, then one page result per line, so two runs diff line by line."""
    data = report.to_json()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"summary": ' + json.dumps(data["summary"], indent=1) + ',\n"pages": [\n')
        fh.write(",\n".join(json.dumps(p, ensure_ascii=False) for p in data["pages"]))
        fh.write("\n]}\n")
