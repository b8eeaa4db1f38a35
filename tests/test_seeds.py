"""Acceptance on the seed documents (issue 2): story kept whole, chrome gone, forum posts apart."""

from __future__ import annotations

import json

import pytest

from cleaner.cli import main
from conftest import SEEDS

# Where each story body begins and ends in the input: every line between them is story.
STORY = {
    "000": ("WASHINGTON — The State Department said", "Iraqi Prime Minister Adel Abdul Mahdi said that his country"),
    "001": ("WASHINGTON — The Point out Department", "Iraqi Prime Minister Adel Abdul Mahdi reported"),
    "002": ("The US is willing to discuss", "Iraq’s parliamentary resolution was dismissed"),
    "003": ("( – There was confusion in the press", "  • President Trump has made clear"),
    "004": ("WASHINGTON — Iraq’s Prime Minister said", "Iraq’s parliament on Sunday passed"),
}
CHROME = ["What's new", "Reaction score", "Top Bottom", "Source url", "قالب وردپرس", "Leave a Reply",
          "Your email address will not be published", "Back to top", "Back to top button",
          "IraqNorth AmericaQasem Suleimani", "Copyright 2020,", "FAN Editor", "Getty", "Free America Network Articles",
          "Next Post", "What types of companies could be targeted", "Sen. Mike Rounds", "You May Like"]


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds-out")
    assert main(["clean", str(SEEDS), "-o", str(out), "-j", "2", "--no-progress"]) == 0
    return out


def seed_path(prefix: str):
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def article(out, prefix: str) -> str:
    return (out / "articles" / seed_path(prefix).with_suffix(".txt").name).read_text(encoding="utf-8")


def story_lines(prefix: str) -> list[str]:
    lines = seed_path(prefix).read_text(encoding="utf-8").splitlines()
    first, last = STORY[prefix]
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    stop = next(i for i, line in enumerate(lines) if line.startswith(last))
    return [line.strip() for line in lines[start:stop + 1] if line.strip()]


@pytest.mark.parametrize("prefix", sorted(STORY))
def test_story_body_kept_whole(cleaned, prefix):
    text = article(cleaned, prefix)
    for line in story_lines(prefix):
        body = line.removeprefix("( – ")
        assert body in text, f"seed {prefix} lost: {line[:80]}"


@pytest.mark.parametrize("prefix", sorted(STORY))
def test_no_chrome_kept(cleaned, prefix):
    text = article(cleaned, prefix)
    for chrome in CHROME:
        assert chrome not in text, f"seed {prefix} kept {chrome!r}"


@pytest.mark.parametrize("prefix", sorted(STORY))
def test_article_starts_with_title(cleaned, prefix):
    title, blank, first_body = article(cleaned, prefix).split("\n")[:3]
    assert title and blank == "" and first_body
    assert title != first_body
    assert " - Islamic Invitation Turkey" not in title
    assert not first_body.startswith("(")


def test_machine_spun_seed_is_kept_as_is(cleaned):
    text = article(cleaned, "001")
    assert "Point out Department reported in a statement Friday" in text


def test_forum_posts_go_to_comments_without_quoted_copies(cleaned):
    text = article(cleaned, "000")
    name = seed_path("000").with_suffix(".jsonl").name
    posts = [json.loads(line) for line in (cleaned / "comments" / name).read_text(encoding="utf-8").splitlines()]
    assert [p["index"] for p in posts] == list(range(len(posts)))
    assert len(posts) >= 8
    source = seed_path("000").read_text(encoding="utf-8")
    thread = source[source.index("This mentality"):]
    paragraphs = {line.strip() for line in thread.splitlines() if line.strip() and line.strip() != "Top Bottom"}
    joined = [p["text"] for p in posts]
    for para in paragraphs:
        assert para not in text, f"comment text in article: {para[:60]}"
        # every post's own words appear exactly once across the posts
        assert sum(post.count(para) for post in joined) == 1, para[:60]
    for i, post in enumerate(joined):
        assert not any(post == other or post in other for j, other in enumerate(joined) if j != i), post[:60]


def test_cleaning_is_idempotent(cleaned, tmp_path):
    again = tmp_path / "again"
    assert main(["clean", str(cleaned / "articles"), "-o", str(again), "-j", "1", "--no-progress"]) == 0
    for first in sorted((cleaned / "articles").glob("*.txt")):
        assert (again / "articles" / first.name).read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_report_counts_rules_and_heuristics(cleaned):
    report = json.loads((cleaned / ".cleaner" / "report.json").read_text(encoding="utf-8"))
    assert report["documents_in"] == report["documents_out"] == 5
    assert report["documents_failed"] == 0
    removed = report["removed"]
    for reason in ["forum/xenforo/reaction-score", "cms/wordpress/leave-a-reply", "heuristic/glued-tags",
                   "heuristic/caption", "threads/quote"]:
        assert removed[reason]["lines"] >= 1 and removed[reason]["chars"] > 0, reason
