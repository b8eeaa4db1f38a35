"""The page-type stage: which of the seven page types (WCXB's) a page is, so later stages pick decisions by it.

A small forest of gradient-boosted trees (trained with `cleaner train`, predicted with numpy through
forest.py) reads cheap signals of the page:
- its URL's words (`/forum/`, `/product/`, `/docs/`, a dated slug...), when the URL is known;
- what the page says it is: schema.org types in JSON-LD or microdata, `og:type`;
- how it is built: counts of tags (code blocks, forms, list items, tables), class and id words
  (post, price, card, toc...), prices, link density, lines and their lengths.
The HTML path reads them from the parsed tree before anything is pruned; the text path from the
lines of the text. Each path has its own model file (`pagetype-html.json`, `pagetype-text.json`),
loaded once per process and folder from `Options.models_dir` (None: the files in cleaner/models/).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Iterable, Sequence
from urllib.parse import urlsplit

from .model import PageType

TYPES: tuple[PageType, ...] = tuple(PageType)  # the model's class order
REASON = "model/pagetype"  # the explain line that says which type a page was taken for, and how sure
MODEL_FILES = {"html": "pagetype-html.json", "text": "pagetype-text.json"}
TEXT_SAMPLE_CHARS = 8_000  # keyword counts read this much of a page's text (its start: menus, filters, buy buttons)
FLAT_SAMPLE_CHARS = 3_000  # the text model reads less: as accurate held out (0.742 against 0.746) at a third of the cost
NAMES_SAMPLE_CHARS = 16_000  # and this much of its class and id names

# --------------------------------------------------------------------------- words, grouped by the type they hint at
# Each group becomes one feature: how many of its words the URL (or the class names, or the text) holds.
URL_WORDS: dict[str, tuple[str, ...]] = {
    "forum": ("forum", "forums", "thread", "threads", "topic", "topics", "viewtopic", "showthread", "community",
              "discussion", "discussions", "discuss", "questions", "question", "board", "boards", "t", "r", "comments"),
    "product": ("product", "products", "p", "dp", "item", "items", "sku", "buy", "gp", "pd", "prod"),
    "collection": ("collection", "collections", "category", "categories", "c", "shop", "store", "catalog", "catalogue",
                   "brand", "brands", "range", "department", "cat"),
    "listing": ("list", "lists", "search", "jobs", "events", "directory", "archive", "archives", "page", "tag", "tags",
                "results", "browse", "index", "all", "latest", "recipes", "listings"),
    "documentation": ("docs", "doc", "documentation", "api", "reference", "manual", "guide", "guides", "wiki", "learn",
                      "developer", "developers", "kb", "help", "support", "tutorial", "tutorials", "howto", "sdk",
                      "library", "readthedocs", "en-us", "latest", "stable", "v1", "v2", "v3", "reference"),
    "service": ("services", "service", "solutions", "solution", "pricing", "about", "contact", "features", "plans",
                "company", "industries", "consulting", "treatment", "treatments", "care", "repair", "hire", "what-we-do"),
    "article": ("blog", "news", "article", "articles", "post", "posts", "story", "stories", "press", "insights",
                "magazine", "opinion", "review", "reviews", "column"),
}
SCHEMA_TYPES: dict[str, tuple[str, ...]] = {
    "article": ("Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle", "OpinionNewsArticle", "Blog"),
    "forum": ("DiscussionForumPosting", "QAPage", "Question", "Answer", "Comment", "SocialMediaPosting"),
    "product": ("Product", "Offer", "AggregateOffer", "AggregateRating", "IndividualProduct", "ProductGroup"),
    "collection": ("ItemList", "CollectionPage", "OfferCatalog", "SearchResultsPage", "ListItem"),
    "documentation": ("TechArticle", "APIReference", "SoftwareApplication", "HowTo", "SoftwareSourceCode"),
    "service": ("Service", "LocalBusiness", "ProfessionalService", "FAQPage", "MedicalBusiness", "Organization",
                "ContactPage", "AboutPage"),
}
CLASS_WORDS: dict[str, tuple[str, ...]] = {
    "forum": ("post", "message", "reply", "replies", "thread", "topic", "forum", "avatar", "username", "quote",
              "signature", "bbcode", "vote", "answer", "user-info", "postbody", "joined"),
    "product": ("product", "price", "cart", "sku", "variant", "quantity", "qty", "stock", "rating", "add-to", "checkout",
                "swatch", "gallery", "woocommerce"),
    "collection": ("grid", "card", "tile", "item", "listing", "result", "pagination", "pager", "filter", "facet",
                   "sort", "catalog", "collection", "teaser", "loop"),
    "documentation": ("toc", "docs", "highlight", "language-", "hljs", "code", "syntax", "api", "sidebar", "admonition",
                      "breadcrumb", "version", "prev", "next", "headerlink", "anchor", "nav"),
    "article": ("article", "entry", "author", "byline", "comment", "share", "related", "published", "date", "tags",
                "blog", "story", "headline"),
    "service": ("service", "hero", "cta", "testimonial", "feature", "team", "contact", "faq", "accordion", "banner",
                "section", "elementor", "wp-block-", "button", "icon"),
}
TEXT_WORDS: dict[str, tuple[str, ...]] = {
    "forum": ("reply", "replies", "quote", "joined", "posts:", "posted", "member", "thread", "topic", "views",
              "#1", "registered", "likes", "report", "originally posted"),
    "product": ("add to cart", "add to bag", "in stock", "out of stock", "sku", "quantity", "reviews", "buy now",
                "shipping", "add to basket", "wishlist", "free delivery", "specifications"),
    "collection": ("sort by", "filter", "results", "showing", "items", "view all", "load more", "products", "per page",
                   "price range", "brand", "next page"),
    "documentation": ("install", "example", "parameters", "returns", "function", "syntax", "api", "version",
                      "import", "class", "method", "configuration", "table of contents", "on this page", "edit this page"),
    "article": ("share", "comments", "posted by", "written by", "min read", "published", "updated", "subscribe",
                "newsletter", "related", "author"),
    "service": ("contact us", "get a quote", "our services", "book", "call", "free consultation", "why choose", "our team",
                "testimonials", "we offer", "appointment", "request"),
}

_TEXT_WORDS_ONCE = tuple(dict.fromkeys(w for words in TEXT_WORDS.values() for w in words))
_URL_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATED = re.compile(r"/(?:19|20)\d\d/(?:[01]?\d/)?")
_NUMERIC = re.compile(r"/\d{3,}(?:/|$|[-.])")
_PRICE = re.compile(r"(?:[$€£¥₹]\s?\d[\d,.]*|\d[\d,.]*\s?(?:€|EUR|USD|GBP|kr|zł)\b)")
_PRICE_MARKS = ("$", "€", "£", "¥", "₹", "EUR", "USD", "GBP", "kr", "zł")  # every _PRICE match holds one
_SCHEMA_TYPE = re.compile(r'"@type"\s*:\s*\[?\s*"(?:https?://schema\.org/)?(\w+)"|schema\.org/(\w+)')


def _group_counts(groups: dict[str, tuple[str, ...]], count) -> list[float]:
    return [float(sum(count(word) for word in words)) for words in groups.values()]


def url_features(url: str | None) -> list[float]:
    """Words of the URL's path grouped by type, and its shape; all -1 when the URL is unknown."""
    names = URL_FEATURES
    if not url:
        return [-1.0] * len(names)
    parts = urlsplit(url.lower())
    path = parts.path or "/"
    tokens = set(_URL_TOKEN.findall(path)) | set(path.strip("/").split("/"))
    tokens |= {t for token in list(tokens) for t in token.split("-")}
    segments = [s for s in path.split("/") if s]
    last = segments[-1] if segments else ""
    host = parts.hostname or ""
    out = _group_counts(URL_WORDS, lambda w: w in tokens)
    out += [
        float(len(segments)),
        float(len(last)),
        float(last.count("-")),
        float(bool(parts.query)),
        float(bool(_DATED.search(path))),
        float(bool(_NUMERIC.search(path))),
        float(last.endswith((".html", ".htm", ".php", ".aspx"))),
        float(any(h in host for h in ("forum", "community", "discuss", "board"))),
        float(any(h in host for h in ("docs", "developer", "wiki", "learn", "help", "support"))),
        float(any(h in host for h in ("shop", "store"))),
    ]
    return out


