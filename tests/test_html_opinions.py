"""html/opinions.py: a short body checked against jusText's paragraphs around it, against the page with its layout
tables kept, and against trafilatura's precision mode placed in the page by the title's heading."""

from types import SimpleNamespace

import lxml.html

from cleaner.html import opinions, prune

PROSE = ("{n} The council met on Tuesday evening and talked for a long time about the state of the old bridge "
         "over the river, which has been closed to heavy traffic since the spring floods of last year.")


def _page(paragraphs: int, sidebar: str = "") -> lxml.html.HtmlElement:
    body = "".join(f"<p>{PROSE.format(n=f'Part {i} of the story is here for all of us to read.')}</p>"
                   for i in range(paragraphs))
    return lxml.html.fromstring(f"<html><body><div id='main'>{body}</div>{sidebar}</body></html>")


def test_page_chars_leaves_out_scripts_and_styles():
    tree = lxml.html.fromstring("<html><head><style>p { color: red }</style></head><body><p>Ten chars.</p>"
                                "<script>var x = 'a long script that the reader never sees';</script></body></html>")
    assert opinions.page_chars(tree) == len("Ten chars.")


def test_rewrap_undoes_unwrapping():
    tree = lxml.html.fromstring("<html><body><table><tr><td><p>Menu</p></td><td><p>Text</p></td></tr></table></body></html>")
    changed = prune.unwrap_layout_tables(tree)
    assert changed and tree.find(".//table") is None
    prune.rewrap(changed)
    assert tree.find(".//table") is not None and len(tree.findall(".//td")) == 2


def test_justext_opinion_takes_the_page_a_short_body_cut_off():
    tree = _page(8)
    first = tree.find(".//p").text_content()
    body, removed = opinions.justext_opinion(tree, first, opinions.page_chars(tree))
    assert len(body) > 5 * len(first) and first in body and "Part 7 of the story" in body
    assert not removed


def test_justext_opinion_leaves_out_prose_beside_the_body_container():
    aside = "".join(f"<p>{PROSE.format(n=f'Sidebar note {i} tells about another thing entirely.')}</p>" for i in range(2))
    tree = _page(8, f"<div class='side'>{aside}</div>")
    first = tree.find(".//p").text_content()
    body, _removed = opinions.justext_opinion(tree, first, opinions.page_chars(tree))
    assert "Part 7 of the story" in body and "Sidebar note" not in body


def test_justext_opinion_keeps_a_body_that_covers_the_page():
    tree = _page(3)
    text = "\n".join(p.text_content() for p in tree.iter("p"))
    assert opinions.justext_opinion(tree, text, opinions.page_chars(tree)) == (text, ())


def test_justext_opinion_keeps_the_body_when_the_rest_of_the_page_is_elsewhere():
    aside = "".join(f"<p>{PROSE.format(n=f'Sidebar note {i} tells about another thing entirely.')}</p>" for i in range(8))
    tree = _page(1, f"<div class='side'>{aside}</div>")
    first = tree.find(".//p").text_content()
    assert opinions.justext_opinion(tree, first, opinions.page_chars(tree)) == (first, ())


def test_tables_opinion_leaves_a_long_body_and_the_unwrapped_tree_alone():
    tree = lxml.html.fromstring("<html><body><table><tr><td><p>Menu</p></td><td><p>" + PROSE.format(n="Today")
                                + "</p></td></tr></table></body></html>")
    changed = prune.unwrap_layout_tables(tree)
    result = SimpleNamespace(text=PROSE.format(n="Today"), comments="")
    assert opinions.tables_opinion(tree, changed, result, None, opinions.page_chars(tree)) is result
    assert tree.find(".//table") is None


def test_tables_opinion_keeps_the_body_when_the_tables_add_too_little():
    cell = PROSE.format(n="Today")
    tree = lxml.html.fromstring(f"<html><body><table><tr><td><p>Home</p></td><td><p>{cell}</p></td></tr></table>"
                                f"<footer>{'<p>Footer words here.</p>' * 30}</footer></body></html>")
    changed = prune.unwrap_layout_tables(tree)
    result = SimpleNamespace(text=cell, comments="")
    shown = opinions.page_chars(tree)
    assert len(cell) < opinions.DEFAULT.tables_check_share * shown  # the check runs
    assert opinions.tables_opinion(tree, changed, result, None, shown) is result
    assert tree.find(".//table") is None  # back to divs, as the body was extracted


# --------------------------------------------------------------------------- precision mode, placed by the title

BIO = "I live and I learn and I teach, and here I share my creativity and the creativity of others every day."
POST = "Repurposing old food tins as lamps is a creative idea that anyone can try at home this weekend."
SIDEBAR = ["Archive of every post since the blog began", "Subscribe to the feed by email today"]
URL = "http://blog.example.org/food-tins"


def page(heading: str = '<h2><a href="http://blog.example.org/food-tins">Food tin lamps</a></h2>') -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        "<html><body><div id='content'>"
        f"<div class='about'><div class='profile'><p>{BIO}</p></div></div>"
        f"<div class='sidebar'><ul><li>{SIDEBAR[0]}</li><li>{SIDEBAR[1]}</li></ul></div>"
        f"<div id='entries'><div class='entry'>{heading}<div class='meta'>July 11th</div>"
        f"<div class='content'><p>{POST}</p><p>It takes an hour and a drill.</p></div></div></div>"
        "</div></body></html>")


def body(tree):
    return tree.find("body")


# --------------------------------------------------------------------------- placing text


