"""Line features that survive flattening: length, punctuation, stop words, character mix.

Each feature is a plain property of one line; the thresholds that turn them into
`good` (prose) and `near_good` are named here and tested one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from .stopwords import stoplist

# A CJK ideograph or kana is a word of its own; elsewhere a word is a run of \w.
_TOKEN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]|[^\W\p{Han}\p{Hiragana}\p{Katakana}]+")
_ASCII_TOKEN = re.compile(r"\w+")  # the same tokens on ASCII text (no ideographs there), found by the faster stdlib engine
# Outside ASCII, characters on which the stdlib's \w and _TOKEN agree (Latin, Greek, Cyrillic, general punctuation,
# less a few marks, superscripts and fractions; tests/test_fastpaths.py checks every one): a line made of these
# alone gets the same tokens from _ASCII_TOKEN.
_SAME_WORDS = ("\u0080-\u00b1\u00b4-\u00b8\u00ba-\u00bb\u00bf-\u02ff\u0370-\u0482\u048a-\u052f\u2000-\u200b"
               "\u200e-\u203e\u2041-\u2053\u2055-\u206f\u2071-\u2073\u207a-\u207f\u208a-\u208e\u2090-\u209c"
               "\u20a0-\u20cf")
_OTHER_SCRIPT = re.compile(f"[^\\x00-\\x7f{_SAME_WORDS}]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_CLOSERS = "\"”’»)]"  # closing quotes and brackets that may follow a sentence mark
_SENTENCE_END = frozenset(".!?…。！？")
_CLAUSE_END = _SENTENCE_END | frozenset(";:")


def _ends_sentence(stripped: str) -> bool:
    """Ends in a sentence mark, perhaps followed by one closing quote or bracket."""
    if stripped[-1:] in _CLOSERS:
        stripped = stripped[:-1].rstrip()
    return stripped[-1:] in _SENTENCE_END

GOOD_MIN_WORDS = 10  # a prose line ending in terminal punctuation
GOOD_LONG_WORDS = 25  # a long line is prose even without terminal punctuation
NEAR_MIN_WORDS = 5
MIN_STOPWORD_DENSITY = 0.15  # below this a long line reads like a list of names, not prose


@dataclass(frozen=True, init=False)
class LineFeatures:
    """The features of one line; `good` (prose) and `near_good` are set with them (not fields): asked of every line often."""

    words: int
    chars: int
    terminal: bool  # ends in sentence or clause punctuation (or a closing quote)
    ends_period: bool  # ends a sentence
    stopword_density: float
    digit_ratio: float
    alpha_ratio: float
    upper_ratio: float
    titlecase_ratio: float  # share of words that start with a capital
    if TYPE_CHECKING:
        good: bool
        near_good: bool

    def __init__(self, words: int, chars: int, terminal: bool, ends_period: bool, stopword_density: float,
                 digit_ratio: float, alpha_ratio: float, upper_ratio: float, titlecase_ratio: float):
        fields = self.__dict__  # as in model.Line: a frozen dataclass's __init__ costs an object.__setattr__ a field
        fields.update(words=words, chars=chars, terminal=terminal, ends_period=ends_period,
                      stopword_density=stopword_density, digit_ratio=digit_ratio, alpha_ratio=alpha_ratio,
                      upper_ratio=upper_ratio, titlecase_ratio=titlecase_ratio)
        dense = stopword_density >= MIN_STOPWORD_DENSITY or stopword_density < 0
        fields["good"] = (words >= GOOD_LONG_WORDS and dense) or (words >= GOOD_MIN_WORDS and terminal and dense)
        fields["near_good"] = words >= NEAR_MIN_WORDS and (terminal or stopword_density >= 2 * MIN_STOPWORD_DENSITY)

    @property
    def prose(self) -> bool:
        """Reads like a sentence of running text."""
        return self.good


_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_DIGITS = b"0123456789"
_ASCII_SPACE = b" \t\n\r\x0b\x0c"


_ALL_ASCII_SPACE = _ASCII_SPACE + b"\x1c\x1d\x1e\x1f"  # what str.isspace() calls space in ASCII


def _char_counts(text: str) -> tuple[int, int, int, int]:
    """(letters, digits, upper, visible) of a line; ASCII lines are counted by bytes.translate, in C."""
    if text.isascii():
        raw = text.encode("ascii")
        n = len(raw)
        letters = n - len(raw.translate(None, _ASCII_LETTERS))
        return (letters, n - len(raw.translate(None, _ASCII_DIGITS)), n - len(raw.translate(None, _ASCII_UPPER)),
                len(raw.translate(None, _ASCII_SPACE)))
    # The ASCII characters by bytes.translate over the UTF-8 (other characters' bytes are all >= 0x80),
    # the rest by str methods: a Latin line has few of them.
    raw = text.encode("utf-8", "surrogatepass")
    n = len(raw)
    other = "".join(_NON_ASCII.findall(text))
    return (n - len(raw.translate(None, _ASCII_LETTERS)) + sum(map(str.isalpha, other)),
            n - len(raw.translate(None, _ASCII_DIGITS)) + sum(map(str.isdigit, other)),
            n - len(raw.translate(None, _ASCII_UPPER)) + sum(map(str.isupper, other)),
            len(text) - (n - len(raw.translate(None, _ALL_ASCII_SPACE))) - sum(map(str.isspace, other)))


@lru_cache(maxsize=1 << 16)
def features(text: str, lang: str = "en") -> LineFeatures:
    """Compute the features of one line (cached: stages ask about the same line often)."""
    stripped = text.strip()
    ascii_only = stripped.isascii()
    simple = ascii_only or _OTHER_SCRIPT.search(stripped) is None
    tokens = (_ASCII_TOKEN if simple else _TOKEN).findall(stripped)
    n = len(tokens)
    letters, digits, upper, visible = _char_counts(stripped)
    visible = visible or 1
    if n:
        stops = stoplist(lang)
        stop = sum(map(stops.__contains__, map(str.lower if ascii_only else str.casefold, tokens)))
        # Scripts without stop words in our lists (or CJK single chars) get -1: unknown, not zero.
        density = stop / n if stop or _has_latin_or_cyrillic(stripped) else -1.0
        titled = sum(map(str.isupper, [t[0] for t in tokens])) / n
    else:
        density, titled = 0.0, 0.0
    return LineFeatures(
        words=n,
        chars=len(stripped),
        terminal=stripped.rstrip(_CLOSERS)[-1:] in _CLAUSE_END,
        ends_period=_ends_sentence(stripped),
        stopword_density=density,
        digit_ratio=digits / visible,
        alpha_ratio=letters / visible,
        upper_ratio=upper / (letters or 1),
        titlecase_ratio=titled,
    )


_LATIN_CYR = regex.compile(r"[\p{Latin}\p{Cyrillic}]")


def _has_latin_or_cyrillic(text: str) -> bool:
    return bool(_LATIN_CYR.search(text))


TITLE_MAX_WORDS = 30  # a headline has at most this many words (TextThresholds.title_max_words)


def is_headline(f: LineFeatures, max_words: int = TITLE_MAX_WORDS) -> bool:
    """A title-like line: a few words, mostly letters, not a sentence ending in a period."""
    return 2 <= f.words <= max_words and not f.ends_period and f.digit_ratio < 0.3 and f.alpha_ratio > 0.5
