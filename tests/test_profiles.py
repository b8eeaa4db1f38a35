"""Page-type profiles on the text path: pages whose content is items and sections keep the prose outside the core."""

import json

import pytest

from cleaner.model import Document, Kind, PageType
from cleaner.pipeline import Cleaner, Options

COURSES = "\n\n".join([
    "Evening courses",
    "Our winter courses start in January and run for ten weeks, with classes in the evening after work.",
    "Each course is taught by a practising artist, and materials are included in the fee for every student.",
    "Home\nShop\nAbout\nContact\nBlog\nNews\nEvents\nGallery",
    "Bookbinding: bind a notebook by hand with linen thread and boards, over four Saturday mornings in March.",
    "Privacy\nTerms\nCookies\nSitemap",
])
FAR = "Bookbinding: bind a notebook by hand with linen thread and boards, over four Saturday mornings in March."


def _text_typer(folder, page_type: PageType) -> None:
    from cleaner import pagetype

    trees = [{"feature": [0], "threshold": [0.0], "decision": ["<="], "default_left": [True], "missing": ["None"],
              "left": [-1], "right": [-2], "leaf_value": [v, v]}
             for v in (5.0 if t is page_type else 0.0 for t in pagetype.TYPES)]
    document = {"format": "cleaner-forest/1", "objective": "multiclass", "sigmoid": 1.0, "num_class": len(trees),
                "num_tree_per_iteration": len(trees), "average_output": False,
                "feature_names": list(pagetype.FEATURES["text"]), "meta": {"types": [t.value for t in pagetype.TYPES]},
                "trees": trees}
    (folder / pagetype.MODEL_FILES["text"]).write_text(json.dumps(document))
    pagetype.model.cache_clear()


@pytest.mark.parametrize("page_type, kept", [(PageType.LISTING, True), (PageType.SERVICE, True),
                                              (PageType.FORUM, True), (PageType.ARTICLE, False)])
def test_text_pages_that_are_not_articles_keep_prose_outside_the_core(tmp_path, page_type, kept):
    _text_typer(tmp_path, page_type)
    cleaner = Cleaner(Options(models_dir=str(tmp_path)))
    doc = Document("c", Kind.TEXT, COURSES)
    assert (FAR in cleaner.clean(doc).text.split("\n")) is kept
    assert "Gallery" not in cleaner.clean(doc).text  # the menus still leave
    reasons = {line.text: line.reason for line in cleaner.explain(doc)}
    assert (reasons[FAR] == "") is kept  # explain shows what clean did
