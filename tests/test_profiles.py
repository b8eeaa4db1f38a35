"""Page-type profiles on the text path: pages whose content is items and sections keep the prose outside the core."""

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


@pytest.mark.parametrize("page_type, kept", [(PageType.LISTING, True), (PageType.SERVICE, True),
                                              (PageType.FORUM, True), (PageType.ARTICLE, False)])
def test_text_pages_that_are_not_articles_keep_prose_outside_the_core(tmp_path, type_model, page_type, kept):
    type_model(tmp_path, page_type, "text")
    cleaner = Cleaner(Options(models_dir=str(tmp_path)))
    doc = Document("c", Kind.TEXT, COURSES)
    assert (FAR in cleaner.clean(doc).text.split("\n")) is kept
    assert "Gallery" not in cleaner.clean(doc).text  # the menus still leave
    reasons = {line.text: line.reason for line in cleaner.explain(doc)}
    assert (reasons[FAR] == "") is kept  # explain shows what clean did
    removed = {r.text for r in cleaner.clean(doc).removed}
    assert (FAR in removed) is not kept  # a line kept after all is not reported removed
