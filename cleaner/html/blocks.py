"""The learned block scorer of the HTML path: text blocks trafilatura left out come back when a model says so.

trafilatura keeps the region it takes for the article and little else; on a listing, a category
grid or a service page it often keeps an intro and loses the items that are the page's content.
This stage cuts the pruned page (selector rules and tree heuristics already ran: rules go first)
into text blocks, notes which ones the body holds, and a gradient-boosted tree model
(`forest.Forest`, trained by `cleaner train --part blockscore-html` on gold pages) scores every
block the body left out from its text, its place in the tree, its neighbours' and containers'
share of the body, repetition among its siblings and the page's type. A block scoring at least
ADD_ABOVE joins the body where it stands in the page. The profiles of the page types run it on
every type but the article, where trafilatura mostly has the body whole.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from lxml import etree

from .. import pagetype
from ..features import features
from ..forest import Forest, model_path
from .tree import NO_TEXT, SPACE

MODEL_FILE = "blockscore-html.json"
DROP_FILE = "blockdrop-html.json"  # the second model: blocks the body holds that are not content
FEATURES_VERSION = 1  # bump when `matrix` changes: a model trained on other columns refuses to load
REASON = "model/block"
ADD_ABOVE = 0.55  # a block the body left out joins it at this score (docs/quality.md: how it was chosen)
DROP_BELOW = 0.35  # a block the body holds leaves it below this score (docs/quality.md: how it was chosen)
GRAM = 3  # blocks are matched to a text by 3-word shingles (a shorter block: when it occurs whole)
IN_SHARE = 0.5  # the share of a block a text must hold for the block to count as in it

BLOCK_TAGS = frozenset(
    "p div li ul ol dl dd dt td th tr table tbody thead tfoot caption h1 h2 h3 h4 h5 h6 pre blockquote section "
    "article header footer nav aside main form fieldset legend figure figcaption address details summary center "
    "hr body html menu".split())
_SKIP = NO_TEXT | frozenset(("svg", "button", "iframe", "object", "embed", "canvas", "map", "math"))
# Tag families a block's own element can have, as codes the trees can split on.
_TAG_CODE = {"p": 1, "li": 2, "td": 3, "th": 3, "h1": 4, "h2": 4, "h3": 5, "h4": 5, "h5": 5, "h6": 5, "pre": 6,
             "blockquote": 7, "dd": 8, "dt": 8, "figcaption": 9, "caption": 9, "a": 10, "span": 11, "div": 12}
# Ancestors that mark a region: each is a flag bit a block inherits.
_REGION_BIT = {"nav": 1, "header": 2, "footer": 4, "aside": 8, "form": 16, "main": 32, "article": 64, "li": 128,
               "table": 256, "menu": 1}
_REGIONS = (("nav", 1), ("header", 2), ("footer", 4), ("aside", 8), ("form", 16), ("main", 32), ("article", 64),
            ("in_li", 128), ("in_table", 256))
_BOILER = re.compile(r"nav|menu|footer|header|sidebar|breadcrumb|social|share|cookie|banner|widget|related|"
                     r"comment|promo|newsletter|subscribe|modal|popup|login|signup|search|skip|copyright|ad[sv]?\b")
_CONTENT = re.compile(r"content|main|article|post|entry|body|text|story|product|item|card|tile|list|grid|result|"
                      r"listing|catalog|descr|detail|feature|service|section|summary|excerpt")
_WORD = re.compile(r"\w+")
_PRICE = re.compile(r"[$€£¥₹]\s?\d|\d\s?(?:€|zł|kr|USD|EUR)\b")

NAMES = (
    "log_words", "log_chars", "link_density", "terminal", "ends_period", "stopwords", "digits", "alpha", "upper",
    "titlecase", "good", "price", "tag", "depth", *(name for name, _ in _REGIONS), "boiler_names", "content_names",
    "rep", "rep_up", "sig_in", "sig_count", "text_repeats", "in_comments", "rel_pos", "between", "gap_before", "gap_after",
    "in@-2", "in@-1", "in@+1", "in@+2", "in~3", "in~10", "words@-1", "words@+1",
    "up1_in", "up2_in", "up3_in", "up1_words", "up2_words", "up3_words",
    "body_share", "log_body_words", "log_blocks", *pagetype.COLUMNS,
)


@dataclass
class Block:
    """One stretch of text that a block-level element holds directly, with its context in the tree."""

    text: str
    owner: etree._Element
    link_chars: int
    depth: int
    regions: int  # _REGIONS bits of its ancestors
    boiler: int  # ancestors whose class or id reads like chrome
    content: int  # ancestors whose class or id reads like content
    rep: int  # siblings of the same tag and class as the nearest repeated ancestor (1: none)
    rep_up: int  # how many levels up that ancestor is
    ups: tuple  # the block-level ancestors a container's body share is read from, nearest first
    words: list[str]
    inside: float = 0.0  # share of the block in the body
    in_comments: float = 0.0  # share of the block in trafilatura's comments


def _names(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def _nearest_rep(reps: tuple) -> tuple[int, int]:
    for level, count in enumerate(reps):
        if count > 1:
            return count, level
    return 1, -1


class _Frame:
    """The block-level element text is being collected for."""

    __slots__ = ("el", "pieces", "link_chars", "depth", "regions", "boiler", "content", "rep", "rep_up", "ups")

    def __init__(self, el, depth, regions, boiler, content, rep, rep_up, ups):
        self.el, self.pieces, self.link_chars, self.depth, self.regions = el, [], 0, depth, regions
        self.boiler, self.content, self.rep, self.rep_up, self.ups = boiler, content, rep, rep_up, ups

    def add(self, text: str, linked: bool) -> None:
        self.pieces.append(text)
        if linked:
            self.link_chars += len(text.strip())


def _sibling_counts(el: etree._Element) -> dict:
    """How many children of `el` share each (tag, class): a grid's cards, a list's entries."""
    counts: dict = {}
    if len(el) > 1:
        for c in el:
            if isinstance(c.tag, str):
                key = (c.tag, c.get("class"))
                counts[key] = counts.get(key, 0) + 1
    return counts


class _Segmenter:
    """One walk over a page, collecting the text of each block-level element between its block children."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.seen: dict[str, tuple[bool, bool]] = {}  # class and id names read as chrome, as content

    def emit(self, frame: _Frame) -> None:
        if not frame.pieces:
            return
        text = SPACE.sub(" ", "".join(frame.pieces)).strip()
        link_chars, frame.pieces, frame.link_chars = frame.link_chars, [], 0
        words = _WORD.findall(text.lower())
        if words:
            self.blocks.append(Block(text, frame.el, min(link_chars, len(text)), frame.depth, frame.regions,
                                     frame.boiler, frame.content, frame.rep, frame.rep_up, frame.ups, words))

    def marks(self, el: etree._Element) -> tuple[bool, bool]:
        names = _names(el)
        if len(names) < 2:
            return False, False
        found = self.seen.get(names)
        if found is None:
            found = self.seen[names] = (bool(_BOILER.search(names)), bool(_CONTENT.search(names)))
        return found

    def visit(self, el, frame: _Frame, depth: int, regions: int, boiler: int, content: int, reps: tuple,
              ups: tuple, in_link: bool) -> None:
        tag = el.tag
        block = tag in BLOCK_TAGS
        if block:
            regions |= _REGION_BIT.get(tag, 0)
            chrome, main = self.marks(el)
            boiler, content = boiler + chrome, content + main
            self.emit(frame)
            frame = _Frame(el, depth, regions, boiler, content, *_nearest_rep(reps), ups)
            ups = (el, *ups[:2])
        elif tag in _REGION_BIT and tag != "li":
            regions |= _REGION_BIT[tag]
        link = in_link or tag == "a"
        if el.text:
            frame.add(el.text, link)
        counts = _sibling_counts(el)
        for child in el:
            if isinstance(child.tag, str) and child.tag not in _SKIP:
                self.visit(child, frame, depth + 1, regions, boiler, content,
                           (counts.get((child.tag, child.get("class")), 1), *reps[:4]), ups, link)
                if child.tag in BLOCK_TAGS:
                    self.emit(frame)
            if child.tail:
                frame.add(child.tail, link)
        if block:
            self.emit(frame)


