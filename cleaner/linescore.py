"""The learned line scorer of the text path: a tree model decides the lines rules left to the heuristics.

Rules go first and keep their decisions. The heuristics then label every line (core, head,
tail, title, thread); this stage reads each line of the article zone that no rule decided,
together with what the heuristics made of it and its neighbours, and a gradient-boosted tree
model (`forest.Forest`, trained by `cleaner train` on gold pages) keeps or drops it. The page's
type is one of its inputs: a short linked line is chrome beside an article and an item of a
listing. A line it drops leaves with the reason `model/line` and its score in `explain`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from . import pagetype
from .features import features
from .forest import Forest, model_path
from .lines import fold_words
from .model import Label, LineKind, Page, Removal
from .text import is_glued_tags, is_teaser, menu_separators, page_shape

if TYPE_CHECKING:  # numpy loads when a line model does: a run without one never pays for it
    import numpy as np

BLANK, GOOD, NEAR, PLAIN, NAV, CHROME, TEMPLATE = LineKind

MODEL_FILE = "linescore-text.json"
REASON = "model/line"
FEATURES_VERSION = 2  # bump when `matrix` changes: a model trained on other columns refuses to load
DROP_BELOW = 0.05  # a line the heuristics kept leaves only when the model is sure it is not article...
KEEP_ABOVE = 0.8  # ...and a line they dropped comes back when it scores at least this

# What the heuristics said of a line, as codes the trees can split on.
_HEURISTIC = {
    "": 0, "heuristic/outside-core": 1, "heuristic/short-head": 2, "heuristic/short-tail": 3,
    "heuristic/corpus-template": 4, "heuristic/title-repeat": 5, "heuristic/site-suffix": 6,
    "heuristic/glued-tags": 7, "heuristic/alt-text": 8, "heuristic/caption": 9, "heuristic/settle": 10,
}
_KINDS = (GOOD, NEAR, PLAIN, NAV, CHROME, TEMPLATE)
_BASE = (
    "words", "log_chars", "terminal", "ends_period", "stopwords", "digits", "alpha", "upper", "titlecase",
    "good", "near_good", "menu_seps", "teaser", "glued", "kind", "kept", "heuristic", "title_overlap",
    "blank_before", "blank_after", "repeats", "bullet", "pipe_or_copyright", "char_share",
)
_POSITION = ("rel_line", "rel_char", "after_thread", "from_first_kept", "to_last_kept", "kept_chars_share")
_NEIGHBOUR = ("words", "good", "kept", "stopwords", "terminal", "kind")
_OFFSETS = (-2, -1, 1, 2)
_WINDOWS = (3, 10)
_SMOOTHED = ("kept", "good", "log_chars")
NAMES = (
    _BASE + _POSITION
    + tuple(f"{name}@{k:+d}" for k in _OFFSETS for name in _NEIGHBOUR)
    + tuple(f"{name}~{w}" for w in _WINDOWS for name in _SMOOTHED)
    + pagetype.COLUMNS
)


# Heuristics that name what a line is from its own evidence (a repeated title, glued tag links, a photo's
# caption, alt text): they decide like rules, the model does not overturn them.
FINAL = frozenset({"heuristic/title-repeat", "heuristic/site-suffix", "heuristic/glued-tags", "heuristic/alt-text",
                   "heuristic/caption"})


def decidable(page: Page) -> list[int]:
    """Lines of the article zone the heuristics labelled (no rule did): the ones the model decides."""
    out = []
    lines = page.lines
    for i in range(page.article_end):
        line = lines[i]
        if line.blank:
            continue
        if line.label is Label.KEEP or (line.label is Label.DROP and line.reason in _HEURISTIC):
            out.append(i)
    return out


def overturnable(page: Page) -> list[int]:
    """The decidable lines the model may relabel: all but those a FINAL heuristic dropped."""
    lines = page.lines
    return [i for i in decidable(page) if not (lines[i].label is Label.DROP and lines[i].reason in FINAL)]


_BULLET = frozenset("-*•·–—►»›>✓✔■□●○◦")


@lru_cache(maxsize=1 << 16)
def _line_shape(text: str, lang: str) -> tuple:
    """What a line is on its own, whatever page it stands on (cached: settle passes and templates repeat lines)."""
    f = features(text, lang)
    stripped = text.strip()
    return (
        f.words, math.log1p(f.chars), f.terminal, f.ends_period, f.stopword_density, f.digit_ratio,
        f.alpha_ratio, f.upper_ratio, f.titlecase_ratio, f.good, f.near_good, menu_separators(text),
        is_teaser(text), is_glued_tags(text, f=f),
    ), frozenset(fold_words(stripped)) if f.words else frozenset(), stripped[:1] in _BULLET, \
        ("|" in stripped) or ("©" in stripped), f.chars


def _window_mean(values: "np.ndarray", width: int) -> "np.ndarray":
    """Mean over the `width` lines either side (the line included), edges averaged over what exists."""
    import numpy as np

    n = len(values)
    if n == 0:
        return values
    sums = np.concatenate(([0.0], np.cumsum(values)))
    lo = np.clip(np.arange(n) - width, 0, n)
    hi = np.clip(np.arange(n) + width + 1, 0, n)
    return (sums[hi] - sums[lo]) / (hi - lo)


def _shift(values: "np.ndarray", k: int) -> "np.ndarray":
    """values[j + k] for each j, NaN past the page's edges (the trees send missing values their own way)."""
    import numpy as np

    out = np.full(len(values), np.nan)
    if k > 0:
        out[: len(values) - k] = values[k:]
    elif k < 0:
        out[-k:] = values[: len(values) + k]
    return out


