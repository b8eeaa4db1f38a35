"""`cleaner train`: fit every learned part on gold pages and write its model file.

Each learned part registers one trainer in `TRAINERS`; a trainer reads gold pages and writes its
file (the name its stage loads, e.g. `linescore-text.json`) into a folder. `--hold-out GROUP`
leaves out the pages of one group (`goldsets.heldout_group`), `--held-out-all` writes one folder
per group, so every reported figure comes from models that never saw the pages scored.
Training needs LightGBM (the `train` extra); the files it writes are predicted with numpy alone.
Fits are reproducible: fixed seeds, one thread, LightGBM's deterministic mode.
"""

from __future__ import annotations

import hashlib
import inspect
import pickle
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import forest, linescore, pagetype
from .distribution import install_hint, version
from .goldsets import heldout_group, read_gold, set_name_of


class TrainingError(RuntimeError):
    """Training cannot run (LightGBM missing, no gold pages left, an unknown group)."""


@dataclass(frozen=True)
class GoldPage:
    """One gold record with the set and the held-out group it belongs to."""

    set_name: str
    group: str
    record: Mapping[str, Any]


def read_pages(paths: Sequence[str | Path]) -> list[GoldPage]:
    """Every gold page of the files (broken pages too: a trainer decides what it can learn from)."""
    pages = []
    for path in paths:
        name = set_name_of(path)
        records, _ = read_gold(path, min_recall=-1.0)
        pages.extend(GoldPage(name, heldout_group(name, r), r) for r in records)
    return pages


def _lightgbm():
    try:
        import lightgbm
    except ImportError as err:
        raise TrainingError(f"training needs LightGBM: {install_hint('train')}") from err
    return lightgbm


# --------------------------------------------------------------------------- line scorer (text path)

_TOKEN = re.compile(r"\w+")
SHINGLE = 4
MIN_GOLD_RECALL = 0.5  # pages whose gold is barely in page_text (script-only pages) teach nothing about lines
GOLD_SHARE = 0.5  # a line is article when at least this share of its shingles is in the gold text

LINE_PARAMS: dict[str, Any] = {
    "objective": "binary", "num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 50,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "verbose": -1, "seed": 13, "deterministic": True, "num_threads": 1, "force_row_wise": True,
}
LINE_ROUNDS = 150


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _TOKEN.findall(text or "")]


def broken(record: Mapping[str, Any]) -> bool:
    """A page whose gold is barely in its text (a redirect stub, a script-only page): it teaches nothing."""
    recall = record.get("page_text_gold_recall")
    return recall is not None and recall < MIN_GOLD_RECALL


def gold_share(line_tokens: Sequence[str], gold_shingles: set, gold_joined: str) -> float:
    """Share of a line's 4-token shingles found in the gold text; a shorter line: 1 if it occurs whole."""
    if len(line_tokens) < SHINGLE:
        return float(f" {' '.join(line_tokens)} " in gold_joined) if line_tokens else float("nan")
    shingles = [tuple(line_tokens[k : k + SHINGLE]) for k in range(len(line_tokens) - SHINGLE + 1)]
    return sum(s in gold_shingles for s in shingles) / len(shingles)


@dataclass(frozen=True)
class LineRows:
    """The decidable lines of one page: features, gold share and token counts (the page's weights)."""

    group: str
    X: np.ndarray
    share: np.ndarray
    tokens: np.ndarray


