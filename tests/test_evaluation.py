import gzip
import json
from pathlib import Path

import pytest

from cleaner.evaluation import evaluate, format_report, trafilatura_baseline
from cleaner.goldsets import read_gold
from cleaner.metrics import Score, aggregate, page_scores, shingles

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


# --------------------------------------------------------------------------- WCXB metric, several sets


from cleaner import evaluation as ev  # noqa: E402
from cleaner import goldsets, metrics  # noqa: E402


def test_word_scores_bag_of_lowercase_words():
    assert metrics.word_scores("The cat sat", "the CAT sat") == (1.0, 1.0, 1.0)
    # overlap: the x1, cat x1 -> precision 2/4, recall 2/3
    p, r, f1 = metrics.word_scores("the the cat dog", "the cat sat")
    assert (p, r) == (0.5, pytest.approx(2 / 3)) and f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_word_scores_empty_conventions():
    assert metrics.word_scores("", "") == (1.0, 1.0, 1.0)
    assert metrics.word_scores("  ...  ", None) == (1.0, 1.0, 1.0)  # no words on either side
    assert metrics.word_scores("something", "") == (0.0, 0.0, 0.0)
    assert metrics.word_scores("", "gold words") == (0.0, 0.0, 0.0)


def test_wcxb_pages_with_threads_score_article_and_comments_together():
    forum = {"gold_article": "first post text. a reply here", "gold_type": "full_text_incl_comments"}
    article = {**forum, "gold_type": "full_text"}
    assert metrics._wcxb_page(forum, "first post text.", "a reply here")["f1"] == 1.0
    assert metrics._wcxb_page(article, "first post text.", "a reply here")["r"] == pytest.approx(3 / 6)


