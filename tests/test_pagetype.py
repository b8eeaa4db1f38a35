"""The page-type stage: its features, the shipped models, and the profile a type chooses on the HTML path."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from cleaner import Cleaner, pagetype, pipeline
from cleaner.forest import SHIPPED
from cleaner.html.parse import parse
from cleaner.model import Document, Kind, PageType
from cleaner.options import Options
from cleaner.profiles import ARTICLE, PROFILES, Profile, for_type

from test_html import PARAGRAPHS, page as article_page


def features(html: str, url: str | None = None) -> dict[str, float]:
    return dict(zip(pagetype.HTML_FEATURES, pagetype.html_features(parse(html), url)))


def product_page() -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "Product", "name": "Oak bench",
                     "offers": {"@type": "Offer", "price": "249.00", "priceCurrency": "EUR"}})
    return f"""<html><head><title>Oak bench</title><meta property="og:type" content="product">
<script type="application/ld+json">{ld}</script></head><body>
<nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
<div class="product-main"><h1 class="product-title">Oak bench</h1><p class="price">€249.00</p>
<form class="cart"><select name="size"><option>S</option><option>L</option></select>
<input name="qty" value="1"><button class="add-to-cart">Add to cart</button></form>
<p>A solid oak bench for two, oiled by hand. In stock, free delivery in five days.</p></div></body></html>"""


def forum_page() -> str:
    posts = "".join(
        f'<article class="message message--post" itemscope itemtype="https://schema.org/Comment">'
        f'<div class="message-user"><span class="username">member{i}</span><div class="avatar"></div>'
        f'<dl><dt>Joined</dt><dd>2019</dd></dl></div><div class="message-content"><div class="bbWrapper">{text}</div>'
        f'</div><a class="reply">Reply</a> <a class="quote">Quote</a></article>'
        for i, text in enumerate(PARAGRAPHS))
    return f"""<html><head><title>Rebuilding an old mill | Forum</title>
