"""The HTML path before extraction (html/prune.py and the thread cut of html/selectors.py): layout tables read
as page blocks, data tables stay tables; teaser link lists leave, lists of the article's own words stay."""

from __future__ import annotations

import lxml.html

from cleaner.html import prune, selectors
from cleaner.model import Document, Kind
from cleaner.pipeline import Cleaner, Options
from cleaner.text import is_menu_line

PARAGRAPHS = [
    "The ferry across the lake ran twice a day in summer, and the older islanders still remember waiting for it "
    "on the stone pier with baskets of eggs and cheese for the market.",
    "When the bridge opened the ferry stopped, but a group of volunteers restored the boat and now takes visitors "
    "across on Sundays, telling them the story of the crossing.",
    "Tickets are sold in the harbour office, and the money goes to the upkeep of the boat and of the small museum "
    "beside the pier where the old timetables hang.",
]
MENU = ["Home", "Boats", "Timetable", "Contact"]


def layout_page() -> str:
    menu = "".join(f'<p><a href="/{m.lower()}">{m}</a></p>' for m in MENU)
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f"<html><body><table><tr><td>{menu}</td><td><h1>The lake ferry</h1>{body}</td></tr>"
            "<tr><td colspan='2'>Copyright the island society</td></tr></table></body></html>")


def tree(fragment: str):
    return lxml.html.fromstring(f"<html><body>{fragment}</body></html>")


def test_a_table_whose_cells_hold_paragraphs_is_layout():
    assert prune.is_layout_table(tree("<table><tr><td><p>One</p><p>Two</p></td></tr></table>").find(".//table"))


def test_a_table_of_plain_cells_is_data():
    data = tree("<table><tr><th>Year</th><th>Boats</th></tr><tr><td>1950</td><td><b>4</b></td></tr></table>")
    assert not prune.is_layout_table(data.find(".//table"))


def test_unwrap_turns_layout_parts_into_divs_and_leaves_a_nested_data_table():
    root = tree("<table><tbody><tr><td><p>Intro</p><table><tr><td>1950</td><td>4</td></tr></table></td></tr>"
                "</tbody></table>")
    prune.unwrap_layout_tables(root)
    tables = root.findall(".//table")
    assert len(tables) == 1 and [c.text for c in tables[0].iter("td")] == ["1950", "4"]
    assert root.find(".//tbody") is None and root.find(".//p").getparent().tag == "div"


def test_paragraphs_of_a_layout_table_come_out_as_lines_of_their_own(cleaner):
    result = cleaner.clean(Document("ferry.html", Kind.HTML, layout_page()))
    lines = result.text.split("\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in lines
    assert not any(m in line for m in MENU for line in lines if len(line) > 100)


# --------------------------------------------------------------------------- posts inside a post

OTHER_POSTS = [
    "Gratitude lives in the small things, in the first coffee of the day and in the friend who calls back "
    "when she says she will, and we forget it far too easily.",
    "A family is held together by patience more than by blood, by the meals eaten at one table and the "
    "arguments that end before anyone goes to sleep.",
]


def nested_posts_page() -> str:
    others = "".join(f'<article class="post postbox post-{700 + i}"><p>{p}</p></article>' for i, p in enumerate(OTHER_POSTS))
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f'<html><body><article class="post type-post post-42"><h1>The lake ferry</h1>{body}'
            f'<div class="more">{others}</div></article></body></html>')


def test_posts_nested_in_a_post_leave_with_their_text_recorded():
    root = lxml.html.fromstring(nested_posts_page())
    removed = prune.drop_nested_posts(root)
    assert [r.rule for r in removed] == ["heuristic/nested-post"] * 2
    assert all(p in " ".join(r.text for r in removed) for p in OTHER_POSTS)
    assert root.find(".//article").get("class").endswith("post-42") and len(root.findall(".//article")) == 1


def test_the_same_post_nested_in_itself_and_a_lone_post_stay():
    root = tree('<article class="post-7"><div class="entry post-7"><p>One</p></div></article>'
                '<article class="post-8"><p>Two</p></article>')
    assert prune.drop_nested_posts(root) == [] and len(root.findall(".//p")) == 2


def test_the_article_comes_out_without_the_posts_nested_in_it(cleaner):
    result = cleaner.clean(Document("ferry.html", Kind.HTML, nested_posts_page()))
    assert all(p in result.text for p in PARAGRAPHS)
    assert not any(p[:40] in result.text for p in OTHER_POSTS)


