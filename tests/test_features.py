"""Line features, each on its own: counts, punctuation, stop words per language, the good/near-good thresholds."""

from __future__ import annotations

import pytest

from cleaner import features as F
from cleaner.features import features
from cleaner.stopwords import known, stoplist

PROSE = "The council voted on Tuesday to extend the opening hours of the library through the winter."


def test_words_count_runs_of_letters_and_each_cjk_character():
    assert features("Back to top").words == 3
    assert features("返回顶部").words == 4
    assert features("").words == 0


def test_terminal_punctuation_allows_closing_quotes_but_not_a_bare_quote():
    assert features('He said "yes."').terminal
    assert features("A list of things;").terminal
    assert features("Done!)").terminal
    assert not features('The "Quoted Title"').terminal
    assert not features("Menu").terminal


def test_ends_period_is_a_sentence_end_not_a_clause_end():
    assert features("It rained.").ends_period
    assert features("“It rained.”").ends_period
    assert not features("Read more:").ends_period
    assert not features("A list of things;").ends_period


@pytest.mark.parametrize("text, ratio", [("2019-11-20", 8 / 10), ("abc", 0.0)])
def test_digit_ratio_counts_digits_among_visible_characters(text, ratio):
    assert features(text).digit_ratio == pytest.approx(ratio)


def test_char_counts_agree_for_ascii_and_unicode_lines():
    for text in ["Hello World 12", "Ünïcode Straße 3 Ä", "  a\tb "]:
        expected = (sum(c.isalpha() for c in text), sum(c.isdigit() for c in text),
                    sum(c.isupper() for c in text), sum(not c.isspace() for c in text))
        assert F._char_counts(text) == expected


def test_upper_and_titlecase_ratios():
    assert features("BREAKING NEWS").upper_ratio == 1.0
    assert features("Sport News Weather").titlecase_ratio == 1.0
    assert features("sport news weather").titlecase_ratio == 0.0


def test_stopword_density_uses_the_language_of_the_page():
    german = "Die Stadt hat am Dienstag beschlossen, die Öffnungszeiten der Bibliothek zu verlängern."
    assert features(german, "de").stopword_density > features(german, "en").stopword_density
    assert features(german, "de").stopword_density >= F.MIN_STOPWORD_DENSITY


def test_scripts_without_a_stoplist_get_unknown_density_not_zero():
    assert features("한국어 문장은 여기에 있습니다", "xx").stopword_density == -1.0


def test_good_needs_min_words_and_terminal_punctuation():
    assert features(PROSE).good
    short = "The council voted on Tuesday."
    assert features(short).words < F.GOOD_MIN_WORDS and not features(short).good
    assert not features(PROSE.rstrip(".")).good  # 16 words, no sentence mark, under GOOD_LONG_WORDS


def test_good_long_lines_need_no_punctuation():
    long = " ".join([PROSE.rstrip(".")] * 2)
    assert features(long).words >= F.GOOD_LONG_WORDS and features(long).good


def test_good_needs_stop_words():
    names = "Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy."
    assert features(names).words >= F.GOOD_MIN_WORDS
    assert features(names).stopword_density < F.MIN_STOPWORD_DENSITY and not features(names).good


def test_near_good_threshold():
    assert features("The council voted on Tuesday.").near_good  # NEAR_MIN_WORDS words and a sentence mark
    assert not features("Voted Tuesday.").near_good


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "ar", "fa", "zh", "ja"])
def test_every_issue_language_has_a_stoplist(lang):
    assert known(lang) and len(stoplist(lang)) >= 20
