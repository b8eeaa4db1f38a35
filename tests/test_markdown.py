"""--format markdown: headings, lists, real tables and (with --links) links, from trafilatura's own Markdown."""

import json

from cleaner import Cleaner, Document, Options
from cleaner.cli import main
from cleaner.markdown import from_text, key
from cleaner.model import Cleaned

PAGE = """<html><head><title>Budget passes</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav>
<article><h1>Budget passes</h1><p>The council approved the new <a href="https://e.x/budget">budget</a> on Tuesday after
a long debate that ran well into the night.</p><h2>What changes</h2><ul><li>Libraries stay open on Sundays for the whole
year.</li><li>Bus fares fall by ten percent in the city centre.</li></ul><table><tr><th>Item</th><th>Cost</th></tr>
<tr><td>Libraries</td><td>2 million</td></tr><tr><td>Buses</td><td>5 million</td></tr></table><p>Members said the plan
keeps every library in the city open, and the mayor thanked them for it.</p><p>Share this article</p></article>
<footer>Copyright 2024 City News</footer></body></html>"""


def _markdown(links=False) -> str:
    return Cleaner(Options(text_format="markdown", links=links)).clean(Document("a", "html", PAGE)).text


def test_html_markdown_keeps_headings_lists_and_a_real_table():
    md = _markdown()
    assert "## What changes" in md
    assert "- Libraries stay open on Sundays for the whole year." in md
    assert "| Item | Cost |\n|---|---|\n| Libraries | 2 million |\n| Buses | 5 million |" in md  # no blank lines inside
    assert "Share this article" not in md and "Copyright" not in md and "Home" not in md.split()  # still cleaned
    assert "](https://" not in md


def test_links_only_with_links():
    assert "[budget](https://e.x/budget)" in _markdown(links=True)


def test_markdown_and_text_keep_the_same_words():
    plain = Cleaner().clean(Document("a", "html", PAGE)).text
    assert {key(l) for l in _markdown().splitlines() if key(l)} == {key(l) for l in plain.splitlines() if key(l)}


def test_text_path_turns_tab_rows_into_a_table():
    cleaned = Cleaned(id="t", title="", text="Prices this year:\n\nItem\tCost\nLibraries\t2 million\nBus|es\t5\n\n- one\n- two")
    md = from_text(Document("t", "text", ""), cleaned, False)
    assert md == "Prices this year:\n\n| Item | Cost |\n|---|---|\n| Libraries | 2 million |\n| Bus\\|es | 5 |\n\n- one\n- two"


def test_clean_format_markdown_on_both_paths(tmp_path):
    src = tmp_path / "in.jsonl"
    text = "The council approved the new budget on Tuesday after a long debate that ran late.\n\nShare this article"
    src.write_text(json.dumps({"id": "h", "html": PAGE}) + "\n" + json.dumps({"id": "t", "text": text}) + "\n")
    assert main(["clean", str(src), "-o", str(tmp_path / "out"), "--format", "markdown", "-j", "1", "--no-progress", "--isolated"]) == 0
    html, plain = [json.loads(line) for line in (tmp_path / "out" / "in.jsonl").read_text().splitlines()]
    assert "|---|---|" in html["text"] and "## What changes" in html["text"]
    assert plain["text"] == "The council approved the new budget on Tuesday after a long debate that ran late."
