"""The HTML path end to end: selectors, trafilatura, body and comments apart, a page over the time limit."""

from __future__ import annotations

import json
import time

from cleaner import Cleaner
from cleaner.html import extract
from cleaner.cli import main
from cleaner.model import Cleaned, Document, Failure, Kind, Label
from cleaner.pipeline import Options
from cleaner.rulebook import check_examples, parse_dirs

PARAGRAPHS = [
    "The mill on the river stood empty for forty years before a group of neighbours bought it in the spring "
    "and started to clear the rubble from the old grinding floor.",
    "Most of the work was done by volunteers on weekends, and the local school sent pupils to help sort the "
    "timber that could still be used for the new roof beams.",
    "By the autumn the water wheel turned again, slowly at first, and the first sack of flour was milled in "
    "front of a crowd that had come from all the villages around.",
    "The group now plans to open a small museum on the upper floor, with tools and photographs that families "
    "in the valley have kept since the mill closed in the sixties.",
]
COMMENTS = [
    "What a lovely story, I remember the mill from my childhood and I am glad it is working again.",
    "Thanks for writing this up; the photos of the water wheel are wonderful and the history is fascinating.",
]


def page(share_bar: bool = True) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    share = '<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this story</a></div>' if share_bar else ""
    comments = "".join(
        f'<li class="comment" id="comment-{i}"><div class="comment-author">Reader {i} says:</div><p>{text}</p>'
        f'<a class="comment-reply-link" href="?replytocom={i}#respond">Reply</a></li>'
        for i, text in enumerate(COMMENTS, 1)
    )
    return f"""<!DOCTYPE html><html lang="en"><head><title>How we rebuilt the old mill</title></head><body>
<header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>
<main><article class="post"><h1>How we rebuilt the old mill</h1>{paragraphs}{share}</article>
<div id="comments"><h2>2 thoughts on “How we rebuilt the old mill”</h2><ol class="commentlist">{comments}</ol>
<div id="respond"><h3>Leave a Reply</h3><form id="commentform"><textarea name="comment"></textarea></form></div></div>
</main><footer>Riverside Notes, the valley's village blog</footer></body></html>"""


def clean(content: str, cleaner: Cleaner) -> Cleaned:
    return cleaner.clean(Document("mill.html", Kind.HTML, content))


def test_body_and_comments_come_apart(cleaner):
    result = clean(page(), cleaner)
    for paragraph in PARAGRAPHS:
        assert paragraph in result.text
    assert result.title == "How we rebuilt the old mill"
    assert result.meta["title"] == "How we rebuilt the old mill"
    posts = " ".join(p.text for p in result.comments)
    for comment in COMMENTS:
        assert comment in posts
        assert comment not in result.text
    assert len(result.comments) == 2
    assert "Leave a Reply" not in posts and "Reply" not in [line for p in result.comments for line in p.text.split("\n")]


def test_selector_rule_prunes_a_share_bar_and_records_it(tmp_path):
    (tmp_path / "site.yaml").write_text("""description: test pack
rules:
  - id: share-bar
    description: share bar
    match: {selector: ".share-bar"}
    action: drop
    examples:
      drop: ['<div class="share-bar">Share</div>']
      keep: ['<div class="body">Text</div>']
""", encoding="utf-8")
    cleaner = Cleaner(Options(rules_dirs=(str(tmp_path),), builtin_rules=False))
    result = clean(page(), cleaner)
    assert "Share on Facebook" not in result.text
    removed = [r for r in result.removed if r.rule == "site/share-bar"]
    assert len(removed) == 1 and "Share on Facebook" in removed[0].text and "Tweet this story" in removed[0].text


def test_selector_rule_with_a_bad_example_is_reported_with_file_and_line(tmp_path):
    (tmp_path / "bad.yaml").write_text("""description: test pack
rules:
  - id: fine
    description: a good rule
    match: {selector: "#cookie-notice"}
    action: drop
    examples:
      drop: ['<div id="cookie-notice">We use cookies</div>']
      keep: ['<div id="content">Text</div>']
  - id: wrong
    description: its drop example does not match, its keep example does
    match: {selector: ".newsletter-box"}
    action: drop
    examples:
      drop: ['<div class="newsletter">Sign up</div>']
      keep: ['<div class="newsletter-box">Sign up</div>']
""", encoding="utf-8")
    rules, _packs, problems = parse_dirs([tmp_path])
    assert not problems
    problems = [p for rule in rules for p in check_examples(rule)]
    assert len(problems) == 2
    assert all(p.startswith(f"{tmp_path / 'bad.yaml'}:10: rule 'bad/wrong'") for p in problems)
    assert "matches nothing" in problems[0] and "should leave alone" in problems[1]


