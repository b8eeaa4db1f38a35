"""Comment threads in flattened text: where they start, posts, quoted copies, and each threshold alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cleaner import Cleaner, Document, Kind, threads
from cleaner.lines import split_lines
from cleaner.model import Label, Page
from cleaner.options import Options, ThreadThresholds

ARTICLE = [
    "The council voted on Tuesday to extend the library's opening hours through the winter months.",
    "Residents had asked for longer hours for years, saying the building was the only warm place to study.",
    "The extension will cost about forty thousand dollars, which the council plans to take from the parks budget.",
    "Several members objected to the move, arguing that the parks had already lost money in the last budget.",
    "The mayor said the council would review the decision in the spring, once the first figures were in.",
    "Librarians welcomed the vote and said they would open a second reading room on the top floor.",
    "A group of students thanked the council in a letter that was read aloud at the start of the meeting.",
    "The new hours start next Monday and run until the end of March, when the council will vote again.",
    "Until then the building will close at ten in the evening instead of six, the library said in a note.",
    "The parks department said it would cut back on new planting to pay for its share of the cost.",
    "Several other towns in the county have made similar decisions over the last two winters.",
    "The library was built in 1912 and was last refurbished with money from a local charity in 2015.",
]
POSTS = [
    ("Ann Smith July 3, 2012 at 4:19 pm", "I have been going to that library for years and this is wonderful news for students."),
    ("Bob Jones says:", "Finally a sensible decision from the council, I hope they keep it after March."),
    ("Carol July 4, 2012 at 9:02 am", "The parks will suffer for this and nobody seems to care about that at all."),
]


def clean(cleaner, lines, sep="\n\n"):
    return cleaner.clean(Document("t", Kind.TEXT, sep.join(lines)))


def thread_lines(posts=POSTS):
    return [line for header, body in posts for line in (header, body)]


@pytest.mark.parametrize("header", ["Ann Smith July 3, 2012 at 4:19 pm", "Blake Hall says:", "Jen on September 10, 2012 at 9:09 am said:",
                                    "by Eric Kennedy on November 9, 2010 at 6:10 am. Reply #", "Woyzeck 2 days ago at 07:52 am",
                                    "Posted by: Amy Gahran | Apr 6, 2007 1:21:27 PM", "Hans schreibt:"])
def test_post_headers(header):
    assert threads.is_post_header(header)


@pytest.mark.parametrize("line", ["The vote was held on July 3, 2012 at the town hall.", "Oct 15, 2017",
                                  "Posted by naomichana at 05:44 PM on May 29, 2005 | Link | TrackBack | Comments (1)",
                                  "10:32 a.m. update"])
def test_not_post_headers(line):
    assert not threads.is_post_header(line)


def test_header_max_words():
    header = "Ann Smith July 3, 2012 at 4:19 pm"
    assert threads.is_post_header(header)
    assert not threads.is_post_header(header, max_words=3)


def test_a_run_of_post_headers_after_the_article_starts_the_thread(cleaner):
    result = clean(cleaner, ["Council extends library hours"] + ARTICLE + thread_lines())
    assert ARTICLE[-1] in result.text
    assert len(result.comments) == len(POSTS)
    for (header, body), post in zip(POSTS, result.comments):
        assert body in post.text and header in post.text
        assert body not in result.text


def with_thresholds(**changes) -> Cleaner:
    return Cleaner(Options(thread_thresholds=replace(ThreadThresholds(), **changes)))


def test_headers_min():
    result = clean(with_thresholds(headers_min=len(POSTS) + 1), ["Council extends library hours"] + ARTICLE + thread_lines())
    assert not result.comments


def test_header_article_min_chars():
    assert not clean(with_thresholds(header_article_min_chars=10**6), ["Council extends library hours"] + ARTICLE + thread_lines()).comments


def test_post_footers_of_a_list_of_posts_do_not_open_a_thread(cleaner):
    lines = ARTICLE[:4] + ["Posted by Ann at July 3, 2012 at 4:19 pm", "Second post of the blog", ARTICLE[4],
                           "Posted by Ann at July 4, 2012 at 9:02 am", "Third post of the blog", ARTICLE[5]]
    result = clean(cleaner, lines)
    assert not result.comments and ARTICLE[5] in result.text


def test_a_comment_heading_after_the_article_starts_the_thread(cleaner):
    comment = "I have been going to that library for years and this is wonderful news for the students."
    result = clean(cleaner, ["Council extends library hours"] + ARTICLE + ["3 Comments", comment])
    assert [p.text for p in result.comments] == [comment]


def test_article_min_chars_keeps_a_heading_before_the_article_from_starting_a_thread(cleaner):
    result = clean(cleaner, ["Comments", "Council extends library hours"] + ARTICLE)
    assert not result.comments and ARTICLE[0] in result.text


def test_repeated_comment_headings_between_prose_are_a_listing(cleaner):
    lines = ARTICLE[:3] + ["3 Comments"] + ARTICLE[3:6] + ["5 Comments"] + ARTICLE[6:]
    result = clean(cleaner, lines)
    assert not result.comments and ARTICLE[-1] in result.text


def forum_page(lines):
    page = Page(lines=split_lines("\n".join(lines)), lang="en")
    return page


def test_forum_evidence_needs_several_hits_of_several_rules():
    page = forum_page(["x"] * 4)
    page.line_signals = {0: ("forum",), 1: ("forum",), 2: ("forum",)}
    for i, reason in enumerate(["forum/xenforo/reaction-score", "forum/xenforo/reaction-score", "forum/xenforo/top-bottom"]):
        page.lines[i] = page.lines[i].__class__(page.lines[i].no, "Reaction score", Label.DROP, reason)
    assert threads.forum_evidence(page)
    page.line_signals = {0: ("forum",), 1: ("forum",)}
    assert not threads.forum_evidence(page)  # FORUM_MIN_HITS


def test_one_word_forum_hits_do_not_count():
    page = forum_page(["Share", "Reply", "Quote", "Like"])
    page.line_signals = {i: ("forum",) for i in range(4)}
    for i in range(4):
        page.lines[i] = page.lines[i].__class__(page.lines[i].no, page.lines[i].text, Label.DROP, f"forum/rule-{i}")
    assert not threads.forum_evidence(page)


def test_quoted_copies_leave_the_thread(cleaner):
    quote = POSTS[0][1]
    posts = POSTS[:2] + [("Carol July 4, 2012 at 9:02 am", quote + "\nI agree with Ann completely about this.")]
    result = clean(cleaner, ["Council extends library hours"] + ARTICLE + thread_lines(posts))
    assert sum(p.text.count(quote) for p in result.comments) == 1
    assert any(r.rule == "threads/quote" for r in result.removed)


def test_quote_min_words():
    cleaner = with_thresholds(quote_min_words=10**3)
    quote = POSTS[0][1]
    posts = POSTS[:2] + [("Carol July 4, 2012 at 9:02 am", quote + "\nI agree with Ann completely about this.")]
    result = clean(cleaner, ["Council extends library hours"] + ARTICLE + thread_lines(posts))
    assert sum(p.text.count(quote) for p in result.comments) == 2


def test_template_lines_leave_the_thread():
    page = forum_page(ARTICLE + ["Subscribe to our newsletter for more", POSTS[0][1]])
    page.comments_from = len(ARTICLE)
    page.template = {len(ARTICLE)}
    posts = threads.split_posts(page)
    assert [p.text for p in posts] == [POSTS[0][1]]
    assert page.lines[len(ARTICLE)].reason == "heuristic/corpus-template"


@pytest.mark.parametrize("line", ["Tuesday, October 24 at 7:30pm | Instructor: Dimitra", "06-29-2004, 09:15 AM",
                                  "Mon 18th Dec 2006 06:00:00"])
def test_a_line_that_opens_with_its_date_heads_a_list_item_not_a_post(line):
    assert not threads.is_post_header(line)


@pytest.mark.parametrize("line", ["{ 69 comments… read them below or add one }", "45 comments", "Kommentare (12)", "[ 167 comments ]"])
def test_lines_that_count_posts_mark_a_thread(line):
    page = forum_page(ARTICLE[:1] + [line])
    assert threads.thread_marks(page) == [1]


def test_a_long_thread_under_a_short_article_is_found_even_when_it_holds_more_prose(cleaner):
    short = ARTICLE[:3]
    posts = [(f"Reader{i} July {i + 1}, 2012 at 4:1{i} pm", ARTICLE[3 + i]) for i in range(6)]
    result = clean(cleaner, ["Council extends library hours"] + short + thread_lines(posts))
    assert all(line in result.text for line in short)
    assert len(result.comments) == len(posts) and ARTICLE[3] not in result.text


def test_headers_long_run():
    cleaner = with_thresholds(headers_long_run=100)
    short = ARTICLE[:3]
    posts = [(f"Reader{i} July {i + 1}, 2012 at 4:1{i} pm", ARTICLE[3 + i]) for i in range(6)]
    assert not clean(cleaner, ["Council extends library hours"] + short + thread_lines(posts)).comments


def test_a_count_heading_over_the_next_post_of_a_listing_is_a_footer(cleaner):
    lines = ARTICLE[:4] + ["Posted by Ann | 7 comments", "Another Library Story", ARTICLE[4], ARTICLE[5]]
    result = clean(cleaner, lines)
    assert not result.comments and ARTICLE[5] in result.text


def test_numbered_comments_need_no_time():
    assert threads.is_post_header("12. The Keeper - October 26, 2012")
    assert not threads.is_post_header("The Keeper - October 26, 2012")
