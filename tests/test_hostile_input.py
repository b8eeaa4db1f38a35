"""Hostile input: every case gets a clear per-document error or a correct cleaning, never a crash or a lost document.

Decisions these tests pin (README, "Reliability"):
- Empty, whitespace-only and binary files are failures with a reason; a gzip/zstd file without
  its suffix is decompressed (within --max-bytes); stray NUL bytes are removed with a warning.
- Encodings: UTF-8 (BOM or not), UTF-16/32 with a BOM, UTF-16 without one, UTF-8 with a few
  damaged bytes (U+FFFD each), an HTML <meta> charset that decodes, else the encoding
  charset_normalizer detects. Whatever was not plain UTF-8 is named in the document's metadata
  (`encoding`, `warnings`) and counted in report.json: no silent mojibake, no lost document.
- Duplicate JSONL ids: both records are kept with their ids (ids are data, never paths) and
  the second carries a `duplicate-id` warning.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import socket
import time
import tracemalloc
from pathlib import Path

import pytest
import zstandard

from cleaner import runner
from cleaner.cli import main
from cleaner.io.decode import DEFAULT_MAX_BYTES
from cleaner.io.readers import Fields, read_file, read_jsonl
from cleaner.io.writers import OutputNames
from cleaner.model import Cleaned, Document, Failure, Kind
from cleaner.pipeline import Options
from cleaner.runner import RunConfig, run
from cleaner.workers import clean_item
from cleaner.lines import normalise

P = "The council voted on Tuesday to extend the library's opening hours through the winter months, after residents asked."
Q = "Residents had asked for longer hours for years, saying the building was the only warm place to study in town."
ACCENTED = "Café crème and a naïve “quoted” façade."
ARTICLE = f"{ACCENTED} {P}\n\n{Q}\n"


def html_page(body: str, head: str = "<title>Library hours</title>") -> str:
    return f"<html><head>{head}</head><body><article><p>{body}</p><p>{P}</p><p>{Q}</p></article></body></html>"


def outcome(cleaner, path: Path, **kwargs) -> Cleaned | Failure:
    """Read one file and clean it as a run does: a Cleaned result or a Failure, never an exception."""
    item = read_file(path, path.name, **kwargs)
    return clean_item(cleaner, item)[1]


# --------------------------------------------------------------------------- empty, binary, encodings

def gz_named_txt(path: Path) -> None:
    path.write_bytes(gzip.compress(ARTICLE.encode()))


def zst_named_txt(path: Path) -> None:
    path.write_bytes(zstandard.ZstdCompressor().compress(ARTICLE.encode()))


def png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)


def stray_nul(path: Path) -> None:
    data = ARTICLE.encode()
    path.write_bytes(data[:30] + b"\x00" + data[30:])


def mostly_nul(path: Path) -> None:
    path.write_bytes((b"\x00\x01\x02abc" * 500) + ARTICLE.encode())


def damaged_utf8(path: Path) -> None:
    path.write_bytes(ACCENTED.encode() + b" \xff\xfe " + P.encode() + b"\n\n" + Q.encode())


FAILS = {  # case: (writer, words the error must say)
    "empty.txt": (lambda p: p.write_bytes(b""), "empty file"),
    "whitespace.txt": (lambda p: p.write_bytes(b" \n\t\r\n  \n"), "only whitespace"),
    "whitespace-utf16.txt": (lambda p: p.write_bytes("  \n \n".encode("utf-16")), "only whitespace"),
    "photo.txt": (png, "PNG image"),
    "archive.html": (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(200)), "zip archive"),
    "mostly-nul.txt": (mostly_nul, "NUL bytes"),
    "bad-bom.txt": (lambda p: p.write_bytes(b"\xff\xfe" + b"\x00\xd8a\x00"), "utf-16"),
}

CLEANS = {  # case: (writer, text the article must hold, warning kind expected or None, encoding in metadata or None)
    "utf8.txt": (lambda p: p.write_bytes(ARTICLE.encode()), ACCENTED, None, None),
    "utf8-bom.txt": (lambda p: p.write_bytes(codecs.BOM_UTF8 + ARTICLE.encode()), ACCENTED, None, None),
    "gzip-named-txt.txt": (gz_named_txt, ACCENTED, "compressed", None),
    "zstd-named-txt.txt": (zst_named_txt, ACCENTED, "compressed", None),
    "stray-nul.txt": (stray_nul, Q, "nul", None),
    "damaged-utf8.txt": (damaged_utf8, ACCENTED, "utf-8", None),
    "windows-1252.txt": (lambda p: p.write_bytes(ARTICLE.encode("cp1252")), ACCENTED, "encoding", "cp1252"),
    "latin-1.txt": (lambda p: p.write_bytes(("Müller größer Straße. " + P + "\n\n" + Q).encode("latin-1")),
                    "Müller größer Straße.", "encoding", "cp1252"),
    "utf-16-bom.txt": (lambda p: p.write_bytes(ARTICLE.encode("utf-16")), ACCENTED, None, "utf-16"),
    "utf-16-le.txt": (lambda p: p.write_bytes(ARTICLE.encode("utf-16-le")), ACCENTED, "encoding", "utf-16-le"),
    "utf-16-be.txt": (lambda p: p.write_bytes(ARTICLE.encode("utf-16-be")), ACCENTED, "encoding", "utf-16-be"),
    "utf-32-bom.txt": (lambda p: p.write_bytes(ARTICLE.encode("utf-32")), ACCENTED, None, "utf-32"),
    "cyrillic-1251.txt": (lambda p: p.write_bytes(("Городской совет во вторник продлил часы работы библиотеки на всю зиму. "
                                                   "Жители давно просили об этом, потому что здание было единственным тёплым местом.")
                                                  .encode("cp1251")), "Городской совет", "encoding", "cp1251"),
    # HTML whose <meta> charset lies: the bytes are UTF-8, the page says Latin-1
    "meta-lies-latin1.html": (lambda p: p.write_bytes(html_page(ACCENTED, '<meta charset="iso-8859-1"><title>Café</title>').encode()),
                              ACCENTED, None, None),
    # ... and the other way: the page says UTF-8, the bytes are windows-1252
    "meta-lies-utf8.html": (lambda p: p.write_bytes(html_page(ACCENTED, '<meta charset="utf-8"><title>Cafe</title>').encode("cp1252")),
                            ACCENTED, "encoding", "cp1252"),
    "meta-true-1252.html": (lambda p: p.write_bytes(html_page(ACCENTED, '<meta charset="windows-1252"><title>Cafe</title>').encode("cp1252")),
                            ACCENTED, None, "cp1252"),
    # an XML declaration naming ISO-8859-1 over UTF-8 bytes: lxml must not decode the text a second time
    "xml-decl-lies.xhtml": (lambda p: p.write_bytes(('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
                                                     + html_page(ACCENTED)).encode()), ACCENTED, None, None),
}


@pytest.mark.parametrize("name", sorted(FAILS))
def test_unreadable_files_fail_with_a_reason(cleaner, tmp_path, name):
    write, words = FAILS[name]
    write(tmp_path / name)
    result = outcome(cleaner, tmp_path / name)
    assert isinstance(result, Failure), result
    assert words.lower() in result.message.lower() and result.stage == "read" and result.id == name


@pytest.mark.parametrize("name", sorted(CLEANS))
def test_encodings_and_wrappers_are_read_and_named(cleaner, tmp_path, name):
    write, expected, warning, encoding = CLEANS[name]
    write(tmp_path / name)
    result = outcome(cleaner, tmp_path / name)
    assert isinstance(result, Cleaned), result
    assert expected in result.text
    assert "\x00" not in result.text and "Ã" not in result.text  # no NUL, no UTF-8-read-as-Latin-1 mojibake
    kinds = [w.split(":", 1)[0] for w in result.meta.get("warnings", [])]
    assert kinds == ([warning] if warning else [])
    assert result.meta.get("encoding") == encoding


def test_damaged_utf8_marks_each_bad_sequence(cleaner, tmp_path):
    damaged_utf8(tmp_path / "d.txt")
    result = outcome(cleaner, tmp_path / "d.txt")
    assert result.text.count("\ufffd") == 2  # \xff and \xfe: one replacement per invalid sequence, the rest intact
    assert "2 invalid byte sequences" in result.meta["warnings"][0]


# --------------------------------------------------------------------------- size


def write_big_line(path: Path, size: int, prefix: bytes = b"", suffix: bytes = b"") -> None:
    chunk = b"word " * 200_000  # 1 MB
    with open(path, "wb") as fh:
        fh.write(prefix)
        for _ in range(size // len(chunk)):
            fh.write(chunk)
        fh.write(suffix)


def test_a_100_mb_single_line_is_refused_without_reading_it(cleaner, tmp_path, monkeypatch):
    big = tmp_path / "one-line.txt"
    write_big_line(big, 100_000_000)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    started = time.perf_counter()
    result = outcome(cleaner, big)
    assert isinstance(result, Failure) and "--max-bytes" in result.message and "100,000,000 bytes" in result.message
    assert time.perf_counter() - started < 1.0


def test_a_50_mb_html_page_is_refused_without_reading_it(cleaner, tmp_path, monkeypatch):
    page = tmp_path / "huge.html"
    write_big_line(page, 50_000_000, b"<html><body><p>", b"</p></body></html>")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    result = outcome(cleaner, page)
    assert isinstance(result, Failure) and "limit of 20,000,000" in result.message


def test_a_larger_limit_cleans_what_the_default_refuses(cleaner, tmp_path):
    page = tmp_path / "p.txt"
    page.write_text(ARTICLE * 40, encoding="utf-8")
    size = page.stat().st_size
    assert isinstance(outcome(cleaner, page, max_bytes=size - 1), Failure)
    assert isinstance(outcome(cleaner, page, max_bytes=size), Cleaned)


def test_a_huge_jsonl_line_is_skipped_in_bounded_memory_and_the_next_record_is_cleaned(tmp_path):
    path = tmp_path / "big.jsonl"
    write_big_line(path, 30_000_000, b'{"id": "big", "text": "', b'"}\n' + json.dumps({"id": "next", "text": ARTICLE}).encode() + b"\n")
    tracemalloc.start()
    try:
        items = list(read_jsonl(path, path.name, Fields(), max_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000  # a 30 MB line never sits in memory whole
    assert items[0].failure is not None and "JSONL line is 30,000,0" in items[0].failure.message
    assert items[0].failure.source == f"{path}:1"
    assert items[1].doc is not None and items[1].doc.id == "next"


def test_a_jsonl_record_over_the_limit_is_a_failure_not_a_truncation(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"id": "long", "text": "é" * 600}, ensure_ascii=False) + "\n", encoding="utf-8")
    (item,) = read_jsonl(path, path.name, Fields(), max_bytes=1000)  # 600 characters, 1200 bytes
    assert item.failure is not None and "1,200 bytes" in item.failure.message


def test_the_cleaner_refuses_oversized_documents_from_any_reader():
    """The Ray engine and library users hand documents straight to the Cleaner: it checks the limit too."""
    from cleaner.pipeline import Cleaner

    small = Cleaner(Options(max_bytes=100))
    doc = Document("x", Kind.TEXT, ARTICLE * 3)
    result = clean_item(small, runner.Item(runner.Dest("jsonl", "x"), doc=doc))[1]
    assert isinstance(result, Failure) and "--max-bytes" in result.message


def test_a_compression_bomb_is_refused(cleaner, tmp_path):
    bomb = tmp_path / "bomb.txt"
    bomb.write_bytes(gzip.compress(b"a" * 3_000_000))
    result = outcome(cleaner, bomb, max_bytes=1_000_000)
    assert isinstance(result, Failure) and "decompresses to more than" in result.message


def test_100000_nested_divs_fail_quickly_with_the_parser_limit_named(cleaner, tmp_path):
    page = tmp_path / "nested.html"
    page.write_text("<html><body>" + "<div>" * 100_000 + f"<p>{P}</p>" + "</div>" * 100_000 + "</body></html>")
    started = time.perf_counter()
    result = outcome(cleaner, page)
    assert time.perf_counter() - started < 15
    assert isinstance(result, Failure) and "Excessive depth" in result.message  # not a silently empty article


def test_one_million_empty_lines_cost_little(cleaner, tmp_path):
    path = tmp_path / "gaps.txt"
    path.write_text(f"{P}\n" + "\n" * 1_000_000 + f"{Q}\n", encoding="utf-8")
    started = time.perf_counter()
    result = outcome(cleaner, path)
    assert time.perf_counter() - started < 5
    assert result.text == f"{P}\n\n{Q}"
    numbers = {line.text: line.no for line in cleaner.page(path.read_text()).lines}
    assert numbers[Q] == 1_000_002  # line numbers stay the file's


# --------------------------------------------------------------------------- broken data


def jsonl(records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


GOOD = [{"id": f"g{i}", "text": ARTICLE} for i in range(40)]


@pytest.mark.parametrize("suffix, compress", [(".jsonl.gz", gzip.compress),
                                              (".jsonl.zst", lambda b: zstandard.ZstdCompressor().compress(b))])
def test_a_truncated_stream_keeps_what_it_holds_and_reports_the_rest(tmp_path, suffix, compress):
    path = tmp_path / f"cut{suffix}"
    padded = [{**r, "pad": os.urandom(600).hex()} for r in GOOD * 5]  # several zstd blocks of 128 KB
    data = compress(jsonl(padded))
    path.write_bytes(data[: len(data) * 2 // 3])
    report = run(RunConfig(inputs=(str(path),), out=tmp_path / "out", progress=False))
    assert report.documents_in == report.documents_out + report.documents_failed
    assert report.documents_failed == 1 and 0 < report.documents_out < len(padded)
    (failure,) = report.failures
    assert failure.stage == "read" and f"cannot read {path.name} after line {report.documents_out}" in failure.message


def test_broken_jsonl_lines_each_fail_alone(tmp_path):
    lines = [GOOD[0], b"{broken", b"[1, 2]", b'"just a string"', {"id": "no-text"}, {"id": "num", "text": 5},
             {"id": "null", "text": None}, {"id": "list", "text": ["a"]}, b"[" * 100_000 + b"]" * 100_000, GOOD[1],
             b'{"id": "bad-utf8", "text": "caf\xe9"}', {"id": "nul", "text": f"{P}\x00\n\n{Q}"}]
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl(lines))
    out = tmp_path / "out"
    report = run(RunConfig(inputs=(str(path),), out=out, progress=False))
    assert (report.documents_in, report.documents_out, report.documents_failed) == (12, 3, 9)
    by_line = {f.source.rsplit(":", 1)[1]: f.message for f in report.failures}
    assert "malformed JSON" in by_line["2"] and "must be an object, got list" in by_line["3"]
    assert "got str" in by_line["4"] and "no string field 'text'" in by_line["5"]
    assert "'text' is int" in by_line["6"] and "'text' is NoneType" in by_line["7"] and "'text' is list" in by_line["8"]
    assert "nested too deeply" in by_line["9"] and "invalid UTF-8" in by_line["11"]
    records = [json.loads(line) for line in (out / "in.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["g0", "g1", "nul"]
    assert "\x00" not in records[2]["text"] and records[2]["metadata"]["warnings"] == ["nul: 1 NUL character removed"]


def test_duplicate_ids_keep_both_records_with_a_warning(tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_bytes(jsonl([{"id": "same", "text": ARTICLE}, {"id": "other", "text": ARTICLE},
                            {"id": "same", "text": ARTICLE.replace("Tuesday", "Friday")}]))
    out = tmp_path / "out"
    report = run(RunConfig(inputs=(str(path),), out=out, progress=False))
    records = [json.loads(line) for line in (out / "dup.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["same", "other", "same"]
    assert "Friday" in records[2]["text"] and "warnings" not in records[0]["metadata"]
    assert records[2]["metadata"]["warnings"] == ["duplicate-id: the id of line 1 again; both records are kept"]
    assert report.warnings == {"duplicate-id": 1}


# --------------------------------------------------------------------------- markup tricks

SECRET = "TOP-SECRET-CONTENT-OF-A-LOCAL-FILE"


def laughs(levels: int = 10) -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels))
    return f'<?xml version="1.0"?>\n<!DOCTYPE html [{entities}]>\n'


def external(target: str) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "{target}"> <!ENTITY % pe SYSTEM "{target}"> %pe;]>\n'


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("network use in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == []


@pytest.mark.parametrize("suffix", [".html", ".xhtml"])
def test_entity_expansion_is_never_performed(cleaner, tmp_path, suffix, no_network):
    page = tmp_path / f"laughs{suffix}"
    page.write_text(laughs() + html_page(f"{ACCENTED} &lol9; end"), encoding="utf-8")
    started = time.perf_counter()
    result = outcome(cleaner, page)
    assert time.perf_counter() - started < 10
    assert isinstance(result, Cleaned) and ACCENTED in result.text
    assert "lollol" not in result.text + result.title + json.dumps(result.meta)


@pytest.mark.parametrize("suffix", [".html", ".xhtml"])
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_external_entities_are_never_fetched(cleaner, tmp_path, suffix, scheme, no_network):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    target = secret.as_uri() if scheme == "file" else "http://127.0.0.1:9/secret.txt"
    page = tmp_path / f"xxe{suffix}"
    page.write_text(external(target) + html_page(f"{ACCENTED} &xxe; end", f"<title>&xxe;</title>"), encoding="utf-8")
    result = outcome(cleaner, page)
    assert isinstance(result, Cleaned) and ACCENTED in result.text
    everything = json.dumps([result.text, result.title, [p.text for p in result.comments], result.meta,
                             [r.text for r in result.removed]])
    assert SECRET not in everything


# --------------------------------------------------------------------------- hostile ids and names

HOSTILE_IDS = ["../../etc/passwd", "/etc/passwd", "..", "", "a\x00b", "\x1b[2J\x07bell", "C:\\Windows\\x", "con",
               "dir/../../../escape", "\u202eevil"]


def outside_snapshot(root: Path, out: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if out not in p.parents and p != out}


@pytest.mark.parametrize("mode", [[], ["--shard-size", "3"]])
def test_hostile_jsonl_ids_stay_data_and_outputs_stay_inside_out(tmp_path, capsys, mode):
    src = tmp_path / "in" / "ids.jsonl"
    src.parent.mkdir()
    src.write_bytes(jsonl([{"id": i, "text": ARTICLE} for i in HOSTILE_IDS] + [b"{broken"]))
    out = tmp_path / "out"
    before = outside_snapshot(tmp_path, out)
    assert main(["clean", str(src), "-o", str(out), "-j", "2", "--no-progress", *mode]) == 1
    assert outside_snapshot(tmp_path, out) == before
    written = [p for p in out.rglob("*") if p.is_file()]
    assert all(out in p.resolve().parents for p in written)
    parts = sorted(out.glob("part-*")) or [out / "ids.jsonl"]
    from cleaner.io.streams import open_compressed

    records = [json.loads(line) for part in parts for line in open_compressed(part)]
    assert [r["id"] for r in records] == HOSTILE_IDS  # ids are kept exactly, never used as paths
    assert "\x1b" not in capsys.readouterr().err


def test_hostile_file_names_stay_inside_out_and_are_shown_escaped(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["evil\nname.txt", "\x1b[31mred.txt", "tab\there.txt", "\u202etxt.html", "a\x01.txt", "a\x02.txt"]
    for name in names:
        (corpus / name).write_text(ARTICLE, encoding="utf-8")
    (corpus / "\x1b]0;pwned\x07.txt").write_bytes(b"")  # fails: its name goes to the terminal
    out = tmp_path / "out"
    assert main(["clean", str(corpus), "-o", str(out), "-j", "1", "--no-progress"]) == 1
    articles = sorted(p for p in (out / "articles").rglob("*") if p.is_file())
    assert len(articles) == len(names)  # a\x01 and a\x02 both sanitise to a_: neither overwrites the other
    assert all(p.read_text(encoding="utf-8").startswith(ACCENTED) for p in articles)
    assert all(ch.isprintable() for p in articles for ch in p.name)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned\\x07.txt" in err


def test_inputs_that_would_share_an_output_file_get_their_own(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    texts = {"page.txt": "Plain text version. " + P, "page.html": html_page("Markup version. " + P),
             "PAGE.htm": html_page("Upper-case version. " + P), "sub/x.txt": "Nested text. " + P}
    for name, text in texts.items():
        (corpus / name).write_text(text + "\n\n" + Q, encoding="utf-8")
    (corpus / "errors.jsonl").write_bytes(jsonl([{"id": "e", "text": "A record in a file named like the log. " + P}]))
    (corpus / "bad.txt").write_bytes(b"")
    out = tmp_path / "out"
    report = run(RunConfig(inputs=(str(corpus),), out=out, progress=False))
    assert (report.documents_in, report.documents_out, report.documents_failed) == (6, 5, 1)
    texts_out = sorted(p.read_text(encoding="utf-8") for p in (out / "articles").rglob("*.txt"))
    assert len(texts_out) == 4 and all(any(v in t for t in texts_out) for v in ("Plain", "Markup", "Upper-case", "Nested"))
    assert [json.loads(line)["id"] for line in (out / ".cleaner" / "errors.jsonl").read_text().splitlines()] == ["bad.txt"]
    assert json.loads((out / "errors.jsonl").read_text())["id"] == "e"  # the run's log lives in OUT/.cleaner: no clash
    rerun = run(RunConfig(inputs=(str(corpus),), out=out, progress=False))  # the same names on a resumed run
    assert rerun.documents_out == 5 and {p.name for p in out.glob("errors*.jsonl")} == {"errors.jsonl"}


def test_output_names_fit_the_file_system():
    names = OutputNames()
    fits, too_long = "n" * 249, "m" * 250  # OUT/comments/NAME.jsonl: 255 and 256 bytes
    assert names.mirror(f"d/{fits}.txt") == f"d/{fits}"
    hashed = names.mirror(f"d/{too_long}.html")
    assert hashed.startswith("d/mmm") and len(hashed.rsplit("/", 1)[1].encode()) + len(".jsonl") <= 255
    warc = names.jsonl(f"{'w' * 250}.jsonl.gz", f"{'w' * 250}.warc.gz")  # 259 bytes as named
    assert warc.endswith(".jsonl.gz") and len(warc.encode()) <= 255


def test_output_names_never_collide():
    names = OutputNames()
    claimed = [names.mirror(r) for r in ("a.txt", "a.html", "A.htm", "a-0.txt", "a\x01.txt", "a\x02.txt", "../a.txt")]
    claimed += [names.jsonl(n, r) for n, r in (("x.jsonl.gz", "x.jsonl.gz"), ("x.jsonl.gz", "x.warc.gz"),
                                               ("errors.jsonl", "errors.jsonl"), ("report.json", "report.json"))]
    keys = [c.casefold().replace("\x01", "_").replace("\x02", "_").lstrip("./") for c in claimed]
    assert len(set(keys)) == len(keys)


# --------------------------------------------------------------------------- adversarial text

ADVERSARIAL = [
    "Straße und Maß: STRASSE, straße — İstanbul'da ıslak İİ ﬁnance ﬂow ǅ ﬀ.",
    "שלום עולם, זהו טקסט מימין לשמאל עם מספרים 123 ועם English words inside.",
    "مرحبا بالعالم، هذا نص عربي يكتب من اليمين إلى اليسار مع علامات الترقيم.",
    "Combining: e\u0301 a\u0308 o\u0302\u0323 Z\u0335\u0321\u031b\u0327a\u0336\u0327l\u0337g\u0338o\u0334 text, and \u202eoverride\u202c.",
    "Emoji 👩🏽‍💻 and flags 🇺🇦🇩🇪 with ZWJ sequences, then the sentence ends properly here.",
]


def strip_rule_examples(cleaner) -> list[str]:
    return [e for r in cleaner.rulebook.rules if r.action == "strip" for e in r.examples.get("strip") or [] if isinstance(e, str)]


def test_removed_spans_are_exact_substrings_of_the_input_lines(cleaner):
    chrome = ["Back to top", "Share this:", "Reaction score", "Leave a Reply"]
    stripped = [f"{ADVERSARIAL[0]} {e}" for e in strip_rule_examples(cleaner)] + \
        [f"{e} {ADVERSARIAL[3]}" for e in strip_rule_examples(cleaner)]
    lines = ["Straße Maß İstanbul ﬁnance — a headline"] + [x for pair in zip(ADVERSARIAL, chrome + [""]) for x in pair] \
        + stripped + [P, Q]
    content = "\n".join(lines)
    result = cleaner.clean(Document("adv", Kind.TEXT, content))
    source = normalise(content).split("\n")
    assert result.removed
    for removal in result.removed:
        assert removal.text and removal.text in source[removal.line - 1], removal
    assert any(r.rule.startswith(("web/", "media/")) and r.text != source[r.line - 1] for r in result.removed)  # a strip
    assert P in result.text and Q in result.text


def test_explain_shows_each_line_exactly(tmp_path, capsys):
    path = tmp_path / "adv.txt"
    lines = ["Straße Maß İstanbul ﬁnance — a headline"] + ADVERSARIAL + ["Back to top", P, Q]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["explain", str(path), "--color", "never"]) == 0
    shown = [line.split(" | ", 1)[1] for line in capsys.readouterr().out.splitlines()
             if " | " in line and "model/pagetype" not in line]  # the page type heads the lines
    escaped = [x.replace("\u202e", "\\u202e").replace("\u202c", "\\u202c") for x in lines]  # bidi overrides: escaped
    assert shown == [normalise(x) for x in escaped]


def test_a_whole_hostile_corpus_loses_nothing(tmp_path):
    """Every case above in one folder, on two processes: documents in = out + failed, each failure named."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (write, *_rest) in {**FAILS, **CLEANS}.items():
        write(corpus / name)
    (corpus / "records.jsonl").write_bytes(jsonl([{"id": i, "text": ARTICLE} for i in HOSTILE_IDS] + [b"{broken"]))
    out = tmp_path / "out"
    report = run(RunConfig(inputs=(str(corpus),), out=out, jobs=2, progress=False))
    assert report.documents_in == len(FAILS) + len(CLEANS) + len(HOSTILE_IDS) + 1
    assert report.documents_failed == len(FAILS) + 1
    assert report.documents_out == len(CLEANS) + len(HOSTILE_IDS)
    errors = [json.loads(line) for line in (out / ".cleaner" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(e["id"] for e in errors) == sorted(list(FAILS) + ["11"])
    on_disk = {p.relative_to(out / "articles").as_posix() for p in (out / "articles").rglob("*.txt")}
    assert on_disk == {os.path.splitext(n)[0] + ".txt" for n in CLEANS}
    assert DEFAULT_MAX_BYTES == 20_000_000


# --------------------------------------------------------------------------- sidecars of `cleaner fix`


@pytest.mark.parametrize("template", [None, "{stem}.thread.jsonl"])
def test_fix_sidecars_are_not_read_back_as_inputs(tmp_path, monkeypatch, template):
    from conftest import SEEDS

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "notes.comments.jsonl").write_bytes(jsonl([{"id": "n", "text": ARTICLE}]))  # no article beside it: an input
    monkeypatch.chdir(tmp_path)
    if template:
        (tmp_path / "cleaner.yaml").write_text(f"comments: '{template}'\n", encoding="utf-8")
    main(["fix", "corpus"])
    pattern = "*.thread.jsonl" if template else "*.txt.comments.jsonl"
    sidecars = sorted(corpus.glob(pattern))
    assert sidecars  # some seeds have comment threads
    out = tmp_path / "out"
    report = run(RunConfig(inputs=(str(corpus),), out=out, progress=False, sidecars=template or "{name}.comments.jsonl"))
    texts = len(list(corpus.glob("*.txt")))
    assert (report.documents_in, report.documents_failed) == (texts + 1, 0)
    assert not [p for p in out.rglob("*") if p.name in {s.name for s in sidecars}]
    assert (out / "notes.comments.jsonl").exists()
    assert main(["clean", "corpus", "-o", str(tmp_path / "cli-out"), "-j", "1", "--no-progress"]) == 0  # the CLI takes the config's
    assert json.loads((tmp_path / "cli-out" / ".cleaner" / "report.json").read_text())["documents_in"] == texts + 1


# --------------------------------------------------------------------------- WARC records


def test_warc_records_get_the_same_limits_and_encoding_notes(tmp_path):
    pytest.importorskip("fastwarc")
    from test_io_warc import response

    from cleaner.io.discover import Dest
    from cleaner.io.warc import read_warc

    big = html_page(ACCENTED + " " + "word " * 4000)
    path = tmp_path / "crawl.warc"
    path.write_bytes(b"".join([
        response("https://x.example/big", big.encode(), 1),
        response("https://x.example/1252", html_page(ACCENTED).encode("cp1252"), 2, ctype="text/html"),
        response("https://x.example/ok", html_page(ACCENTED).encode(), 3),
    ]))
    items = list(read_warc(path, path.name, Dest("jsonl", "crawl.jsonl"), max_bytes=10_000))
    assert items[0].failure is not None and "record is" in items[0].failure.message and "--max-bytes" in items[0].failure.message
    legacy, plain = items[1].doc, items[2].doc
    assert ACCENTED in legacy.content and legacy.meta["encoding"] == "cp1252" and "encoding: not UTF-8" in legacy.meta["warnings"][0]
    assert ACCENTED in plain.content and "encoding" not in plain.meta and "warnings" not in plain.meta