def line_rows(page: GoldPage, cleaner) -> LineRows | None:
    """What the heuristics made of one page's `page_text`, as rows for the line model (None: nothing to learn).

    The page is typed as at work (by `cleaner`'s page-type model) and labelled with its type's profile."""
    from .model import Document, Kind

    record = page.record
    if broken(record):
        return None
    url = record.get("url")
    text = record.get("page_text") or ""
    guess = cleaner.text_type(Document(str(record.get("id")), Kind.TEXT, text, {"url": url} if url else {}))
    labelled = cleaner.labelled(text, learned=False, guess=guess)
    decide = set(linescore.decidable(labelled))
    if not decide:
        return None
    rows, X = linescore.matrix(labelled, guess)
    gold = _tokens(record.get("gold_article") or "")
    gold_shingles = {tuple(gold[k : k + SHINGLE]) for k in range(max(0, len(gold) - SHINGLE + 1))}
    joined = f" {' '.join(gold)} "
    keep, shares, counts = [], [], []
    for r, i in enumerate(rows):
        if i not in decide:
            continue
        tokens = _tokens(labelled.lines[i].text)
        if not tokens:
            continue
        keep.append(r)
        shares.append(gold_share(tokens, gold_shingles, joined))
        counts.append(len(tokens))
    if not keep:
        return None
    return LineRows(page.group, X[keep].astype(np.float32), np.asarray(shares, np.float32), np.asarray(counts, np.int32))


def _cleaners(models_for: Callable[[GoldPage], str | None] | None) -> Callable[[GoldPage], Any]:
    """A Cleaner per page-type model folder: the one each page is typed with (`models_for`; none: the shipped)."""
    from .pipeline import Cleaner, Options

    cleaners: dict[str | None, Any] = {}

    def cleaner_for(page: GoldPage):
        folder = models_for(page) if models_for else None
        if folder not in cleaners:
            cleaners[folder] = Cleaner(Options(models_dir=folder))
        return cleaners[folder]

    return cleaner_for


def _rows_path(cache: Path | None, part: str, features_version: int, pages: Sequence[GoldPage], cleaner_for,
               models_for, field: str, maker: Callable) -> Path | None:
    """Where the rows of `part` are cached: a key of the code that makes them (this package but
    training.py, plus `maker`), the rules, the pages and the folder each page is typed with."""
    if cache is None or not pages:
        return None
    digest = hashlib.sha256(f"{version()} {features_version} {cleaner_for(pages[0]).rulebook.digest}".encode())
    for source in sorted(Path(linescore.__file__).parent.rglob("*.py")):  # extraction, heuristics and features
        if source.name != "training.py":  # of this module, only what makes the rows: fits may change freely
            digest.update(source.read_bytes())
    digest.update(inspect.getsource(maker).encode())
    for page in pages:
        folder = models_for(page) if models_for else None
        size = len(page.record.get(field) or "")
        digest.update(f"{page.set_name}\0{page.record.get('id')}\0{size}\0{folder}".encode())
    return Path(cache) / f"{part}-rows-{digest.hexdigest()[:16]}.pkl"


def _build(pages: Sequence[GoldPage], make: Callable, cleaner_for, progress: bool, what: str) -> list:
    out = []
    for n, page in enumerate(pages, 1):
        rows = make(page, cleaner_for(page))
        if rows is not None:
            out.append(rows)
        if progress and n % 200 == 0:
            print(f"cleaner train: {what} features of {n}/{len(pages)} pages", file=sys.stderr)
    return out


def collect_lines(pages: Sequence[GoldPage], cache: Path | None = None, progress: bool = False,
                  models_for: Callable[[GoldPage], str | None] | None = None) -> list[LineRows]:
    """The line rows of all pages, read from `cache` when the same code, rules and pages made them;
    `models_for` names the folder of the page-type model each page is typed with."""
    cleaner_for = _cleaners(models_for)
    path = _rows_path(cache, "linescore", linescore.FEATURES_VERSION, pages, cleaner_for, models_for, "page_text",
                      line_rows)
    return _cached(path, lambda: _build(pages, line_rows, cleaner_for, progress, "line"))


def _cached(path: Path | None, build: Callable[[], list]) -> list:
    """Rows read from `path` when an earlier run with the same key wrote them, else built (and written there)."""
    if path is not None and path.is_file():
        with path.open("rb") as f:
            return pickle.load(f)
    rows = build()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump(rows, f, protocol=pickle.HIGHEST_PROTOCOL)
    return rows


