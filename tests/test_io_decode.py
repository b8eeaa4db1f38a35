"""Decoding: the HTTP charset, then a <meta> charset, then UTF-8 and detection; charset names as browsers read them."""

from __future__ import annotations

import pytest

from cleaner.io.decode import codec_name, decode_page, meta_charset


@pytest.mark.parametrize("payload, declared, expected", [
    ("naïve café".encode("utf-8"), None, "naïve café"),
    ("naïve café".encode("cp1252"), None, "naïve café"),
    ("naïve café".encode("cp1252"), "iso-8859-1", "naïve café"),
    ('<meta charset="koi8-r"><p>привет</p>'.encode("koi8-r"), None, '<meta charset="koi8-r"><p>привет</p>'),
    ("naïve café".encode("utf-8"), "no-such-charset", "naïve café"),
    ("naïve".encode("utf-8"), "shift_jis-wrong", "naïve"),
])
def test_html_bytes_decode_by_header_then_meta_then_utf8(payload, declared, expected):
    assert decode_page(payload, declared).text == expected


@pytest.mark.parametrize("name, codec", [("UTF-8", "utf-8"), ('"latin1"', "cp1252"), ("ascii", "cp1252"), ("nonsense", None), (None, None)])
def test_charset_names_are_read_as_browsers_read_them(name, codec):
    assert codec_name(name) == codec


def test_meta_charset_is_sniffed_from_the_head_only():
    assert meta_charset(b'<html><head><meta charset="koi8-r">') == "koi8-r"
    assert meta_charset(b"<p>" + b"x" * 5000 + b'<meta charset="koi8-r">') is None
