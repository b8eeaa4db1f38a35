"""The learned block scorer on the HTML path: the page cut into blocks, what the body left out, put back in place."""

import json
import math

import numpy as np
import pytest

from cleaner.html import blocks
from cleaner.html.parse import parse
from cleaner.model import Document, Kind, PageType
from cleaner.pagetype import Guess
from cleaner.pipeline import Cleaner, Options

PAGE = """<html><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Shop</a></li></ul></nav>
<main>
<h1>Winter courses</h1>
<p>Our winter courses start in January and run for ten weeks, with classes in the evening.</p>
<div class="card"><h3>Pottery for beginners</h3><p>Learn to throw a pot on the wheel and glaze it.</p></div>
<div class="card"><h3>Life drawing</h3><p>Draw from a model in charcoal and ink, <a href="/x">all levels</a> welcome.</p></div>
<div class="card"><h3>Bookbinding</h3><p>Bind a notebook by hand with linen thread and boards.</p></div>
</main>
<footer><p>Copyright 2025 The Art School</p></footer>
</body></html>"""

INTRO = "Winter courses\nOur winter courses start in January and run for ten weeks, with classes in the evening."


def _texts(found):
    return [b.text for b in found]


def test_segment_cuts_the_page_into_its_blocks_in_document_order():
    found = blocks.segment(parse(PAGE))
    assert _texts(found) == [
        "Home", "Shop", "Winter courses",
        "Our winter courses start in January and run for ten weeks, with classes in the evening.",
        "Pottery for beginners", "Learn to throw a pot on the wheel and glaze it.",
        "Life drawing", "Draw from a model in charcoal and ink, all levels welcome.",
        "Bookbinding", "Bind a notebook by hand with linen thread and boards.",
        "Copyright 2025 The Art School",
    ]
    home, drawing = found[0], found[7]
    assert home.link_chars == len("Home") and drawing.link_chars == len("all levels")
    assert home.regions & 1 and not drawing.regions & 1  # inside <nav>, or not
    assert found[4].rep == 3 and found[4].rep_up == 1  # the card around the heading repeats three times
    assert found[2].rep == 1 and found[2].rep_up == -1  # the page's h1 repeats nowhere


def test_inline_text_between_block_children_is_a_block_of_its_own():
    found = blocks.segment(parse("<div>Before the list<ul><li>one item here</li></ul>after the list</div>"))
    assert _texts(found) == ["Before the list", "one item here", "after the list"]


def test_share_counts_three_word_shingles_and_short_blocks_whole():
    index = blocks.TextIndex("The council voted on Tuesday to extend the hours")
    assert index.share("the council voted on".split()) == 1.0
    assert index.share("the council voted on friday again".split()) == 0.5
    assert index.share(["tuesday"]) == 1.0 and index.share(["home"]) == 0.0
    assert blocks.TextIndex("").share(["home"]) == 0.0


def test_matrix_has_a_row_per_block_and_reads_the_body_around_it():
    found = blocks.segment(parse(PAGE))
    blocks.mark(found, INTRO, "")
    rows = blocks.matrix(found, "en", Guess(PageType.LISTING, 0.8))
    assert len(rows) == len(found) and all(len(r) == len(blocks.NAMES) for r in rows)
    col = {name: k for k, name in enumerate(blocks.NAMES)}
    assert [found[i].text for i in blocks.candidates(found)][:3] == ["Home", "Shop", "Pottery for beginners"]
    assert rows[0][col["link_density"]] == 1.0 and rows[3][col["link_density"]] == 0.0
    assert rows[4][col["in@-1"]] == 1.0 and math.isnan(rows[0][col["in@-1"]])
    assert rows[0][col["type_listing"]] == 1.0 and rows[0][col["type_article"]] == 0.0
    assert math.isclose(rows[0][col["type_score"]], 0.8)
    assert all(math.isnan(v) for v in blocks.matrix(found, "en", None)[0][col["type_article"]:])


def _model(tmp_path, feature: str, threshold: float, version=blocks.FEATURES_VERSION, name=blocks.MODEL_FILE):
    """A one-split model: blocks with `feature` above `threshold` score 0.99, the rest 0.01."""
    logit = float(np.log(99))
    document = {
        "format": "cleaner-forest/1", "objective": "binary", "sigmoid": 1.0, "num_class": 1,
        "num_tree_per_iteration": 1, "average_output": False, "feature_names": list(blocks.NAMES),
        "meta": {"features_version": version},
        "trees": [{"feature": [blocks.NAMES.index(feature)], "threshold": [threshold], "decision": ["<="],
                   "default_left": [True], "missing": ["None"], "left": [-1], "right": [-2],
                   "leaf_value": [-logit, logit]}],
    }
    (tmp_path / name).write_text(json.dumps(document))
    blocks.load_model.cache_clear()
    return str(tmp_path)