URL_FEATURES = tuple(f"url_{g}" for g in URL_WORDS) + (
    "url_depth", "url_last_len", "url_last_hyphens", "url_query", "url_dated", "url_numeric", "url_file",
    "host_forum", "host_docs", "host_shop")


def text_word_features(text: str, sample: int = TEXT_SAMPLE_CHARS) -> list[float]:
    """Keyword counts of the visible text's first `sample` characters grouped by type, and its prices."""
    text = text[:sample]
    low = text.lower()
    counts = {word: low.count(word) for word in _TEXT_WORDS_ONCE}  # a word two groups share is counted once
    out = _group_counts(TEXT_WORDS, counts.__getitem__)
    priced = any(mark in text for mark in _PRICE_MARKS)  # a few scans in C instead of a regex tried at every digit
    out.append(float(len(_PRICE.findall(text))) if priced else 0.0)
    return out


TEXT_WORD_FEATURES = tuple(f"text_{g}" for g in TEXT_WORDS) + ("prices",)


def line_features(lines: Sequence[str]) -> list[float]:
    """The shape of a page's lines: how many, how long, how many short ones, sentences, code-like ones."""
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return [0.0] * len(LINE_FEATURES)
    words = [len(line.split()) for line in lines]
    total = float(sum(words))
    short = sum(1 for w in words if w <= 3)
    long_ = sum(1 for w in words if w >= 20)
    sentences = sum(1 for line in lines if line[-1:] in ".!?")
    code = sum(1 for line in lines if line[-1:] in "{};)" or line.startswith(("$ ", ">>> ", "import ", "def ", "//", "#include")))
    longest = max(words)
    return [float(len(lines)), total, short / len(lines), long_ / len(lines), sentences / len(lines),
            float(code), longest / total, float(long_)]