def fit_lines(rows: Sequence[LineRows], out: Path) -> Path:
    """Fit the line model on `rows` and write `linescore-text.json` into `out`.

    A line's label: its gold share reaches GOLD_SHARE. A line weighs its share of its page's
    tokens, so every page counts alike, as pages do in the scores.
    """
    lgb = _lightgbm()
    if not rows:
        raise TrainingError("no gold page with lines to learn from")
    X = np.vstack([r.X for r in rows])
    y = np.concatenate([(r.share >= GOLD_SHARE).astype(np.float32) for r in rows])
    w = np.concatenate([r.tokens / max(int(r.tokens.sum()), 1) for r in rows])
    booster = lgb.train(dict(LINE_PARAMS), lgb.Dataset(X, y, weight=w, feature_name=list(linescore.NAMES)), LINE_ROUNDS)
    return forest.save(booster.dump_model(), Path(out) / linescore.MODEL_FILE,
                       features_version=linescore.FEATURES_VERSION, trained_on=sorted({r.group for r in rows}))


# --------------------------------------------------------------------------- block scorer (HTML path)

BLOCK_PARAMS: dict[str, Any] = {
    "objective": "binary", "num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "verbose": -1, "seed": 13, "deterministic": True, "num_threads": 1, "force_row_wise": True,
}
BLOCK_ROUNDS = 120


@dataclass(frozen=True)
class BlockRows:
    """The blocks of one page: features, gold share, the weight each carries and whether the body holds it."""

    group: str
    X: np.ndarray
    share: np.ndarray
    weight: np.ndarray
    held: np.ndarray  # True: a block the body holds (the drop model's rows); False: one it left out


def block_rows(page: GoldPage, cleaner) -> BlockRows | None:
    """What the extraction left out of one page and what it holds, as rows for the two block models (None:
    nothing to learn)."""
    from .html import blocks
    from .model import Document, Kind

    record = page.record
    if broken(record):
        return None
    url = record.get("url")
    doc = Document(str(record.get("id")), Kind.HTML, record.get("html") or "", {"url": url} if url else {})
    parsed, guess, _profile, extracted = cleaner.extraction(doc)
    if parsed.tree is None:
        return None
    found = blocks.segment(parsed.tree)
    blocks.mark(found, extracted.body, extracted.comments)
    left, inside = blocks.candidates(found), blocks.held(found)
    todo = left + inside
    if not todo:
        return None
    rows = blocks.matrix(found, extracted.lang, guess, todo)
    gold = blocks.TextIndex(record.get("gold_article") or "")
    body_words = sum(len(b.words) for b in found if b.inside >= blocks.IN_SHARE)
    words = np.asarray([len(found[i].words) for i in todo], np.float32)
    # A block weighs the share of the page's words it would add or remove: what one decision moves in a page's scores.
    scale = max(gold.words, body_words, 20)
    return BlockRows(page.group, np.asarray(rows, np.float32),
                     np.asarray([gold.share(found[i].words) for i in todo], np.float32),
                     np.minimum(words / scale, 1.0).astype(np.float32),
                     np.asarray([False] * len(left) + [True] * len(inside)))


def collect_blocks(pages: Sequence[GoldPage], cache: Path | None = None, progress: bool = False,
                   models_for: Callable[[GoldPage], str | None] | None = None) -> list[BlockRows]:
    """The block rows of all pages; `models_for` names the folder of the page-type model each page is typed
    with (one that never saw it, when there is one)."""
    from .html import blocks

    cleaner_for = _cleaners(models_for)
    path = _rows_path(cache, "blockscore", blocks.FEATURES_VERSION, pages, cleaner_for, models_for, "html", block_rows)
    return _cached(path, lambda: _build(pages, block_rows, cleaner_for, progress, "block"))


def _fit_block_model(rows: Sequence[BlockRows], held: bool):
    """A model over the blocks the body left out (`held` False) or the ones it holds (True)."""
    from .html import blocks

    lgb = _lightgbm()
    X = np.vstack([r.X[r.held == held] for r in rows])
    y = np.concatenate([(r.share[r.held == held] >= GOLD_SHARE).astype(np.float32) for r in rows])
    w = np.concatenate([r.weight[r.held == held] for r in rows])
    if not len(y):
        return None
    return lgb.train(dict(BLOCK_PARAMS), lgb.Dataset(X, y, weight=w, feature_name=list(blocks.NAMES)), BLOCK_ROUNDS)


