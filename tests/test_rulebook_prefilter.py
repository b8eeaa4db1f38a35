"""The regex prefilter only skips patterns that could not have matched."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.model import RegexBudget
from cleaner.rulebook.prefilter import first_chars, fold_key, required
from cleaner.lines import word_count
from cleaner.rulebook import load
from cleaner.rulebook.book import _compile


@pytest.mark.parametrize("pattern, expected", [
    ("read more", {"r"}),
    (r"\(?(?:photo|image)s?", {"(", "p", "i"}),
    (r"(?:\d+ )?comments", None),  # \d is a category: any character
    (r"[ab]x|cy", {"a", "b", "c"}),
    (r"\bposted in", {"p"}),
    (r"(?=x)xy", {"x"}),
    (r"a?", None),  # can match the empty string
    (r"\p{Lu}ome", None),  # regex-module syntax the stdlib parser does not read
])
def test_first_chars(pattern, expected):
    assert first_chars(pattern) == (None if expected is None else frozenset(expected))


def test_first_chars_fold_case():
    assert {"r", "R".casefold()} <= first_chars("Read")
    assert fold_key("Read more") in first_chars("read")


@pytest.mark.parametrize("pattern, expected", [
    (r".{0,80}all rights reserved\.?", {"all rights reserved"}),
    (r"[\w .]{1,40} said:\s*", {" said:"}),
    (r"(?:lire aussi|voir aussi)\s*:.*", {"lire aussi", "voir aussi"}),
    (r"(?:a|bc)d+", {"a", "bc"}),
    (r"(?:copyright|©)\s*\d{4}|.{0,80}all rights reserved", {"copyright", "©", "all rights reserved"}),
    (r"(?:\w+ )?newsletter", {"newsletter"}),
    (r"(?=.*\binbox\b).{10,300}", {"inbox"}),  # a lookahead's string is in the line
    (r"(?!.*inbox).{10,300}", None),
    (r"x(?:foo)?y", {"x"}),  # the optional group requires nothing; a literal outside it does
])
def test_required(pattern, expected):
    assert required(pattern) == (None if expected is None else frozenset(expected))


def _reference(book, text: str, zone: str):
    """Every regex rule in order, guards first: what the prefiltered match must agree with."""
    stripped = text.strip()
    for rule in book._regex_rules:
        if rule.guard_ok(stripped, zone) and any(_compile(p, rule).fullmatch(stripped) for p in rule.patterns):
            return rule.id
    return None


BOOK = load()
EXAMPLES = sorted({e["in"] if isinstance(e, dict) else e for r in BOOK.rules for v in r.examples.values() for e in v or []
                   if isinstance(e if isinstance(e, str) else e.get("in"), str)})


@pytest.mark.parametrize("zone", ["head", "tail", "anywhere"])
def test_prefiltered_matching_agrees_with_trying_every_rule(zone):
    for text in EXAMPLES:
        stripped = text.strip()
        hit = BOOK._match_regex(stripped, zone, word_count(stripped), stripped.casefold(), RegexBudget()) if stripped else None
        assert (hit.rule.id if hit else None) == _reference(BOOK, text, zone), text


chrome_words = st.sampled_from(["Read more", "Photo", "by", "Getty Images", "/", "AP", "comments", "12", "said:", "©",
                                "All rights reserved", "Newsletter", "Cookies", "Home", "»", "Posted in", "(", ")"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(chrome_words, st.text(max_size=8)), min_size=1, max_size=8), st.sampled_from(["head", "tail"]))
def test_prefilter_agrees_on_generated_lines(parts, zone):
    text = " ".join(parts).strip()
    if not text:
        return
    hit = BOOK._match_regex(text, zone, word_count(text), text.casefold(), RegexBudget())
    assert (hit.rule.id if hit else None) == _reference(BOOK, text, zone)


def test_every_builtin_pattern_is_read_or_left_unfiltered():
    for rule in BOOK._regex_rules:
        for pattern in rule.patterns:
            chars = first_chars(pattern)
            assert chars is None or all(len(c) == 1 for c in chars)
            regex.compile(pattern)  # the prefilter never replaces the real pattern


def _reference_strip(book, text: str, zone: str):
    for rule in (r for r in book.rules if r.kind == "strip"):
        if rule.guard_ok(text, zone):
            for pattern in rule.patterns:
                new = _compile(pattern, rule).sub("", text)
                if new != text:
                    return rule.id, " ".join(new.split())
    return None


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(["Credit...", "Credit... Jane Doe", "Continue Reading Below", "continue reading below",
                                           "CREDIT...", "The mill reopened.", "Photo"]), st.text(max_size=6)),
                min_size=1, max_size=6))
def test_strip_prefilter_agrees_with_trying_every_strip_rule(parts):
    text = " ".join(parts)
    hit = BOOK._match_strip(text, "tail", None, None, RegexBudget())
    assert ((hit.rule.id, " ".join(hit.text.split())) if hit else None) == _reference_strip(BOOK, text, "tail")
