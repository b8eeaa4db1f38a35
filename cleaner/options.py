"""What a run was asked for: Options, and the named thresholds of the text, HTML and thread stages, all frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .io.decode import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from .corpus import CorpusLines


@dataclass(frozen=True)
class TextThresholds:
    """Named thresholds of the text heuristics; each is tested on its own."""

    title_max_words: int = 30
    title_window: int = 20  # the title is among this many headline-like lines right above the core
    suffix_max_words: int = 6
    glued_min_joins: int = 2
    glued_max_words: int = 12
    short_max_words: int = 6
    caption_max_words: int = 60
    alt_max_words: int = 8
    max_truncate_share: float = 0.5  # a truncate rule may not remove more of the core's prose than this
    truncate_resume_chars: int = 300  # prose of the core after a marker that shows the article goes on...
    truncate_resume_lines: int = 2  # ...in at least this many lines (one is a teaser's blurb)
    core_bad_cost: float = 45.0  # what a line that is not prose costs the core...
    core_bad_len_weight: float = 0.5  # ...plus this per character
    core_near_weight: float = 0.0  # share of its length a near-good line adds to the core
    core_rule_cost: float = 45.0  # a line a rule dropped: chrome between the core and what lies beyond
    core_marker_cost: float = 45.0  # a truncate or comments-start marker
    menu_min_separators: int = 2  # bars, bullets or tabs that make a line a menu
    paragraph_page_share: float = 0.5  # a page whose prose mostly stands between blank lines sets paragraphs apart...
    core_block_weight: float = 0.2  # ...and there prose glued to other lines is worth this share of its length
    nav_max_words: int = 4  # a menu link has at most this many words...
    nav_min_titlecase: float = 0.75  # ...and at least this share of them capitalised
    extend_bad_cost: float = 10.0  # beside the core, what a short plain line costs (chrome keeps core_bad_cost)...
    extend_bad_len_weight: float = 0.1  # ...plus this per character
    extend_near_weight: float = 0.0  # ...and a near-good line adds this share of its length
    core_label_cost: float = 45.0  # a short line next to text: what it costs the core
    end_zone: float = 0.7  # prose starting after this share of the page's characters...
    end_penalty: float = 0.9  # ...loses up to this share of its value at the very end
    topic_min_share: float = 0.3  # prose beside the core with this share of its content words in the core: full value


@dataclass(frozen=True)
class HtmlThresholds:
    """Named thresholds of the HTML stages: tree heuristics before extraction, second opinions after it."""

    # selectors and tree heuristics (html/selectors.py, html/prune.py)
    heading_max_words: int = 8  # a thread container with no more words than this is only the thread's heading
    hidden_copy_min_words: int = 20  # a hidden block this long that the page also shows is a second copy
    min_thread_words_to_end: int = 40  # a thread this long ends the page's content...
    min_words_before_thread: int = 80  # ...when at least this many words come before it (it is not a header's comment link)
    loose_min_words: int = 10  # loose text this long after a block is a paragraph of its own
    min_list_items: int = 3  # fewer linked items: a short list of sources, not a teaser block
    link_share: float = 0.5  # an item whose text is at least this much link text is a teaser link
    card_max_words: int = 40  # a card (linked headline and blurb) is short; a longer item is the article's own
    # second opinions (html/opinions.py)
    second_opinion_max_words: int = 400  # a recall-mode body this long is taken as it is
    locate_words: int = 8  # a line is found in the page by its first words...
    locate_min_words: int = 3  # ...and a line shorter than this is too common to place
    anchor_lines: int = 3  # lines of a candidate placed against the title heading
    disjoint: float = 0.2  # candidates sharing less than this of their words took different parts of the page
    nested: float = 0.8  # the precise candidate lies (this much) inside the generous one
    prose_min_words: int = 10  # a line this long that ends a sentence reads as prose
    tables_check_share: float = 0.6  # a body under this share of the page's text is checked against the page with its tables
    tables_longer: float = 1.3  # ...and the extraction with tables kept replaces it when this much longer...
    tables_hold: float = 0.8  # ...and holds this share of the body's text: a wider take on the same article, not another part
    justext_check_share: float = 0.5  # a body under this share of the page's text is checked against jusText's paragraphs
    justext_page_share: float = 0.7  # jusText's new paragraphs around the body cover this much of the page...
    justext_longer: float = 1.5  # ...and make the body this much longer: the page is one article the extractor cut short
    # the extracted body's menu lines (text.is_menu_line)
    menu_min_items: int = 3  # short items set apart by bars or bullets on one line: a menu...
    menu_item_max_words: int = 4  # ...when none is longer than this or ends a clause


@dataclass(frozen=True)
class ThreadThresholds:
    """Named thresholds of the comment-thread stages (threads.py)."""

    quote_min_words: int = 4  # shorter repeated lines ("Thanks!") may be a poster's own words
    article_min_chars: int = 300  # prose of the article that must lie above a thread's start
    header_article_min_chars: int = 1000  # ...when only a short run of post headers, no heading, marks the start
    forum_min_hits: int = 3  # forum-signal rule hits that make a page a forum thread...
    forum_min_rules: int = 2  # ...from at least this many different rules
    forum_hit_min_words: int = 2  # one-word hits ("Share", "Reply", "Media") are too common off forums to count
    header_max_words: int = 16  # a post header is a short line
    headers_min: int = 2  # post headers that make a run of posts
    headers_long_run: int = 4  # a run this long is a thread even under a short article (article_min_chars is enough)
    count_heading_max_chars: int = 80  # a line that counts posts is a heading only when short
    listing_min_marks: int = 2  # repeated comment headings with prose between them: a listing, not a thread
    min_thread_words: int = 10  # a thread extracted apart with fewer words left after the chrome rules is none


@dataclass(frozen=True)
class Options:
    """What a run was asked for; picklable so worker processes rebuild the same Cleaner."""

    rules_dirs: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    builtin_rules: bool = True
    timeout: float = 30.0  # seconds per document on the HTML path
    thresholds: TextThresholds = field(default_factory=TextThresholds)  # the text path's line heuristics
    html_thresholds: HtmlThresholds = field(default_factory=HtmlThresholds)
    thread_thresholds: ThreadThresholds = field(default_factory=ThreadThresholds)
    max_bytes: int = DEFAULT_MAX_BYTES  # per document (UTF-8); a larger one is a failure, never truncated; 0: no limit
    max_rule_share: float = 0.5  # a drop or strip rule may remove at most this share of a document's prose
    corpus: CorpusLines | None = None  # template lines counted over the whole input (`clean --corpus-lines`)
    models_dir: str | None = None  # folder of the learned parts' model files; None: the ones shipped in the package
    text_format: str = "text"  # "markdown": the article keeps headings, lists and tables (cleaner/markdown.py)
    links: bool = False  # with markdown: links stay links