def segment(root: etree._Element) -> list[Block]:
    """The page's text blocks in document order: each run of text a block-level element holds between its
    block children is one block (as a reader sees paragraphs, items, cells and headings)."""
    walk = _Segmenter()
    top = _Frame(root, 0, 0, 0, 0, 1, -1, ())
    walk.visit(root, top, 0, 0, 0, 0, (), (), False)
    walk.emit(top)
    return walk.blocks


def _grams(words: Sequence[str]) -> set:
    return {tuple(words[k : k + GRAM]) for k in range(len(words) - GRAM + 1)}


class TextIndex:
    """A text's words, for asking which share of a block it holds (3-word shingles; a short block: whole)."""

    def __init__(self, text: str):
        words = _WORD.findall((text or "").lower())
        self.grams = _grams(words)
        self.joined = f" {' '.join(words)} "
        self.words = len(words)

    def share(self, words: Sequence[str]) -> float:
        if len(words) < GRAM:
            return float(f" {' '.join(words)} " in self.joined) if self.words else 0.0
        grams = self.grams
        n = len(words) - GRAM + 1
        return sum(tuple(words[k : k + GRAM]) in grams for k in range(n)) / n


def mark(blocks: Sequence[Block], body: str, comments: str) -> None:
    """Note each block's share in the body and in trafilatura's comments."""
    inside, said = TextIndex(body), TextIndex(comments)
    for b in blocks:
        b.inside = inside.share(b.words)
        b.in_comments = said.share(b.words) if said.words else 0.0


