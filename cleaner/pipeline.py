"""The one place that orders the stages, for text and HTML alike; each stage is a module that knows nothing above it.

text:  page type (its profile) -> split -> language -> corpus template -> rules -> guard -> heuristics
       -> learned line scorer -> settle -> posts -> assemble
html:  parse -> page type (its profile) -> extract (html/: selectors, tree heuristics, trafilatura, second opinions)
       -> learned block scorer (off articles: left-out blocks back in place)
       -> body lines: title repeat -> rules -> guard -> menu lines -> truncate
       -> thread sources: tail rules -> posts -> assemble
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import linescore, markdown, pagetype, threads
from .distribution import version
from .guard import hold_back
from .io.decode import too_large, utf8_size
from .lines import LANG_SAMPLE_CHARS, detect_language, join_lines, language_sample, split_lines
from .model import Cleaned, Document, Kind, Label, Line, Page, Post, Removal, Where, place_removals
from .options import Options, TextThresholds, ThreadThresholds
from .pagetype import Guess, classify_html, classify_text
from .profiles import ARTICLE, Profile, for_type
from .rulebook import Rulebook, load
from .rulebook.apply import apply_rules, first_prose
from .text import (apply_truncate, choose_title, find_core, keep_outside_core, label_captions, label_head,
                   label_menu_lines, label_tail, label_template, label_title_repeat, settle, strip_dateline)

if TYPE_CHECKING:  # the HTML stages are imported where the HTML path runs: a text-only run never loads lxml
    from .html.extract import Extracted, Parsed

__all__ = ["Cleaner", "Options", "clean", "heuristics"]


def heuristics(page: Page, t: TextThresholds, tt: ThreadThresholds = ThreadThresholds()) -> None:
    """The text path's line heuristics, in order: every line the rules left undecided gets a label.

    The comment thread is looked for once the article core is known; the learned line scorer
    (linescore) runs after these, on what the rules left to them.
    """
    threads.heading_alone(page)
    label_template(page, t)
    label_captions(page, t)
    start, stop = find_core(page, t)
    if threads.find_start(page, threads.article_from(page, start, stop, tt), tt) is not None and stop > page.article_end:
        start, stop = find_core(page, t)
    if stop == 0:  # no prose at all: keep what the rules left, it is all we know
        start, stop = 0, page.article_end
    if apply_truncate(page, start, stop, t) < stop:  # the cut took the core's tail: find the core again
        start, stop = find_core(page, t)
    choose_title(page, start, t)
    label_head(page, start, t)
    strip_dateline(page, start, stop)
    label_tail(page, stop, t)
    page.keep_undecided(page.article_end)


class Cleaner:
    """Holds the compiled rulebook; build once per process, call clean() many times."""

    def __init__(self, options: Options = Options(), rulebook: Rulebook | None = None):
        self.options = options
        self.rulebook = rulebook or load([Path(d) for d in options.rules_dirs], builtin=options.builtin_rules,
                                         disabled=options.disabled)

    @property
    def stamp(self) -> dict:
        return {"version": version(), "rules": self.rulebook.digest}

    def clean(self, doc: Document) -> Cleaned:
        self.check_size(doc)
        cleaned = PATHS[doc.kind](self, doc)
        if self.options.text_format == "markdown":
            cleaned = replace(cleaned, text=markdown.render(doc, cleaned, self.options.links))
        return cleaned

    def check_size(self, doc: Document) -> None:
        """--max-bytes, the one size limit of a document (the HTML parser has none of its own)."""
        limit = self.options.max_bytes
        if limit and len(doc.content) > limit // 4 and (size := utf8_size(doc.content)) > limit:
            raise too_large(size, limit)  # readers refuse most before reading; this covers every other way in

    def explain(self, doc: Document) -> list[Line]:
        """Every line with its label and reason; on the HTML path the elements the selectors removed come
        first, then the body's lines, then each thread source looked at."""
        self.check_size(doc)
        if doc.kind is not Kind.HTML:
            guess = self.text_type(doc)
            return ([Line(0, f"page type: {guess}", Label.UNDECIDED, pagetype.REASON)] if guess else []) \
                + self.page(doc.content, guess).lines
        from .html import blocks, leftout
        from .html.parse import time_limit

        with time_limit(self.options.timeout):
            extracted, page, _posts, looked = self.html_pages(doc)
        scored = dict(extracted.added)  # what the block scorer put back says so, with its score
        body = [replace(line, reason=f"{blocks.REASON} {scored[line.text]:.2f}")
                if line.label is Label.KEEP and not line.reason and line.text in scored else line for line in page.lines]
        gone = dict(extracted.dropped)  # and what the drop model took out, with its block's score
        lines = [Line(0, r.text, Label.DROP, f"{r.rule} {gone[r.text]:.2f}"
                      if r.rule == blocks.REASON and r.text in gone else r.rule) for r in extracted.removed] + body
        if "page_type" in extracted.meta:  # what the profile was chosen by, first
            lines.insert(0, Line(0, f"page type: {extracted.meta['page_type']} {extracted.meta['page_type_score']:.2f}",
                                 Label.UNDECIDED, pagetype.REASON))
        for thread in looked:
            offset = len(lines)
            lines.append(Line(offset + 1, ""))
            lines += [replace(line, no=offset + 1 + line.no) for line in thread.lines]
        missed = leftout.left_out(doc.content, [line.text for line in lines] + [extracted.comments])
        return lines + [Line(0, ""), *(Line(0, text, Label.DROP, leftout.REASON) for text in missed)] if missed else lines

    # ----------------------------------------------------------------------- text

    def clean_text(self, doc: Document) -> Cleaned:
        guess = self.text_type(doc)
        page = self.page(doc.content, guess)
        return self.assemble(doc, page, page.posts, extra_meta=_type_meta(guess))

    def text_type(self, doc: Document) -> Guess | None:
        """The page type of a flattened page, from its text and its URL if the record has one."""
        url = doc.meta.get("url")
        return classify_text(doc.content, url if isinstance(url, str) else None, self.options.models_dir)

    def page(self, content: str, guess: Guess | None = None) -> Page:
        """Run rules and heuristics over one text, as the profile of the page's type says (an article's
        without a guess); the labelled page is what `explain` shows."""
        page = self.labelled(content, guess=guess)
        settle(page, partial(self.labelled, guess=guess))  # cleaning the result again changes nothing
        page.posts = threads.split_posts(page, self.options.thread_thresholds)
        return page

    def labelled(self, content: str, *, learned: bool = True, guess: Guess | None = None) -> Page:
        """One pass of rules and heuristics (and with `learned`, the learned line scorer) over a text."""
        profile = for_type(guess.type if guess else None)
        lines = split_lines(content)
        page = Page(lines=lines, lang=detect_language(language_sample(lines)))
        if self.options.corpus is not None:
            page.template = self.options.corpus.lines_of([line.text for line in lines])
        self.rules(page)
        heuristics(page, self.options.thresholds, self.options.thread_thresholds)
        if profile.outside_core:  # a listing's or a service page's content is not one stretch of prose
            keep_outside_core(page)
        forest = linescore.load_model(self.options.models_dir) if learned else None
        if forest is not None:  # the learned line scorer re-decides what the heuristics labelled
            linescore.rescore(page, forest, guess)
        return page

    def rules(self, page: Page) -> None:
        """The line rules, then the guard that undoes a rule that would empty the document."""
        before = list(page.lines)  # apply_rules relabels page.lines in place
        apply_rules(page, self.rulebook)
        hold_back(page, before, self.rulebook, self.options.max_rule_share)

    # ----------------------------------------------------------------------- html

    def clean_html(self, doc: Document) -> Cleaned:
        """The HTML path for one page, within the per-document time limit."""
        from .html.parse import time_limit

        with time_limit(self.options.timeout):
            extracted, page, posts, _looked = self.html_pages(doc)
            page.removed[:0] = extracted.removed
            page.title = extracted.meta.get("title", "")
            return self.assemble(doc, page, posts, extra_meta=extracted.meta)

    def html_pages(self, doc: Document) -> tuple[Extracted, Page, tuple[Post, ...], list[Page]]:
        """Extract a page, then the line stages over its body and its thread sources."""
        from .html import blocks

        parsed, guess, profile, extracted = self.extraction(doc)
        wanted = parsed.tree is not None and profile.learned_blocks
        forest = blocks.load_model(self.options.models_dir) if wanted else None
        if forest is not None:  # the learned block scorer puts back content trafilatura left out (and takes out chrome)
            drop = blocks.load_model(self.options.models_dir, blocks.DROP_FILE)
            body, added, dropped = blocks.rescore(parsed.tree, extracted.body, extracted.comments, extracted.lang,
                                                  guess, forest, drop)
            extracted = replace(extracted, body=body, added=tuple(added), dropped=tuple(dropped),
                                removed=extracted.removed + tuple(Removal(blocks.REASON, t) for t, _ in dropped))
        page = self.body_page(extracted, profile)
        page.held_back.extend(extracted.held_back)
        posts, looked = self.comment_posts(extracted, page)
        return extracted, page, posts, looked

    def extraction(self, doc: Document) -> tuple[Parsed, Guess | None, Profile, Extracted]:
        """Parse a page, guess its type and extract it with that type's profile (the tree is left pruned)."""
        from .html.extract import extract, parse_page

        parsed = parse_page(doc)
        guess = classify_html(parsed.tree, parsed.url, self.options.models_dir, parsed.names.text) \
            if parsed.tree is not None else None
        profile = for_type(guess.type if guess else None)
        extracted = extract(parsed, self.rulebook, profile, self.options.html_thresholds, self.options.max_rule_share)
        extracted.meta.update(_type_meta(guess))
        return parsed, guess, profile, extracted

    def body_page(self, extracted: Extracted, profile: Profile = ARTICLE) -> Page:
        """Line rules over trafilatura's body; it has no menus left, so only light heuristics run.

        The language is the one the page declares; only a page that declares none (or one we
        have no stop words for) pays for detection, on a short sample.
        """
        from .html.extract import paragraphs

        body = extracted.body
        page = Page(lines=split_lines(paragraphs(body)), lang=extracted.lang or detect_language(body[:LANG_SAMPLE_CHARS]))
        label_title_repeat(page, extracted.meta.get("title", ""))
        self.rules(page)
        if profile.menu_lines:
            label_menu_lines(page, self.options.html_thresholds)
        if profile.truncate:
            apply_truncate(page, first_prose(page), page.article_end, self.options.thresholds)
        page.keep_undecided(page.article_end)
        return page

    def comment_posts(self, extracted: Extracted, page: Page) -> tuple[tuple[Post, ...], list[Page]]:
        """Posts of a thread found inside the body, then of the first thread source that holds prose.

        Returns the posts and the thread pages looked at (for `explain`); a source without
        prose is recorded as removed under heuristic/not-a-thread.
        """
        from .html.extract import thread_sources

        tt = self.options.thread_thresholds
        posts = threads.split_posts(page, tt)
        looked: list[Page] = []
        for text, boundaries in thread_sources(extracted):
            thread = threads.thread_page(text, page.lang, boundaries)
            thread.budget = page.budget  # one regex budget per document
            apply_rules(thread, self.rulebook, Where.TAIL)  # a truncate marker (a form heading) only drops itself here
            found = threads.split_posts(thread, tt)
            looked.append(thread)
            if threads.is_thread(found, page.lang, tt):
                page.removed.extend(thread.removed)
                return posts + tuple(Post(p.index + len(posts), p.text) for p in found), looked
            threads.not_a_thread(thread)
            page.removed.extend(thread.removed)
        return posts, looked

    # ----------------------------------------------------------------------- result

    def assemble(self, doc: Document, page: Page, posts: tuple[Post, ...], extra_meta: dict | None = None) -> Cleaned:
        kept = [i for i, line in enumerate(page.lines) if line.label is Label.KEEP]
        meta = {**doc.meta, **(extra_meta or {}), "language": page.lang, "cleaner": self.stamp}
        if page.budget.timeouts:
            meta["rule_timeouts"] = sorted(set(page.budget.timeouts))
        if page.held_back:
            meta["held_back"] = sorted(set(page.held_back))
        return Cleaned(
            id=doc.id, title=page.title, text=join_lines(page.lines, kept), comments=posts,
            removed=place_removals(page.lines, page.removed), meta=meta, lines=tuple(page.lines), source=doc.source,
        )


def _type_meta(guess: Guess | None) -> dict:
    """The record's `page_type` (and the model's probability for it); nothing without a model."""
    return {"page_type": guess.type.value, "page_type_score": round(guess.score, 3)} if guess else {}


PATHS = {Kind.TEXT: Cleaner.clean_text, Kind.HTML: Cleaner.clean_html}  # the path each kind of document takes

_DEFAULT: Cleaner | None = None


def clean(doc: Document, options: Options | None = None) -> Cleaned:
    """Convenience for library users: clean one document with the built-in rules."""
    global _DEFAULT
    if options is not None:
        return Cleaner(options).clean(doc)
    if _DEFAULT is None:
        _DEFAULT = Cleaner()
    return _DEFAULT.clean(doc)
