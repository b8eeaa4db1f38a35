"""Fast paths give the same answers as the general code they stand in for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import rulebook
from cleaner.rulebook import fold, fold_words, trim

# Characters where the fast paths and the regex engine could part ways: separators str.split() knows
# and regex's \s does not, punctuation at the edges, combining marks, characters casefold expands.
EDGY = st.text(alphabet=st.sampled_from(list("ab Z9 _-.,!?\"'\t\n") + ["\x1c", "\x1f", "\x07", "\u00a0", "\u2019",
                                                                       "é", "ß", "İ", "\u0301", "«", "»", "\u200b"]),
               max_size=16)


def _regex_trim(text: str) -> str:
    """trim without its ASCII fast path."""
    text = rulebook._SPACE.sub(" ", text)
    lead = rulebook._LEAD.match(text)
    start = lead.end() if lead else 0
    trail = rulebook._TRAIL.match(text, start)
    return text[start:trail.start() if trail else len(text)].strip()


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.one_of(EDGY, st.text(alphabet=st.characters(max_codepoint=127), max_size=16)))
def test_trim_fast_path_agrees_with_regex(text):
    assert trim(text) == _regex_trim(text)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.one_of(EDGY, st.text(max_size=16)))
def test_fold_words_is_fold_split(text):
    assert fold_words(text) == fold(text).split()