def _block_fitter(held: bool, file_attr: str) -> Callable[[Sequence[BlockRows], Path], Path | None]:
    """The fit of one block model; `file_attr` names the constant of blocks.py that names its file."""

    def fit(rows: Sequence[BlockRows], out: Path) -> Path | None:
        from .html import blocks

        booster = _fit_block_model(rows, held) if rows else None
        if booster is None:
            return None
        return forest.save(booster.dump_model(), Path(out) / getattr(blocks, file_attr),
                           features_version=blocks.FEATURES_VERSION, trained_on=sorted({r.group for r in rows}))

    return fit


# The add model: a block the body left out is content when most of it is in the gold text. The drop model:
# the same question of a block the body holds. No file when no page has such blocks.
fit_blocks = _block_fitter(False, "MODEL_FILE")
fit_drops = _block_fitter(True, "DROP_FILE")


# --------------------------------------------------------------------------- page types (both paths)

PAGETYPE_PARAMS: dict[str, Any] = {
    "objective": "multiclass", "num_class": len(pagetype.TYPES), "num_leaves": 7, "learning_rate": 0.08,
    "min_data_in_leaf": 10, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "verbose": -1, "seed": 13, "deterministic": True, "num_threads": 1, "force_row_wise": True,
}
PAGETYPE_ROUNDS = 80
UNTYPED_WEIGHT = 0.3  # a page of a set without page types teaches "article" at this weight against a typed page's 1


@dataclass(frozen=True)
class TypeRow:
    """One page's page-type features and its type (a set without page types: article)."""

    group: str
    features: tuple[float, ...]
    label: int
    typed: bool


def _type_rows(kind: str, features_of: Callable[[Mapping[str, Any]], Sequence[float]]):
    """The collect and fit steps of one path's page-type model (`kind`: html or text)."""

    def collect(pages: Sequence[GoldPage], cache: Path | None = None, progress: bool = False) -> list[TypeRow]:
        path = None
        if cache is not None:
            digest = hashlib.sha256(f"{version()} {kind}".encode())
            digest.update(Path(pagetype.__file__).read_bytes())
            for page in pages:
                digest.update(f"{page.set_name}\0{page.record.get('id')}\0{len(page.record.get('html') or '')}".encode())
            path = Path(cache) / f"pagetype-{kind}-rows-{digest.hexdigest()[:16]}.pkl"

        def build() -> list[TypeRow]:
            out = []
            for n, page in enumerate(pages, 1):
                label = page.record.get("page_type") or pagetype.PageType.ARTICLE.value
                out.append(TypeRow(page.group, tuple(features_of(page.record)), pagetype.labels_of([label])[0],
                                   bool(page.record.get("page_type"))))
                if progress and n % 500 == 0:
                    print(f"cleaner train: page-type features ({kind}) of {n}/{len(pages)} pages", file=sys.stderr)
            return out

        return _cached(path, build)

    def fit(rows: Sequence[TypeRow], out: Path) -> Path | None:
        """Fit the types on the pages of `rows`; None (no file) when none of them has a page type."""
        lgb = _lightgbm()
        if not any(r.typed for r in rows):
            return None
        X = np.asarray([r.features for r in rows], dtype=np.float64)
        y = np.asarray([r.label for r in rows])
        w = np.asarray([1.0 if r.typed else UNTYPED_WEIGHT for r in rows])
        booster = lgb.train(dict(PAGETYPE_PARAMS), lgb.Dataset(X, y, weight=w, feature_name=list(pagetype.FEATURES[kind])), PAGETYPE_ROUNDS)
        return forest.save(booster.dump_model(), Path(out) / pagetype.MODEL_FILES[kind],
                           types=[t.value for t in pagetype.TYPES], trained_on=sorted({r.group for r in rows}))

    return collect, fit