def matrix(page: Page, guess=None) -> "tuple[list[int], np.ndarray]":
    """(indexes, features) of every non-blank line of the page, one row a line, columns as NAMES;
    `guess` is the page-type classifier's (none: the type columns are missing values).

    Neighbours are the previous and next non-blank lines; the rows of lines the model does not
    decide still serve as their neighbours' context.
    """
    import numpy as np

    lines, lang = page.lines, page.lang
    rows = [i for i, line in enumerate(lines) if not line.blank]
    n, total_lines = len(rows), max(len(lines), 1)
    if not n:
        return rows, np.zeros((0, len(NAMES)))
    shape = page_shape(page)
    title_words = set(fold_words(page.title)) if page.title else set()
    counts: dict[str, int] = {}
    for i in rows:
        key = lines[i].text.strip()
        counts[key] = counts.get(key, 0) + 1
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line.text) + 1
    total_chars = max(pos, 1)
    end = page.article_end
    base = np.empty((n, len(_BASE)))
    for r, i in enumerate(rows):
        line = lines[i]
        own, words, bullet, marks, chars = _line_shape(line.text, lang)
        overlap = len(words & title_words) / len(words) if title_words and words else 0.0
        base[r] = (
            *own, shape.kind[i] if i < len(shape.kind) else BLANK,
            line.label in (Label.KEEP, Label.TITLE), _HEURISTIC.get(line.reason, -1) if line.label is Label.DROP else 0,
            overlap, i == 0 or lines[i - 1].blank, i + 1 >= len(lines) or lines[i + 1].blank,
            counts[line.text.strip()], bullet, marks, chars / total_chars,
        )
    kept = base[:, _BASE.index("kept")]
    kept_rows = np.flatnonzero(kept > 0)
    index = np.arange(n, dtype=float)
    if len(kept_rows):
        first, last = kept_rows[0], kept_rows[-1]
        from_first, to_last = (index - first) / n, (last - index) / n
        kept_share = float(np.exp(base[kept_rows, 1]).sum() / max(np.exp(base[:, 1]).sum(), 1.0))
    else:
        from_first = to_last = np.full(n, np.nan)
        kept_share = 0.0
    row_lines = np.asarray(rows, dtype=float)
    position = np.column_stack([
        row_lines / total_lines,
        np.asarray([offsets[i] for i in rows], dtype=float) / total_chars,
        row_lines >= end,
        from_first,
        to_last,
        np.full(n, kept_share),
    ])
    columns = {name: base[:, _BASE.index(name)] for name in ("words", "good", "kept", "stopwords", "terminal", "kind", "log_chars")}
    neighbours = [_shift(columns[name], k) for k in _OFFSETS for name in _NEIGHBOUR]
    smoothed = [_window_mean(columns[name], w) for w in _WINDOWS for name in _SMOOTHED]
    return rows, np.column_stack([base, position, *neighbours, *smoothed, np.tile(pagetype.columns(guess), (n, 1))])


# --------------------------------------------------------------------------- the stage


@lru_cache(maxsize=8)
def load_model(models_dir: str | None) -> Forest | None:
    """The line model of a models folder (None: the one shipped in the package), once per process.

    No file means no learned stage: the heuristics' labels stand.
    """
    path = model_path(models_dir, MODEL_FILE)
    if not path.is_file():
        return None
    forest = Forest.load(path)
    version = forest.meta.get("features_version")
    if version != FEATURES_VERSION:
        raise ValueError(f"{path}: trained on line features version {version}, this cleaner computes version "
                         f"{FEATURES_VERSION}; retrain it with `cleaner train`")
    return forest


def rescore(page: Page, forest: Forest, guess=None, drop_below: float = DROP_BELOW,
            keep_above: float = KEEP_ABOVE) -> None:
    """Keep or drop each line the heuristics decided, by the model's score; rule decisions stand.

    The model overturns the heuristics only past its thresholds: the two kinds of error cost the
    sets differently (a kept footer line against a dropped list item), and the heuristics' call
    is the better one near the middle.
    """
    todo = set(overturnable(page))
    if not todo:
        return
    rows, X = matrix(page, guess)
    scores = forest.predict(X)
    replaced = set()  # (line number, heuristic reason) of removals the model's decision replaces
    for r, i in enumerate(rows):
        if i not in todo:
            continue
        line, score = page.lines[i], float(scores[r])
        if line.label is Label.DROP:
            replaced.add((line.no, line.reason))
            keep = score >= keep_above
        else:
            keep = score >= drop_below
        if keep:
            page.lines[i] = line.relabel(Label.KEEP, "")
        else:
            page.lines[i] = line.relabel(Label.DROP, f"{REASON} {score:.2f}")
    if replaced:
        page.removed[:] = [rm for rm in page.removed if (rm.line, rm.rule) not in replaced]
    page.removed.extend(Removal(REASON, line.text, line.no) for line in page.lines
                        if line.label is Label.DROP and line.reason.startswith(REASON + " "))
