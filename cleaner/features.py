"""Line features that survive flattening: length, punctuation, stop words, character mix.

Each feature is a plain property of one line; the thresholds that turn them into
`good` (prose) and `near_good` are named here and tested one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from .stopwords import stoplist

# A CJK ideograph or kana is a word of its own; elsewhere a word is a run of \w.
_TOKEN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]|[^\W\p{Han}\p{Hiragana}\p{Katakana}]+")
_ASCII_TOKEN = re.compile(r"\w+")  # the same tokens on ASCII text (no ideographs there), found by the faster stdlib engine
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


@dataclass(frozen=True)
class LineFeatures:
    words: int
    chars: int
    terminal: bool  # ends in sentence or clause punctuation (or a closing quote)
    ends_period: bool  # ends a sentence
    stopword_density: float
    digit_ratio: float
    alpha_ratio: float
    upper_ratio: float
    titlecase_ratio: float  # share of words that start with a capital

    @property
    def prose(self) -> bool:
        """Reads like a sentence of running text."""
        return self.good

    @property
    def good(self) -> bool:
        dense = self.stopword_density >= MIN_STOPWORD_DENSITY or self.stopword_density < 0
        if self.words >= GOOD_LONG_WORDS and dense:
            return True
        return self.words >= GOOD_MIN_WORDS and self.terminal and dense

    @property
    def near_good(self) -> bool:
        return self.words >= NEAR_MIN_WORDS and (self.terminal or self.stopword_density >= 2 * MIN_STOPWORD_DENSITY)


_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_DIGITS = b"0123456789"
_ASCII_SPACE = b" \t\n\r\x0b\x0c"


def _char_counts(text: str) -> tuple[int, int, int, int]:
    """(letters, digits, upper, visible) of a line; ASCII lines are counted by bytes.translate, in C."""
    if text.isascii():
        raw = text.encode("ascii")
        n = len(raw)
        letters = n - len(raw.translate(None, _ASCII_LETTERS))
        return (letters, n - len(raw.translate(None, _ASCII_DIGITS)), n - len(raw.translate(None, _ASCII_UPPER)),
                len(raw.translate(None, _ASCII_SPACE)))
    return (sum(map(str.isalpha, text)), sum(map(str.isdigit, text)), sum(map(str.isupper, text)),
            len(text) - sum(map(str.isspace, text)))


@lru_cache(maxsize=1 << 16)
def features(text: str, lang: str = "en") -> LineFeatures:
    """Compute the features of one line (cached: stages ask about the same line often)."""
    stripped = text.strip()
    ascii_only = stripped.isascii()
    tokens = (_ASCII_TOKEN if ascii_only else _TOKEN).findall(stripped)
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