def _window(values: list[float], weights: list[float], width: int) -> list[float]:
    """Word-weighted mean over the `width` blocks either side (the block left out)."""
    n = len(values)
    sv, sw = [0.0], [0.0]
    for v, w in zip(values, weights):
        sv.append(sv[-1] + v * w)
        sw.append(sw[-1] + w)
    out = []
    for i in range(n):
        lo, hi = max(0, i - width), min(n, i + width + 1)
        w = sw[hi] - sw[lo] - weights[i]
        out.append((sv[hi] - sv[lo] - values[i] * weights[i]) / w if w > 0 else math.nan)
    return out


def _gaps(ins: list[float], counts: list[int], order: Sequence[int]) -> list[int]:
    """For each block, the words of left-out blocks between it and the nearest body block in `order`."""
    out = [0] * len(ins)
    gap = 0
    for i in order:
        out[i] = gap
        gap = 0 if ins[i] else gap + counts[i]
    return out


class _Context:
    """What the rows of one page share: its blocks' words and body flags, and sums over containers,
    templates and texts."""

    def __init__(self, blocks: Sequence[Block], guess) -> None:
        n = len(blocks)
        self.blocks, self.n = blocks, n
        self.counts = counts = [len(b.words) for b in blocks]
        self.total = sum(counts) or 1
        self.ins = ins = [1.0 if b.inside >= IN_SHARE else 0.0 for b in blocks]
        body_words = sum(c for c, i in zip(counts, ins) if i)
        self.first = next((i for i in range(n) if ins[i]), None)
        self.last = next((i for i in range(n - 1, -1, -1) if ins[i]), None)
        self.under: dict[int, list[float]] = {}  # words and body words under each container element
        for b, c, i in zip(blocks, counts, ins):
            for el in (b.owner, *b.ups):
                acc = self.under.setdefault(id(el), [0.0, 0.0])
                acc[0] += c
                acc[1] += c * i
        # Blocks of one template (the same tag and class at the same depth): a grid's cards, a list's entries.
        self.sigs = [(b.owner.tag, b.owner.get("class"), b.depth) for b in blocks]
        self.by_sig: dict[tuple, list[float]] = {}
        self.texts: dict[str, int] = {}
        for sig, c, i, b in zip(self.sigs, counts, ins, blocks):
            acc = self.by_sig.setdefault(sig, [0.0, 0.0, 0])
            acc[0] += c
            acc[1] += c * i
            acc[2] += 1
            self.texts[b.text] = self.texts.get(b.text, 0) + 1
        self.near3, self.near10 = _window(ins, counts, 3), _window(ins, counts, 10)
        self.before = _gaps(ins, counts, range(n))
        self.after = _gaps(ins, counts, range(n - 1, -1, -1))
        self.offsets = [0]
        for c in counts:
            self.offsets.append(self.offsets[-1] + c)
        self.page = [body_words / self.total, math.log1p(body_words), math.log1p(n), *pagetype.columns(guess)]

    def containers(self, i: int) -> list[float]:
        """The body share and the other words of the block's three nearest block-level ancestors."""
        b, c, nan = self.blocks[i], self.counts[i], math.nan
        shares, sizes = [], []
        for k in range(3):
            if k < len(b.ups):
                w, iw = self.under[id(b.ups[k])]
                rest = w - c
                shares.append(((iw - c * self.ins[i]) / rest) if rest > 0 else nan)
                sizes.append(math.log1p(rest))
            else:
                shares.append(nan)
                sizes.append(nan)
        return shares + sizes

    def row(self, i: int, lang: str) -> list[float]:
        b, c, n, ins, counts, nan = self.blocks[i], self.counts[i], self.n, self.ins, self.counts, math.nan
        f = features(b.text, lang)
        w, iw, same = self.by_sig[self.sigs[i]]
        return [
            math.log1p(c), math.log1p(len(b.text)), b.link_chars / max(len(b.text), 1), float(f.terminal),
            float(f.ends_period), f.stopword_density, f.digit_ratio, f.alpha_ratio, f.upper_ratio, f.titlecase_ratio,
            float(f.good), float(bool(_PRICE.search(b.text))), float(_TAG_CODE.get(b.owner.tag, 0)), float(b.depth),
            *(float(bool(b.regions & bit)) for _, bit in _REGIONS), float(b.boiler), float(b.content),
            math.log(b.rep), float(b.rep_up), (iw - c * ins[i]) / (w - c) if w > c else nan, math.log(same),
            math.log(self.texts[b.text]), b.in_comments, (self.offsets[i] + c / 2) / self.total,
            float(self.first is not None and self.first <= i <= self.last), math.log1p(self.before[i]),
            math.log1p(self.after[i]), ins[i - 2] if i >= 2 else nan, ins[i - 1] if i >= 1 else nan,
            ins[i + 1] if i + 1 < n else nan, ins[i + 2] if i + 2 < n else nan, self.near3[i], self.near10[i],
            math.log1p(counts[i - 1]) if i >= 1 else nan, math.log1p(counts[i + 1]) if i + 1 < n else nan,
            *self.containers(i), *self.page,
        ]