def test_rescore_puts_back_what_the_model_keeps_where_it_stands(tmp_path):
    forest = blocks.load_model(_model(tmp_path, "rep", 1.0))  # log(rep) > 1: the three cards, not the menu's two items
    body = INTRO + "\nA line trafilatura wrote that is found nowhere on the page"
    out, added, removed = blocks.rescore(parse(PAGE), body, "", "en", None, forest)
    assert removed == []  # no drop model: nothing the body holds leaves
    assert [text for text, _ in added] == ["Pottery for beginners", "Learn to throw a pot on the wheel and glaze it.", "Life drawing",
                     "Draw from a model in charcoal and ink, all levels welcome.", "Bookbinding",
                     "Bind a notebook by hand with linen thread and boards."]
    lines = out.split("\n")
    assert lines[:2] == INTRO.split("\n")
    assert lines[2].startswith("A line trafilatura wrote")  # a line found nowhere stays after the one before it
    assert lines[3:] == [text for text, _ in added]  # the added blocks where they stand in the page
    assert all(score > 0.98 for _, score in added)


def test_rescore_leaves_the_body_alone_when_nothing_scores_high(tmp_path):
    forest = blocks.load_model(_model(tmp_path, "log_words", 100.0))
    assert blocks.rescore(parse(PAGE), INTRO, "", "en", None, forest) == (INTRO, [], [])


def test_blocks_in_the_comments_are_never_added(tmp_path):
    forest = blocks.load_model(_model(tmp_path, "log_words", -1.0))  # everything scores high
    _out, added, _removed = blocks.rescore(parse(PAGE), INTRO, "Copyright 2025 The Art School", "en", None, forest)
    texts = [text for text, _ in added]
    assert "Copyright 2025 The Art School" not in texts and "Home" in texts


def test_the_drop_model_takes_out_the_body_lines_of_blocks_it_scores_low(tmp_path):
    forest = blocks.load_model(_model(tmp_path, "log_words", 100.0))  # nothing comes back...
    drop = blocks.load_model(_model(tmp_path, "log_words", math.log1p(4), name=blocks.DROP_FILE),
                             blocks.DROP_FILE)  # ...and a block of four words or fewer is not content
    body = INTRO + "\nA line trafilatura wrote that is found nowhere on the page"
    out, added, removed = blocks.rescore(parse(PAGE), body, "", "en", None, forest, drop)
    assert added == [] and removed == [("Winter courses", pytest.approx(0.01))]
    assert out.split("\n") == body.split("\n")[1:]  # a line no block holds is not the model's to drop


def test_the_html_path_runs_the_block_model_on_pages_that_are_not_articles(tmp_path, type_model):
    page = Document("p", Kind.HTML, PAGE)
    folder = _model(tmp_path, "log_words", -1.0)  # every left-out block is content: the menu comes back
    type_model(tmp_path, PageType.LISTING)
    cleaned = Cleaner(Options(models_dir=folder)).clean(page)
    assert cleaned.meta["page_type"] == "listing"
    lines = cleaned.text.split("\n")
    assert lines.index("Shop") < lines.index(INTRO.split("\n")[1])  # where it stands: before the article
    explained = {line.text: line.reason for line in Cleaner(Options(models_dir=folder)).explain(page)}
    assert explained["Shop"] == "model/block 0.99"  # explain says which lines the model put back, and its score
    assert explained["Home"] == "web/navigation/menu-words"  # the line rules still go over what it put back
    assert explained["Bookbinding"] == ""  # trafilatura's own
    _model(tmp_path, "log_words", math.log1p(2), name=blocks.DROP_FILE)  # the drop model: two words or fewer go
    cleaned = Cleaner(Options(models_dir=folder)).clean(page)
    assert "Winter courses" not in cleaned.text.split("\n") and "Pottery for beginners" in cleaned.text.split("\n")
    assert ("model/block", "Winter courses") in {(r.rule, r.text) for r in cleaned.removed}
    explained = [(line.text, line.reason) for line in Cleaner(Options(models_dir=folder)).explain(page)]
    assert ("Winter courses", "model/block 0.01") in explained  # a line it took out says so, with its block's score
    type_model(tmp_path, PageType.ARTICLE)  # an article's body trafilatura mostly has whole: the stage does not run
    cleaned = Cleaner(Options(models_dir=folder)).clean(page)
    assert "Shop" not in cleaned.text.split("\n") and "Bookbinding" in cleaned.text.split("\n")


def test_a_model_of_other_features_is_refused(tmp_path):
    folder = _model(tmp_path, "rep", 0.5, version=blocks.FEATURES_VERSION + 1)
    with pytest.raises(ValueError, match="retrain"):
        blocks.load_model(folder)


def test_clean_reads_the_models_of_a_folder_the_user_trained(tmp_path, capsys, type_model):
    from cleaner.cli import main

    models = tmp_path / "models"
    models.mkdir()
    _model(models, "log_words", -1.0)
    type_model(models, PageType.LISTING)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "courses.html").write_text(PAGE)
    assert main(["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--models", str(models),
                 "--isolated", "--no-progress", "-j", "1"]) == 0
    assert "Shop" in (tmp_path / "out" / "articles" / "courses.txt").read_text().split("\n")
    assert main(["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out2"), "--models", str(tmp_path / "nope"),
                 "--isolated", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--models: models folder" in err and "nope" in err

