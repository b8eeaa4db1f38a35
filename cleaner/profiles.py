"""Extraction profiles: what the HTML path (and in one switch the text path) does differently on each page type.

An article is what every stage was built for. A listing's or a collection's content is its repeated,
linked items, which the teaser-list prune and trafilatura's link-density checks take for chrome; a
forum's posts are the content, not comments beside it; a service page's sections are all content.
A profile names the switches a page type flips; `for_type` gives the one for a page-type guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .model import PageType


@dataclass(frozen=True)
class Profile:
    """Switches of the HTML path and the text path's outside_core; the defaults are the article flow."""

    favor: str = "recall"  # trafilatura's mode: recall, balanced or precision
    link_lists: bool = True  # drop teaser link lists before extraction
    opinions: bool = True  # second opinions on a short or narrow body (jusText, tables kept, precision mode)
    truncate: bool = True  # the text flow's cut at a closing marker ("Related posts", "Share this")
    menu_lines: bool = True  # drop menus that came through on one line
    loose_posts: bool = False  # replies marked one by one, outside a thread container, leave as comments
    learned_blocks: bool = False  # the block scorer puts back content blocks trafilatura left out
    outside_core: bool = False  # text path: prose outside the article core stays (posts, items, sections)

    def trafilatura_options(self) -> dict:
        return {"favor_recall": self.favor == "recall", "favor_precision": self.favor == "precision"}


ARTICLE = Profile()
FAVOR_MODES = ("recall", "balanced", "precision")

# Chosen on one half of wcxb-dev by domain and scored on the other (and the other way round); the old
# three sets must not lose. See README's page-type table.
# Recall mode takes one block of a thread, a product page or a service page where the balanced mode
# takes the whole (all posts, description and specifications, every section).
# On every type but the article, trafilatura keeps an intro and loses items, cards and sections: the learned
# block scorer puts them back (on articles, whose body trafilatura mostly has whole, it moved no set by more
# than 0.0011 and cost the HTML path 30% more time; docs/quality.md).
# On the text path every type but the article keeps the prose outside the article core: its content is
# posts, items and sections, not one stretch of prose (wcxb-dev 0.752 to 0.763, both halves gaining;
# docs/quality.md).
BALANCED = Profile(favor="balanced", learned_blocks=True, outside_core=True)
# A forum thread's replies are comments and its opening post the article, also where the software marks
# each reply (schema.org Comment) without a container around them all.
FORUM = Profile(favor="balanced", loose_posts=True, learned_blocks=True, outside_core=True)
# A grid's or a list's items are linked cards: the teaser-list prune took them for "related stories".
ITEMS = Profile(link_lists=False, learned_blocks=True, outside_core=True)
DOCS = Profile(learned_blocks=True, outside_core=True)
PROFILES: Mapping[PageType, Profile] = {
    PageType.ARTICLE: ARTICLE,
    PageType.FORUM: FORUM,
    PageType.PRODUCT: BALANCED,
    PageType.SERVICE: BALANCED,
    PageType.COLLECTION: ITEMS,
    PageType.LISTING: ITEMS,
    PageType.DOCUMENTATION: DOCS,
}


def for_type(page_type: PageType | None, profiles: Mapping[PageType, Profile] = PROFILES) -> Profile:
    """The profile of a page type; the article one when the type is unknown or has no profile of its own."""
    return profiles.get(page_type, ARTICLE) if page_type is not None else ARTICLE
