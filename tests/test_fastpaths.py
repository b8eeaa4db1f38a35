"""Fast paths give the same answers as the general code they stand in for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import lines, rulebook
from cleaner.lines import fold, fold_words, trim

# Characters where the fast paths and the regex engine could part ways: separators str.split() knows
# and regex's \s does not, punctuation at the edges, combining marks, characters casefold expands.
EDGY = st.text(alphabet=st.sampled_from(list("ab Z9 _-.,!?\"'\t\n") + ["\x1c", "\x1f", "\x07", "\u00a0", "\u2019",
                                                                       "é", "ß", "İ", "\u0301", "«", "»", "\u200b"]),
               max_size=16)


def _regex_trim(text: str) -> str:
    """trim without its ASCII fast path."""
    text = lines._SPACE.sub(" ", text)
    lead = lines._LEAD.match(text)
    start = lead.end() if lead else 0
    trail = lines._TRAIL.match(text, start)
    return text[start:trail.start() if trail else len(text)].strip()


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.one_of(EDGY, st.text(alphabet=st.characters(max_codepoint=127), max_size=16)))
def test_trim_fast_path_agrees_with_regex(text):
    assert trim(text) == _regex_trim(text)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.one_of(EDGY, st.text(max_size=16)))
def test_fold_words_is_fold_split(text):
    assert fold_words(text) == fold(text).split()


HEADERISH = st.lists(st.sampled_from(["Ann", "says", "said:", "wrote", "today", "Yesterday", "3", "comments", "(12)",
                                      "July", "4:19", "pm", "ago", "2 days", "Comments", ":", "...", "…", "."]),
                     max_size=6).map(" ".join)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.one_of(HEADERISH, EDGY))
def test_thread_regex_shortcuts_agree(text):
    import regex

    from cleaner import threads

    forward = regex.compile(threads._SAYS.pattern.replace("(?r)", "", 1), threads._SAYS.flags & ~regex.REVERSE)
    assert bool(threads._SAYS.search(text)) == bool(forward.search(text))
    if threads._no_digit(text):
        assert threads._COUNT_HEADING.search(text) is None
        date = threads._DATE.search(text)
        assert date is None or date.group(0).lower() in ("today", "yesterday")


def test_same_words_characters_tokenise_alike():
    import re

    from cleaner.features import _OTHER_SCRIPT, _TOKEN

    word = re.compile(r"\w")
    same = [chr(c) for c in range(0x80, 0x3000) if not _OTHER_SCRIPT.match(chr(c))]
    assert len(same) > 1000
    assert [c for c in same if bool(_TOKEN.fullmatch(c)) != bool(word.fullmatch(c))] == []


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.one_of(EDGY, st.text(max_size=20)))
def test_char_counts_agree_with_str_methods(text):
    from cleaner.features import _char_counts

    assert _char_counts(text) == (sum(map(str.isalpha, text)), sum(map(str.isdigit, text)),
                                  sum(map(str.isupper, text)),
                                  len(text) - sum(map(str.isspace, text))) or text.isascii()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_ascii_features_count_the_rulebooks_words(text):
    from cleaner.features import features
    from cleaner.lines import word_count

    assert features(text).words == word_count(text.strip())  # text.match_line hands one in for the other


def _builtin_buckets():
    """Candidate buckets of the built-in rulebook across zones, word caps and first characters."""
    book = rulebook.load()
    return [book._candidates(zone, words, first) for zone in ("head", "tail", "anywhere")
            for words in (1, 5, 12, 40, 200) for first in ("", "a", "c", "p", "t", "#", "[")]


BUCKETS = _builtin_buckets()
NEEDS = sorted({n for b in BUCKETS for n in b.any_needs})


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(NEEDS), st.text(alphabet=st.characters(max_codepoint=127), max_size=8)),
                max_size=4).map("".join))
def test_ascii_needs_find_what_all_needs_find(text):
    folded = text.casefold()
    for bucket in BUCKETS:
        found = any(n in folded for n in bucket.any_needs)
        if folded.isascii():
            assert any(n in folded for n in bucket.ascii_needs) == found


def test_line_bucket_memo_is_the_bucket():
    book = rulebook.load()
    for zone in ("head", "tail"):
        for words in (0, 1, 3, 7, 15, 35, 90, 91, 500):
            for first in ("", "a", "p", "#", "é", "中"):
                assert book._line_bucket(zone, words, first) is book._candidates(zone, words, first)
                assert book._by_line[(zone, words, first)] is book._candidates(zone, words, first)


_HEADER_PARTS = ["Ann", "SAYS", "says", "said", "wrote", "schrieb", "a écrit", "ESCRIBIÓ", "НАПИСАЛА", "napisał",
                 "قال", "说", "より", "ſays", ":", "...", "…", " ", "\u00a0", "\t", ".", "July 3, 2012", "at 4:19 pm",
                 "Permalink", "posted by", "Posted in News", "12.", "today", "yesterday", "2 comments", "Reply", "on"]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_HEADER_PARTS), min_size=1, max_size=8).map(" ".join))
def test_post_header_fast_checks_decide_as_the_regexes_do(text):
    """is_post_header screens _SAYS by the line's last letter and asks _FOOTER only of dated lines:
    the same answers as the plain order of checks."""
    from cleaner import threads as th
    from cleaner.features import features

    def reference(text, lang="en", max_words=th.DEFAULT.header_max_words):
        f = features(text, lang)
        if not 1 <= f.words <= max_words or f.ends_period:
            return False
        if th._SAYS.search(text):
            return True
        if th._FOOTER.search(text):
            return False
        date = th._DATE.search(text)
        if not date or not (th._TIME.search(text) or th._POSTED_BY.search(text) or th._NUMBERED.match(text)):
            return False
        return any(w.casefold() not in th._NOT_NAMES for w in th._NAME_WORD.findall(text[: date.start()]))

    assert th._may_say(text) or not th._SAYS.search(text)
    assert th.is_post_header.__wrapped__(text) == reference(text)
