"""guard.py: a drop, strip or truncate rule that would empty the article is held back, on both paths."""

from __future__ import annotations

import json

import pytest

from cleaner.cli import main
from cleaner.model import Document, Kind
from cleaner.pipeline import Cleaner, Options
from conftest import PROSE, pack, regex_rule


def test_a_rule_that_matches_every_line_is_held_back(tmp_path):
    root = pack(tmp_path, regex_rule("everything", ".+"))
    cleaner = Cleaner(Options(rules_dirs=(str(root),)))
    result = cleaner.clean(Document("d", Kind.TEXT, "\n\n".join(["Library hours"] + PROSE + ["Back to top"])))
    assert all(p in result.text for p in PROSE)
    assert result.meta["held_back"] == ["custom/everything"]
    assert not any(r.rule == "custom/everything" for r in result.removed)
    assert "Back to top" not in result.text  # built-in rules are not held back with it


def test_a_strip_rule_that_guts_every_line_is_held_back(tmp_path):
    root = pack(tmp_path, regex_rule("gutter", r"\w+ \w+ \w+ \w+", "strip", "strip"))
    result = Cleaner(Options(rules_dirs=(str(root),))).clean(Document("d", Kind.TEXT, "\n\n".join(PROSE)))
    assert all(p in result.text for p in PROSE) and result.meta["held_back"] == ["custom/gutter"]


def test_the_share_is_configurable_from_the_command_line(tmp_path):
    root = pack(tmp_path, regex_rule("most", r"(?:The|Residents|The extension) .+"))  # 3 of 4 prose lines
    src = tmp_path / "doc.txt"
    src.write_text("\n\n".join(PROSE) + "\n", encoding="utf-8")
    outputs = {}
    for share in ("0.5", "0.9"):
        out = tmp_path / f"out-{share}"
        assert main(["clean", str(src), "-o", str(out), "-j", "1", "--no-progress", "--rules", str(root),
                     "--max-rule-share", share]) == 0
        outputs[share] = ((out / "articles" / "doc.txt").read_text(), json.loads((out / ".cleaner" / "report.json").read_text()))
    text, report = outputs["0.5"]
    assert all(p in text for p in PROSE) and report["held_back"] == {"custom/most": 1}
    text, report = outputs["0.9"]
    assert text.strip() == PROSE[3] and report["held_back"] == {}


@pytest.mark.parametrize("bad", ["0", "1.5", "half"])
def test_a_bad_share_is_a_usage_error(tmp_path, bad):
    with pytest.raises(SystemExit) as exit_:
        main(["clean", str(tmp_path), "-o", str(tmp_path / "o"), "--max-rule-share", bad])
    assert exit_.value.code == 2


def test_one_chrome_line_on_a_page_of_chrome_still_goes(cleaner):
    banner = "Save my name, email, and website in this browser for the next time I comment."  # prose-shaped chrome
    result = cleaner.clean(Document("d", Kind.TEXT, f"Home\n\n{banner}\n\nBack to top\n"))
    assert any(r.text == banner for r in result.removed)  # all the prose there is, but one line: not held back
    assert banner not in result.text and "held_back" not in result.meta


def test_a_bad_truncate_is_held_back_with_the_same_share(tmp_path):
    # a marker no built-in rule knows, so the custom rule is the one that fires on it
    root = pack(tmp_path, "  - id: early-cut\n    description: x\n    match: {line: ['Members only']}\n    action: truncate\n"
                          "    examples: {truncate: ['Members only'], keep: ['Members only get in on Sundays.']}\n")
    lines = ["Library hours", PROSE[0], "Members only"] + PROSE[1:] * 2
    loose = Cleaner(Options(rules_dirs=(str(root),))).clean(Document("d", Kind.TEXT, "\n\n".join(lines)))
    assert all(p in loose.text for p in PROSE) and loose.meta["held_back"] == ["custom/early-cut"]


def test_the_html_path_holds_back_too(tmp_path):
    root = pack(tmp_path, regex_rule("everything", ".+"))
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</article></body></html>"
    result = Cleaner(Options(rules_dirs=(str(root),))).clean(Document("h", Kind.HTML, page))
    assert all(p in result.text for p in PROSE) and "custom/everything" in result.meta["held_back"]