REVIEWS = [
    ("Harbour Lights", "The first game of the lot opens in the middle of a storm, and the writing carries the tension "
                       "well until the puzzles start to repeat themselves near the lighthouse."),
    ("Glass Garden", "A quiet piece about a greenhouse and the family that keeps it, with gentle puzzles and a "
                     "closing scene that stays with you long after the last move."),
    ("Night Train", "Ambitious but unfinished, the game lets you roam a sleeping train and talk to the passengers, "
                    "though half of them have nothing to say yet."),
]


def loose_page() -> str:
    """An old page: each review is loose text after its heading (inside an unclosed anchor), then
    unclosed <p> tags for the verdict and the rating."""
    parts = "".join(f'<hr>\n<a name="r{i}"><h2><a href="/game{i}">{name}</a> by a reviewer</h2>\n\n{text}\n\n'
                    f'<p>\nVerdict on {name}: worth an evening, hints and all, for most players.\n\n<p>\n<b>Rating: {i + 5}</b>\n\n'
                    for i, (name, text) in enumerate(REVIEWS))
    return f"<html><body><h1>Competition reviews, page four</h1>\n{parts}<hr></body></html>"


def test_loose_text_after_a_block_becomes_a_paragraph():
    root = tree("<div><h2>Heading</h2>A line of loose text that runs on for more than ten words here. "
                "<i>More</i> of it.<p>Next</p></div>")
    prune.wrap_loose_text(root)
    div = root.find(".//div")
    assert [el.tag for el in div] == ["h2", "p", "p"]
    assert div[1].text_content().startswith("A line of loose text") and div[1].text_content().endswith("of it.")
    assert not (div[0].tail or "").strip()


def test_short_loose_text_and_text_inside_paragraphs_stay_as_they_are():
    root = tree("<div><h2>Heading</h2> by Ann <p>First<br>second part of the paragraph, long enough to count "
                "as a paragraph of its own here</p></div>")
    prune.wrap_loose_text(root)
    div = root.find(".//div")
    assert [el.tag for el in div] == ["h2", "p"] and div[0].tail.strip() == "by Ann"
    assert [el.tag for el in div[1]] == ["br"]


def test_a_container_with_loose_text_gets_its_leading_text_as_a_paragraph_too():
    root = tree("<div>The opening sentence of the article, written straight into the container itself."
                "<div class='br'></div>The second sentence, also loose, follows an empty block that stands for a break.</div>")
    prune.wrap_loose_text(root)
    div = root.find(".//div")
    assert [el.tag for el in div] == ["p", "div", "p"] and not (div.text or "").strip()


def test_every_loose_review_comes_out(cleaner):
    text = cleaner.clean(Document("reviews", Kind.HTML, loose_page())).text
    for _name, review in REVIEWS:
        assert review in text
    assert sum(text.count(review) for _name, review in REVIEWS) == len(REVIEWS)  # each once


TWEET = ("The new ferry timetable is out and the Sunday crossing is back for the whole summer season "
         "at last, see you on the pier")


def tweet_page(wrapper_class: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f'<html><body><article><h1>The lake ferry</h1>{body}<div class="{wrapper_class}">'
            f'<blockquote class="twitter-tweet"><p>{TWEET}</p>— Harbour Office (@harbour) '
            f'<a href="https://twitter.com/harbour/status/1">June 3, 2019</a></blockquote>'
            '<script src="https://platform.twitter.com/widgets.js"></script></div>'
            '<div class="social-share"><a>Share on Facebook</a></div></article></body></html>')


def test_an_embedded_tweet_loses_only_its_own_wrappers_classes():
    root = lxml.html.fromstring(tweet_page("social-media-embed"))
    assert prune.keep_embedded_tweets(root) == 1
    assert root.find(".//blockquote").getparent().get("class") is None
    assert root.find(".//article").getnext() is None and root.find(".//div[@class='social-share']") is not None


def test_an_embedded_tweet_quoted_by_the_article_stays_in_it(cleaner):
    for wrapper in ("social-media-embed", "article-widget article-tweet"):
        result = cleaner.clean(Document("ferry.html", Kind.HTML, tweet_page(wrapper)))
        assert TWEET in result.text and PARAGRAPHS[0] in result.text