LINE_FEATURES = ("lines", "words", "short_share", "long_share", "sentence_share", "code_lines", "longest_share",
                 "long_lines")

# --------------------------------------------------------------------------- HTML


_TAGS = ("p", "li", "a", "pre", "code", "table", "tr", "form", "input", "select", "button", "img", "h1", "h2",
         "h3", "article", "time", "nav", "aside", "blockquote", "dl", "section", "iframe", "ul", "footer", "svg",
         "textarea", "label", "option", "kbd", "dt")
@lru_cache(maxsize=1)
def _xpaths() -> SimpleNamespace:
    """The HTML features' XPaths, compiled when the first page is typed: a text run never loads lxml."""
    from lxml import etree

    return SimpleNamespace(
        itemtypes=etree.XPath("//@itemtype|//@typeof"), elements=etree.XPath("count(//*)"),
        body_text=etree.XPath("string(//body)"), link_text=etree.XPath("//a//text()"),
        linked_items=etree.XPath("count(//li[a])"), classes=etree.XPath("//@class", smart_strings=False),
        ids=etree.XPath("//@id", smart_strings=False), og_type=etree.XPath("//meta[@property='og:type']/@content"))


def _schema_types(tree) -> set[str]:
    """schema.org type names the page declares in JSON-LD, microdata or RDFa."""
    found: set[str] = set()
    for script in tree.iter("script"):
        if script.get("type") == "application/ld+json" and script.text:
            found.update(a or b for a, b in _SCHEMA_TYPE.findall(script.text))
    for value in _xpaths().itemtypes(tree):
        found.update(a or b for a, b in _SCHEMA_TYPE.findall(value))
        found.update(v.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in value.split())
    return found


def _og_type(tree) -> str:
    values = _xpaths().og_type(tree)
    return values[0].strip().lower() if values else ""


OG_TYPES = ("article", "product", "website", "profile", "book", "video")


