"""Limits and guards: --max-bytes is the one size limit (the HTML parser has none of its own), selector rules are held
back like line rules, and zero-width characters neither stop a rule nor make an empty document look full."""

from __future__ import annotations

import json

import pytest

from cleaner.cli import main
from cleaner.lines import visible
from cleaner.model import Document, Kind
from cleaner.options import Options
from cleaner.pipeline import Cleaner
from cleaner.rundir import RUN_DIR

PROSE = ("The council met on Tuesday to discuss the new budget for the coming year, and members argued for hours "
         "about the cost of repairing the old bridge before the vote.")


def report(out) -> dict:
    return json.loads((out / RUN_DIR / "report.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- size limits


def big_page(chars: int) -> str:
    """An article padded with an HTML comment to `chars` characters (cheap to parse, big to measure)."""
    head = f"<html><body><article><p>{PROSE}</p><p>{PROSE} Again.</p></article><!-- "
    return head + "x" * max(0, chars - len(head) - 20) + " --></body></html>"


def test_max_bytes_governs_the_html_path_too(tmp_path):
    """A 21-million-character page: refused at the default 20 MB, cleaned when --max-bytes is raised."""
    page = tmp_path / "big.html"
    page.write_text(big_page(21_000_000), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(page), "-o", str(out), "--no-progress", "-j", "1"]) == 1
    assert "--max-bytes" in report(out)["failures"][0]["message"]
    raised = tmp_path / "raised"
    assert main(["clean", str(page), "-o", str(raised), "--no-progress", "-j", "1", "--max-bytes", "30MB"]) == 0
    assert report(raised)["documents_out"] == 1


@pytest.mark.parametrize("kind", [Kind.TEXT, Kind.HTML])
def test_every_size_error_says_how_to_raise_the_limit(kind):
    cleaner = Cleaner(Options(max_bytes=1000))
    content = big_page(5000) if kind is Kind.HTML else PROSE * 40
    for call in (cleaner.clean, cleaner.explain):
        with pytest.raises(ValueError, match="raise it with --max-bytes"):
            call(Document("x", kind, content))


def test_explain_reads_within_the_limit_as_clean_does(tmp_path, capsys):
    path = tmp_path / "big.txt"
    path.write_text(PROSE * 100, encoding="utf-8")
    assert main(["explain", str(path), "--max-bytes", "1000", "--isolated"]) == 1
    assert "--max-bytes" in capsys.readouterr().err


# --------------------------------------------------------------------------- selector rules held back


def rules_dir(tmp_path, selector: str) -> str:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "greedy.yaml").write_text(f"""description: a pack whose selector is far too wide
rules:
  - id: greedy
    description: takes every element it names
    match:
      selector: ["{selector}"]
    action: drop
    examples:
      drop: ['<p class="promo">x</p>']
      keep: ['<span>x</span>']
""", encoding="utf-8")
    return str(folder)


ARTICLE = (f"<html><body><nav><p>Home</p></nav><article><h1>Budget vote</h1><p>{PROSE}</p><p>{PROSE} It passed.</p>"
           f"<p>{PROSE} Again.</p></article><aside class='promo'><p>Subscribe to our newsletter today.</p></aside></body></html>")


def test_a_selector_that_would_empty_the_article_is_held_back_and_reported(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "html": ARTICLE}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "--no-progress", "-j", "1", "--isolated",
                 "--rules", rules_dir(tmp_path, "p")]) == 0
    (record,) = [json.loads(line) for line in (out / "in.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "It passed." in record["text"] and "Again." in record["text"]
    assert any("greedy" in rule for rule in record["metadata"]["held_back"])
    assert any("greedy" in rule for rule in report(out)["held_back"])


def test_a_selector_taking_a_small_share_still_removes(tmp_path):
    cleaner = Cleaner(Options(rules_dirs=(rules_dir(tmp_path, ".promo"),)))
    cleaned = cleaner.clean(Document("a", Kind.HTML, ARTICLE.replace("<aside class='promo'><p>Subscribe to our newsletter today.</p></aside>",
                                                                    "<aside class='promo'><p>Subscribe now.</p><p>Win a prize.</p></aside>")))
    assert "Subscribe" not in cleaned.text and not cleaned.meta.get("held_back")
    assert any("greedy" in r.rule for r in cleaned.removed)


def test_the_share_is_max_rule_share(tmp_path):
    cleaner = Cleaner(Options(rules_dirs=(rules_dir(tmp_path, "p"),), max_rule_share=1.0))
    assert "It passed." not in cleaner.clean(Document("a", Kind.HTML, ARTICLE)).text  # no guard at 1.0


# --------------------------------------------------------------------------- invisible characters


@pytest.mark.parametrize("zw", ["\u200b", "\u200c", "\u200d", "\u2060"])
@pytest.mark.parametrize("kind", [Kind.TEXT, Kind.HTML])
def test_zero_width_characters_do_not_stop_a_rule(zw, kind):
    chrome = f"Back{zw} to top", f"{zw}Copy{zw}right 2024 Example News. All rights reserved.{zw}"
    if kind is Kind.TEXT:
        content = f"{PROSE}\n\n{chrome[0]}\n\n{PROSE} Again.\n\n{chrome[1]}"
    else:
        content = f"<html><body><article><p>{PROSE}</p><p>{chrome[0]}</p><p>{PROSE} Again.</p><p>{chrome[1]}</p></article></body></html>"
    cleaned = Cleaner().clean(Document("z", kind, content))
    assert "Back" not in cleaned.text and "Copy" not in cleaned.text and "Again." in cleaned.text


@pytest.mark.parametrize("kind", [Kind.TEXT, Kind.HTML])
def test_a_document_of_only_invisible_characters_is_empty(kind):
    junk = "\u200b\u200d\n\u2060 \u200c\n\ufeff\u200b"
    content = junk if kind is Kind.TEXT else f"<html><body><p>{junk}</p><div>\u200b</div></body></html>"
    cleaned = Cleaner().clean(Document("z", kind, content))
    assert cleaned.text == "" and cleaned.article_file_text().strip() == ""


def test_joiners_inside_words_and_emoji_stay_in_the_output():
    text = f"{PROSE} The family \U0001F468\u200d\U0001F469\u200d\U0001F467 and the word \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 stay."
    cleaned = Cleaner().clean(Document("z", Kind.TEXT, f"{text}\n\n{PROSE}"))
    assert "\u200d" in cleaned.text and "\u200c" in cleaned.text
    assert visible("a\u200bb\u2060c") == "abc" and visible("plain") == "plain"
