"""The one-pass author search gives trafilatura's `extract_author` answer, on made-up and real pages."""

import gzip
import itertools
import json

import pytest
from trafilatura.metadata import extract_author

from cleaner.html.metadata import author, metadata
from cleaner.html.parse import parse

PAGES = {
    "specific class": '<div class="author-name">Jane Roe</div><span class="byline">By Somebody Else</span>',
    "specific before generic in the page": '<span class="byline">By Ann Lee</span><a rel="author">Bob Stone</a>',
    "generic id": '<p id="xiaobian-box">Li Wei</p>',
    "last resort on any tag": '<section class="Byline">Maria Garcia</section>',
    "itemprop": '<h4 itemprop="author">Tom Hardy</h4>',
    "the author element": "<author>Ken Adams</author>",
    "rel=me child element": "<p><rel>me</rel>Peter Pan</p>",
    "inside the comments": '<div id="comments"><span class="author">Commenter One</span></div>'
                           '<span class="writer">Real Writer</span>',
    "inside a sidebar": '<div class="widget sidebar"><a class="author">Side Bar</a></div>',
    "a time inside the byline": '<div class="byline">By Ann Lee<time>May 4, 2020</time>and Bo Chen</div>',
    "a figure candidate is pruned": '<figure class="author">Photo Person</figure><p class="author">Text Person</p>',
    "too short, then the next": '<span class="author">Al</span><div class="author">Alexandra Smith</div>',
    "too long for an author": '<div class="author">' + "word " * 40 + "</div>",
    "none": "<p>Just a paragraph with no byline at all.</p>",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_author_matches_trafilatura_on_made_up_pages(name):
    tree = parse(f"<html><body><article>{PAGES[name]}</article></body></html>")
    assert author(tree) == extract_author(tree)


def test_author_finds_the_byline_and_skips_pruned_parts():
    tree = parse("<html><body>" + PAGES["inside the comments"] + "</body></html>")
    assert author(tree) == "Real Writer"
    tree = parse("<html><body>" + PAGES["a time inside the byline"] + "</body></html>")
    assert "May" not in author(tree)


def test_author_matches_trafilatura_on_real_pages(eval_dir):
    with gzip.open(eval_dir / "dragnet-train.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in itertools.islice(lines, 60)]
    trees = [tree for r in records if (tree := parse(r["html"])) is not None]
    found = [author(tree) for tree in trees]
    assert found == [extract_author(tree) for tree in trees]
    assert sum(1 for a in found if a) >= 10  # the comparison is not all None against None


def test_metadata_keeps_only_present_string_fields():
    tree = parse('<html><head><title>A headline - The Site</title><meta name="author" content="Jane Roe">'
                 '</head><body><h1>A headline</h1><p>Text.</p></body></html>')
    found = metadata(tree, "https://example.org/2021/05/04/a-headline")
    assert found["title"] == "A headline"
    assert found["author"] == "Jane Roe"
    assert found["date"] == "2021-05-04"
    assert set(found) <= {"title", "author", "date", "sitename", "url"}
    assert all(isinstance(v, str) and v for v in found.values())