def html_features(tree, url: str | None, classes_text: str | None = None) -> list[float]:
    """The HTML model's features of a parsed page (before pruning); `classes_text` is the page's class
    and id names as one text, if the caller already has them."""
    counts = dict.fromkeys(_TAGS, 0)
    for el in tree.iter(*_TAGS):
        counts[el.tag] += 1
    x = _xpaths()
    elements = x.elements(tree)
    schema = _schema_types(tree)
    og = _og_type(tree)
    if classes_text is None:
        classes_text = " ".join(x.classes(tree)) + " " + " ".join(x.ids(tree))  # as html.selectors.Names has them
    names = classes_text[:NAMES_SAMPLE_CHARS].lower()
    text = x.body_text(tree)  # scripts in the body included: a product's price data is a signal too
    text_len = max(1, len(text))
    link_text = sum(map(len, x.link_text(tree)))
    li_linked = x.linked_items(tree)
    out = [float(elements)] + [float(counts[t]) for t in _TAGS]
    out += [float(sum(name in schema for name in group)) for group in SCHEMA_TYPES.values()]
    out += [float(og == t) for t in OG_TYPES] + [float(bool(og) and og not in OG_TYPES)]
    out += _group_counts(CLASS_WORDS, names.count)
    out += [float(text_len), link_text / text_len, li_linked / max(1, counts["li"]), counts["p"] / max(1, counts["li"]),
            counts["a"] / max(1.0, text_len / 100)]
    out += text_word_features(text)
    out += url_features(url)
    return out


HTML_FEATURES = (("elements",) + tuple(f"tag_{t}" for t in _TAGS) + tuple(f"schema_{g}" for g in SCHEMA_TYPES)
                 + tuple(f"og_{t}" for t in OG_TYPES) + ("og_other",) + tuple(f"class_{g}" for g in CLASS_WORDS)
                 + ("text_chars", "link_density", "li_linked_share", "p_per_li", "links_per_100_chars")
                 + TEXT_WORD_FEATURES + URL_FEATURES)


def text_features(text: str, url: str | None) -> list[float]:
    """The text model's features of a flattened page."""
    sample = text[:FLAT_SAMPLE_CHARS]
    return line_features(sample.splitlines()) + text_word_features(sample, FLAT_SAMPLE_CHARS) + url_features(url)


TEXT_FEATURES = LINE_FEATURES + TEXT_WORD_FEATURES + URL_FEATURES
FEATURES = {"html": HTML_FEATURES, "text": TEXT_FEATURES}

# --------------------------------------------------------------------------- prediction


@dataclass(frozen=True)
class Guess:
    """The page type and the model's probability for it."""

    type: PageType
    score: float

    def __str__(self) -> str:
        return f"{self.type.value} {self.score:.2f}"


# The page type as the learned line and block models read it: one column per type, then the probability.
COLUMNS = (*(f"type_{t.value}" for t in TYPES), "type_score")


def columns(guess: Guess | None) -> list[float]:
    """The COLUMNS of a guess; missing values without one (no page-type model)."""
    if guess is None:
        return [math.nan] * len(COLUMNS)
    return [1.0 if guess.type is t else 0.0 for t in TYPES] + [guess.score]


class PageTypeError(ValueError):
    """A page-type model file that does not fit this version's features."""


@lru_cache(maxsize=8)
def model(kind: str, models_dir: str | None):
    """The forest of one path, loaded once per process and folder; None when there is no model file."""
    from .forest import Forest, model_path

    path = model_path(models_dir, MODEL_FILES[kind])
    if not path.exists():
        return None
    forest = Forest.load(path)
    if forest.feature_names and tuple(forest.feature_names) != FEATURES[kind]:
        raise PageTypeError(f"{path}: trained on other features than this version reads; retrain it with `cleaner train`")
    return forest


def classify(features: Sequence[float], kind: str, models_dir: str | None = None) -> Guess | None:
    """The most likely type of a page from its features (`html_features` or `text_features`); None without a model."""
    forest = model(kind, models_dir)
    if forest is None:
        return None
    probs = forest.predict_row(list(features))
    best = max(range(len(probs)), key=probs.__getitem__)
    return Guess(TYPES[best], float(probs[best]))


def classify_html(tree, url: str | None, models_dir: str | None = None, classes_text: str | None = None) -> Guess | None:
    return classify(html_features(tree, url, classes_text), "html", models_dir)


def classify_text(text: str, url: str | None, models_dir: str | None = None) -> Guess | None:
    return classify(text_features(text, url), "text", models_dir)


def labels_of(types: Iterable[str]) -> list[int]:
    """Class indices of page-type names, in the model's order."""
    order = {t.value: i for i, t in enumerate(TYPES)}
    return [order[t] for t in types]
