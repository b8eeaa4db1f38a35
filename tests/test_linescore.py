"""The learned line scorer on the text path: rules first, the model re-decides the heuristics' lines."""

import json

import numpy as np
import pytest

from cleaner import linescore
from cleaner.forest import Forest
from cleaner.lines import split_lines
from cleaner.model import Document, Kind, Label, Page
from cleaner.pipeline import Cleaner, Options


ARTICLE = "\n\n".join([
    "Council extends library hours",
    "The council voted on Tuesday to extend the library's opening hours through the winter months.",
    "Residents had asked for longer hours since the reading room was refurbished last year, the chair said.",
    "Ok",
    "The new hours start next week and will be reviewed in March, when the budget is set again.",
])
PAGE = "Home\nNews\nSport\nContact Us\nLocal stories from the valley\n\n" + ARTICLE + "\n\nShare this article\nPrivacy policy\n"


LOW = 0.01  # below linescore.DROP_BELOW; 1 - LOW is above KEEP_ABOVE
assert LOW < linescore.DROP_BELOW and 1 - LOW >= linescore.KEEP_ABOVE


def _short_line_model(tmp_path, version=linescore.FEATURES_VERSION):
    """A one-split model: lines of at most two words score LOW (drop), longer ones 1 - LOW (keep)."""
    words = linescore.NAMES.index("words")
    logit = float(np.log((1 - LOW) / LOW))
    document = {
        "format": "cleaner-forest/1", "objective": "binary", "sigmoid": 1.0, "num_class": 1,
        "num_tree_per_iteration": 1, "average_output": False, "feature_names": list(linescore.NAMES),
        "meta": {"features_version": version},
        "trees": [{"feature": [words], "threshold": [2.5], "decision": ["<="], "default_left": [True],
                   "missing": ["None"], "left": [-1], "right": [-2], "leaf_value": [-logit, logit]}],
    }
    (tmp_path / linescore.MODEL_FILE).write_text(json.dumps(document))
    linescore.load_model.cache_clear()
    return str(tmp_path)


def test_matrix_has_a_row_per_non_blank_line_and_a_column_per_name():
    page = Cleaner(Options(models_dir="/nonexistent")).labelled(PAGE, learned=False)
    rows, X = linescore.matrix(page)
    assert rows == [i for i, line in enumerate(page.lines) if not line.blank]
    assert X.shape == (len(rows), len(linescore.NAMES))
    words = X[:, linescore.NAMES.index("words")]
    assert words[rows.index(0)] == 1  # "Home"
    previous = X[:, linescore.NAMES.index("words@-1")]
    assert np.isnan(previous[0]) and previous[1] == words[0]  # neighbours skip blank lines; none before the first


def test_the_page_type_is_a_column_of_every_row():
    from cleaner.model import PageType
    from cleaner.pagetype import Guess

    page = Cleaner(Options(models_dir="/nonexistent")).labelled(PAGE, learned=False)
    _rows, untyped = linescore.matrix(page)
    _rows, typed = linescore.matrix(page, Guess(PageType.LISTING, 0.7))
    listing, score = linescore.NAMES.index("type_listing"), linescore.NAMES.index("type_score")
    assert np.isnan(untyped[:, listing]).all()  # no guess: missing, as the trees learned a page with no type model
    assert (typed[:, listing] == 1).all() and (typed[:, linescore.NAMES.index("type_article")] == 0).all()
    assert np.allclose(typed[:, score], 0.7)
    first = linescore.NAMES.index("type_article")
    assert np.array_equal(typed[:, :first], untyped[:, :first], equal_nan=True)  # the line's own columns do not move


def test_empty_page_has_an_empty_matrix():
    rows, X = linescore.matrix(Page(lines=split_lines("\n\n")))
    assert rows == [] and X.shape == (0, len(linescore.NAMES))


def test_model_drops_lines_with_its_reason_and_score_and_rules_keep_theirs(tmp_path):
    models = _short_line_model(tmp_path)
    plain = Cleaner(Options(models_dir=str(tmp_path / "none")))
    learned = Cleaner(Options(models_dir=models))
    before = plain.clean(Document("d", Kind.TEXT, PAGE))
    after = learned.clean(Document("d", Kind.TEXT, PAGE))
    by_text = {line.text: line for line in learned.page(PAGE).lines}
    assert by_text["Ok"].label is Label.DROP and by_text["Ok"].reason == f"model/line {LOW:.2f}"
    assert "Ok" in before.text.split("\n") and "Ok" not in after.text.split("\n")
    assert any(r.rule == "model/line" and r.text == "Ok" for r in after.removed)
    assert all(not r.rule.startswith("model/line ") for r in after.removed)
    # lines a rule decided keep the rule's reason, whatever the model would say
    rule_lines = [line for line in plain.page(PAGE).lines if line.label is Label.DROP and "/" in line.reason
                  and not line.reason.startswith(("heuristic/", "model/"))]
    for line in rule_lines:
        assert by_text[line.text].reason == line.reason
    # a line the heuristics dropped but the model keeps is back in the article, with no removal left behind
    valley = "Local stories from the valley"
    assert any(r.text == valley and r.rule.startswith("heuristic/") for r in before.removed)
    assert valley in after.text and not any(r.text == valley for r in after.removed)


def test_cleaning_the_output_again_changes_nothing_with_a_model(tmp_path):
    cleaner = Cleaner(Options(models_dir=_short_line_model(tmp_path)))
    once = cleaner.clean(Document("d", Kind.TEXT, PAGE))
    again = cleaner.clean(Document("d", Kind.TEXT, f"{once.title}\n\n{once.text}\n"))
    assert again.text == once.text and again.title == once.title


def test_no_model_file_means_the_heuristics_decide(tmp_path):
    assert linescore.load_model(str(tmp_path)) is None


def test_a_model_of_other_features_is_refused_with_a_retrain_hint(tmp_path):
    models = _short_line_model(tmp_path, version=linescore.FEATURES_VERSION + 1)
    with pytest.raises(ValueError, match="cleaner train"):
        linescore.load_model(models)


def test_model_is_loaded_once_per_folder(tmp_path):
    models = _short_line_model(tmp_path)
    assert linescore.load_model(models) is linescore.load_model(models)
    assert isinstance(linescore.load_model(models), Forest)
