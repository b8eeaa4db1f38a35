import gzip
import json
from pathlib import Path

import pytest

from cleaner.evaluation import (
    Score,
    aggregate,
    evaluate,
    format_report,
    page_scores,
    read_gold,
    shingles,
    trafilatura_baseline,
)

EVAL_DIR = Path(__file__).parents[2] / "shared" / "eval"

GOLD = "one two three four five"  # shingles: (one..four), (two..five)
PRED = "one two three four six seven"  # (one..four), (two three four six), (three four six seven)


def test_identical_texts_score_one():
    text = "The quick brown fox jumps over the lazy dog. It was not amused."
    tp, fp, fn = page_scores(text, text)
    assert (tp, fp, fn) == (1.0, 0.0, 0.0)
    score = aggregate([page_scores(text, text)])
    assert (score.precision, score.recall, score.f1, score.pages) == (1.0, 1.0, 1.0, 1)


def test_disjoint_texts_score_zero():
    triple = page_scores("alpha beta gamma delta epsilon", "one two three four five")
    assert triple == (0.0, 0.5, 0.5)
    assert aggregate([triple]) == Score(0.0, 0.0, 0.0, 1)


def test_partial_overlap_by_hand():
    # tp=1, fp=2, fn=1, normalised by 4; page precision 1/3, recall 1/2, F1 2/5.
    assert page_scores(PRED, GOLD) == (0.25, 0.5, 0.25)
    score = aggregate([page_scores(PRED, GOLD)])
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == pytest.approx(1 / 2)
    assert score.f1 == pytest.approx(0.4)


def test_short_texts_make_one_short_shingle_and_case_matters():
    # As in the benchmark: fewer than 4 tokens give one shorter shingle; empty gives none.
    assert shingles("hello world") == {("hello", "world"): 1}
    assert shingles("") == {}
    assert page_scores("hello world", "hello world") == (1.0, 0.0, 0.0)
    assert page_scores("Hello world", "hello world") == (0.0, 0.5, 0.5)
    assert page_scores("", "") == (0.0, 0.0, 0.0)


def test_aggregate_averages_precision_and_recall_over_different_pages():
    pages = [
        (1.0, 0.0, 0.0),  # perfect
        (0.0, 1.0, 0.0),  # empty gold, something predicted: precision 0, no recall
        (0.0, 0.0, 1.0),  # nothing predicted: recall 0, no precision
        (0.0, 0.0, 0.0),  # both empty: counts nowhere
    ]
    assert aggregate(pages) == Score(0.5, 0.5, 0.5, 4)
    assert aggregate([]) == Score(0.0, 0.0, 0.0, 0)


def _record(id_, article, comments=None, **extra):
    return {"id": id_, "url": f"http://example.com/{id_}", "html": "", "page_text": "",
            "gold_article": article, "gold_comments": comments, **extra}  # fmt: skip


def test_predicted_comments_on_page_without_gold_comments_score_precision_zero():
    records = [
        _record("a", GOLD, comments="first comment on this fine article"),
        _record("b", GOLD, comments=""),  # annotated, no comments, but some predicted
        _record("c", GOLD, comments=""),  # annotated, no comments, none predicted
        _record("d", GOLD, comments=None),  # not annotated: never scored for comments
    ]
    predicted = {"a": "first comment on this fine article", "b": "spam spam spam spam", "d": "x y z w"}

    def predictor(record, mode):
        return record["gold_article"], predicted.get(record["id"], "")

    result = evaluate(records, {"p": predictor})["p"]
    assert result.comments == Score(precision=0.5, recall=1.0, f1=pytest.approx(2 / 3), pages=3)
    assert result.article == Score(1.0, 1.0, 1.0, 4)


def test_comments_score_is_none_when_nothing_annotates_comments():
    result = evaluate([_record("a", GOLD)], {"p": lambda r, m: (GOLD, "chatter")})["p"]
    assert result.comments is None


def _write_jsonl_gz(path, records):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")