def _html_type_features(record: Mapping[str, Any]) -> Sequence[float]:
    from .html.parse import parse

    tree = parse(record.get("html") or "")
    if tree is None:
        return [float("nan")] * len(pagetype.HTML_FEATURES)
    return pagetype.html_features(tree, record.get("url"))


def _text_type_features(record: Mapping[str, Any]) -> Sequence[float]:
    return pagetype.text_features(record.get("page_text") or "", record.get("url"))


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Trainer:
    """A learned part: how it turns gold pages into training rows (cacheable), and rows into its file."""

    collect: Callable[..., list]  # (pages, cache, progress[, models_for]) -> rows
    fit: Callable[[Sequence[Any], Path], Path | None]  # None: these rows teach this part nothing (no file)
    group_of: Callable[[Any], str]
    typed: bool = False  # collect reads each page's type: it takes `models_for`


TRAINERS: dict[str, Trainer] = {
    "pagetype-html": Trainer(*_type_rows("html", _html_type_features), lambda row: row.group),
    "pagetype-text": Trainer(*_type_rows("text", _text_type_features), lambda row: row.group),
    # after the page-type parts: with --held-out-all they type each page with the model that never saw it
    "linescore-text": Trainer(collect_lines, fit_lines, lambda rows: rows.group, typed=True),
    "blockscore-html": Trainer(collect_blocks, fit_blocks, lambda rows: rows.group, typed=True),
    "blockdrop-html": Trainer(collect_blocks, fit_drops, lambda rows: rows.group, typed=True),
}


def _typed_by(root: Path | None) -> Callable[[GoldPage], str | None]:
    """Where a page's page-type model comes from: ROOT/<its group>, fitted without it, when there is one
    (a model that saw the page would type it better than it types pages at work); else the shipped one."""
    def folder(page: GoldPage) -> str | None:
        mine = Path(root) / page.group if root is not None else None
        return str(mine) if mine is not None and (mine / pagetype.MODEL_FILES["html"]).exists() else None

    return folder


def groups_of(pages: Iterable[GoldPage]) -> list[str]:
    return sorted({p.group for p in pages})


def train(paths: Sequence[str | Path], out: str | Path, *, hold_out: str | None = None, held_out_all: bool = False,
          parts: Sequence[str] | None = None, cache: str | Path | None = None, types_from: str | Path | None = None,
          progress: bool = False) -> list[Path]:
    """Fit every registered part (or `parts`) on the gold files and write the model files.

    `hold_out`: leave that group's pages out, files into `out`. `held_out_all`: one fit per group
    without it, files into out/<group>/. Rows are computed once per part and reused across fits.
    `types_from`: the root of held-out page-type models that type the pages for the parts that read
    page types; with `held_out_all` it defaults to `out`, where the page-type parts were just fitted.
    """
    _lightgbm()
    pages = read_pages(paths)
    groups = groups_of(pages)
    if hold_out is not None and hold_out not in groups:
        raise TrainingError(f"no gold page is in group {hold_out!r}; the groups are {', '.join(groups)}")
    unknown = [p for p in (parts or ()) if p not in TRAINERS]
    if unknown:
        raise TrainingError(f"unknown learned part(s) {', '.join(unknown)}; known: {', '.join(TRAINERS)}")
    fits = [(g, Path(out) / g) for g in groups] if held_out_all else [(hold_out, Path(out))]
    written = []
    for name in parts or list(TRAINERS):
        trainer = TRAINERS[name]
        if trainer.typed:
            root = Path(types_from) if types_from else (Path(out) if held_out_all else None)
            rows = trainer.collect(pages, Path(cache) if cache else None, progress, models_for=_typed_by(root))
        else:
            rows = trainer.collect(pages, Path(cache) if cache else None, progress)
        for group, folder in fits:
            folder.mkdir(parents=True, exist_ok=True)
            path = trainer.fit([r for r in rows if trainer.group_of(r) != group], folder)
            if path is not None:
                written.append(path)
            if progress:
                print(f"cleaner train: {name} " + (f"without {group}" if group else "on every group")
                      + f" -> {path or 'nothing to learn'}", file=sys.stderr)
    return written