def _gold(path: Path, records: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")
    return path


PAGE = "<html><body><article><p>{}</p></article></body></html>"


def _typed_records() -> list[dict]:
    return [
        {"id": "1", "url": "https://a.example/x", "html": PAGE.format("alpha beta"), "page_text": "alpha beta",
         "gold_article": "alpha beta", "page_type": "article", "gold_type": "full_text", "page_text_gold_recall": 1.0},
        {"id": "2", "url": "https://b.example/y", "html": "<html></html>", "page_text": "",
         "gold_article": "gamma delta", "page_type": "forum", "gold_type": "full_text_incl_comments",
         "page_text_gold_recall": 0.0},  # broken: kept by WCXB's metric
    ]


def test_load_set_picks_the_metric_and_which_pages_count(tmp_path):
    typed = goldsets.load_set(_gold(tmp_path / "wx.jsonl.gz", _typed_records()), modes=("text",))
    assert (typed.name, typed.metric, len(typed.records), typed.typed) == ("wx", "wcxb", 2, True)
    assert "html" not in typed.records[0] and "page_text" in typed.records[0]  # the input of a mode not run is dropped
    plain = [{k: v for k, v in r.items() if k not in ("page_type", "gold_type")} for r in _typed_records()]
    untyped = goldsets.load_set(_gold(tmp_path / "sh.jsonl.gz", plain))
    assert (untyped.metric, [r["id"] for r in untyped.records]) == ("shingle", ["1"])  # broken page left out


def test_run_job_scores_every_set_mode_and_system_in_workers(tmp_path, monkeypatch):
    monkeypatch.setitem(ev.PREDICT, "gold", lambda job, name, record, mode, without=None: (record["gold_article"], ""))
    monkeypatch.setitem(ev.PREDICT, "empty", lambda job, name, record, mode, without=None: ("", ""))
    typed = goldsets.load_set(_gold(tmp_path / "wx.jsonl.gz", _typed_records()))
    plain = goldsets.load_set(_gold(tmp_path / "sh.jsonl.gz", [{"id": "9", "html": "", "page_text": "",
                                                          "gold_article": "one two three four five"}]))
    job = ev.EvalJob(sets=(plain, typed), modes=("html", "text"), systems=("gold", "empty"),
                     options={"sh": None, "wx": None})
    report = ev.run_job(job, jobs=2)
    assert len(report.pages) == 2 * 3 * 2  # modes x pages x systems
    assert [p["index"] for p in report.pages if p["system"] == "gold" and p["mode"] == "html"] == [0, 0, 1]
    for mode in ("html", "text"):
        assert report.macro(mode, "gold") == 1.0 and report.macro(mode, "empty") == 0.0
        gold = report.results[mode, "wx", "gold"]
        assert gold.metric == "wcxb" and set(gold.by_type) == {"article", "forum"}
        assert report.results[mode, "sh", "gold"].by_type == {}
    text = ev.format_multi(report)
    assert "macro average" in text and "wx by type" in text and "sh by type" not in text
    ev.write_json(report, tmp_path / "out.json")
    dumped = json.loads((tmp_path / "out.json").read_text())
    assert dumped["summary"]["text"]["gold"]["sets"]["wx"]["by_type"]["forum"]["f1"] == 1.0
    assert len(dumped["pages"]) == 12 and {"set", "id", "mode", "system", "f1"} <= set(dumped["pages"][0])


def test_a_system_that_raises_scores_empty_and_is_counted(tmp_path, monkeypatch):
    def boom(job, name, record, mode, without=None):
        raise RuntimeError("broken page")

    monkeypatch.setitem(ev.PREDICT, "boom", boom)
    typed = goldsets.load_set(_gold(tmp_path / "wx.jsonl.gz", _typed_records()))
    report = ev.run_job(ev.EvalJob(sets=(typed,), systems=("boom",), options={"wx": None}), jobs=1)
    assert report.results["html", "wx", "boom"].errors == 2
    assert all(p["error"] == "RuntimeError: broken page" for p in report.pages)


def test_held_out_models_give_each_group_its_own_cleaner(tmp_path):
    from cleaner import Options

    typed = goldsets.load_set(_gold(tmp_path / "wcxb-dev.jsonl.gz", _typed_records()))
    job = ev.EvalJob(sets=(typed,), options={"wcxb-dev": Options()}, models_root=tmp_path / "models")
    ev._CLEANERS.clear()
    try:
        first, second = (ev._cleaner_for(job, "wcxb-dev", r) for r in typed.records)
        again = ev._cleaner_for(job, "wcxb-dev", typed.records[0])
    finally:
        ev._CLEANERS.clear()
    groups = [goldsets.heldout_group("wcxb-dev", r) for r in typed.records]
    assert first.options.models_dir == str(tmp_path / "models" / groups[0])
    assert second.options.models_dir == str(tmp_path / "models" / groups[1])
    assert again is first and second.rulebook is first.rulebook  # one Cleaner per group, one rulebook


def test_eval_command_on_several_sets(tmp_path, capsys):
    from cleaner.cli import main

    typed = _gold(tmp_path / "wx.jsonl.gz", _typed_records())
    plain = _gold(tmp_path / "sh.jsonl.gz", [{"id": "9", "html": PAGE.format("one two three four five six. " * 8),
                                              "page_text": "one two three four five six.",
                                              "gold_article": "one two three four five six. " * 8}])
    assert main(["eval", str(plain), str(typed), "--mode", "both", "--json", str(tmp_path / "o.json"), "-j", "1",
                 "--isolated"]) == 0
    out = capsys.readouterr().out
    assert "== html path ==" in out and "== text path ==" in out and "wx by type" in out
    assert json.loads((tmp_path / "o.json").read_text())["summary"]["html"]["cleaner"]["sets"]["sh"]["article"]["f1"] > 0.5
    assert main(["eval", str(typed), "--held-out-models", str(tmp_path / "none"), "--isolated"]) == 2
    assert "cleaner train" in capsys.readouterr().err


def test_baseline_predictions_are_cached_per_version_and_reused(tmp_path, monkeypatch):
    calls = []

    def slow(job, name, record, mode, without=None):
        calls.append(record["id"])
        return record["gold_article"], ""

    monkeypatch.setitem(ev.PREDICT, "trafilatura", slow)
    typed = goldsets.load_set(_gold(tmp_path / "wx.jsonl.gz", _typed_records()))
    job = ev.EvalJob(sets=(typed,), systems=("trafilatura",), options={"wx": None}, cache=tmp_path / "cache")
    first = ev.run_job(job, jobs=1)
    assert calls == ["1", "2"] and len(list((tmp_path / "cache").glob("trafilatura-*.jsonl"))) == 1
    second = ev.run_job(job, jobs=1)
    assert calls == ["1", "2"]  # nothing predicted again
    assert [p["f1"] for p in second.pages] == [p["f1"] for p in first.pages] == [1.0, 1.0]
    assert all("_prediction" not in p for p in first.pages)
