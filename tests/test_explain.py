"""explain on the HTML path gives every visible line a reason (extractor/... for what trafilatura left out),
and explains one record of a JSONL file by its id."""

import json

from cleaner import Cleaner, Document
from cleaner.cli import main
from cleaner.html.leftout import REASON, visible_lines
from cleaner.model import Label

PAGE = ("<html><head><title>T</title><script>var x = 'not visible';</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/n'>News</a></nav><article><h1>Budget passes</h1><p>The council approved "
        "the new budget on Tuesday after a long debate that ran well into the night.</p><p>Members said the plan keeps "
        "every library in the city open, and the mayor thanked them for it.</p><p>Share this article</p></article>"
        "<aside><p>Weather: sunny, 21 degrees</p></aside><footer>Copyright 2024 City News</footer></body></html>")
TEXT = "Home | News\n\nThe council approved the new budget on Tuesday after a long debate.\n\nShare this article"


def test_visible_lines_skip_scripts_and_split_blocks():
    lines = visible_lines(PAGE)
    assert "Home News" in lines and "Copyright 2024 City News" in lines
    assert not any("not visible" in line for line in lines)


def test_every_visible_line_of_an_html_page_has_a_reason_in_explain():
    lines = Cleaner().explain(Document("p", "html", PAGE))
    left = [line.text for line in lines if line.reason == REASON]
    assert "Copyright 2024 City News" in left and all(line.label is Label.DROP for line in lines if line.reason == REASON)
    kept_or_reasoned = " ".join(line.text for line in lines)
    for visible in visible_lines(PAGE):
        assert visible in kept_or_reasoned or any(w in kept_or_reasoned for w in visible.split()), visible
    assert not any("council approved" in t for t in left)  # the article is not reported as left out


def test_explain_one_record_of_a_jsonl_file(tmp_path, capsys):
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "x"}) + "\n" + json.dumps({"id": "b", "text": TEXT}) + "\n")
    assert main(["explain", str(src), "--id", "b", "--isolated", "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "lang/en/share" in out and "Share this article" in out and "council approved" in out
    assert main(["explain", str(src), "--id", "nope", "--isolated"]) == 2
    assert "no record with id 'nope' (the first ids: a, b)" in capsys.readouterr().err
    assert main(["explain", str(src), "--isolated"]) == 2
    assert "--id" in capsys.readouterr().err