def test_an_html_comment_beside_the_tweet_does_not_keep_its_wrapper_classed():
    page = tweet_page("social-media-embed").replace('<blockquote class="twitter-tweet">',
                                                    '<!-- embed start --><blockquote class="twitter-tweet">')
    root = lxml.html.fromstring(page)
    assert prune.keep_embedded_tweets(root) == 1
    assert root.find(".//blockquote").getparent().get("class") is None


# --------------------------------------------------------------------------- teaser lists, threads, menus

TWO_PARAGRAPHS = [
    "The ferry across the lake ran twice a day in summer, and the older islanders still remember waiting for it "
    "on the stone pier with baskets of eggs and cheese for the market.",
    "When the bridge opened the ferry stopped, but a group of volunteers restored the boat and now takes visitors "
    "across on Sundays, telling them the story of the crossing.",
]
TEASERS = ["Island school reopens after storm", "Ten walks around the lake", "The last lighthouse keeper"]


def teaser_list(n: int = len(TEASERS)) -> str:
    return "<ul>" + "".join(f'<li><a href="/{i}">{t}</a></li>' for i, t in enumerate(TEASERS[:n])) + "</ul>"


def test_a_list_of_links_is_a_link_list():
    assert prune.is_link_list(tree(teaser_list()).find(".//ul"))


def test_a_list_with_half_its_words_linked_is_a_link_list():
    items = "".join(f'<li>{t}, <a href="/{i}">read the story</a></li>' for i, t in enumerate(["Storm", "Walks", "Keeper"]))
    assert prune.is_link_list(tree(f"<ul>{items}</ul>").find(".//ul"))


def test_a_list_of_prose_items_with_a_link_is_not():
    items = "".join(f'<li>{p} <a href="/x">source</a></li>' for p in TWO_PARAGRAPHS + TWO_PARAGRAPHS)
    assert not prune.is_link_list(tree(f"<ol>{items}</ol>").find(".//ol"))


def test_two_linked_items_are_too_few():
    assert not prune.is_link_list(tree(teaser_list(2)).find(".//ul"))


def test_an_item_without_a_link_keeps_the_list():
    items = teaser_list().replace("</ul>", "<li>Tickets at the harbour office</li></ul>")
    assert not prune.is_link_list(tree(items).find(".//ul"))


def test_teaser_list_leaves_the_article_with_a_reason():
    body = "".join(f"<p>{p}</p>" for p in TWO_PARAGRAPHS)
    page = f"<html><body><article><h1>The lake ferry</h1>{body}<h3>More stories</h3>{teaser_list()}</article></body></html>"
    cleaned = Cleaner(Options()).clean(Document("ferry", Kind.HTML, page))
    assert "ferry across the lake" in cleaned.text
    assert not any(t in cleaned.text for t in TEASERS)
    assert any(r.rule == "heuristic/link-list" for r in cleaned.removed)


def mt_page(posts: int = 3, sidebar: str = "<div class='side'><p>Archives by date</p><p>Blog menu</p></div>") -> str:
    """A Movable Type entry: the comments heading alone, the posts as its siblings, then the sidebar."""
    body = "".join(f"<p>{p}</p>" for p in TWO_PARAGRAPHS * 2)
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
    items = "".join(f'<li><h3><a href="/{i}">Step {i}</a></h3><p>{TWO_PARAGRAPHS[0]} {TWO_PARAGRAPHS[1]}</p></li>' for i in range(3))
    assert not prune.is_link_list(tree(f"<ul>{items}</ul>").find(".//ul"))


# --------------------------------------------------------------------------- menus on one line

def test_short_items_set_apart_by_bars_are_a_menu():
    assert is_menu_line("Home | News | Sport | Weather")
    assert is_menu_line("| Overview \\| Organisation \\| History |")  # a bar inside a table cell comes escaped
    assert is_menu_line("| Research \\| Papers \\| Reports | Menu |")


def test_a_data_row_and_a_sentence_with_bars_are_not_menus():
    assert not is_menu_line("| Name | Address | Phone |")  # cells of a table, no bars written inside one
    assert not is_menu_line("He said: yes | no | maybe. Then he left the room without another word.")
    assert not is_menu_line("| The ferry ran twice a day in summer and once in winter | Mon \\| Wed \\| Fri |")
    assert not is_menu_line("News | Sport")  # two items: a title and its section, not a menu


