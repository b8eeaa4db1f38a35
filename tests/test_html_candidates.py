"""The HTML path's second opinion: a short recall-mode body checked against precision mode,
placed in the page by the title's heading; and hidden copies of the article."""

from __future__ import annotations

import lxml.html

from cleaner.html import opinions, prune
from cleaner.model import Document, Kind

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
