"""The two-line API, Document's kind, and the record shape every writer emits."""

import json

import pytest

import cleaner
from cleaner import Cleaned, Document, Kind
from cleaner.cli import main

HTML = ("<html><head><title>Budget passes</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav>"
        "<article><h1>Budget passes</h1><p>The council approved the new budget on Tuesday after a long debate that ran "
        "well into the night.</p><p>Members said the plan keeps every library in the city open.</p></article>"
        "<footer>Copyright 2024 City News</footer></body></html>")
TEXT = ("Home | News | Contact\n\nThe council approved the new budget on Tuesday after a long debate.\n"
        "Members said the plan keeps every library open.\n\nShare this article\n")


def test_clean_html_takes_the_html_path():
    page = cleaner.clean_html(HTML, url="https://news.example/budget")
    assert isinstance(page, Cleaned)
    assert page.title == "Budget passes"
    assert "every library" in page.text and "<p>" not in page.text and "Copyright" not in page.text
    assert page.meta["url"] == "https://news.example/budget"


def test_clean_text_removes_chrome_with_reasons():
    page = cleaner.clean_text(TEXT)
    assert page.text.startswith("The council approved")
    assert {r.text for r in page.removed} == {"Home | News | Contact", "Share this article"}
    assert all(r.rule for r in page.removed)


@pytest.mark.parametrize("kind", ["html", "HTML", Kind.HTML])
def test_document_kind_accepts_strings(kind):
    doc = Document(id="1", kind=kind if kind != "HTML" else "html", content=HTML)
    assert doc.kind is Kind.HTML
    assert cleaner.clean(doc).title == "Budget passes"  # not the text path, which would keep the markup


@pytest.mark.parametrize("kind", ["pdf", "", None, 3])
def test_document_kind_rejects_others(kind):
    with pytest.raises(ValueError, match="'text', 'html'"):
        Document(id="1", kind=kind, content="x")


def test_the_writers_emit_to_dict(tmp_path):
    """A record of `cleaner clean` is Cleaned.to_dict of the same document, key for key."""
    src = tmp_path / "crawl.jsonl"
    src.write_text(json.dumps({"id": "a", "text": TEXT, "lang_hint": "en"}) + "\n")
    assert main(["clean", str(src), "-o", str(tmp_path / "out"), "-j", "1", "--no-progress", "--isolated"]) == 0
    record = json.loads((tmp_path / "out" / "crawl.jsonl").read_text())
    expected = cleaner.clean(Document(id="a", kind="text", content=TEXT, meta={"lang_hint": "en"}, source=f"{src}:1")
                             ).to_dict()
    assert record == json.loads(json.dumps(expected))
    assert list(record) == list(expected)