def test_a_line_is_placed_at_the_element_that_holds_it():
    tree = page()
    found = opinions.TextMap(body(tree)).locate(POST)
    assert found is not None and found.tag == "p" and found.getparent().get("class") == "content"


def test_a_line_of_two_words_is_not_placed():
    assert opinions.TextMap(body(page())).locate("July 11th") is None


def test_a_line_not_in_the_page_is_not_placed():
    assert opinions.TextMap(body(page())).locate("A sentence that the page does not hold anywhere at all.") is None


# --------------------------------------------------------------------------- the title's heading


def test_the_heading_linking_to_the_page_itself_is_the_title_heading():
    found = opinions.title_headings(body(page()), "I Geek for Creativity", URL)
    assert [h.tag for h in found] == ["h2"]


def test_a_heading_that_names_the_title_without_a_link_counts():
    tree = page("<h1>Food tin lamps</h1>")
    assert [h.tag for h in opinions.title_headings(body(tree), "Food tin lamps | My Blog", "")] == ["h1"]


def test_a_banner_heading_linking_home_is_not_the_title_heading():
    tree = page('<h1><a href="http://blog.example.org/">My Blog</a></h1>')
    assert opinions.title_headings(body(tree), "My Blog", URL) == []


# --------------------------------------------------------------------------- reconciling two bodies


def test_of_two_unrelated_bodies_the_one_beside_the_title_heading_wins():
    tree = page()
    root = body(tree)
    headings = opinions.title_headings(root, "Food tin lamps", URL)
    text, removed = opinions.reconcile(BIO, f"{POST}\nIt takes an hour and a drill.", opinions.TextMap(root), headings)
    assert POST in text and BIO not in text
    assert [r.rule for r in removed] == ["heuristic/off-title"] and removed[0].text == BIO


def test_the_generous_body_stays_when_it_is_the_one_beside_the_heading():
    tree = page()
    root = body(tree)
    headings = opinions.title_headings(root, "Food tin lamps", URL)
    generous = f"{POST}\nIt takes an hour and a drill."
    text, removed = opinions.reconcile(generous, BIO, opinions.TextMap(root), headings)
    assert text == generous and removed == []


def test_lines_from_outside_the_article_leave_and_lines_from_inside_it_stay():
    tree = page()
    root = body(tree)
    headings = opinions.title_headings(root, "Food tin lamps", URL)
    generous = "\n".join([POST, "It takes an hour and a drill.", *SIDEBAR])
    text, removed = opinions.reconcile(generous, POST, opinions.TextMap(root), headings)
    assert POST in text and "It takes an hour and a drill." in text
    assert not any(line in text for line in SIDEBAR)
    assert {r.text for r in removed} == set(SIDEBAR) and {r.rule for r in removed} == {"heuristic/outside-article"}


def test_partly_overlapping_bodies_are_left_as_they_are():
    tree = page()
    root = body(tree)
    headings = opinions.title_headings(root, "Food tin lamps", URL)
    generous = "\n".join([POST, *SIDEBAR])
    text, removed = opinions.reconcile(generous, f"{POST}\n{BIO}\nSomething else again, of some length here.",
                                   opinions.TextMap(root), headings)
    assert text == generous and removed == []


# --------------------------------------------------------------------------- when a second opinion is asked for


class _Precise:
    def __init__(self, text: str):
        self.text = text


def _precision_mode(monkeypatch, text: str) -> list:
    import trafilatura

    calls = []

    def fake(tree, **kwargs):
        calls.append(kwargs)
        return _Precise(text)

    monkeypatch.setattr(trafilatura, "bare_extraction", fake)
    return calls


def test_an_author_box_picked_for_a_short_post_gives_way_to_the_post(monkeypatch):
    calls = _precision_mode(monkeypatch, f"{POST}\nIt takes an hour and a drill.")
    text, removed = opinions.second_opinion(page(), BIO, {"title": "Food tin lamps", "url": URL}, URL)
    assert calls and calls[0].get("favor_precision") is True
    assert POST in text and BIO not in text and removed[0].rule == "heuristic/off-title"


def test_a_long_body_is_taken_as_it_is(monkeypatch):
    calls = _precision_mode(monkeypatch, POST)
    long_body = " ".join([BIO] * (opinions.DEFAULT.second_opinion_max_words // 10))
    assert opinions.second_opinion(page(), long_body, {"title": "Food tin lamps", "url": URL}, URL) == (long_body, ())
    assert calls == []


def test_without_a_title_heading_no_second_extraction_runs(monkeypatch):
    calls = _precision_mode(monkeypatch, POST)
    assert opinions.second_opinion(page("<h2>Something else</h2>"), BIO, {"title": "Food tin lamps"}, None) == (BIO, ())
    assert calls == []


def test_lines_outside_that_outweigh_the_article_in_prose_stay():
    tree = lxml.html.fromstring(
        "<html><body><div id='main'><div class='post'><h1>Food tin lamps</h1><p>" + POST + "</p></div>"
        "<div class='thread'>" + "".join(f"<p>{BIO} Reply number {i} follows here.</p>" for i in range(3)) +
        "</div></div></body></html>")
    root = body(tree)
    headings = opinions.title_headings(root, "Food tin lamps", "")
    replies = [f"{BIO} Reply number {i} follows here." for i in range(3)]
    generous = "\n".join([POST, *replies])
    text, removed = opinions.reconcile(generous, POST, opinions.TextMap(root), headings)
    assert text == generous and removed == []
    text, removed = opinions.reconcile("\n".join([POST, replies[0][:60]]), POST, opinions.TextMap(root), headings)
    assert len(removed) == 1  # a short line from outside still leaves