<script type="application/ld+json">{{"@type": "DiscussionForumPosting", "headline": "Rebuilding an old mill"}}</script>
</head><body><h1>Rebuilding an old mill</h1><div class="thread">{posts}</div></body></html>"""


def test_url_words_are_grouped_by_the_type_they_hint_at():
    named = dict(zip(pagetype.URL_FEATURES, pagetype.url_features("https://example.org/forums/threads/old-mill.123/")))
    assert named["url_forum"] >= 2 and named["url_product"] == 0
    assert named["url_last_hyphens"] == 1 and named["url_depth"] == 3
    assert set(pagetype.url_features(None)) == {-1.0}  # unknown, not "no words"


def test_declared_types_are_read_from_json_ld_microdata_and_og():
    product = features(product_page())
    assert product["schema_product"] >= 2 and product["og_product"] == 1 and product["prices"] >= 1
    forum = features(forum_page())
    assert forum["schema_forum"] >= 2 and forum["schema_product"] == 0 and forum["og_other"] == 0


def test_html_and_text_features_have_their_names():
    assert len(pagetype.html_features(parse(article_page()), None)) == len(pagetype.HTML_FEATURES)
    assert len(pagetype.text_features("One line.\nTwo lines here", "https://a.org/b")) == len(pagetype.TEXT_FEATURES)
    assert len(set(pagetype.HTML_FEATURES)) == len(pagetype.HTML_FEATURES)


@pytest.mark.parametrize("html, url, expected", [
    (article_page(), "https://riverside.example/2024/05/how-we-rebuilt-the-old-mill", PageType.ARTICLE),
    (product_page(), "https://shop.example/product/oak-bench", PageType.PRODUCT),
    (forum_page(), "https://forum.example/threads/rebuilding-an-old-mill.4521/", PageType.FORUM),
])
def test_the_shipped_model_tells_clear_pages_apart(html, url, expected):
    guess = pagetype.classify_html(parse(html), url)
    assert guess is not None and guess.type is expected and 0 < guess.score <= 1


def test_the_type_goes_into_meta_and_explain(cleaner):
    doc = Document("p.html", Kind.HTML, product_page(), {"url": "https://shop.example/product/oak-bench"})
    assert cleaner.clean(doc).meta["page_type"] == "product"
    first = cleaner.explain(doc)[0]
    assert first.reason == "model/pagetype" and first.text.startswith("page type: product")


def test_no_model_file_no_type(tmp_path):
    cleaned = Cleaner(Options(models_dir=str(tmp_path))).clean(Document("m.html", Kind.HTML, article_page()))
    assert "page_type" not in cleaned.meta and PARAGRAPHS[0] in cleaned.text


def test_a_model_of_other_features_is_refused(tmp_path):
    shipped = json.loads((SHIPPED / pagetype.MODEL_FILES["html"]).read_text())
    shipped["feature_names"] = shipped["feature_names"][:-1] + ["something_else"]
    (tmp_path / pagetype.MODEL_FILES["html"]).write_text(json.dumps(shipped))
    with pytest.raises(pagetype.PageTypeError, match="retrain"):
        pagetype.classify_html(parse(article_page()), None, str(tmp_path))


TEASERS = "".join(f'<li><h3><a href="/bench-{i}">Oak bench model {i}</a></h3><p>Solid oak, oiled by hand, seats two '
                  f'grown-ups and a dog, delivered in a week.</p></li>' for i in range(6))
LISTING = f"""<html><head><title>Benches</title></head><body><main><h1>Benches</h1>
<p>{PARAGRAPHS[0]}</p><ul class="items">{TEASERS}</ul><p>{PARAGRAPHS[1]}</p></main></body></html>"""


def test_a_profile_without_link_lists_keeps_the_items(cleaner, monkeypatch):
    doc = Document("l.html", Kind.HTML, LISTING)
    monkeypatch.setattr(pipeline, "classify_html", lambda *a, **k: pagetype.Guess(PageType.LISTING, 0.9))
    monkeypatch.setattr(pipeline, "for_type", lambda t: ARTICLE)
    assert "Oak bench model 3" not in cleaner.clean(doc).text
    monkeypatch.setattr(pipeline, "for_type", lambda t: Profile(link_lists=False))
    assert "Oak bench model 3" in cleaner.clean(doc).text


def test_every_type_has_a_profile_and_unknown_is_the_article_one():
    assert for_type(None) is ARTICLE
    assert all(isinstance(for_type(t), Profile) for t in PageType)
    assert all(p.favor in ("recall", "balanced", "precision") for p in PROFILES.values())


def test_the_text_path_types_its_pages_too(cleaner):
    text = "Home\nForums\n\n" + "\n\n".join(f"member{i}\nJoined: 2019\nPosts: 12\n{p}\nReply Quote"
                                              for i, p in enumerate(PARAGRAPHS))
    doc = Document("t.txt", Kind.TEXT, text, {"url": "https://forum.example/threads/old-mill.4521/"})
    guess = pagetype.classify_text(text, doc.meta["url"])
    assert guess is not None and guess.type is PageType.FORUM
    assert cleaner.clean(doc).meta["page_type"] == "forum"
    assert cleaner.explain(doc)[0].text == f"page type: {guess}"


def _typed_gold(tmp_path, name: str, seed: int):
    lines = []
    for n in range(100):  # enough rows in each half for the trees' leaves (min_data_in_leaf)
        kind = ("article", "product")[n % 2]
        html = product_page() if kind == "product" else article_page()
        url = f"https://site{seed}-{n}.example/" + ("product/oak-bench" if kind == "product" else "2024/05/the-old-mill")
        lines.append(json.dumps({"id": str(n), "url": url, "html": html, "page_text": "", "gold_article": "",
                                 "page_type": kind}))
    path = tmp_path / f"{name}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cleaner_train_fits_the_page_types_apart_by_group(tmp_path):
    pytest.importorskip("lightgbm")
    from cleaner.cli import main
    from cleaner.forest import Forest

    gold = [_typed_gold(tmp_path, "typed", 1)]
    assert main(["train", *map(str, gold), "--held-out-all", "-o", str(tmp_path / "root"), "--part", "pagetype-html"]) == 0
    folders = sorted(p.name for p in (tmp_path / "root").iterdir())
    assert folders == ["typed.0", "typed.1"]  # a typed set is held apart in halves by domain
    forest = Forest.load(tmp_path / "root" / "typed.0" / pagetype.MODEL_FILES["html"])
    assert forest.meta["trained_on"] == ["typed.1"] and forest.meta["types"][0] == "article"
    guess = pagetype.classify_html(parse(product_page()), "https://shop.example/product/oak-bench",
                                   str(tmp_path / "root" / "typed.0"))
    assert guess.type is PageType.PRODUCT


@given(st.text(alphabet="0123456789.,$€£¥₹ EURUSDGBPkrzł abc\n", max_size=60))
def test_price_count_skips_the_regex_only_when_it_cannot_match(text):
    from cleaner.pagetype import _PRICE, TEXT_WORD_FEATURES, text_word_features

    assert text_word_features(text)[TEXT_WORD_FEATURES.index("prices")] == len(_PRICE.findall(text))
