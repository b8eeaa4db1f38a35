"""clean(document): the one flow from a Document to a Cleaned result.

text:  lines -> rules -> thread start -> heuristics -> posts -> assemble
html:  parse -> prune by selectors -> trafilatura -> the text flow over body and comments
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import __version__, linescore, threads
from .corpus import CorpusLines
from .model import Cleaned, Document, Kind, Label, Post
from .guard import hold_back
from .io import DEFAULT_MAX_BYTES, too_large, utf8_size
from .rulebook import BUDGET, Rulebook, load
from .text import Page, Thresholds, apply_rules, join_lines, language_sample, run_heuristics, settle, split_lines


@dataclass(frozen=True)
class Options:
    """What a run was asked for; picklable so worker processes rebuild the same Cleaner."""

    rules_dirs: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    builtin_rules: bool = True
    timeout: float = 30.0  # seconds per document on the HTML path
    thresholds: Thresholds = field(default_factory=Thresholds)
    max_bytes: int = DEFAULT_MAX_BYTES  # per document (UTF-8); a larger one is a failure, never truncated; 0: no limit
    max_rule_share: float = 0.5  # a drop or strip rule may remove at most this share of a document's prose
    corpus: CorpusLines | None = None  # template lines counted over the whole input (`clean --corpus-lines`)
    models_dir: str | None = None  # folder of the learned parts' model files; None: the ones shipped in the package


@lru_cache(maxsize=1 << 12)
def detect_language(sample: str) -> str:
    """ISO 639-1 code of the text; py3langid ships its model, so this works offline."""
    import py3langid

    return py3langid.classify(sample)[0] if sample.strip() else "en"


class Cleaner:
    """Holds the compiled rulebook; build once per process, call clean() many times."""

    def __init__(self, options: Options = Options(), rulebook: Rulebook | None = None):
        self.options = options
        self.rulebook = rulebook or load([Path(d) for d in options.rules_dirs], builtin=options.builtin_rules,
                                         disabled=options.disabled)

    @property
    def stamp(self) -> dict:
        return {"version": __version__, "rules": self.rulebook.digest}

    def clean(self, doc: Document) -> Cleaned:
        limit = self.options.max_bytes
        if limit and len(doc.content) > limit // 4 and (size := utf8_size(doc.content)) > limit:
            raise too_large(size, limit)  # readers refuse most before reading; this covers every other way in
        BUDGET.new_document()
        if doc.kind is Kind.HTML:
            from .html import clean_html

            return clean_html(doc, self)
        return self.clean_text(doc)

    def clean_text(self, doc: Document, *, comments_text: str = "") -> Cleaned:
        """The plain-text flow; `comments_text` is a thread the HTML path already separated."""
        page = self.page(doc.content)
        posts = page.posts
        if comments_text:
            posts = posts + self.posts_of(comments_text, page.lang, offset=len(posts))
        return self.assemble(doc, page, posts)

    def page(self, content: str) -> Page:
        """Run rules and heuristics over one text; the labelled page is what `explain` shows."""
        page = self.labelled(content)
        settle(page, self.labelled)  # cleaning the result again changes nothing
        page.posts = threads.split_posts(page)
        return page

    def labelled(self, content: str, *, learned: bool = True) -> Page:
        """One pass of rules and heuristics (and with `learned`, the learned line scorer) over a text."""
        lines = split_lines(content)
        lang = detect_language(language_sample(lines))
        page = Page(lines=lines, lang=lang)
        if self.options.corpus is not None:
            page.template = self.options.corpus.lines_of([line.text for line in lines])
        before = list(lines)  # apply_rules relabels page.lines in place
        BUDGET.new_document()
        apply_rules(page, self.rulebook)
        hold_back(page, before, self.rulebook, self.options.max_rule_share)
        run_heuristics(page, self.options.thresholds)  # finds the comment thread once the article core is known
        forest = linescore.load_model(self.options.models_dir) if learned else None
        if forest is not None:  # the learned line scorer re-decides what the heuristics labelled
            linescore.rescore(page, forest)
        return page

    def posts_of(self, text: str, lang: str, offset: int = 0) -> tuple[Post, ...]:
        """Split an already separated comment text into posts with the same thread logic."""
        page = Page(lines=split_lines(text), lang=lang)
        apply_rules(page, self.rulebook)
        page.comments_from = 0
        page.signals.add("forum")
        return tuple(Post(p.index + offset, p.text) for p in threads.split_posts(page))

    def assemble(self, doc: Document, page: Page, posts: tuple[Post, ...], extra_meta: dict | None = None) -> Cleaned:
        kept = [i for i, line in enumerate(page.lines) if line.label is Label.KEEP]
        meta = {**doc.meta, **(extra_meta or {}), "language": page.lang, "cleaner": self.stamp}
        if page.timeouts:
            meta["rule_timeouts"] = sorted(set(page.timeouts))
        if page.held_back:
            meta["held_back"] = sorted(set(page.held_back))
        return Cleaned(
            id=doc.id, title=page.title, text=join_lines(page, kept), comments=posts,
            removed=tuple(page.removed), meta=meta, lines=tuple(page.lines),
        )


_DEFAULT: Cleaner | None = None


def clean(doc: Document, options: Options | None = None) -> Cleaned:
    """Convenience for library users: clean one document with the built-in rules."""
    global _DEFAULT
    if options is not None:
        return Cleaner(options).clean(doc)
    if _DEFAULT is None:
        _DEFAULT = Cleaner()
    return _DEFAULT.clean(doc)
