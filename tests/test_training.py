"""`cleaner train`: gold pages in, model files out, groups held apart, the same bytes every run."""

import json
import random

import pytest

from cleaner import linescore
from cleaner.cli import main
from cleaner.forest import Forest
from cleaner.training import gold_share, read_pages

pytest.importorskip("lightgbm")

NAV = ["Home", "News", "Sport", "Weather", "Contact Us", "About", "Subscribe now", "Log in", "Privacy policy",
       "Terms of use", "Follow us", "Newsletter"]
SENTENCES = [
    "The council voted on Tuesday to extend the library's opening hours through the winter months.",
    "Residents had asked for longer hours since the reading room was refurbished last year.",
    "The chair promised a review of the budget in March, when the figures for the year are known.",
    "Prices rose by three percent in May, the statistics office said, driven by energy and food.",
    "Engineers expect the new bridge to carry twice the traffic of the old one when it opens.",
    "The museum will lend two of its paintings to a touring exhibition that starts in the autumn.",
    "Farmers said the late frost had cost them a third of their apple harvest this season.",
]


def _record(rng, n):
    head = rng.sample(NAV, 5)
    body = rng.sample(SENTENCES, 4)
    tail = rng.sample(NAV, 4)
    page_text = "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(tail) + "\n"
    return {"id": str(n), "url": f"https://site{n}.example/a", "page_text": page_text,
            "gold_article": "\n".join(body), "page_text_gold_recall": 1.0}


def _gold(tmp_path, name, pages, seed):
    rng = random.Random(seed)
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(_record(rng, n)) + "\n" for n in range(pages)))
    return path


@pytest.fixture
def gold(tmp_path):
    return [_gold(tmp_path, "alpha", 40, 1), _gold(tmp_path, "beta", 40, 2)]


def test_gold_share_counts_shingles_and_short_lines_whole():
    gold = "the council voted on tuesday to extend the hours".split()
    shingles = {tuple(gold[k:k + 4]) for k in range(len(gold) - 3)}
    joined = f" {' '.join(gold)} "
    assert gold_share("the council voted on".split(), shingles, joined) == 1.0
    assert gold_share("the council voted on friday".split(), shingles, joined) == 0.5
    assert gold_share(["tuesday"], shingles, joined) == 1.0
    assert gold_share(["home"], shingles, joined) == 0.0


def test_train_writes_a_model_that_tells_chrome_from_prose_and_is_reproducible(tmp_path, gold, capsys):
    assert main(["train", *map(str, gold), "-o", str(tmp_path / "one")]) == 0
    assert main(["train", *map(str, gold), "-o", str(tmp_path / "two")]) == 0
    first = (tmp_path / "one" / linescore.MODEL_FILE).read_bytes()
    assert first == (tmp_path / "two" / linescore.MODEL_FILE).read_bytes()
    forest = Forest.load(tmp_path / "one" / linescore.MODEL_FILE)
    assert forest.meta["trained_on"] == ["alpha", "beta"]
    assert forest.meta["features_version"] == linescore.FEATURES_VERSION
    from cleaner.pipeline import Cleaner, Options

    page = Cleaner(Options(models_dir=str(tmp_path / "none"))).labelled(_record(random.Random(9), 0)["page_text"], learned=False)
    rows, X = linescore.matrix(page)
    scores = dict(zip((page.lines[i].text for i in rows), forest.predict(X)))
    assert min(scores[s] for s in SENTENCES if s in scores) > max(scores[s] for s in NAV if s in scores)


def test_held_out_all_writes_one_folder_per_group_without_that_group(tmp_path, gold):
    assert main(["train", *map(str, gold), "--held-out-all", "-o", str(tmp_path / "root")]) == 0
    for group, other in (("alpha", "beta"), ("beta", "alpha")):
        forest = Forest.load(tmp_path / "root" / group / linescore.MODEL_FILE)
        assert forest.meta["trained_on"] == [other]


def test_hold_out_leaves_the_group_out(tmp_path, gold):
    assert main(["train", *map(str, gold), "--hold-out", "beta", "-o", str(tmp_path / "m")]) == 0
    assert Forest.load(tmp_path / "m" / linescore.MODEL_FILE).meta["trained_on"] == ["alpha"]


def test_bad_requests_get_clear_errors(tmp_path, gold, capsys):
    assert main(["train", *map(str, gold), "--hold-out", "gamma", "-o", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "gamma" in err and "alpha, beta" in err
    assert main(["train", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "m")]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    assert main(["train", *map(str, gold), "--part", "nope", "-o", str(tmp_path / "m")]) == 2
    assert "nope" in capsys.readouterr().err


def test_pages_carry_their_held_out_group(gold):
    pages = read_pages(gold)
    assert {p.group for p in pages} == {"alpha", "beta"} and len(pages) == 80


def _html_record(rng, n):
    """A page whose gold holds its intro and its course cards; the menu and the footer are chrome."""
    cards = rng.sample(SENTENCES, 3)
    html = ("<html><body><nav><ul>" + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in rng.sample(NAV, 5))
            + "</ul></nav><main><h1>Courses</h1><p>" + SENTENCES[n % len(SENTENCES)] + "</p>"
            + "".join(f"<div class='card'><h3>Course {k}</h3><p>{c}</p></div>" for k, c in enumerate(cards))
            + "</main><footer><p>" + " ".join(rng.sample(NAV, 4)) + "</p></footer></body></html>")
    gold = "\n".join([SENTENCES[n % len(SENTENCES)], *(f"Course {k}\n{c}" for k, c in enumerate(cards))])
    return {"id": str(n), "url": f"https://site{n}.example/courses", "html": html, "gold_article": gold,
            "page_text_gold_recall": 1.0}


def test_the_block_scorer_trains_on_html_gold_and_reads_held_out_page_types(tmp_path):
    from cleaner.html import blocks

    rng = random.Random(5)
    gold = []
    for name in ("alpha", "beta"):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(_html_record(rng, n)) + "\n" for n in range(30)))
        gold.append(path)
    root = tmp_path / "root"
    args = ["train", *map(str, gold), "--part", "pagetype-html", "--part", "blockscore-html", "--part", "blockdrop-html"]
    assert main([*args, "--held-out-all", "-o", str(root)]) == 0
    for name in (blocks.MODEL_FILE, blocks.DROP_FILE):  # the add model and the drop model
        forest = Forest.load(root / "alpha" / name)
        assert forest.meta["trained_on"] == ["beta"] and forest.meta["features_version"] == blocks.FEATURES_VERSION
        assert tuple(forest.feature_names) == blocks.NAMES
    assert main([*args, "--types-from", str(root), "-o", str(tmp_path / "shipped")]) == 0
    first = (tmp_path / "shipped" / blocks.MODEL_FILE).read_bytes()
    assert main([*args, "--types-from", str(root), "-o", str(tmp_path / "again")]) == 0
    assert first == (tmp_path / "again" / blocks.MODEL_FILE).read_bytes()  # reproducible
