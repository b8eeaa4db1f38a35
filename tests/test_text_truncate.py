"""Truncate rules cut the page only after the article has begun, and never empty it."""

from __future__ import annotations

from cleaner import Document, Kind

PROSE = [
    "The council voted on Tuesday to extend the library's opening hours through the winter months.",
    "Residents had asked for longer hours for years, saying the building was the only warm place to study.",
    "The extension will cost about forty thousand dollars, which the council plans to take from the parks budget.",
    "Several members objected to the move, arguing that the parks had already lost money in the last budget.",
]


def clean(cleaner, lines):
    return cleaner.clean(Document("t", Kind.TEXT, "\n\n".join(lines)))


def test_marker_in_the_menu_above_the_article_does_not_truncate(cleaner):
    cookie = "We use cookies to improve your experience on our website and to show you relevant ads."
    result = clean(cleaner, [cookie, "Related", "Most Popular", "Council extends library hours"] + PROSE)
    for sentence in PROSE:
        assert sentence in result.text
    assert "held_back" not in result.meta
    assert any(r.rule == "web/teasers/you-may-like" and r.text == "Related" for r in result.removed)


def test_marker_after_the_article_drops_everything_after_it(cleaner):
    teaser = "Another story about the mayor's plan to rebuild the old bridge across the river next spring."
    result = clean(cleaner, ["Council extends library hours"] + PROSE + ["Next Post", teaser])
    assert PROSE[-1] in result.text
    assert teaser not in result.text
    assert any(r.rule == "web/teasers/next-post" and r.text == teaser for r in result.removed)


def test_marker_that_would_empty_the_article_is_held_back(cleaner):
    result = clean(cleaner, ["Council extends library hours", PROSE[0], "You May Like"] + PROSE[1:] * 3)
    for sentence in PROSE:
        assert sentence in result.text
    assert result.meta["held_back"] == ["web/teasers/you-may-like"]


def test_a_thread_after_the_truncated_article_survives(cleaner):
    comment = "I have been going to that library for years and this is wonderful news for the students."
    result = clean(cleaner, ["Council extends library hours"] + PROSE + ["Next Post", "Teaser title here",
                                                                         "3 Comments", comment])
    assert [p.text for p in result.comments] == [comment]
    assert comment not in result.text


def test_a_marker_after_the_thread_still_cuts_the_sidebar_when_the_article_was_cut_too(cleaner):
    comment = "I have been going to that library for years and this is wonderful news for the students."
    sidebar = "Ten reasons why the old bridge across the river should be rebuilt before next spring"
    result = clean(cleaner, ["Council extends library hours"] + PROSE + ["Next Post", "Teaser title here",
                                                                         "3 Comments", comment, "Popular Posts", sidebar])
    assert [p.text for p in result.comments] == [comment]
    assert sidebar not in result.text
    assert any(r.rule == "web/teasers/you-may-like" and r.text == sidebar for r in result.removed)
