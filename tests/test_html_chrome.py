"""The HTML path before extraction: teaser link lists leave, lists of the article's own words stay."""

from __future__ import annotations

import lxml.html

from cleaner.html import prune, selectors
from cleaner import text
from cleaner.model import Document, Kind
from cleaner.pipeline import Cleaner, Options

PARAGRAPHS = [
    "The ferry across the lake ran twice a day in summer, and the older islanders still remember waiting for it "
    "on the stone pier with baskets of eggs and cheese for the market.",
    "When the bridge opened the ferry stopped, but a group of volunteers restored the boat and now takes visitors "
    "across on Sundays, telling them the story of the crossing.",
]
TEASERS = ["Island school reopens after storm", "Ten walks around the lake", "The last lighthouse keeper"]


def teaser_list(n: int = len(TEASERS)) -> str:
    return "<ul>" + "".join(f'<li><a href="/{i}">{t}</a></li>' for i, t in enumerate(TEASERS[:n])) + "</ul>"


def tree(fragment: str):
    return lxml.html.fromstring(f"<html><body>{fragment}</body></html>")


def test_a_list_of_links_is_a_link_list():
    assert prune.is_link_list(tree(teaser_list()).find(".//ul"))


def test_a_list_with_half_its_words_linked_is_a_link_list():
    items = "".join(f'<li>{t}, <a href="/{i}">read the story</a></li>' for i, t in enumerate(["Storm", "Walks", "Keeper"]))
    assert prune.is_link_list(tree(f"<ul>{items}</ul>").find(".//ul"))


def test_a_list_of_prose_items_with_a_link_is_not():
    items = "".join(f'<li>{p} <a href="/x">source</a></li>' for p in PARAGRAPHS + PARAGRAPHS)
    assert not prune.is_link_list(tree(f"<ol>{items}</ol>").find(".//ol"))


def test_two_linked_items_are_too_few():
    assert not prune.is_link_list(tree(teaser_list(2)).find(".//ul"))


def test_an_item_without_a_link_keeps_the_list():
    items = teaser_list().replace("</ul>", "<li>Tickets at the harbour office</li></ul>")
    assert not prune.is_link_list(tree(items).find(".//ul"))


def test_teaser_list_leaves_the_article_with_a_reason():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = f"<html><body><article><h1>The lake ferry</h1>{body}<h3>More stories</h3>{teaser_list()}</article></body></html>"
    cleaned = Cleaner(Options()).clean(Document("ferry", Kind.HTML, page))
    assert "ferry across the lake" in cleaned.text
    assert not any(t in cleaned.text for t in TEASERS)
    assert any(r.rule == "heuristic/link-list" for r in cleaned.removed)


def mt_page(posts: int = 3, sidebar: str = "<div class='side'><p>Archives by date</p><p>Blog menu</p></div>") -> str:
    """A Movable Type entry: the comments heading alone, the posts as its siblings, then the sidebar."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 2)
    comments = "".join(
        f'<div id="c{i}"><p>I rode that ferry as a child, and post {i} remembers the smell of the engine and the gulls.</p></div>'
        f'<p class="posted">Posted by: reader{i} at May {i + 1}, 2012 1:56 PM</p>' for i in range(posts))
    return (f"<html><body><div id='main'><h1>The lake ferry</h1>{body}"
            f"<h2 id='comments'>Comments</h2>{comments}<form><textarea></textarea></form></div>{sidebar}</body></html>")


def test_posts_after_a_lone_comments_heading_become_comments():
    cleaned = Cleaner(Options()).clean(Document("mt", Kind.HTML, mt_page()))
    assert "ferry across the lake" in cleaned.text
    assert "remembers the smell" not in cleaned.text
    assert any("remembers the smell" in p.text for p in cleaned.comments)


def test_a_lone_heading_without_repeated_posts_takes_nothing():
    page = lxml.html.fromstring("<html><body><h2 id='comments'>Comments</h2><p>One closing note of the author.</p></body></html>")
    assert selectors.thread_after_heading(page.get_element_by_id("comments")) == []


def test_the_thread_ends_at_the_comment_form():
    page = lxml.html.fromstring(mt_page())
    parts = selectors.thread_after_heading(page.get_element_by_id("comments"))
    assert len(parts) == 6 and all(p.tag in ("div", "p") for p in parts)


def test_what_follows_a_thread_leaves_with_a_reason():
    cleaned = Cleaner(Options()).clean(Document("mt", Kind.HTML, mt_page()))
    assert "Archives by date" not in cleaned.text
    assert any(r.rule == "heuristic/after-thread" for r in cleaned.removed)


def test_a_short_thread_does_not_end_the_page():
    tree_ = lxml.html.fromstring(mt_page(posts=1))
    thread = selectors.selectors_for(Cleaner(Options()).rulebook).thread(tree_)
    assert prune.drop_after_thread(tree_, thread) == []


def test_a_list_of_cards_is_a_link_list():
    cards = "".join(f'<li><h3><a href="/{i}">{t}</a></h3><h4>A short blurb on the story</h4></li>' for i, t in enumerate(TEASERS))
    assert prune.is_link_list(tree(f"<ul>{cards}</ul>").find(".//ul"))


def test_a_list_with_long_items_under_linked_headings_is_not():
    items = "".join(f'<li><h3><a href="/{i}">Step {i}</a></h3><p>{PARAGRAPHS[0]} {PARAGRAPHS[1]}</p></li>' for i in range(3))
    assert not prune.is_link_list(tree(f"<ul>{items}</ul>").find(".//ul"))


# --------------------------------------------------------------------------- menus on one line

def test_short_items_set_apart_by_bars_are_a_menu():
    assert text.is_menu_line("Home | News | Sport | Weather")
    assert text.is_menu_line("| Overview \\| Organisation \\| History |")  # a bar inside a table cell comes escaped
    assert text.is_menu_line("| Research \\| Papers \\| Reports | Menu |")


def test_a_data_row_and_a_sentence_with_bars_are_not_menus():
    assert not text.is_menu_line("| Name | Address | Phone |")  # cells of a table, no bars written inside one
    assert not text.is_menu_line("He said: yes | no | maybe. Then he left the room without another word.")
    assert not text.is_menu_line("| The ferry ran twice a day in summer and once in winter | Mon \\| Wed \\| Fri |")
    assert not text.is_menu_line("News | Sport")  # two items: a title and its section, not a menu


def test_a_menu_in_the_body_leaves_with_a_reason():
    menu = "<p>Overview | Organisation | Activities | History</p>"
    page = f"<html><body><article>{menu}" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article></body></html>"
    result = Cleaner(Options()).clean(Document("m.html", Kind.HTML, page))
    assert all(p in result.text for p in PARAGRAPHS) and "Organisation" not in result.text
    assert any(r.rule == "heuristic/menu-line" and "Organisation" in r.text for r in result.removed)