def test_read_gold_skips_low_recall_records(tmp_path):
    path = tmp_path / "gold.jsonl.gz"
    _write_jsonl_gz(path, [
        _record("ok", GOLD, page_text_gold_recall=0.9),
        _record("broken", GOLD, page_text_gold_recall=0.2),
        _record("empty-gold", "", page_text_gold_recall=None),
        _record("no-field", GOLD),
        _record("edge", GOLD, page_text_gold_recall=0.5),
    ])  # fmt: skip
    records, skipped = read_gold(path)
    assert [r["id"] for r in records] == ["ok", "no-field", "edge"]
    assert skipped == 2
    records, skipped = read_gold(path, limit=1)
    assert [r["id"] for r in records] == ["ok"]
    records, skipped = read_gold(path, min_recall=0.0)
    assert skipped == 1  # null recall (empty gold) is still left out


def test_read_gold_plain_jsonl(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(_record("x", GOLD)) + "\n\n", encoding="utf-8")
    records, skipped = read_gold(path)
    assert [r["id"] for r in records] == ["x"] and skipped == 0


def test_evaluate_two_predictors_scores_and_worst_pages():
    records = [
        _record("p1", GOLD),
        _record("p2", "alpha beta gamma delta epsilon"),
        _record("p3", "red green blue yellow black white"),
    ]
    outputs = {"p1": PRED, "p2": "zeta eta theta iota", "p3": "red green blue yellow black white"}

    def perfect(record, mode):
        assert mode == "text"
        return record["gold_article"], ""

    def partial(record, mode):
        return outputs[record["id"]], ""

    report = evaluate(records, {"perfect": perfect, "partial": partial}, mode="text", worst=2)
    assert list(report.results) == ["perfect", "partial"]
    assert report["perfect"].article == Score(1.0, 1.0, 1.0, 3)
    part = report["partial"]
    # page precisions 1/3, 0, 1 -> 4/9; page recalls 1/2, 0, 1 -> 1/2
    assert part.article.precision == pytest.approx(4 / 9)
    assert part.article.recall == pytest.approx(1 / 2)
    assert part.article.f1 == pytest.approx(2 * (4 / 9) * 0.5 / (4 / 9 + 0.5))
    assert [page.id for page in part.worst] == ["p2", "p1"]
    assert [page.f1 for page in part.worst] == [0.0, pytest.approx(0.4)]
    assert part.worst[1].precision == pytest.approx(1 / 3) and part.worst[1].recall == 0.5
    assert part.worst[0].url == "http://example.com/p2"
    assert part.pages == 3 and part.errors == () and part.seconds >= 0

    text = format_report(report)
    assert "perfect" in text and "partial" in text and "p2" in text


def test_raising_predictor_is_an_error_not_a_crash():
    records = [_record("a", GOLD), _record("b", GOLD)]

    def flaky(record, mode):
        if record["id"] == "b":
            raise RuntimeError("boom")
        return GOLD, ""

    result = evaluate(records, {"flaky": flaky})["flaky"]
    assert result.errors == (("b", "RuntimeError: boom"),)
    assert result.article == Score(precision=1.0, recall=0.5, f1=pytest.approx(2 / 3), pages=2)
    assert result.worst[0].id == "b" and result.worst[0].f1 == 0.0
    assert "boom" in format_report(evaluate(records, {"flaky": flaky}))


def test_evaluate_rejects_unknown_mode():
    with pytest.raises(ValueError):
        evaluate([], {}, mode="pdf")


def test_trafilatura_baseline_on_real_pages():
    path = EVAL_DIR / "scrapinghub.jsonl.gz"
    if not path.exists():
        pytest.skip(f"gold data not found at {path}")
    records, _ = read_gold(path, limit=20)
    result = evaluate(records, {"trafilatura": trafilatura_baseline})["trafilatura"]
    assert result.pages == 20 and not result.errors
    assert result.article.f1 > 0.85
