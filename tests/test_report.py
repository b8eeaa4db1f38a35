"""A run a person can read: the end-of-run summary and OUT/.cleaner/report.html."""

import json
import re

from cleaner.cli import main
from cleaner.model import Cleaned, Post, Removal
from cleaner.report import Summary

TEXT = ("Home | News | Contact\n\nThe council approved the new budget on Tuesday after a long debate.\n"
        "Members said the plan keeps every library open.\n\nShare this article\n")


def _result(n: int, text: str = "Kept text.", removed=(), lang="en") -> Cleaned:
    return Cleaned(id=str(n), title="T", text=text, comments=(Post(0, "a post"),), removed=tuple(removed),
                   meta={"language": lang, "page_type": "article"})


def test_summary_adds_up_shares_empties_languages_and_samples():
    s = Summary()
    s.add(_result(1, removed=[Removal("web/nav", "Home | News"), Removal("web/nav", "<script>x</script>")]))
    s.add(_result(2, text="", removed=[Removal("heuristic/short-tail", "Share")], lang="de"))
    assert (s.documents, s.empty) == (2, 1)
    assert s.chars_removed == len("Home | News") + len("<script>x</script>") + len("Share")
    assert s.chars_kept == (1 + 10 + 6) + (1 + 0 + 6)
    assert s.rules.most_common(1)[0][0] == "web/nav" and s.samples["web/nav"] == ["Home | News", "<script>x</script>"]
    assert s.languages == {"en": 1, "de": 1} and s.page_types == {"article": 2}
    assert "1 of 2 outputs empty" in s.text() and "web/nav" in s.text()
    assert Summary.from_state(json.loads(json.dumps(s.state()))) == s  # survives a resume marker


def test_report_html_is_static_and_escapes_what_it_shows():
    s = Summary()
    s.add(_result(1, removed=[Removal("web/nav", "<script>alert(1)</script>")]))
    page = s.html()
    assert "<script>" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)  # nothing fetched
    assert "web/nav" in page and "width:100.0%" in page


def test_a_run_writes_report_html_and_prints_the_summary(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": str(n), "text": TEXT}) + "\n" for n in range(3)))
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-j", "1", "--no-progress", "--isolated"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"removed \d+\.\d% of the characters", err) and "languages: en 3" in err
    page = (out / ".cleaner" / "report.html").read_text(encoding="utf-8")
    removed = json.loads((out / ".cleaner" / "report.json").read_text())["removed"]
    for rule in removed:
        assert f"<h3 id='{rule}'>" in page
    assert "Share this article" in page