def matrix(blocks: Sequence[Block], lang: str, guess=None, only: Sequence[int] | None = None) -> list[list[float]]:
    """One row of NAMES per block (`mark` ran), or per block of `only`: what the trees read."""
    if not blocks:
        return []
    context = _Context(blocks, guess)
    return [context.row(i, lang) for i in (range(len(blocks)) if only is None else only)]


def candidates(blocks: Sequence[Block]) -> list[int]:
    """The blocks the model decides: those the body left out, that are not trafilatura's comments."""
    return [i for i, b in enumerate(blocks) if b.inside < IN_SHARE and b.in_comments < IN_SHARE]


def held(blocks: Sequence[Block]) -> list[int]:
    """The blocks the drop model decides: those the body holds."""
    return [i for i, b in enumerate(blocks) if b.inside >= IN_SHARE]


@lru_cache(maxsize=16)
def load_model(models_dir: str | None, name: str = MODEL_FILE) -> Forest | None:
    """A block model of a models folder (None: the one shipped in the package), once per process.

    No file means no learned stage: trafilatura's body stands.
    """
    path = model_path(models_dir, name)
    if not path.is_file():
        return None
    forest = Forest.load(path)
    version = forest.meta.get("features_version")
    if version != FEATURES_VERSION or (forest.feature_names and tuple(forest.feature_names) != NAMES):
        raise ValueError(f"{path}: trained on block features version {version}, this cleaner computes version "
                         f"{FEATURES_VERSION}; retrain it with `cleaner train --part blockscore-html`")
    return forest


