"""Stop-word lists per language, for the stop-word density feature.

The lists come from jusText (installed with trafilatura); Chinese and Japanese, which
jusText lacks, get short lists of function characters here. Languages are ISO 639-1.
"""

from __future__ import annotations

from functools import lru_cache

import importlib.util
from pathlib import Path

JUSTEXT_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh",
    "da": "Danish", "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "is": "Icelandic",
    "it": "Italian", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ms": "Malay",
    "nl": "Dutch", "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese",
}

# Function characters and particles: jusText has no lists for these languages.
_CJK = {
    "zh": "的 了 是 在 我 有 和 就 不 人 都 一 这 也 你 他 她 它 们 个 上 中 到 说 要 会 对 为 与 及 而 被 把 让 从 向 以 之 其 或 但 因 所 如 等 着 过 还 又 很 最 更 已 该 此 那 些 么 吗 呢 吧 啊",
    "ja": "の に は を た が で て と し れ さ ある いる も な こと として い から まで より へ や など その この それ これ ない だ です ます でも また か よう ため",
}


@lru_cache(maxsize=None)
def stoplist(lang: str) -> frozenset[str]:
    """The stop words of a language; English when the language is unknown to us."""
    if lang in _CJK:
        return frozenset(_CJK[lang].split())
    name = JUSTEXT_NAMES.get(lang, "English")
    return frozenset(w.casefold() for w in justext_stoplist(name))


@lru_cache(maxsize=None)
def justext_stoplist(name: str) -> frozenset[str]:
    """jusText's stop-list file read as justext.get_stoplist reads it, without importing jusText
    (its import pulls in lxml.html and urllib, start-up a pre-commit hook pays on every commit)."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"jusText is not installed: no stop list for {name}")
    data = (Path(next(iter(spec.submodule_search_locations))) / "stoplists" / f"{name}.txt").read_bytes()
    return frozenset(w.decode("utf8").lower() for w in data.splitlines())


def known(lang: str) -> bool:
    return lang in _CJK or lang in JUSTEXT_NAMES