def test_selector_rule_with_an_action_selectors_cannot_take(tmp_path):
    (tmp_path / "p.yaml").write_text("""description: test pack
rules:
  - id: cut
    description: truncate is a line action
    match: {selector: ".x"}
    action: truncate
    examples:
      truncate: ['<div class="x">a</div>']
      keep: ['<div class="y">a</div>']
""", encoding="utf-8")
    rules, _packs, problems = parse_dirs([tmp_path])
    problems = check_examples(rules[0])
    assert problems and "p.yaml:3:" in problems[0] and "drop, comments-start, post-boundary" in problems[0]


def _slow_extraction(real):
    def extraction(tree, *args, **kwargs):
        if tree.xpath("//*[@id='slow']"):
            time.sleep(60)
        return real(tree, *args, **kwargs)

    return extraction


def test_time_limit_ends_a_slow_page_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", _slow_extraction(trafilatura.bare_extraction))
    src = tmp_path / "pages.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "a", "html": page(), "url": "https://example.org/mill"}) + "\n")
        fh.write(json.dumps({"id": "slow", "html": page().replace("<main>", '<main><div id="slow"></div>')}) + "\n")
        fh.write(json.dumps({"id": "c", "text": "A plain text record goes down the text path as before."}) + "\n")
    out = tmp_path / "out"
    # 5 s: far under the slow page's 60 s, far over what the other pages take on a loaded machine
    started = time.monotonic()
    assert main(["clean", str(src), "-o", str(out), "-j", "1", "--timeout", "5", "--no-progress"]) == 1
    assert time.monotonic() - started < 30  # the slow page would sleep for 60 s
    records = [json.loads(line) for line in (out / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "c"]
    first = records[0]
    assert first["title"] == "How we rebuilt the old mill"
    assert PARAGRAPHS[0] in first["text"] and COMMENTS[0] not in first["text"]
    assert [c["text"] for c in first["comments"]] and COMMENTS[1] in first["comments"][1]["text"]
    assert first["metadata"]["url"] == "https://example.org/mill"
    assert any(r["rule"] == "html/comments/comment-form" for r in first["removed"])
    errors = [json.loads(line) for line in (out / ".cleaner" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["id"] for e in errors] == ["slow"]
    assert "time limit of 5 s" in errors[0]["message"]
    assert "slow" in capsys.readouterr().err


def test_clean_item_turns_a_timeout_into_a_failure(monkeypatch):
    from cleaner.io.discover import Dest, Item
    from cleaner.workers import clean_item

    monkeypatch.setattr(extract, "extract", lambda *args: time.sleep(60))  # whatever extract is given
    cleaner = Cleaner(Options(timeout=0.2))
    _dest, result, _size = clean_item(cleaner, Item(Dest("jsonl", "x.jsonl"), Document("p", Kind.HTML, page(), source="x:1")))
    assert isinstance(result, Failure) and "time limit" in result.message


def test_explain_shows_pruned_body_and_comment_lines(cleaner):
    lines = cleaner.explain(Document("mill.html", Kind.HTML, page()))
    reasons = {line.reason for line in lines}
    assert "html/comments/comment-form" in reasons
    assert any(line.label is Label.KEEP and line.text == PARAGRAPHS[1] for line in lines)
    assert any(line.label is Label.COMMENT and COMMENTS[0] in line.text for line in lines)


def test_the_parser_never_fetches_or_expands_entities(cleaner):
    evil = ('<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><html><body><article>'
            + "".join(f"<p>{p} &x;</p>" for p in PARAGRAPHS) + "</article></body></html>")
    result = clean(evil, cleaner)
    assert "root:" not in result.text and PARAGRAPHS[0] in result.text


def test_trafilatura_caches_are_reset_every_n_documents(cleaner, monkeypatch):
    import trafilatura.meta

    calls = []
    monkeypatch.setattr(trafilatura.meta, "reset_caches", lambda: calls.append(1))
    monkeypatch.setattr(extract, "RESET_CACHES_EVERY", 3)
    monkeypatch.setattr(extract, "_COUNT", 0)
    for _ in range(7):
        clean("<html><body><p>short</p></body></html>", cleaner)
    assert len(calls) == 2


