"""What a run was asked for: Options, and the named thresholds of the line heuristics, all frozen."""

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
class Options:
    """What a run was asked for; picklable so worker processes rebuild the same Cleaner."""

    rules_dirs: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    builtin_rules: bool = True
    timeout: float = 30.0  # seconds per document on the HTML path
    thresholds: TextThresholds = field(default_factory=TextThresholds)
    max_bytes: int = DEFAULT_MAX_BYTES  # per document (UTF-8); a larger one is a failure, never truncated; 0: no limit
    max_rule_share: float = 0.5  # a drop or strip rule may remove at most this share of a document's prose
    corpus: CorpusLines | None = None  # template lines counted over the whole input (`clean --corpus-lines`)
    models_dir: str | None = None  # folder of the learned parts' model files; None: the ones shipped in the package
