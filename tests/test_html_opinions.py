"""The HTML path's checks of a short body: jusText's paragraphs around it, and the page with its layout tables kept."""

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