def test_a_menu_in_the_body_leaves_with_a_reason():
    menu = "<p>Overview | Organisation | Activities | History</p>"
    page = f"<html><body><article>{menu}" + "".join(f"<p>{p}</p>" for p in TWO_PARAGRAPHS) + "</article></body></html>"
    result = Cleaner(Options()).clean(Document("m.html", Kind.HTML, page))
    assert all(p in result.text for p in TWO_PARAGRAPHS) and "Organisation" not in result.text
    assert any(r.rule == "heuristic/menu-line" and "Organisation" in r.text for r in result.removed)


# --------------------------------------------------------------------------- hidden copies

ARTICLE = ("The council voted on Monday to keep the old library open for another five years, after a campaign "
           "by readers who filled the hall with letters and drawings from the children of the town.")


def test_a_hidden_copy_of_shown_text_leaves():
    tree = lxml.html.fromstring(f"<html><body><div class='story'><p>{ARTICLE}</p></div>"
                                f"<div class='story hidden'><p>{ARTICLE}</p></div></body></html>")
    removed = prune.drop_hidden_copies(tree)
    assert [r.rule for r in removed] == ["heuristic/hidden-copy"]
    assert len(tree.findall(".//p")) == 1 and tree.find(".//div").get("class") == "story"


def test_a_hidden_block_with_text_of_its_own_stays():
    tree = lxml.html.fromstring(f"<html><body><p>Short intro.</p><div class='more hide'><p>{ARTICLE}</p></div>"
                                "</body></html>")
    assert prune.drop_hidden_copies(tree) == [] and len(tree.findall(".//p")) == 2


def test_a_copy_that_is_not_hidden_is_not_this_rule_s_business():
    tree = lxml.html.fromstring(f"<html><body><div class='story'><p>{ARTICLE}</p></div>"
                                f"<div class='story hiddenish'><p>{ARTICLE}</p></div></body></html>")
    assert prune.drop_hidden_copies(tree) == []


def test_a_short_hidden_copy_stays():
    tree = lxml.html.fromstring("<html><body><p>Read more about it</p><div class='hidden'><p>Read more about it</p>"
                                "</div></body></html>")
    assert prune.drop_hidden_copies(tree) == []


def test_a_page_with_its_article_twice_comes_out_once(cleaner):
    doc = ("<html><head><title>Library stays open</title></head><body><article><h1>Library stays open</h1>"
           f"<div class='story'><p>{ARTICLE}</p><p>The mayor said the building would be repaired next spring.</p></div>"
           f"<div class='story hidden'><p>{ARTICLE}</p><p>The mayor said the building would be repaired next spring.</p>"
           "</div></article></body></html>")
    result = cleaner.clean(Document("twice.html", Kind.HTML, doc))
    assert result.text.count("The council voted") == 1


def qa_page() -> str:
    """A Q&A page: comments marked one by one as schema.org Comment under the question, answers after them."""
    def comment(i: int) -> str:
        return (f'<li itemprop="comment" itemscope itemtype="https://schema.org/Comment"><p>Comment {i}: did you check '
                f'the cable before you restarted the router, as the manual asks?</p></li>')

    question = "".join(f"<p>{p}</p>" for p in TWO_PARAGRAPHS)
    answer = "<p>The answer: the backup job stops because the disk is full, so clear the old snapshots first.</p>" * 3
    return (f"<html><body><div itemscope itemtype='https://schema.org/Question'><h1>Why does my backup stop?</h1>"
            f"{question}<ul>{comment(1)}{comment(2)}</ul></div>"
            f"<div itemscope itemtype='https://schema.org/Answer'>{answer}</div></body></html>")


def test_on_a_forum_page_replies_marked_one_by_one_become_comments_and_what_follows_stays():
    tree_ = lxml.html.fromstring(qa_page())
    compiled = selectors.selectors_for(Cleaner(Options()).rulebook)
    assert compiled.thread(tree_) is None  # an article's page keeps them: no container holds them
    thread = compiled.thread(tree_, loose_posts=True)
    assert thread is not None and thread.scattered and len(thread.boundaries) == 2
    assert any("Comment 2" in line for line in thread.lines)
    assert prune.drop_after_thread(tree_, thread) == []  # the answers after the last comment are content
    assert "the disk is full" in tree_.text_content() and "Comment 1" not in tree_.text_content()