def score(forest: Forest, rows: list[list[float]]) -> list[float]:
    """The model's probability that each row's block is content."""
    if len(rows) == 1:
        return [forest.predict_row(rows[0])[-1]]
    import numpy as np

    return np.asarray(forest.predict(np.asarray(rows, dtype=np.float64))).reshape(len(rows), -1)[:, -1].tolist()


def _place(body_lines: list[str], blocks: Sequence[Block]) -> list[int]:
    """The block each body line starts in (the previous line's where it cannot be placed)."""
    starts, parts, size = [], [], 0
    for b in blocks:
        starts.append(size)
        s = " " + " ".join(b.words)
        parts.append(s)
        size += len(s)
    joined = "".join(parts) + " "
    out, at, prev = [], 0, -1
    for line in body_lines:
        words = _WORD.findall(line.lower())[:6]
        if words:
            key = " " + " ".join(words) + " "
            pos = joined.find(key, at)
            if pos < 0:
                pos = joined.find(key)
            if pos >= 0:
                prev = max(0, bisect_right(starts, pos) - 1)
                at = pos
        out.append(prev)
    return out


def _drop_lines(lines: list[str], blocks: Sequence[Block],
                dropped: dict[int, float]) -> tuple[list[str], list[tuple[str, float]]]:
    """The body's lines without those that start in a dropped block and come mostly from it."""
    out, removed = [], []
    for line, k in zip(lines, _place(lines, blocks)):
        words = _WORD.findall(line.lower())
        if k in dropped and words and TextIndex(blocks[k].text).share(words) >= IN_SHARE:
            removed.append((line, dropped[k]))
        else:
            out.append(line)
    return out, removed


def rescore(root: etree._Element, body: str, comments: str, lang: str, guess, forest: Forest,
            drop: Forest | None = None) -> tuple[str, list[tuple[str, float]], list[tuple[str, float]]]:
    """The body with the left-out blocks the model scores at ADD_ABOVE or more put back where they stand in the
    page and (with the `drop` model) the lines of held blocks it scores below DROP_BELOW taken out; the blocks
    it added and the lines it removed, with their scores."""
    blocks = segment(root)
    mark(blocks, body, comments)
    todo = candidates(blocks)
    inside = held(blocks) if drop is not None else []
    if not todo and not inside:
        return body, [], []
    rows = matrix(blocks, lang, guess, todo + inside)
    scores = score(forest, rows[:len(todo)]) if todo else []
    chosen = {i: s for i, s in zip(todo, scores) if s >= ADD_ABOVE}
    lines = body.split("\n")
    removed: list[tuple[str, float]] = []
    if inside:
        stay = score(drop, rows[len(todo):])
        dropped = {i: s for i, s in zip(inside, stay) if s < DROP_BELOW}
        if dropped:
            lines, removed = _drop_lines(lines, blocks, dropped)
    added = sorted(chosen)
    if not added:
        return "\n".join(lines), [], removed
    where = _place(lines, blocks)
    out: list[str] = []
    pending = iter(added)
    nxt = next(pending, None)
    for line, k in zip(lines, where):
        while nxt is not None and nxt < k:
            out.append(blocks[nxt].text)
            nxt = next(pending, None)
        out.append(line)
    while nxt is not None:
        out.append(blocks[nxt].text)
        nxt = next(pending, None)
    return "\n".join(out), [(blocks[i].text, chosen[i]) for i in added], removed
